package ratelimit;

// WRONG ANSWER (retry-after-plus-one): rounds up by always adding one second, so an exact 5 s becomes 6.

import io.javalin.http.Context;
import java.time.Duration;

/** Asks the client's bucket; when it is empty, answers 429 with Retry-After, so orders never sees the request. */
final class Throttle {
    private Throttle() {}

    static boolean admit(Context ctx, RateLimiter limiter, String clientKey) {
        Decision decision = limiter.tryAcquire(clientKey);
        if (decision.allowed()) return true;
        long seconds = retryAfterSeconds(decision.retryAfter());
        ctx.status(429)
            .header("Retry-After", Long.toString(seconds))
            .contentType("application/json")
            .result("{\"error\": \"too many requests\", \"retryAfterSeconds\": " + seconds + "}");
        return false;
    }

    /** Whole seconds, rounded up, and at least one: coming back sooner than the wait would be denied again. */
    static long retryAfterSeconds(Duration wait) {
        return wait.getSeconds() + 1; // "round up" by adding one: exactly 5 s becomes 6
    }
}
