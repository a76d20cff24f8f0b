package ratelimit;

import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's rate limiter: one token bucket per client, each client identified by its API key. A greedy
 * client empties its own bucket and nobody else's.
 */
public final class RateLimiter {
    private final Limit limit;
    private final InstantSource clock;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(Limit limit, InstantSource clock) {
        this.limit = limit;
        this.clock = clock;
    }

    /**
     * Asks the bucket of this client for one token. A client seen for the first time gets a new, full bucket,
     * and exactly one: even when its first requests arrive on many threads at once.
     */
    public Decision tryAcquire(String clientKey) {
        throw new UnsupportedOperationException("TODO: find this client's own bucket (creating it the first time) and ask it for a token");
    }

    /** The tokens this client has left, fractions included. A client never seen before has a full bucket. */
    public double available(String clientKey) {
        throw new UnsupportedOperationException("TODO: return the tokens in this client's own bucket");
    }

    public Limit limit() {
        return limit;
    }
}
