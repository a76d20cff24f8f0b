package bulkhead;

import io.javalin.Javalin;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The shop's gateway, cut down to two routes: {@code GET /quote?cart=c-7} asks shipping what delivery costs, and
 * {@code POST /checkout} asks payments to charge the card. Each call to a peer goes through that peer's bulkhead,
 * by {@link Guard#through}. Everything here is done; Bulkhead, Bulkheads and Guard are yours.
 */
public final class Gateway implements AutoCloseable {
    private final Upstream upstream = new Upstream();
    private final Javalin app;

    public Gateway(Bulkheads bulkheads, URI shipping, URI payments) {
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            // A virtual thread per request: the gateway's own threads never run out. What a slow peer can still
            // use up is that peer's places: its bulkhead's permits.
            config.concurrency.useVirtualThreads = true;
            config.routes.get("/quote", ctx -> Guard.through(ctx, bulkheads.bulkhead("shipping"),
                () -> upstream.get("shipping", shipping.resolve("/quotes?cart=" + encoded(ctx.queryParam("cart"))))));
            config.routes.post("/checkout", ctx -> Guard.through(ctx, bulkheads.bulkhead("payments"),
                () -> upstream.post("payments", payments.resolve("/charges"), ctx.body())));
            config.routes.get("/bulkheads", ctx -> ctx.contentType("application/json").result(json(bulkheads)));
            // A TODO still in your code answers 501 with its message, so the tests can say what is not written yet.
            config.routes.exception(UnsupportedOperationException.class, (e, ctx) -> ctx.status(501).result(String.valueOf(e.getMessage())));
            // Anything else that escapes is a 500 naming the exception: a real gateway would log it and answer a bare
            // 500; this one shows it, so the tests can show it to you.
            config.routes.exception(Exception.class, (e, ctx) -> ctx.status(500).result(e.toString()));
        });
    }

    /** Starts listening on a free port of the loopback interface. */
    public Gateway start() {
        app.start("127.0.0.1", 0);
        return this;
    }

    /** The gateway's address, for example {@code http://127.0.0.1:41237}. */
    public URI uri() { return URI.create("http://127.0.0.1:" + app.port()); }

    @Override
    public void close() {
        app.stop();
        upstream.close();
    }

    private static String encoded(String value) {
        return value == null ? "" : URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** {@code {"payments": 0, "shipping": 2}}: permits in use per dependency. */
    private static String json(Bulkheads bulkheads) {
        StringBuilder json = new StringBuilder("{");
        bulkheads.inUse().forEach((name, inUse) -> json.append(json.length() > 1 ? ", " : "").append('"').append(name).append("\": ").append(inUse));
        return json.append('}').toString();
    }
}
