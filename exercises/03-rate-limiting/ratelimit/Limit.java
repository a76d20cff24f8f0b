package ratelimit;

/**
 * How much one client may ask of the gateway: a bucket of {@code capacity} tokens that refills at
 * {@code tokensPerSecond}. The capacity is the largest burst a client can send at once; the rate is what it can
 * keep up for as long as it likes. {@code new Limit(10, 5)}: ten requests at once, then five a second.
 * A rate below one is fine: {@code new Limit(1, 0.2)} is one request every five seconds.
 */
public record Limit(long capacity, double tokensPerSecond) {
    public Limit {
        if (capacity < 1 || capacity > 1_000_000_000L) {
            throw new IllegalArgumentException("capacity must be between 1 and 1,000,000,000 tokens, not " + capacity);
        }
        if (!(tokensPerSecond > 0) || Double.isInfinite(tokensPerSecond)) {
            throw new IllegalArgumentException("tokensPerSecond must be a positive number, not " + tokensPerSecond);
        }
    }

    @Override
    public String toString() {
        return capacity + " tokens, refilled at " + tokensPerSecond + " per second";
    }
}
