package composition;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;

/**
 * The endpoint the mobile app calls: {@code GET /home/{customerId}}, one round trip for the whole home screen.
 * The server is ready; what {@link #home} answers is yours to write.
 */
public final class HomeApi implements AutoCloseable {
    private final HomeComposer composer;
    private final Javalin app;

    public HomeApi(HomeComposer composer) {
        this.composer = composer;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.routes.get("/home/{customerId}", this::home);
            // Anything home() lets escape becomes a 500 that names the exception. A real service would log it and
            // answer a bare 500; this one shows it, so the tests can show it to you (TODOs included).
            config.routes.exception(Exception.class, (e, ctx) -> ctx.status(500).result(e.toString()));
        });
    }

    /**
     * Answers the home screen: 200 with {@link HomeScreen#toJson()} as {@code application/json}, or, when a
     * required part is missing, 502 Bad Gateway with {@link RequiredPartMissing#toJson()}.
     */
    void home(Context ctx) {
        throw new UnsupportedOperationException("TODO: compose the home screen for ctx.pathParam(\"customerId\") and answer 200 with its JSON, or 502 when a required part is missing");
    }

    /** Starts listening on a free port of the loopback interface. */
    public HomeApi start() {
        app.start("127.0.0.1", 0);
        return this;
    }

    public int port() { return app.port(); }

    /** The service's address, for example {@code http://127.0.0.1:41237}. */
    public URI uri() { return URI.create("http://127.0.0.1:" + port()); }

    @Override
    public void close() { app.stop(); }
}
