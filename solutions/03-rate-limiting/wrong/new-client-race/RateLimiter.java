package ratelimit;

// WRONG ANSWER (new-client-race): get-then-put on the map: a new client's first requests on many threads each get a fresh, full bucket.

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

    // Get, then put: two threads that both find no bucket for a new client both create one.
    private TokenBucket bucketOf(String clientKey) {
        TokenBucket bucket = buckets.get(clientKey);
        if (bucket == null) {
            bucket = new TokenBucket(limit, clock);
            buckets.put(clientKey, bucket);
        }
        return bucket;
    }
}
