package strangler;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The strangler fig's facade: the one address the shop's gateway now sends every request to, in front of legacy
 * and the new services. This part is done: every request, whatever its method and path, is handed to
 * {@link Router#route}, and its reply goes back to the caller with X-Served-By saying who answered.
 */
public final class Facade implements AutoCloseable {
    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT,
        HandlerType.PATCH, HandlerType.DELETE);

    private final Router router;
    private final Javalin app;

    public Facade(Router router) {
        this.router = router;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            for (HandlerType method : METHODS) config.routes.addHttpHandler(method, "/*", this::handle);
            // No answer from legacy or a new service: 502 Bad Gateway, naming who failed.
            config.routes.exception(Upstream.Unavailable.class, (e, ctx) ->
                ctx.status(502).contentType("application/json").result("{\"error\": \"" + e.service() + " gave no answer\"}"));
            // Anything else that escapes becomes a 500 that names the exception. A real facade would log it and answer
            // a bare 500; this one shows it, so the tests can show it to you (TODOs included).
            config.routes.exception(Exception.class, (e, ctx) -> ctx.status(500).result(e.toString()));
        });
    }

    private void handle(Context ctx) throws Upstream.Unavailable {
        Reply reply = router.route(new Request(ctx.method().name(), ctx.path(), ctx.queryString(), headersOf(ctx), ctx.bodyAsBytes()));
        ctx.status(reply.status());
        reply.headers().forEach((name, values) -> {
            for (int i = 0; i < values.size(); i++) {
                if (i == 0) ctx.res().setHeader(name, values.get(i)); // replaces Javalin's default Content-Type
                else ctx.res().addHeader(name, values.get(i));
            }
        });
        ctx.header("X-Served-By", reply.servedBy());
        ctx.result(reply.body());
    }

    private static Map<String, List<String>> headersOf(Context ctx) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(ctx.req().getHeaderNames())) headers.put(name, Collections.list(ctx.req().getHeaders(name)));
        return headers;
    }

    /** Starts listening on a free port of the loopback interface. */
    public Facade start() {
        app.start("127.0.0.1", 0);
        return this;
    }

    public int port() { return app.port(); }

    /** The facade's address, for example {@code http://127.0.0.1:41237}. */
    public URI uri() { return URI.create("http://127.0.0.1:" + port()); }

    @Override
    public void close() { app.stop(); }
}
