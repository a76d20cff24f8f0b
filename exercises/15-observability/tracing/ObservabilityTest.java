package tracing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static tracing.EachPieceTest.CALLER;
import static tracing.EachPieceTest.CALLER_SPAN;
import static tracing.EachPieceTest.CALLER_TRACE;
import static tracing.EachPieceTest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("15 · Following one checkout through the gateway, orders, inventory and payments")
class ObservabilityTest {
    // One server per peer for the whole class (a start costs most of a second); stubs and journals reset per test.
    @RegisterExtension static WireMockExtension inventory = peer();
    @RegisterExtension static WireMockExtension payments = peer();

    static final Pattern VALID = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    static final String ORDER = "{\"customer\": \"ada\", \"sku\": \"KB-42\", \"quantity\": 1, \"amountCents\": 4999}";

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ManualClock CLOCK = new ManualClock();

    /** Every line the gateway and orders log, in the order they log them. */
    static final List<String> logs = new CopyOnWriteArrayList<>();
    static Orders orders;
    static Gateway gateway;

    private static WireMockExtension peer() {
        return WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();
    }

    @BeforeAll
    static void openTheShop() {
        // The ids come from a seeded random source: the same ids on every run.
        Tracer tracer = new Tracer(new Ids(new SplittableRandom(15)));
        orders = new Orders(URI.create(inventory.baseUrl()), URI.create(payments.baseUrl()), tracer,
            new JsonLog("orders", CLOCK, logs::add), CLOCK).start();
        gateway = new Gateway(orders.uri(), tracer, new JsonLog("gateway", CLOCK, logs::add)).start();
        warmUp();
    }

    /**
     * One checkout before the tests, its answer ignored: the first request each server handles costs seconds on a
     * busy machine (classes to load, threads to start), and orders gives a peer 5 s. The peers forget it before
     * each test; the breakers and the log lines are reset too.
     */
    private static void warmUp() {
        for (URI uri : List.of(URI.create(inventory.baseUrl() + "/reservations"), URI.create(payments.baseUrl() + "/charges"),
                gateway.uri().resolve("/api/checkout"))) {
            try {
                CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofString(ORDER)).build(), BodyHandlers.discarding());
            } catch (IOException e) {
                // the tests that need the shop say what is wrong with it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @AfterAll
    static void closeTheShop() {
        if (gateway != null) gateway.close();
        if (orders != null) orders.close();
    }

    @BeforeEach
    void aCalmDay() {
        inventory.stubFor(any(anyUrl()).willReturn(okJson("{\"reservationId\": \"r-1\"}").withStatus(201)));
        payments.stubFor(any(anyUrl()).willReturn(okJson("{\"chargeId\": \"ch-1\"}").withStatus(201)));
        orders.breaker("inventory").reset();
        orders.breaker("payments").reset();
        logs.clear();
    }

    // ---- through the shop: the gateway, orders, inventory and payments ----

    @Test
    @Points(3)
    @DisplayName("A checkout without a traceparent: inventory and payments both receive a valid header of one new trace, each with a span id of its own")
    @Hint({"Read 'A new span on every hop' in the lesson's README: it draws the whole checkout. Who starts the trace, and who continues it?",
           "The gateway gets no header, so its serve() starts the trace; orders' serve() continues it; every call gets a header of its own from call(). Inventory and payments see one trace, with a span id each.",
           "Last hint: if the peers see no header, call() does not set it on the request; if they see two traces, orders' serve() did not continue the gateway's."})
    void oneTraceThroughTheShop() {
        var answer = placed(checkout(null));
        String toInventory = traceparentReceivedBy(inventory, "inventory");
        String toPayments = traceparentReceivedBy(payments, "payments");
        Traceparent a = Traceparent.parse(toInventory).orElseThrow();
        Traceparent b = Traceparent.parse(toPayments).orElseThrow();
        assertThat(b.traceId()).withFailMessage("inventory and payments worked for the same checkout, so for the same trace, but inventory got %s and payments %s",
            toInventory, toPayments).isEqualTo(a.traceId());
        assertThat(a.parentId()).withFailMessage("each hop is a new span: inventory and payments should see different parent ids, but both saw %s", a.parentId())
            .isNotEqualTo(b.parentId());
        String traceId = parse(answer.body()).path("traceId").asText();
        assertThat(traceId).withFailMessage("the customer's answer names the trace %s, but the peers were called in the trace %s", traceId, a.traceId())
            .isEqualTo(a.traceId());
    }

    @Test
    @Points(3)
    @DisplayName("A checkout with the caller's traceparent stays in the caller's trace, and no hop reuses the caller's span id")
    @Hint({"A peer sees the caller's own span id. What did the service do with the header? (The mistakes listed in 'A new span on every hop' in the lesson's README.)",
           "Every service continues the trace it is given, with new span ids. None passes the header on as it came, or every hop looks like one call.",
           "Last hint: if a peer sees 00f067aa0ba902b7, the header was forwarded unchanged: call() must make a new span id (ids.spanId()) for each call."})
    void staysInTheCallersTrace() {
        placed(checkout(CALLER));
        Set<String> spans = new HashSet<>();
        for (var peer : List.of(Map.entry("inventory", inventory), Map.entry("payments", payments))) {
            Traceparent received = Traceparent.parse(traceparentReceivedBy(peer.getValue(), peer.getKey())).orElseThrow();
            assertThat(received.traceId()).withFailMessage("the caller started the trace %s, so %s should be called in it, but got %s",
                CALLER_TRACE, peer.getKey(), received.header()).isEqualTo(CALLER_TRACE);
            assertThat(received.parentId()).withFailMessage("%s received the caller's own span id %s: a hop passed the header on unchanged instead of making a new span",
                peer.getKey(), CALLER_SPAN).isNotEqualTo(CALLER_SPAN);
            spans.add(received.parentId());
        }
        List<JsonNode> lines = logLines();
        Set<String> ours = new HashSet<>();
        lines.forEach(line -> ours.add(line.path("spanId").asText()));
        assertThat(ours).withFailMessage("the gateway and orders should log with span ids of their own, never the caller's %s, but logged %s", CALLER_SPAN, ours)
            .doesNotContain(CALLER_SPAN);
        assertThat(spans).withFailMessage("inventory and payments should see two different span ids, but saw %s", spans).hasSize(2);
    }

    @Test
    @Points(2)
    @DisplayName("A malformed traceparent from the caller is not passed on: the peers see a valid header of a new trace")
    @Hint({"The caller sent a malformed header. Should it travel through the shop? (The mistakes listed in 'A new span on every hop' in the lesson's README.)",
           "A malformed header is not trusted and not passed on: parse refuses it, and serve starts a new trace, which the calls then carry.",
           "Last hint: if a peer sees the uppercase trace id, parse accepted it (or the header was copied); if it sees no header, the new trace was not put on the request by call()."})
    void malformedHeaderIsNotForwarded() {
        String malformed = "00-" + CALLER_TRACE.toUpperCase() + "-" + CALLER_SPAN + "-01";

        placed(checkout(malformed)); // despite the caller's bad header
        String toInventory = traceparentReceivedBy(inventory, "inventory");
        String toPayments = traceparentReceivedBy(payments, "payments");
        for (String received : List.of(toInventory, toPayments)) {
            assertThat(received.toLowerCase()).withFailMessage("the caller's malformed header %s should start a new trace, but a peer received %s",
                malformed, received).doesNotContain(CALLER_TRACE).doesNotContain(CALLER_SPAN);
        }
        assertThat(Traceparent.parse(toPayments).orElseThrow().traceId()).withFailMessage(
            "the new trace should reach both peers, but inventory got %s and payments %s", toInventory, toPayments)
            .isEqualTo(Traceparent.parse(toInventory).orElseThrow().traceId());
    }

    // ---- the logs ----

    @Test
    @Points(2)
    @DisplayName("Every log line of a checkout is one JSON object with the checkout's trace id, a span id, the service and the message")
    @Hint({"Read 'Logs a machine can join' in the lesson's README. What breaks a line built with + and quotes?",
           "Every line is one JSON object with the trace id, the span id, the service and the message. A sku such as MUG \"BEST DAD\" puts quotes in the message; only a JSON library keeps the line valid.",
           "Last hint: build the line with JSON.createObjectNode().put(...), and out.accept(line.toString())."})
    void logLinesCarryTheTrace() {
        String order = "{\"customer\": \"ada\", \"sku\": \"MUG \\\"BEST DAD\\\"\", \"quantity\": 1, \"amountCents\": 1299}";

        placed(send(order, null));
        String traceId = Traceparent.parse(traceparentReceivedBy(payments, "payments")).orElseThrow().traceId();
        List<JsonNode> lines = logLines();
        Set<String> services = new HashSet<>();
        for (JsonNode line : lines) {
            assertThat(line.path("traceId").asText()).withFailMessage("every line of this checkout should carry its trace id %s, but this one does not: %s", traceId, line)
                .isEqualTo(traceId);
            assertThat(line.path("spanId").asText()).withFailMessage("every line should carry the span id it was logged in (16 hex digits), but this one does not: %s", line)
                .matches("[0-9a-f]{16}");
            assertThat(line.path("message").isTextual()).withFailMessage("every line should have its message, but this one has none: %s", line).isTrue();
            services.add(line.path("service").asText());
        }
        assertThat(services).withFailMessage("both the gateway and orders log this checkout, each under its own name, but the lines name %s", services)
            .containsExactlyInAnyOrder("gateway", "orders");
        assertThat(lines).withFailMessage("orders' line about the sku should keep its quotes: MUG \"BEST DAD\"").anyMatch(line -> line.path("message").asText().contains("MUG \"BEST DAD\""));
    }

    // ---- health ----

    @Test
    @DisplayName("GET /health on a calm day: UP, with inventory and payments listed and both breakers CLOSED")
    @Hint({"Read 'Health that names its dependencies' in the lesson's README. What does a calm day's report list?",
           "The report names every dependency with the state of its breaker. When every breaker is CLOSED, the status is UP.",
           "Last hint: for each entry of the breakers map: new Dependency(breaker.getState().name()); new Report(\"UP\", dependencies) when every state is CircuitBreaker.State.CLOSED."})
    void healthyOnACalmDay() {
        JsonNode health = health();

        assertThat(health.path("status").asText()).withFailMessage("with both breakers closed, /health should say UP, but said %s", health).isEqualTo("UP");
        for (String peer : List.of("inventory", "payments")) {
            assertThat(health.path("dependencies").path(peer).path("breaker").asText()).withFailMessage(
                "/health should list %s with its breaker CLOSED, but said %s", peer, health).isEqualTo("CLOSED");
        }
    }

    @Test
    @Points(3)
    @DisplayName("When payments fails and its breaker opens, /health says DEGRADED, payments OPEN, inventory CLOSED, and still answers 200")
    @Hint({"Payments' breaker opened. What does /health say, and with which HTTP status? ('Health that names its dependencies' in the lesson's README.)",
           "The status follows the breakers: any breaker that is not CLOSED means some work cannot be done, so DEGRADED. Orders still runs, so it still answers 200.",
           "Last hint: status = every breaker CLOSED ? \"UP\" : \"DEGRADED\"; each dependency is new Dependency(breaker.getState().name())."})
    void healthFlipsWhenTheBreakerOpens() {
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));
        for (int i = 0; i < 4; i++) {
            var answer = checkout(null);
            assertThat(answer.statusCode()).withFailMessage("with payments answering 503, checkout should answer 503, but answered %s", describe(answer)).isEqualTo(503);
        }
        assertThat(orders.breaker("payments").getState()).withFailMessage("after 4 failures in a window of 4, payments' breaker should be OPEN")
            .isEqualTo(CircuitBreaker.State.OPEN);

        HttpResponse<String> answer = get("/health");
        JsonNode health = parse(answer.body());

        assertThat(answer.statusCode()).withFailMessage("orders itself still runs and answers: /health should answer 200 (with DEGRADED), but answered %s", describe(answer))
            .isEqualTo(200);
        assertThat(health.path("status").asText()).withFailMessage("payments' breaker is OPEN, so /health should say DEGRADED, but said %s", health).isEqualTo("DEGRADED");
        assertThat(health.path("dependencies").path("payments").path("breaker").asText()).withFailMessage("/health should show payments' breaker OPEN, but said %s", health)
            .isEqualTo("OPEN");
        assertThat(health.path("dependencies").path("inventory").path("breaker").asText()).withFailMessage("inventory's breaker stayed CLOSED, but /health said %s", health)
            .isEqualTo("CLOSED");
    }

    // ---- helpers ----

    private static HttpResponse<String> placed(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).withFailMessage("the checkout should be placed (201), but the gateway answered %s; the services logged:%n  %s",
            describe(answer), String.join("\n  ", logs)).isEqualTo(201);
        return answer;
    }

    private static HttpResponse<String> checkout(String traceparent) {
        return send(ORDER, traceparent);
    }

    /** Sends a checkout to the gateway. A 500 naming a TODO means the code is not written yet: say so, not "wrong". */
    private static HttpResponse<String> send(String order, String traceparent) {
        var request = HttpRequest.newBuilder(gateway.uri().resolve("/api/checkout")).timeout(Duration.ofSeconds(15))
            .header("Content-Type", "application/json").POST(BodyPublishers.ofString(order));
        if (traceparent != null) request.header("traceparent", traceparent);
        return answered(request.build());
    }

    private static HttpResponse<String> get(String path) {
        return answered(HttpRequest.newBuilder(orders.uri().resolve(path)).timeout(Duration.ofSeconds(15)).build());
    }

    private static JsonNode health() {
        var answer = get("/health");
        assertThat(answer.statusCode()).withFailMessage("GET /health should answer 200, but answered %s", describe(answer)).isEqualTo(200);
        return parse(answer.body());
    }

    private static HttpResponse<String> answered(HttpRequest request) {
        HttpResponse<String> answer = Expect.returns(() -> CLIENT.send(request, BodyHandlers.ofString()),
            "the shop should answer " + request.method() + " " + request.uri().getRawPath());
        String error = answer.statusCode() == 500 ? errorIn(answer.body()) : "";
        if (error.contains("TODO")) throw new UnsupportedOperationException(error.substring(error.indexOf("TODO")));
        return answer;
    }

    private static String errorIn(String body) {
        try {
            return JSON.readTree(body).path("error").asText(body);
        } catch (IOException notJson) {
            return body;
        }
    }

    /** The one traceparent a peer received in this test, checked to be a valid version-00 header. */
    private static String traceparentReceivedBy(WireMockExtension peer, String name) {
        List<LoggedRequest> requests = peer.getAllServeEvents().stream().map(ServeEvent::getRequest).toList();
        assertThat(requests).withFailMessage("%s should receive exactly one request, but received %d", name, requests.size()).hasSize(1);
        LoggedRequest received = requests.getFirst();
        assertThat(received.containsHeader("traceparent")).withFailMessage("%s received %s %s without a traceparent header: the trace stops there",
            name, received.getMethod(), received.getUrl()).isTrue();
        String header = received.getHeader("traceparent");
        assertThat(header).withFailMessage("%s received traceparent: %s, which is not a valid version-00 header (00-<32 hex>-<16 hex>-<2 hex>, lowercase, no all-zero id)",
            name, header).matches(VALID).doesNotContain("0".repeat(32)).doesNotContain("-" + "0".repeat(16) + "-");
        return header;
    }

    /** The lines the gateway and orders logged in this test, each parsed; a line that is not JSON fails the test. */
    private static List<JsonNode> logLines() {
        assertThat(logs).withFailMessage("the gateway and orders should have logged this checkout, but nothing reached the log").isNotEmpty();
        return logs.stream().map(EachPieceTest::parse).toList();
    }

    /** A log line or an answer's body, which must be one JSON object. */
    private static String describe(HttpResponse<String> answer) {
        String body = answer.body() == null || answer.body().isEmpty() ? "(no body)" : answer.body();
        return answer.statusCode() + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
    }
}
