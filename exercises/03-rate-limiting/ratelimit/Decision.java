package ratelimit;

import java.time.Duration;

/**
 * What the bucket said to one request: allowed, or denied with how long to wait until a token is there.
 * A denied request's {@code retryAfter} is never zero: if there were no wait, it would have been allowed.
 */
public record Decision(boolean allowed, Duration retryAfter) {
    public Decision {
        if (allowed && !retryAfter.isZero()) throw new IllegalArgumentException("an allowed request has nothing to wait for");
        if (!allowed && !retryAfter.isPositive()) throw new IllegalArgumentException("a denied request must wait a positive time, not " + retryAfter);
    }

    public static Decision allow() {
        return new Decision(true, Duration.ZERO);
    }

    public static Decision deny(Duration retryAfter) {
        return new Decision(false, retryAfter);
    }
}
