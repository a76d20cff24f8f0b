package ratelimit;

// WRONG ANSWER (double-tokens-drift): tokens kept in a double. 0.1 token added ten times is 0.9999999999999999,
// so a request that comes exactly when the token is due is refused.

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

public final class TokenBucket {
    private final Limit limit;
    private final InstantSource clock;
    private double tokens;
    private Instant lastRefill;

    public TokenBucket(Limit limit, InstantSource clock) {
        this.limit = limit;
        this.clock = clock;
        this.tokens = limit.capacity();
        this.lastRefill = clock.instant();
    }

    public synchronized Decision tryAcquire() {
        refill();
        if (tokens < 1) return Decision.deny(timeToRefill(1 - tokens));
        tokens -= 1;
        return Decision.allow();
    }

    public synchronized Duration retryAfter() {
        refill();
        return tokens >= 1 ? Duration.ZERO : timeToRefill(1 - tokens);
    }

    public synchronized double available() {
        refill();
        return tokens;
    }

    private void refill() {
        Instant now = clock.instant();
        double seconds = Duration.between(lastRefill, now).toNanos() / 1e9;
        tokens = Math.min(limit.capacity(), tokens + seconds * limit.tokensPerSecond());
        lastRefill = now;
    }

    private Duration timeToRefill(double missing) {
        return Duration.ofNanos((long) Math.ceil(missing / limit.tokensPerSecond() * 1e9));
    }
}
