package ratelimit;

import io.javalin.http.Context;
import java.time.Duration;

/**
 * The gateway's side of rate limiting: ask the client's bucket, and when it is empty answer for orders,
 * so orders never sees the request.
 */
final class Throttle {
    private Throttle() {}

    /**
     * Takes a token for this client and returns true: the gateway forwards the request. When the client's
     * bucket is empty, answers the request itself and returns false: status 429 Too Many Requests, with the
     * header Retry-After saying in whole seconds when to come back (see retryAfterSeconds), and the JSON body
     * {"error": "too many requests", "retryAfterSeconds": n} with the same n, as application/json.
     */
    static boolean admit(Context ctx, RateLimiter limiter, String clientKey) {
        throw new UnsupportedOperationException("TODO: ask the limiter for this client; when denied, answer 429 with a Retry-After header and return false");
    }

    /**
     * The Retry-After header counts whole seconds, so the wait is rounded up: a client that comes back after
     * that many seconds must find a token. 200 ms is 1, 3.5 s is 4, and exactly 5 s is 5.
     */
    static long retryAfterSeconds(Duration wait) {
        throw new UnsupportedOperationException("TODO: round the wait up to whole seconds");
    }
}
