package ratelimit;

// WRONG ANSWER (uncapped-refill): the refill is never capped, so an hour of silence saves up an hour of tokens.

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * A token bucket: at most {@code capacity} tokens, refilled continuously at {@code tokensPerSecond}, one token
 * per request. Tokens are counted in billionths (nano-tokens) in a long, so refill is integer arithmetic: one
 * nanosecond at r tokens per second adds r nano-tokens, and fractions add up without drifting.
 * Every method is synchronized: refill, check and take happen as one step, whatever the number of threads.
 */
public final class TokenBucket {
    static final long ONE = 1_000_000_000L;

    private final Limit limit;
    private final InstantSource clock;
    private final long full;
    private long nanoTokens;
    private Instant lastRefill;

    public TokenBucket(Limit limit, InstantSource clock) {
        this.limit = limit;
        this.clock = clock;
        this.full = limit.capacity() * ONE;
        this.nanoTokens = full;
        this.lastRefill = clock.instant();
    }

    public synchronized Decision tryAcquire() {
        refill();
        if (nanoTokens < ONE) return Decision.deny(timeToRefill(ONE - nanoTokens));
        nanoTokens -= ONE;
        return Decision.allow();
    }

    public synchronized Duration retryAfter() {
        refill();
        return nanoTokens >= ONE ? Duration.ZERO : timeToRefill(ONE - nanoTokens);
    }

    public synchronized double available() {
        refill();
        return (double) nanoTokens / ONE;
    }

    /** Adds what the time since the last refill is worth, and never more than fills the bucket. */
    private void refill() {
        Instant now = clock.instant();
        if (!now.isAfter(lastRefill)) return; // no time has passed (or the clock stepped back): nothing to add
        double added = nanosBetween(lastRefill, now) * limit.tokensPerSecond();
        nanoTokens += Math.round(added);
        lastRefill = now;
    }

    /** How long {@code missing} nano-tokens take to arrive, rounded up to the next nanosecond. */
    private Duration timeToRefill(long missing) {
        return Duration.ofNanos((long) Math.ceil(missing / limit.tokensPerSecond()));
    }

    private static long nanosBetween(Instant from, Instant to) {
        try {
            return Duration.between(from, to).toNanos();
        } catch (ArithmeticException moreThan292Years) {
            return Long.MAX_VALUE; // any bucket is full after that long
        }
    }
}
