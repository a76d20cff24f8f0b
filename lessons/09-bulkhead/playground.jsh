// Lesson 09 playground: shipping (slow) and payments are up behind a gateway with a Resilience4j bulkhead per
// dependency. Open it with: ./jbang workbook play 09   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.CompletableFuture;
import kit.Peer;

var peers = Peer.startAll("shipping", "payments");
var shipping = peers.get(0);
var payments = peers.get(1);
shipping.stub(get(urlPathEqualTo("/quotes")).willReturn(okJson("{\"carrier\": \"Parcelo\", \"price\": \"4.90 EUR\"}").withFixedDelay(1500)));
payments.stub(post("/charges").willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
    .withBody("{\"chargeId\": \"ch-1\", \"status\": \"captured\"}")));
var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

// One bulkhead per dependency. Assign a new one at the prompt and the running gateway uses it from the next request.
Bulkhead shippingBulkhead = Bulkhead.of("shipping", BulkheadConfig.custom().maxConcurrentCalls(2).maxWaitDuration(Duration.ZERO).build());
Bulkhead paymentsBulkhead = Bulkhead.of("payments", BulkheadConfig.custom().maxConcurrentCalls(4).maxWaitDuration(Duration.ZERO).build());

/** Calls a peer inside a bulkhead; a full bulkhead is the gateway's own 503, and the peer never hears of it. */
void through(io.javalin.http.Context ctx, Bulkhead bulkhead, HttpRequest request) {
    try {
        var answer = bulkhead.executeCallable(() -> http.send(request, HttpResponse.BodyHandlers.ofString()));
        ctx.status(answer.statusCode()).result(answer.body());
    } catch (BulkheadFullException full) {
        ctx.status(503).header("Retry-After", "1").result("{\"error\": \"" + bulkhead.getName() + " is busy\"}");
    } catch (Exception e) {
        ctx.status(502).result("{\"error\": \"" + bulkhead.getName() + " did not answer\"}");
    }
}

var gateway = Javalin.create(config -> {
    config.startup.showJavalinBanner = false;
    config.concurrency.useVirtualThreads = true;
    config.routes.get("/quote", ctx -> through(ctx, shippingBulkhead, HttpRequest.newBuilder(shipping.uri().resolve("/quotes?cart=c-7")).build()));
    config.routes.post("/checkout", ctx -> through(ctx, paymentsBulkhead, HttpRequest.newBuilder(payments.uri().resolve("/charges"))
        .POST(HttpRequest.BodyPublishers.ofString(ctx.body())).build()));
}).start("127.0.0.1", 0);

/** {@code n} customers ask for a quote at the same moment; prints each answer with its time, in the order they came. */
void quotes(int n) {
    var answers = new ArrayList<CompletableFuture<Void>>();
    for (int i = 0; i < n; i++) {
        long start = System.nanoTime();
        answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/quote")).build(), HttpResponse.BodyHandlers.ofString())
            .thenAccept(r -> System.out.println("quote: " + r.statusCode() + " after " + (System.nanoTime() - start) / 1_000_000 + " ms " + r.body())));
    }
    answers.forEach(CompletableFuture::join);
}

/** One checkout, while whatever you started keeps running. */
void checkout() throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/checkout"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"cart\": \"c-7\"}")).build(), HttpResponse.BodyHandlers.ofString());
    System.out.println("checkout: " + r.statusCode() + " " + r.body());
}

/** Permits in use per dependency, now. */
void permits() {
    for (var b : List.of(shippingBulkhead, paymentsBulkhead)) {
        var m = b.getMetrics();
        System.out.println(b.getName() + ": " + (m.getMaxAllowedConcurrentCalls() - m.getAvailableConcurrentCalls()) + " of " + m.getMaxAllowedConcurrentCalls() + " permits in use");
    }
}

System.out.println("""
    shipping (every quote takes 1500 ms) and payments are up behind a gateway at http://127.0.0.1:%d,
    with a Resilience4j bulkhead each: shipping 2 permits, payments 4. Try:
      quotes(6)                                  two 200s after 1.5 s, four 503s at once
      CompletableFuture.runAsync(() -> quotes(6)); checkout(); permits()
      shippingBulkhead = Bulkhead.of("shipping", BulkheadConfig.custom().maxConcurrentCalls(2).maxWaitDuration(Duration.ofSeconds(2)).build())
      quotes(6)                                  now they wait for a permit: 200s after 1.5 s and 3 s, 503s after 2 s
      shippingBulkhead.getEventPublisher().onCallRejected(e -> System.out.println(e))
    Leave with /exit.
    """.formatted(gateway.port()));
