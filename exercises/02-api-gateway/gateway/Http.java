package gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading a client's request and writing an answer with Javalin: plumbing, already done. */
final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Http() {}

    /** The client's request headers, each name as the client wrote it, with all its values. */
    static Map<String, List<String>> headersOf(Context ctx) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(ctx.req().getHeaderNames())) {
            headers.put(name, Collections.list(ctx.req().getHeaders(name)));
        }
        return headers;
    }

    /** Answers the client with a status, headers (all their values) and a body. */
    static void respond(Context ctx, int status, Map<String, List<String>> headers, byte[] body) {
        ctx.status(status);
        headers.forEach((name, values) -> {
            // Jetty counts the body it sends itself; a stale length from upstream would only get in its way.
            if (name.equalsIgnoreCase("Content-Length")) return;
            for (int i = 0; i < values.size(); i++) {
                if (i == 0) ctx.res().setHeader(name, values.get(i)); // replaces Javalin's default Content-Type
                else ctx.res().addHeader(name, values.get(i));
            }
        });
        ctx.result(body);
    }

    /** The gateway's own answer, when it has none from a service: {@code {"error": "..."}}. */
    static void error(Context ctx, int status, String message) {
        ctx.status(status).contentType("application/json").result(JSON.createObjectNode().put("error", message).toString());
    }
}
