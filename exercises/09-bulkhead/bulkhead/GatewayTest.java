package bulkhead;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway with your bulkheads in front of two WireMock peers. Shipping's slow quotes are held by a latch: shipping
 * has the request, and does not answer until the test lets it. No test waits for time to pass.
 */
@DisplayName("09 · The gateway's bulkheads over HTTP")
class GatewayTest {
    /** Holds shipping's answers while the test says so. */
    private static final Hold HOLD = new Hold();
    /** Holds payments' answers while the test says so. */
    private static final Hold PAYMENTS_HOLD = new Hold();

    // One server per peer for the whole class; stubs and journals are reset before each test.
    @RegisterExtension
    static WireMockExtension shipping = WireMockExtension.newInstance()
        .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").extensions(HOLD)).build();
    @RegisterExtension
    static WireMockExtension payments = WireMockExtension.newInstance()
        .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").extensions(PAYMENTS_HOLD)).build();

    private static final HttpClient APP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    /** How long two held requests may take to reach their peer on a busy machine; only a failing test waits it out. */
    private static final long ARRIVAL_SECONDS = 10;
    private static final String QUOTE = "{\"carrier\": \"Parcelo\", \"price\": \"4.90 EUR\"}";

    private Gateway gateway;

    @BeforeEach
    void startGateway() {
        shipping.stubFor(get(urlPathEqualTo("/quotes")).willReturn(okJson(QUOTE)));
        payments.stubFor(post("/charges").willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"chargeId\": \"ch-1\", \"status\": \"captured\"}")));
        // Two places per dependency, and no waiting for one.
        gateway = new Gateway(new Bulkheads(BulkheadConfig.rejectingAtOnce(2)), URI.create(shipping.baseUrl()), URI.create(payments.baseUrl())).start();
    }

    @AfterEach
    void stopGateway() {
        HOLD.letGo();
        PAYMENTS_HOLD.letGo();
        if (gateway != null) gateway.close();
    }

    @Test
    @DisplayName("GET /quote passes shipping's answer through: its status, Content-Type and body")
    @Hint({"Read 'At the gateway: 503 and Retry-After' in the lesson's README. What does Guard.through do with the peer's answer?",
           "Guard.through makes the call inside the bulkhead, and passes the peer's answer on as it is: status, Content-Type and body.",
           "Last hint: var answer = bulkhead.call(call); ctx.status(answer.status()).contentType(answer.contentType()).result(answer.body());"})
    void quotePassesThrough() throws Exception {
        var quote = send(quote("c-7"));

        assertThat(quote.statusCode()).withFailMessage("shipping answered 200, so the gateway should too, but it answered %d %s", quote.statusCode(), quote.body()).isEqualTo(200);
        assertThat(quote.body()).withFailMessage("the gateway should pass shipping's body on unchanged, but answered %s", quote.body()).isEqualTo(QUOTE);
        assertThat(quote.headers().firstValue("Content-Type").orElse("")).withFailMessage("the gateway should pass shipping's Content-Type on (application/json), but sent %s",
            quote.headers().firstValue("Content-Type")).startsWith("application/json");
        assertThat(shipping.findAll(getRequestedFor(urlPathEqualTo("/quotes"))).size()).withFailMessage("shipping should have received the quote").isEqualTo(1);
    }

    @Test
    @Points(3)
    @DisplayName("With shipping's 2 places taken by slow quotes, the next quote is answered 503 with Retry-After at once, and shipping never sees it")
    @Hint({"A full bulkhead: who answers the request, and with which status? ('At the gateway: 503 and Retry-After' in the lesson's README.)",
           "No room now is the gateway's own answer, at once, without calling shipping: 503 with Retry-After. Not 429 (this client asked once), not 502 (shipping never saw it).",
           "Last hint: catch (BulkheadFull full) { ctx.header(\"Retry-After\", \"1\"); error(ctx, 503, full.bulkhead() + \" is busy, try again shortly\"); }"})
    void fullShippingIs503() throws Exception {
        var slowQuotes = twoSlowQuotes();

        var third = send(quote("c-3"));

        assertThat(third.statusCode()).withFailMessage("shipping's 2 places are taken by slow quotes: the third quote should be answered 503 at once, but the gateway answered %d %s",
            third.statusCode(), third.body()).isEqualTo(503);
        assertThat(third.headers().firstValue("Retry-After")).withFailMessage("a 503 should tell the client when to try again: expected the header Retry-After: 1, but got %s",
            third.headers().firstValue("Retry-After")).contains("1");
        assertThat(third.body()).withFailMessage("the 503's body should name the busy dependency (shipping), but was %s", third.body()).contains("shipping");
        assertThat(shipping.findAll(getRequestedFor(urlPathEqualTo("/quotes"))).size()).withFailMessage("shipping should only have seen the 2 slow quotes, never the rejected one")
            .isEqualTo(2);

        HOLD.letGo();
        for (var slow : slowQuotes) {
            var answer = slow.get(5, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).withFailMessage("once shipping answered, the slow quotes should get its 200, but got %d %s", answer.statusCode(), answer.body()).isEqualTo(200);
        }
    }

    @Test
    @Points(3)
    @DisplayName("While slow quotes fill shipping's places, a checkout still reaches payments and is answered 201")
    @Hint({"Which bulkhead does a checkout use? Is it shipping's? ('One bulkhead per dependency' in the lesson's README.)",
           "Each dependency has its own bulkhead with its own permits, so slow quotes cannot turn a checkout away.",
           "Last hint: Bulkheads.bulkhead(name) returns one bulkhead per name, made with computeIfAbsent; the gateway asks it for \"payments\" and for \"shipping\" apart."})
    void checkoutWhileShippingIsFull() throws Exception {
        var slowQuotes = twoSlowQuotes();

        var checkout = send(HttpRequest.newBuilder(gateway.uri().resolve("/checkout")).header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString("{\"orderId\": \"o-1\", \"amountCents\": 4999}")));

        assertThat(checkout.statusCode()).withFailMessage("shipping is full, but payments is not: the checkout should be answered 201 by payments, but the gateway answered %d %s",
            checkout.statusCode(), checkout.body()).isEqualTo(201);
        assertThat(checkout.body()).contains("captured");
        HOLD.letGo();
        for (var slow : slowQuotes) slow.get(5, TimeUnit.SECONDS);
    }

    @Test
    @Points(2)
    @DisplayName("A quote that shipping fails without an answer is 502, and gives its place back: the third one is 502 too, not 503")
    @Hint({"Shipping broke the connection. Does the quote's place come back? What does the client hear? ('Every permit comes back' in the lesson's README.)",
           "A peer that gave no answer is the gateway's 502. Its permit comes back all the same, so the next quote is 502 too, not 503.",
           "Last hint: catch (Upstream.PeerUnavailable e) { error(ctx, 502, ...); } next to the catch of BulkheadFull; Bulkhead.call's finally gives the permit back however the call ended."})
    void brokenConnectionsGivePlacesBack() throws Exception {
        shipping.stubFor(get(urlPathEqualTo("/quotes")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        for (int i = 1; i <= 3; i++) {
            var quote = send(quote("c-" + i));
            int n = i;
            assertThat(quote.statusCode()).withFailMessage("shipping broke the connection of quote %d: the gateway should answer 502, but answered %d %s "
                + "(a 503 here means the places of the quotes before it never came back)", n, quote.statusCode(), quote.body()).isEqualTo(502);
        }
        shipping.stubFor(get(urlPathEqualTo("/quotes")).willReturn(okJson(QUOTE)));
        var recovered = send(quote("c-4"));
        assertThat(recovered.statusCode()).withFailMessage("shipping answers again: the next quote should be 200, but was %d %s", recovered.statusCode(), recovered.body()).isEqualTo(200);
    }

    @Test
    @DisplayName("GET /bulkheads shows the places in use per dependency: shipping 2 while two quotes wait, 0 once they are answered")
    @Hint({"Bulkheads.inUse() is given: it reads the map of bulkheads. Are your bulkheads in that map?",
           "Every bulkhead you make is kept in `bulkheads`, and each says how many of its permits are taken now.",
           "Last hint: make bulkheads with bulkheads.computeIfAbsent(...), and Bulkhead.inUse() returns config.maxConcurrentCalls() - permits.availablePermits()."})
    void showsPlacesInUse() throws Exception {
        var slowQuotes = twoSlowQuotes();

        var during = send(HttpRequest.newBuilder(gateway.uri().resolve("/bulkheads")));
        HOLD.letGo();
        for (var slow : slowQuotes) slow.get(5, TimeUnit.SECONDS);
        var after = send(HttpRequest.newBuilder(gateway.uri().resolve("/bulkheads")));

        assertThat(during.body()).withFailMessage("with two slow quotes waiting on shipping, /bulkheads should show {\"shipping\": 2}, but showed %s", during.body())
            .isEqualTo("{\"shipping\": 2}");
        assertThat(after.body()).withFailMessage("once both quotes were answered, /bulkheads should show {\"shipping\": 0}, but showed %s", after.body())
            .isEqualTo("{\"shipping\": 0}");
    }

    @Test
    @Points(2)
    @DisplayName("Every answer a peer gives passes on unchanged, errors included: shipping's 404, 500 and 503, payments' 202 and 409")
    @Hint({"When the peer answers 503 or 404, whose answer is it?",
           "An answer is an answer: the gateway passes it on as it is. Only no answer at all is the gateway's 502, and only a full bulkhead its own 503.",
           "Last hint: ctx.status(answer.status()).contentType(answer.contentType()).result(answer.body()); for every Answer, with no if on the status."})
    void everyAnswerPassesOn() throws Exception {
        record Case(int status, String body) {}
        for (var c : List.of(new Case(404, "{\"error\": \"no cart c-404\"}"), new Case(500, "{\"error\": \"rates table missing\"}"),
                new Case(503, "{\"error\": \"shipping is restarting\"}"))) {
            shipping.stubFor(get(urlPathEqualTo("/quotes")).willReturn(aResponse().withStatus(c.status()).withHeader("Content-Type", "application/json").withBody(c.body())));
            var quote = send(quote("c-" + c.status()));
            assertThat(quote.statusCode() + " " + quote.body()).withFailMessage("shipping answered %d %s, and the gateway should pass it on unchanged, but answered %d %s",
                c.status(), c.body(), quote.statusCode(), quote.body()).isEqualTo(c.status() + " " + c.body());
            assertThat(quote.headers().firstValue("Retry-After")).withFailMessage("shipping's own %d is not the gateway's full bulkhead: no Retry-After should be added, but got %s",
                c.status(), quote.headers().firstValue("Retry-After")).isEmpty();
        }
        for (var c : List.of(new Case(202, "{\"chargeId\": \"ch-2\", \"status\": \"pending\"}"), new Case(409, "{\"error\": \"order o-1 already charged\"}"))) {
            payments.stubFor(post("/charges").willReturn(aResponse().withStatus(c.status()).withHeader("Content-Type", "application/json").withBody(c.body())));
            var checkout = send(checkout());
            assertThat(checkout.statusCode() + " " + checkout.body()).withFailMessage("payments answered %d %s, and the gateway should pass it on unchanged, but answered %d %s",
                c.status(), c.body(), checkout.statusCode(), checkout.body()).isEqualTo(c.status() + " " + c.body());
        }
    }

    @Test
    @Points(2)
    @DisplayName("Payments has the same guard: with its 2 places taken, a checkout is answered 503 with Retry-After naming payments, and a broken connection is 502")
    @Hint({"Does your Guard.through say \"shipping\" anywhere?",
           "Guard.through serves every route: what it does for quotes it does for checkouts, naming the bulkhead it was given.",
           "Last hint: catch (BulkheadFull full) { ctx.header(\"Retry-After\", \"1\"); error(ctx, 503, full.bulkhead() + \" is busy, try again shortly\"); } and catch (Upstream.PeerUnavailable e) { error(ctx, 502, bulkhead.name() + \" did not answer\"); }"})
    void paymentsHasTheSameGuard() throws Exception {
        var slowCheckouts = twoSlowCheckouts();

        var third = send(checkout());
        assertThat(third.statusCode()).withFailMessage("payments' 2 places are taken by slow checkouts: the third should be answered 503 at once, but was %d %s",
            third.statusCode(), third.body()).isEqualTo(503);
        assertThat(third.headers().firstValue("Retry-After")).withFailMessage("the 503 should carry Retry-After: 1, but had %s", third.headers().firstValue("Retry-After")).contains("1");
        assertThat(third.body()).withFailMessage("the 503's body should name payments, the busy dependency, but was %s", third.body()).contains("payments").doesNotContain("shipping");
        assertThat(payments.findAll(postRequestedFor(urlEqualTo("/charges"))).size()).withFailMessage("payments should only have seen the 2 slow checkouts, never the rejected one")
            .isEqualTo(2);
        PAYMENTS_HOLD.letGo();
        for (var slow : slowCheckouts) slow.get(5, TimeUnit.SECONDS);

        payments.stubFor(post("/charges").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        for (int i = 1; i <= 3; i++) {
            var broken = send(checkout());
            int n = i;
            assertThat(broken.statusCode() + " " + broken.body()).withFailMessage("payments broke the connection of checkout %d: the gateway should answer 502 naming payments, "
                + "but answered %d %s (a 503 means the places of the checkouts before it never came back)", n, broken.statusCode(), broken.body()).startsWith("502").contains("payments");
        }
    }

    // ---- helpers ----

    private HttpRequest.Builder checkout() {
        return HttpRequest.newBuilder(gateway.uri().resolve("/checkout")).header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString("{\"orderId\": \"o-1\", \"amountCents\": 4999}"));
    }

    private HttpRequest.Builder quote(String cart) {
        return HttpRequest.newBuilder(gateway.uri().resolve("/quote?cart=" + cart));
    }

    /**
     * Sends a request to the gateway and returns its answer. A gateway that waits where it should answer at once fails
     * the test after 5 s; a 501 naming a TODO means the code is not written yet, and says so.
     */
    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        try {
            return todoOrAnswer(APP.send(request.timeout(Duration.ofSeconds(5)).build(), BodyHandlers.ofString()));
        } catch (HttpTimeoutException e) {
            throw new AssertionError("the gateway did not answer within 5 s: the request waited, where it should have been answered at once", e);
        }
    }

    private static CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
        return APP.sendAsync(request.timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString()).thenApply(GatewayTest::todoOrAnswer);
    }

    private static HttpResponse<String> todoOrAnswer(HttpResponse<String> answer) {
        if (answer.statusCode() == 501 && answer.body().startsWith("TODO")) throw new UnsupportedOperationException(answer.body());
        return answer;
    }

    /**
     * Sends two quotes that shipping holds, and returns once shipping has both. A gateway that answers one of them
     * before shipping has it (a TODO, say) fails here with what it answered.
     */
    private List<CompletableFuture<HttpResponse<String>>> twoSlowQuotes() throws Exception {
        return twoHeld(HOLD, "shipping", () -> quote("c-slow"));
    }

    /** The same for two checkouts that payments holds. */
    private List<CompletableFuture<HttpResponse<String>>> twoSlowCheckouts() throws Exception {
        return twoHeld(PAYMENTS_HOLD, "payments", this::checkout);
    }

    private static List<CompletableFuture<HttpResponse<String>>> twoHeld(Hold hold, String peer, Supplier<HttpRequest.Builder> request) throws Exception {
        var arrived = hold.holdFromNowOn(2);
        var slow = List.of(sendAsync(request.get()), sendAsync(request.get()));
        try {
            CompletableFuture.anyOf(arrived, slow.get(0), slow.get(1)).get(ARRIVAL_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnsupportedOperationException todo) throw todo;
            throw new AssertionError("a slow request to " + peer + " could not be sent: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(peer + " should have received two requests within " + ARRIVAL_SECONDS + " s, but received " + hold.count()
                + "; the gateway has not answered them either");
        }
        for (var one : slow) {
            if (one.isDone() && !arrived.isDone()) {
                var early = one.get();
                throw new AssertionError("two requests should reach " + peer + " and wait there, but the gateway answered one itself with " + early.statusCode() + " " + early.body());
            }
        }
        return slow;
    }

    /**
     * A WireMock extension on shipping: from holdFromNowOn() until letGo(), every answer waits just before it leaves.
     * Each request that arrives is counted first, so a test knows when shipping has its slow quotes.
     */
    static final class Hold implements ServeEventListener {
        private volatile CountDownLatch release = new CountDownLatch(0);
        private final AtomicInteger arrivals = new AtomicInteger();
        private volatile int expected;
        private volatile CompletableFuture<Void> allArrived = CompletableFuture.completedFuture(null);

        /** Holds every answer from now on; the future completes when {@code n} requests have arrived. */
        CompletableFuture<Void> holdFromNowOn(int n) {
            arrivals.set(0);
            expected = n;
            allArrived = new CompletableFuture<>();
            release = new CountDownLatch(1);
            return allArrived;
        }

        void letGo() { release.countDown(); }

        int count() { return arrivals.get(); }

        @Override
        public String getName() { return "hold"; }

        @Override
        public void beforeResponseSent(ServeEvent event, Parameters parameters) {
            CountDownLatch holding = release;
            if (arrivals.incrementAndGet() >= expected) allArrived.complete(null);
            try {
                holding.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
