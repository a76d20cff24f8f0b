package ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/*
 * Lesson 03 · Rate limiting
 *
 * At noon the flash sale opened, and bargain-bot, a partner's price scraper, fired forty requests in the first
 * millisecond. Orders can take twenty a second: the bot got all twenty, and the people on the web shop and the
 * mobile app got errors. The gateway must give every client its own fair share, and say "not now" to the rest.
 *
 * A token bucket does it. It holds at most `capacity` tokens and gains `tokensPerSecond` of them as time passes,
 * fractions included. Every request takes one whole token; a request that finds less than one is denied, and
 * told how long until the next token. Write the bucket here, then one bucket per client (RateLimiter.java), then
 * the gateway's answer 429 (Throttle.java). Check your work with: ./jbang workbook check 03
 */
public final class TokenBucket {
    /**
     * One token, counted in billionths of a token. Counting "nano-tokens" in a long keeps every fraction exact:
     * at r tokens per second, one nanosecond adds exactly r nano-tokens, and ten times 0.1 token is one token
     * (in a double, 0.1 added ten times is 0.9999999999999999, and the tenth request would be refused).
     * These fields are one way to do it; change them if you have another.
     */
    static final long ONE = 1_000_000_000L;

    private final Limit limit;
    private final InstantSource clock;
    private long nanoTokens;     // what the bucket holds now, in billionths of a token
    private Instant lastRefill;  // the time nanoTokens was last brought up to date

    public TokenBucket(Limit limit, InstantSource clock) {
        this.limit = limit;
        this.clock = clock;
        this.nanoTokens = limit.capacity() * ONE; // a new client starts with a full bucket
        this.lastRefill = clock.instant();
    }

    /**
     * Takes one token if the bucket holds at least one whole token: allowed. Otherwise takes nothing and is
     * denied, with the time until one whole token is there. Time comes only from the clock given to the
     * constructor. Many requests of one client arrive at once, on many threads: whatever they do at the same
     * time, a full bucket of 10 grants exactly 10.
     */
    public Decision tryAcquire() {
        throw new UnsupportedOperationException("TODO: refill the bucket for the time since the last refill (never above capacity), then take one token or deny");
    }

    /**
     * How long until the bucket holds one whole token: zero when it holds one now. Never shorter than the real
     * wait, so a client that waits exactly this long is served. At 2 tokens per second an empty bucket answers
     * 500 ms, and 200 ms later it answers 300 ms.
     */
    public Duration retryAfter() {
        throw new UnsupportedOperationException("TODO: refill, then compute the time the missing part of one token takes to arrive");
    }

    /** The tokens in the bucket now, fractions included: 0.5 a quarter of a second after it ran dry at 2 per second. */
    public double available() {
        throw new UnsupportedOperationException("TODO: refill, then return the tokens held, fractions included");
    }
}
