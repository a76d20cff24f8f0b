package composition;

import java.time.Duration;

/*
 * Lesson 04 · API composition
 *
 * The mobile app's home screen shows the customer's name, their recent orders and a few recommendations. On a
 * phone every round trip is expensive, so the app makes one call, to GET /home/{customerId}, and this service
 * gathers the three parts from profiles, orders and recommendations. Called one after another, the parts' times
 * add up; and recommendations, a machine-learning model behind a queue, is sometimes very slow or down.
 *
 * Ask the three services at the same time, wait for them no longer than the deadline, and compose what came:
 * a part that failed or is late is left out and named in "degraded". Only the profile is required: without
 * it there is no home screen. Virtual threads or CompletableFuture both do the job (the lesson compares them).
 * Check your work with: ./jbang workbook check 04
 */
public final class HomeComposer {
    private final Peers peers;
    private final Duration deadline;

    /**
     * @param peers    the three services, one blocking call each
     * @param deadline how long a whole composition may take, from the moment compose is called
     */
    public HomeComposer(Peers peers, Duration deadline) {
        this.peers = peers;
        this.deadline = deadline;
    }

    /**
     * Fetches the three parts in parallel and composes them. Returns within the deadline (plus a little), even
     * when a service has not answered by then.
     *
     * @return every part that arrived in time; every optional part that failed or was late is in degraded
     * @throws RequiredPartMissing as soon as a required part fails, or when it has not come by the deadline
     */
    public HomeScreen compose(String customerId) {
        throw new UnsupportedOperationException("TODO: fetch the three parts in parallel (peers.fetch), wait until the deadline at most, and compose a HomeScreen");
    }
}
