package bulkhead;

import java.time.Duration;

/**
 * How many calls a bulkhead lets in at once, and how long a call may wait for a place, with Resilience4j's
 * names for each setting (so its documentation reads as ours).
 *
 * @param maxConcurrentCalls how many calls may run inside the bulkhead at the same time
 * @param maxWaitDuration how long a call that finds every place taken may wait for one before it is rejected;
 *                        zero, Resilience4j's default, rejects it at once
 */
public record BulkheadConfig(int maxConcurrentCalls, Duration maxWaitDuration) {
    public BulkheadConfig {
        if (maxConcurrentCalls < 1) throw new IllegalArgumentException("maxConcurrentCalls must be at least 1: " + maxConcurrentCalls);
        if (maxWaitDuration == null || maxWaitDuration.isNegative()) {
            throw new IllegalArgumentException("maxWaitDuration must be zero or more: " + maxWaitDuration);
        }
    }

    /** At most {@code maxConcurrentCalls} at once, and no waiting: a call that finds no place is rejected at once. */
    public static BulkheadConfig rejectingAtOnce(int maxConcurrentCalls) {
        return new BulkheadConfig(maxConcurrentCalls, Duration.ZERO);
    }
}
