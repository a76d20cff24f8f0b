package tracing;

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
 * The shop's entrance: {@code POST /api/checkout} is passed on to orders' {@code POST /checkout}, and orders'
 * answer comes back. The first service a request meets, so the one that starts its trace when the caller did not.
 * This part is done: it calls your Tracer and JsonLog.
 */
public final class Gateway implements AutoCloseable {
    private final URI orders;
    private final Tracer tracer;
    private final JsonLog log;
    private final HttpClient http = Http.client();
    private final Javalin app;

    public Gateway(URI orders, Tracer tracer, JsonLog log) {
        this.orders = orders;
        this.tracer = tracer;
        this.log = log;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.routes.post("/api/checkout", this::checkout);
            config.routes.exception(Exception.class, Http::failed);
        });
    }

    public Gateway start() {
        app.start("127.0.0.1", 0);
        return this;
    }

    public URI uri() { return URI.create("http://127.0.0.1:" + app.port()); }

    @Override
    public void close() {
        app.stop();
        http.shutdownNow();
    }

    private void checkout(Context ctx) throws InterruptedException {
        Span span = tracer.serve(ctx.header(Traceparent.HEADER));
        log.info(span, "POST /api/checkout");
        HttpRequest.Builder request = HttpRequest.newBuilder(orders.resolve("/checkout")).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json").POST(BodyPublishers.ofByteArray(ctx.bodyAsBytes()));
        Span call = tracer.call(span, request);
        log.info(call, "calling orders: POST /checkout");
        try {
            var answer = http.send(request.build(), BodyHandlers.ofString());
            log.info(call, "orders answered " + answer.statusCode());
            ctx.status(answer.statusCode()).contentType("application/json").result(answer.body());
        } catch (IOException e) {
            log.warn(call, "orders failed: " + e);
            Http.problem(ctx, 502, span, "orders is unreachable");
        }
    }
}
