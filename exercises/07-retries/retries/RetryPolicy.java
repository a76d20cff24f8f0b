package retries;

import java.time.Duration;

/**
 * How a call is retried: how many attempts in all, and how long to wait between them.
 *
 * @param maxAttempts attempts in all, the first one included: 3 means one call and at most two retries
 * @param baseDelay   the ceiling of the wait before the first retry; each later retry doubles it
 * @param maxDelay    the cap: no wait is ever longer, however many retries came before
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    public RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts counts the first call too, so it is at least 1: " + maxAttempts);
        if (baseDelay.isNegative() || maxDelay.isNegative()) throw new IllegalArgumentException("delays cannot be negative");
    }

    /**
     * The wait before retry number {@code retry} (1 is the wait before the second attempt), with full jitter:
     * {@code random × min(maxDelay, baseDelay × 2^(retry − 1))}.
     *
     * @param random a number in [0, 1) from the caller's random source
     */
    public Duration delayBeforeRetry(int retry, double random) {
        throw new UnsupportedOperationException("TODO: RetryPolicy.delayBeforeRetry: random × min(maxDelay, baseDelay × 2^(retry − 1)), and no overflow for a large retry");
    }

    /**
     * True for answers worth trying again: 429 Too Many Requests and every 5xx. Any other 4xx means the request
     * itself is wrong, and sending it again gets the same answer.
     */
    public static boolean retryable(int status) {
        throw new UnsupportedOperationException("TODO: RetryPolicy.retryable: true for 429 and 5xx, false for every other status");
    }
}
