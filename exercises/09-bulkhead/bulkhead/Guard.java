package bulkhead;

import io.javalin.http.Context;
import java.util.function.Supplier;

/** The gateway's side of a bulkhead: what the client hears when a peer's places are all taken. */
final class Guard {
    private Guard() {}

    /**
     * Makes the call to the peer inside its bulkhead, and answers the client:
     * <ul>
     *   <li>the peer answered: its status, Content-Type and body, unchanged (its own 5xx included);</li>
     *   <li>the bulkhead is full: 503 Service Unavailable, at once, with the header {@code Retry-After: 1} and the
     *       body {@code {"error": "shipping is busy, try again shortly"}} naming the bulkhead; the peer never
     *       hears of the request;</li>
     *   <li>the peer did not answer at all (Upstream.PeerUnavailable): 502 Bad Gateway, naming the peer.</li>
     * </ul>
     * {@link #error} writes the gateway's own answers.
     */
    static void through(Context ctx, Bulkhead bulkhead, Supplier<Upstream.Answer> call) {
        throw new UnsupportedOperationException("TODO: make the call in the bulkhead; pass the peer's answer on, answer 503 with Retry-After when the bulkhead is full, 502 when the peer did not answer");
    }

    /** The gateway's own answer, when it has none from a peer to pass on: {@code {"error": "..."}}. */
    static void error(Context ctx, int status, String message) {
        ctx.status(status).contentType("application/json").result("{\"error\": \"" + message.replace("\"", "'") + "\"}");
    }
}
