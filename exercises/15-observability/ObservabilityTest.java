package tracing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** A header as a well-behaved caller sends it: the example of the W3C standard. */
    static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String CALLER_SPAN = "00f067aa0ba902b7";
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

    // ---- the header ----

    @Test
    @Points(2)
    @DisplayName("parse reads a valid traceparent into its trace id, parent id and flags, and header() writes it back")
    @Hint({"A version-00 header is four parts joined by '-': 00, 32 hex digits, 16 hex digits, 2 hex digits. A regular expression with three groups reads it in one go.",
           "Pattern.compile(\"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})\").matcher(header); when matches(), the groups 1, 2 and 3 are the parts.",
           "The lesson's README, section 'The traceparent header', takes one header apart."})
    void parsesAValidHeader() {
        Optional<Traceparent> parsed = Expect.returns(() -> Traceparent.parse(CALLER), "parse should read the header " + CALLER);

        assertThat(parsed).withFailMessage("%s is a valid traceparent, but parse returned %s", CALLER, parsed)
            .contains(new Traceparent(CALLER_TRACE, CALLER_SPAN, "01"));
        assertThat(parsed.get().header()).withFailMessage("header() should write the same header back, but wrote %s", parsed.get().header())
            .isEqualTo(CALLER);
        assertThat(Traceparent.parse("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-00"))
            .withFailMessage("flags 00 (not sampled) are valid flags too, so 00-...-00 should parse")
            .contains(new Traceparent(CALLER_TRACE, CALLER_SPAN, "00"));
    }

    @Test
    @Points(2)
    @DisplayName("parse refuses a header with a part too short or too long, a part missing, a letter that is not hex, or anything around it")
    @Hint({"Check every part: its length and that it holds only the digits 0-9 and the letters a-f. Then nothing else may come before or after.",
           "Use Matcher.matches() (the whole string), not find() (somewhere inside it); and null is no header at all.",
           "The lesson's README, section 'The traceparent header', lists what makes a header invalid."})
    void refusesMalformedHeaders() {
        for (String header : List.of(
                "00-" + CALLER_TRACE.substring(1) + "-" + CALLER_SPAN + "-01",         // trace id of 31 digits
                "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "0-01",                     // parent id of 17 digits
                "00-" + CALLER_TRACE + "-" + CALLER_SPAN,                              // no flags
                "00-" + CALLER_TRACE.replace('a', 'g') + "-" + CALLER_SPAN + "-01",    // 'g' is not hex
                "00_" + CALLER_TRACE + "_" + CALLER_SPAN + "_01",                      // not '-'
                " " + CALLER,                                                          // something before
                CALLER + "-extra",                                                     // something after
                "")) {
            refused(header, "it is not version 00's 00-<32 hex>-<16 hex>-<2 hex>");
        }
        refused(null, "there is no header at all");
    }

    @Test
    @DisplayName("parse refuses uppercase hex digits: the standard writes ids in lowercase only")
    @Hint({"[0-9a-fA-F] or a case-insensitive match lets uppercase through. The standard says lowercase.",
           "Match with [0-9a-f] only, and do not lowercase the header before you parse it: an uppercase header is a broken sender, and its ids are not to be trusted.",
           "The lesson's README, section 'The traceparent header'."})
    void refusesUppercase() {
        refused("00-" + CALLER_TRACE.toUpperCase() + "-" + CALLER_SPAN + "-01", "its trace id is uppercase");
        refused("00-" + CALLER_TRACE + "-" + CALLER_SPAN.toUpperCase() + "-01", "its parent id is uppercase");
    }

    @Test
    @Points(2)
    @DisplayName("parse refuses an all-zero trace id or parent id: zeros mean 'no id'")
    @Hint({"A header can have the right shape and still name nothing: 32 zeros is not a trace.",
           "After the parts match, check that the trace id and the parent id each hold at least one digit that is not 0.",
           "The lesson's README, section 'The traceparent header'."})
    void refusesAllZeroIds() {
        refused("00-" + "0".repeat(32) + "-" + CALLER_SPAN + "-01", "its trace id is all zeros");
        refused("00-" + CALLER_TRACE + "-" + "0".repeat(16) + "-01", "its parent id is all zeros");
    }

    @Test
    @DisplayName("parse refuses any version but 00, and the forbidden version ff above all")
    @Hint({"The first two digits are the version. This shop speaks version 00.",
           "Start the pattern with the literal 00-, not with two hex digits of any value.",
           "The lesson's README, section 'The traceparent header'."})
    void refusesOtherVersions() {
        refused("ff-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01", "version ff is forbidden by the standard");
        refused("0g-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01", "0g is not a version");
    }

    // ---- the tracer, without any HTTP ----

    @Test
    @Points(2)
    @DisplayName("serve continues the caller's trace: the same trace id and flags, a new span id, the caller's span as parent")
    @Hint({"Parse the header. When it is valid, the new span belongs to the caller's trace, and its parent is the span the caller named.",
           "new Span(caller.traceId(), ids.spanId(), caller.parentId(), caller.flags())",
           "The lesson's README, section 'A new span on every hop'."})
    void serveContinuesTheTrace() {
        Tracer tracer = new Tracer(new Ids(new SplittableRandom(1)));

        Span span = Expect.returns(() -> tracer.serve(CALLER), "serve should accept the caller's valid header");

        assertThat(span.traceId()).withFailMessage("the request is part of the caller's trace %s, but the span's trace id is %s", CALLER_TRACE, span.traceId())
            .isEqualTo(CALLER_TRACE);
        assertThat(span.parentId()).withFailMessage("the caller's span %s is the parent of our work, but the span's parent is %s", CALLER_SPAN, span.parentId())
            .isEqualTo(CALLER_SPAN);
        assertThat(span.spanId()).withFailMessage("our work is a span of its own: it needs a new span id, not the caller's %s", CALLER_SPAN)
            .isNotEqualTo(CALLER_SPAN).matches("[0-9a-f]{16}");
        assertThat(span.flags()).withFailMessage("the caller's flags 01 go on unchanged, but the span has %s", span.flags()).isEqualTo("01");
        Span unsampled = tracer.serve("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-00");
        assertThat(unsampled.flags()).withFailMessage("the caller said 00 (not sampled); the span must keep 00, but has %s", unsampled.flags()).isEqualTo("00");
    }

    @Test
    @Points(2)
    @DisplayName("serve starts a new trace when the header is missing or malformed, keeping nothing of a bad one")
    @Hint({"When parse finds nothing, this request is the first of a new trace: new ids for both, no parent.",
           "new Span(ids.traceId(), ids.spanId(), null, \"01\"): we start it, so we decide it is sampled.",
           "The lesson's README, section 'A new span on every hop'."})
    void serveStartsANewTrace() {
        Tracer tracer = new Tracer(new Ids(new SplittableRandom(2)));
        String uppercase = "00-" + CALLER_TRACE.toUpperCase() + "-" + CALLER_SPAN + "-01";

        for (String header : new String[] {null, uppercase, "00-" + "0".repeat(32) + "-" + CALLER_SPAN + "-01"}) {
            Span span = Expect.returns(() -> tracer.serve(header), "serve should start a new trace for the header " + header);
            String what = header == null ? "no header" : "the malformed header " + header;
            assertThat(span.traceId()).withFailMessage("with %s, serve should start a trace with a new, valid trace id, but the trace id is %s", what, span.traceId())
                .matches("[0-9a-f]{32}").isNotEqualToIgnoringCase(CALLER_TRACE).isNotEqualTo("0".repeat(32));
            assertThat(span.spanId()).withFailMessage("with %s, the span needs a valid span id, but has %s", what, span.spanId())
                .matches("[0-9a-f]{16}").isNotEqualTo(CALLER_SPAN);
            assertThat(span.parentId()).withFailMessage("with %s, the first span of a new trace has no parent (null), but has %s", what, span.parentId()).isNull();
            assertThat(span.flags()).withFailMessage("a trace we start ourselves is sampled (01), but the flags are %s", span.flags()).isEqualTo("01");
        }
    }

    @Test
    @Points(2)
    @DisplayName("call puts a traceparent on the request with the same trace, a new span id for the call, and returns the call's span")
    @Hint({"Each call is a span of its own, a child of the span we are working in. The header names that new span as the callee's parent.",
           "Span call = new Span(current.traceId(), ids.spanId(), current.spanId(), current.flags()); then request.setHeader(\"traceparent\", call.asParent().header()).",
           "The lesson's README, section 'A new span on every hop'."})
    void callMakesAChildSpan() {
        Tracer tracer = new Tracer(new Ids(new SplittableRandom(3)));
        Span current = new Span(CALLER_TRACE, "1111111111111111", CALLER_SPAN, "01");
        var first = HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/reservations"));
        var second = HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/charges"));

        Span toInventory = Expect.returns(() -> tracer.call(current, first), "call should make the call's span");
        Span toPayments = tracer.call(current, second);

        String header = first.build().headers().firstValue("traceparent").orElse("(none)");
        assertThat(header).withFailMessage("the request should carry traceparent: %s, but carried %s", toInventory.asParent().header(), header)
            .isEqualTo(toInventory.asParent().header());
        assertThat(toInventory.traceId()).withFailMessage("a call stays in the trace %s, but its span has the trace id %s", CALLER_TRACE, toInventory.traceId())
            .isEqualTo(CALLER_TRACE);
        assertThat(toInventory.parentId()).withFailMessage("the call is a child of the span we work in (1111111111111111), but its parent is %s", toInventory.parentId())
            .isEqualTo("1111111111111111");
        assertThat(Set.of(current.spanId(), toInventory.spanId(), toPayments.spanId())).withFailMessage(
            "each call is a new span: the span we work in and two calls should have three different span ids, but had %s, %s and %s",
            current.spanId(), toInventory.spanId(), toPayments.spanId()).hasSize(3);
    }

    // ---- through the shop: the gateway, orders, inventory and payments ----

    @Test
    @Points(3)
    @DisplayName("A checkout without a traceparent: inventory and payments both receive a valid header of one new trace, each with a span id of its own")
    @Hint({"The gateway calls tracer.serve with no header, so it starts the trace; orders continues it; every call gets tracer.call.",
           "If the peers see no header, call() does not set it on the request; if they see two traces, orders' serve() did not continue the gateway's.",
           "The lesson's README, section 'A new span on every hop', draws the whole checkout."})
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
    @Hint({"Every service continues the trace it is given; none passes the header on as it came.",
           "If a peer sees 00f067aa0ba902b7, the header was forwarded unchanged: call() must make a new span id for each call.",
           "The lesson's README, section 'A new span on every hop'."})
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
    @Hint({"The gateway's serve() gets the bad header. parse must refuse it, and serve must then start a new trace.",
           "If a peer sees the uppercase trace id, parse accepted it (or the header was copied); if it sees no header, the new trace was not propagated.",
           "The lesson's README, section 'Malformed headers start a new trace'."})
    void malformedHeaderIsNotForwarded() {
        String malformed = "00-" + CALLER_TRACE.toUpperCase() + "-" + CALLER_SPAN + "-01";

        var answer = checkout(malformed);

        assertThat(answer.statusCode()).withFailMessage("the checkout should be placed (201) despite the caller's bad header, but the gateway answered %s",
            describe(answer)).isEqualTo(201);
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
    @Hint({"Build the line with Jackson (JSON.createObjectNode().put(...)) and out.accept(line.toString()): it escapes whatever the message holds.",
           "A sku such as MUG \"BEST DAD\" puts quotes in the message; a line built with + and quotes around values breaks on them.",
           "The lesson's README, section 'Logs a machine can join'."})
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

    @Test
    @DisplayName("A log line has the time from the clock, the level, the span's parent, and stays one line whatever the message holds")
    @Hint({"Each field is put on one ObjectNode; time is clock.instant().toString(). A line break inside the message must stay escaped as \\n.",
           "JSON.createObjectNode().put(\"time\", ...).put(\"level\", level)...; put parentId only when span.parentId() is not null.",
           "The lesson's README, section 'Logs a machine can join', shows a line."})
    void oneEventOneLine() {
        List<String> out = new ArrayList<>();
        JsonLog log = new JsonLog("payments", new ManualClock(), out::add);
        Span child = new Span(CALLER_TRACE, "1111111111111111", CALLER_SPAN, "01");
        Span root = new Span(CALLER_TRACE, CALLER_SPAN, null, "01");

        Expect.returns(() -> { log.warn(child, "card \"4242\" declined\\n\nsecond line"); return null; }, "warn should log the line");
        log.info(root, "checkout placed");

        assertThat(out).withFailMessage("two events should be two lines for out, but out got %d: %s", out.size(), out).hasSize(2);
        assertThat(out.get(0)).withFailMessage("one event is one line: the line break in the message must be escaped, but the line was: %s", out.get(0))
            .doesNotContain("\n");
        JsonNode warn = parse(out.get(0));
        assertThat(warn.path("message").asText()).withFailMessage("the message should come back exactly as it was logged, but came back as %s", warn.path("message"))
            .isEqualTo("card \"4242\" declined\\n\nsecond line");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("time", ManualClock.EPOCH.toString());
        expected.put("level", "WARN");
        expected.put("service", "payments");
        expected.put("traceId", CALLER_TRACE);
        expected.put("spanId", "1111111111111111");
        expected.put("parentId", CALLER_SPAN);
        expected.forEach((field, value) -> assertThat(warn.path(field).asText()).withFailMessage(
            "the line should have \"%s\": \"%s\", but was: %s", field, value, out.get(0)).isEqualTo(value));
        JsonNode info = parse(out.get(1));
        assertThat(info.path("level").asText()).withFailMessage("info() logs at level INFO, but the line was: %s", out.get(1)).isEqualTo("INFO");
        assertThat(info.has("parentId") && !info.get("parentId").isNull()).withFailMessage(
            "a span without a parent should log no parentId, but the line was: %s", out.get(1)).isFalse();
    }

    // ---- health ----

    @Test
    @DisplayName("GET /health on a calm day: UP, with inventory and payments listed and both breakers CLOSED")
    @Hint({"Go through the breakers map: each peer's name, and breaker.getState().name().",
           "new Report(\"UP\", dependencies) when every breaker's state is CircuitBreaker.State.CLOSED.",
           "The lesson's README, section 'Health that names its dependencies'."})
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
    @Hint({"The status follows the breakers: any breaker that is not CLOSED means some work cannot be done.",
           "status = every breaker CLOSED ? \"UP\" : \"DEGRADED\"; each dependency is new Dependency(breaker.getState().name()).",
           "The lesson's README, section 'Health that names its dependencies', says why it still answers 200."})
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

    @Test
    @DisplayName("A breaker that is HALF_OPEN, still trying payments out, is DEGRADED too: only all CLOSED is UP")
    @Hint({"HALF_OPEN lets a few trial calls through and refuses the rest: not all of the work can be done yet.",
           "Compare each state with CircuitBreaker.State.CLOSED rather than looking for OPEN.",
           "The lesson's README, section 'Health that names its dependencies'."})
    void halfOpenIsDegraded() {
        CircuitBreaker payments = CircuitBreaker.ofDefaults("payments");
        payments.transitionToOpenState();
        payments.transitionToHalfOpenState();
        Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
        breakers.put("inventory", CircuitBreaker.ofDefaults("inventory"));
        breakers.put("payments", payments);

        Health.Report report = Expect.returns(() -> new Health(breakers).report(), "report should describe the two breakers");

        assertThat(report.status()).withFailMessage("payments' breaker is HALF_OPEN, so the report should say DEGRADED, but said %s", report).isEqualTo("DEGRADED");
        assertThat(report.dependencies()).withFailMessage("the report should list payments HALF_OPEN and inventory CLOSED, but was %s", report)
            .containsEntry("payments", new Health.Dependency("HALF_OPEN")).containsEntry("inventory", new Health.Dependency("CLOSED"));
    }

    // ---- helpers ----

    private static void refused(String header, String why) {
        Optional<Traceparent> parsed = Expect.returns(() -> Traceparent.parse(header), "parse should answer for the header " + header);
        assertThat(parsed).withFailMessage("parse(%s) should be empty, because %s; but it returned %s",
            header == null ? "null" : "\"" + header + "\"", why, parsed).isEmpty();
    }

    /** The answer of a checkout that should have been placed, which every peer accepts. */
    private static HttpResponse<String> placed(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).withFailMessage("the checkout should be placed (201), but the gateway answered %s", describe(answer)).isEqualTo(201);
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
        return logs.stream().map(ObservabilityTest::parse).toList();
    }

    /** A log line or an answer's body, which must be one JSON object. */
    private static JsonNode parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            assertThat(node != null && node.isObject()).withFailMessage("each log line (and each answer) should be one JSON object, but this is not: %s", json).isTrue();
            return node;
        } catch (IOException e) {
            throw new AssertionError("each log line (and each answer) should parse as JSON, but this does not: " + json + " (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    private static String describe(HttpResponse<String> answer) {
        String body = answer.body() == null || answer.body().isEmpty() ? "(no body)" : answer.body();
        return answer.statusCode() + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
    }
}
