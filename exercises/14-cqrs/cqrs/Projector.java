package cqrs;

/**
 * Given: runs the projection and tells the waiting queries how far it got. In production a loop calls
 * {@link #runOnce} whenever events may have arrived (a poll every few hundred ms, or a broker's push); in the
 * tests and the lesson, the caller decides when it runs, so "the projection has not caught up yet" is a moment
 * they can hold on to.
 */
public final class Projector {
    private final MyOrdersProjection projection;
    private final EventFeed feed;
    private final ProjectionProgress progress;

    public Projector(MyOrdersProjection projection, EventFeed feed, ProjectionProgress progress) {
        this.projection = projection;
        this.feed = feed;
        this.progress = progress;
    }

    /** Applies every event the feed has after the checkpoint; then wakes the queries that waited for them. */
    public int runOnce() {
        int applied = projection.catchUp(feed);
        progress.reached(projection.checkpoint()); // after the commits: a woken query finds the rows there
        return applied;
    }
}
