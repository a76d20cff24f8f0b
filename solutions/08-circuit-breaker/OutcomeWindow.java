package breaker;

/**
 * The outcomes of the last {@code capacity} calls, in a ring: a new outcome takes the place of the oldest, and the
 * failure count follows (Resilience4j calls this subtract-on-evict). Not thread-safe: the breaker guards it.
 */
final class OutcomeWindow {
    private final boolean[] failed;
    private int next;      // where the next outcome goes
    private int size;      // how many outcomes the window holds, up to its capacity
    private int failures;  // how many of them are failures

    OutcomeWindow(int capacity) { this.failed = new boolean[capacity]; }

    void record(boolean failure) {
        if (failed[next]) failures--; // the oldest outcome leaves the window (a slot not written yet holds false)
        if (size < failed.length) size++;
        failed[next] = failure;
        if (failure) failures++;
        next = (next + 1) % failed.length;
    }

    int size() { return size; }

    boolean isFull() { return size == failed.length; }

    /** In percent, as the threshold is, over the outcomes held: asked only after a record, so size is at least 1. */
    float failureRate() { return failures * 100f / size; }
}
