package ratelimit;

// WRONG ANSWER (answers-429-but-forwards): writes the 429 but lets the gateway forward anyway, so orders is hit by every denied request.

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
        return true; // the 429 is written, but the gateway is told to go on and forward the request
    }

    /** Whole seconds, rounded up, and at least one: coming back sooner than the wait would be denied again. */
    static long retryAfterSeconds(Duration wait) {
        long seconds = wait.getSeconds() + (wait.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
