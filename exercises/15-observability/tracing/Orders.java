package tracing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The order service: {@code POST /checkout} reserves the items at inventory, then charges the card at payments,
 * each call through a circuit breaker; {@code GET /health} says how it and its dependencies are doing.
 * This part is done: it calls your Tracer, JsonLog and Health.
 */
public final class Orders implements AutoCloseable {
    /** Each breaker judges the last 4 calls to its peer, from the 4th on, and opens when half of them failed. */
    private static CircuitBreakerConfig breakerConfig(Clock clock) {
        return CircuitBreakerConfig.custom()
            .slidingWindowType(SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(4)
            .minimumNumberOfCalls(4)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(30))
            .clock(clock)
            .build();
    }

    private final URI inventory;
    private final URI payments;
    private final Tracer tracer;
    private final JsonLog log;
    private final Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
    private final HttpClient http = Http.client();
    private final Javalin app;

    public Orders(URI inventory, URI payments, Tracer tracer, JsonLog log, Clock clock) {
        this.inventory = inventory;
        this.payments = payments;
        this.tracer = tracer;
        this.log = log;
        for (String peer : new String[] {"inventory", "payments"}) breakers.put(peer, CircuitBreaker.of(peer, breakerConfig(clock)));
        Health health = new Health(breakers);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.routes.post("/checkout", this::checkout);
            config.routes.get("/health", ctx -> ctx.contentType("application/json").result(Http.JSON.writeValueAsString(health.report())));
            config.routes.exception(Exception.class, Http::failed);
        });
    }

    public Orders start() {
        app.start("127.0.0.1", 0);
        return this;
    }

    public URI uri() { return URI.create("http://127.0.0.1:" + app.port()); }

    /** The breaker in front of a peer ("inventory" or "payments"). */
    public CircuitBreaker breaker(String peer) { return breakers.get(peer); }

    @Override
    public void close() {
        app.stop();
        http.shutdownNow();
    }

    /** {"customer": "ada", "sku": "KB-42", "quantity": 1, "amountCents": 4999}: reserve, then charge. */
    private void checkout(Context ctx) throws IOException {
        Span span = tracer.serve(ctx.header(Traceparent.HEADER));
        JsonNode order = Http.JSON.readTree(ctx.body());
        String customer = order.path("customer").asText();
        String sku = order.path("sku").asText();
        int quantity = order.path("quantity").asInt(1);
        log.info(span, "checkout for " + customer + ": " + quantity + " x " + sku);

        ObjectNode reservation = Http.JSON.createObjectNode().put("sku", sku).put("quantity", quantity);
        if (!called("inventory", inventory.resolve("/reservations"), reservation, span, ctx)) return;
        ObjectNode charge = Http.JSON.createObjectNode().put("customer", customer).put("amountCents", order.path("amountCents").asLong());
        if (!called("payments", payments.resolve("/charges"), charge, span, ctx)) return;

        log.info(span, "checkout for " + customer + " placed");
        ctx.status(201).contentType("application/json")
            .result(Http.JSON.createObjectNode().put("status", "placed").put("traceId", span.traceId()).toString());
    }

    /** POSTs to a peer through its breaker. True when the peer said yes; otherwise our caller has its answer already. */
    private boolean called(String peer, URI uri, ObjectNode body, Span span, Context ctx) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json").POST(BodyPublishers.ofString(body.toString()));
        Span call = tracer.call(span, request);
        log.info(call, "calling " + peer + ": POST " + uri.getPath());
        try {
            int status = breakers.get(peer).executeCallable(() -> {
                int answered = http.send(request.build(), BodyHandlers.discarding()).statusCode();
                if (answered >= 500) throw new IOException(peer + " answered " + answered);
                return answered;
            });
            log.info(call, peer + " answered " + status);
            if (status < 300) return true;
            Http.problem(ctx, 422, span, peer + " refused (" + status + ")");
        } catch (CallNotPermittedException e) {
            log.warn(call, peer + " not called: its breaker is " + breakers.get(peer).getState());
            Http.problem(ctx, 503, span, peer + " is unavailable (its breaker is open)");
        } catch (Exception e) {
            log.warn(call, peer + " failed: " + e.getMessage());
            Http.problem(ctx, 503, span, peer + " is unavailable");
        }
        return false;
    }
}
