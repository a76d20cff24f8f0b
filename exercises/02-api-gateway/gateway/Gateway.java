package gateway;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

/**
 * The shop's single entrance: one address for the mobile app, behind which users, carts and orders live.
 * This part is done. Every request, whatever its method and path, is handed to {@link Proxy#handle}; what happens
 * to it there is yours to write (Proxy, Routes and Headers).
 */
public final class Gateway implements AutoCloseable {
    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT,
        HandlerType.PATCH, HandlerType.DELETE, HandlerType.HEAD, HandlerType.OPTIONS);

    private final HttpClient http;
    private final Javalin app;

    /**
     * @param routes which path prefix leads to which service
     * @param tokens who a bearer token belongs to
     * @param upstreamTimeout how long to wait for a service's answer before giving up with 504
     */
    public Gateway(Routes routes, TokenVerifier tokens, Duration upstreamTimeout) {
        this.http = HttpClient.newBuilder()
            // Plain HTTP/1.1: by default the client offers an upgrade to HTTP/2 with headers of its own.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(upstreamTimeout)
            // A redirect is meant for the client: pass it on, never follow it on the client's behalf.
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
        Proxy proxy = new Proxy(routes, tokens, http, upstreamTimeout);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            for (HandlerType method : METHODS) config.routes.addHttpHandler(method, "/*", proxy::handle);
            // Anything Proxy lets escape becomes a 500 that names the exception. A real gateway would log it and
            // answer a bare 500; this one shows it, so the tests can show it to you (TODOs included).
            config.routes.exception(Exception.class, (e, ctx) -> Http.error(ctx, 500, e.toString()));
        });
    }

    /** Starts listening on a free port of the loopback interface. */
    public Gateway start() {
        app.start("127.0.0.1", 0);
        return this;
    }

    public int port() { return app.port(); }

    /** The gateway's address, for example {@code http://127.0.0.1:41237}. */
    public URI uri() { return URI.create("http://127.0.0.1:" + port()); }

    @Override
    public void close() {
        app.stop();
        http.shutdownNow();
    }
}
