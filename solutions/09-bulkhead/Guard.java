package bulkhead;

import io.javalin.http.Context;
import java.util.function.Supplier;

/** Calls a peer inside its bulkhead; a full bulkhead is the gateway's own 503, answered at once. */
final class Guard {
    private Guard() {}

    static void through(Context ctx, Bulkhead bulkhead, Supplier<Upstream.Answer> call) {
        Upstream.Answer answer;
        try {
            answer = bulkhead.call(call);
        } catch (BulkheadFull full) {
            // 503: the gateway has no room for this now, and says when to try again. Not 429, which would blame
            // the client for asking too often; this client asked once.
            ctx.header("Retry-After", "1");
            error(ctx, 503, full.bulkhead() + " is busy, try again shortly");
            return;
        } catch (Upstream.PeerUnavailable unavailable) {
            error(ctx, 502, bulkhead.name() + " did not answer");
            return;
        }
        ctx.status(answer.status()).contentType(answer.contentType()).result(answer.body());
    }

    static void error(Context ctx, int status, String message) {
        ctx.status(status).contentType("application/json").result("{\"error\": \"" + message.replace("\"", "'") + "\"}");
    }
}
