package ratelimit;

import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One token bucket per client key, created atomically the first time the client is seen. */
public final class RateLimiter {
    private final Limit limit;
    private final InstantSource clock;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(Limit limit, InstantSource clock) {
        this.limit = limit;
        this.clock = clock;
    }

    public Decision tryAcquire(String clientKey) {
        return bucketOf(clientKey).tryAcquire();
    }

    public double available(String clientKey) {
        return bucketOf(clientKey).available();
    }

    public Limit limit() {
        return limit;
    }

    // computeIfAbsent is atomic: two threads asking for a new client at once get the same bucket.
    private TokenBucket bucketOf(String clientKey) {
        return buckets.computeIfAbsent(clientKey, key -> new TokenBucket(limit, clock));
    }
}
