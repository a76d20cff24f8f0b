package ratelimit;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/**
 * The shop's gateway in front of orders (lesson 02 built one in full; this one only forwards). Every request
 * must name its client in the header X-Api-Key; the rate limiter then decides whether orders ever sees it.
 * Nothing here needs changing: the decision is Throttle's.
 */
public final class Gateway implements AutoCloseable {
    public static final String API_KEY = "X-Api-Key";

    private final RateLimiter limiter;
    private final URI orders;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Javalin app;

    private Gateway(RateLimiter limiter, URI orders) {
        this.limiter = limiter;
        this.orders = orders;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.get("/orders", this::handle);
            config.routes.get("/orders/{id}", this::handle);
            config.routes.post("/orders", this::handle);
            // A TODO still in Throttle answers 501 with its message, so the tests can say what is not written yet.
            config.routes.exception(UnsupportedOperationException.class, (e, ctx) -> ctx.status(501).result(String.valueOf(e.getMessage())));
        });
    }

    /** Starts the gateway on a free loopback port, forwarding to the orders service at {@code orders}. */
    public static Gateway start(RateLimiter limiter, URI orders) {
        Gateway gateway = new Gateway(limiter, orders);
        gateway.app.start("127.0.0.1", 0);
        return gateway;
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + app.port());
    }

    @Override
    public void close() {
        app.stop();
    }

    private void handle(Context ctx) {
        String client = ctx.header(API_KEY);
        if (client == null || client.isBlank()) {
            ctx.status(401).contentType("application/json").result("{\"error\": \"send your API key in the header " + API_KEY + "\"}");
            return;
        }
        if (!Throttle.admit(ctx, limiter, client)) return; // Throttle has answered 429: orders never hears of it
        forward(ctx);
    }

    /** Sends the request on to orders, unchanged, and answers with what orders answered. */
    private void forward(Context ctx) {
        String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
        HttpRequest.Builder request = HttpRequest.newBuilder(orders.resolve(ctx.path() + query))
            .timeout(Duration.ofSeconds(5))
            .method(ctx.method().name(), ctx.method().name().equals("POST")
                ? BodyPublishers.ofByteArray(ctx.bodyAsBytes()) : BodyPublishers.noBody());
        if (ctx.contentType() != null) request.header("Content-Type", ctx.contentType());
        try {
            var answer = http.send(request.build(), BodyHandlers.ofByteArray());
            answer.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
            ctx.status(answer.statusCode()).result(answer.body());
        } catch (IOException e) {
            ctx.status(502).contentType("application/json").result("{\"error\": \"orders did not answer\"}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ctx.status(503).result("");
        }
    }
}
