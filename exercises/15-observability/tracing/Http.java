package tracing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.net.http.HttpClient;
import java.time.Duration;

/** What the gateway and orders share to speak HTTP: plumbing, already done. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();

    private Http() {}

    /** Plain HTTP/1.1 (no upgrade offer with headers of its own), not waiting long for a peer to accept. */
    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /**
     * Our own answer when the work could not be done. It carries the trace id, the reference a customer can give
     * support: one search for it finds every log line of their request, in every service.
     */
    static void problem(Context ctx, int status, Span span, String problem) {
        ObjectNode body = JSON.createObjectNode().put("problem", problem).put("traceId", span.traceId());
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    /**
     * Anything a handler lets escape: a 500 that names the exception. A real service would log it and answer a bare
     * 500; these show it, so the tests can show it to you (TODOs included).
     */
    static void failed(Exception e, Context ctx) {
        ctx.status(500).contentType("application/json").result(JSON.createObjectNode().put("error", e.toString()).toString());
    }
}
