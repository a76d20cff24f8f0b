package tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each of your five methods on its own, without a server: fast, and the first place to look when the shop's tests fail. */
@DisplayName("15 · Each piece on its own: the header, the spans, the log line, the health report")
class EachPieceTest {
    /** A header as a well-behaved caller sends it: the example of the W3C standard. */
    static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String CALLER_SPAN = "00f067aa0ba902b7";

    private static final ObjectMapper JSON = new ObjectMapper();

    // ---- the header ----

    @Test
    @Points(2)
    @DisplayName("parse reads a valid traceparent into its trace id, parent id and flags, and header() writes it back")
    @Hint({"Read 'The traceparent header' in the lesson's README: it takes one header apart. How many parts, and how long is each?",
           "A version-00 header is four parts joined by '-': 00, a trace id of 32 hex digits, a parent id of 16, flags of 2. A regular expression with three groups reads it in one go.",
           "Last hint: Matcher m = Pattern.compile(\"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})\").matcher(header); when m.matches(), groups 1, 2 and 3 are the parts."})
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
    @DisplayName("parse refuses a header with any part too short or too long, a part missing, a letter that is not hex in any part, or anything around it")
    @Hint({"Read the list of malformed headers in 'The traceparent header' in the lesson's README. Does your parse check every part, and what comes before and after?",
           "Version 00 is strict: every part has its exact length and only the digits 0-9 and the letters a-f, and nothing may come before or after, not even a '-' or a line break. null is no header at all.",
           "Use Matcher.matches() (the whole string), not find() (somewhere inside it). With find(), even a pattern ending in $ lets a final line break through, and split(\"-\") drops a trailing empty part.",
           "Last hint: if (header == null) return Optional.empty(); then Pattern.compile(\"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})\").matcher(header).matches()."})
    void refusesMalformedHeaders() {
        for (String header : List.of(
                "00-" + CALLER_TRACE.substring(1) + "-" + CALLER_SPAN + "-01",         // trace id of 31 digits
                "00-" + CALLER_TRACE + "a-" + CALLER_SPAN + "-01",                     // trace id of 33 digits
                "00-" + CALLER_TRACE + "-" + CALLER_SPAN.substring(1) + "-01",         // parent id of 15 digits
                "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "0-01",                     // parent id of 17 digits
                "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-1",                       // flags of 1 digit
                "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-011",                     // flags of 3 digits
                "00-" + CALLER_TRACE + "-" + CALLER_SPAN,                              // no flags
                "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-",                        // empty flags
                "00-" + CALLER_TRACE.replace('a', 'g') + "-" + CALLER_SPAN + "-01",    // 'g' is not hex, in the trace id
                "00-" + CALLER_TRACE + "-" + CALLER_SPAN.replace('a', 'z') + "-01",    // 'z' is not hex, in the parent id
                "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-0x",                      // 'x' is not hex, in the flags
                "00_" + CALLER_TRACE + "_" + CALLER_SPAN + "_01",                      // not '-'
                " " + CALLER,                                                          // something before
                CALLER + "-extra",                                                     // something after
                CALLER + "-",                                                          // a '-' after
                CALLER + "\n",                                                         // a line break after
                CALLER + " ",                                                          // a space after
                "")) {
            refused(header, "it is not version 00's 00-<32 hex>-<16 hex>-<2 hex>");
        }
        refused(null, "there is no header at all");
    }

    @Test
    @DisplayName("parse refuses uppercase hex digits in any part: the standard writes ids and flags in lowercase only")
    @Hint({"Is 4BF92F35... a valid trace id? ('The traceparent header' in the lesson's README.)",
           "The standard writes ids and flags in lowercase only. An uppercase header comes from a broken sender, and its ids are not to be trusted: refuse it, do not fix it.",
           "Last hint: match with [0-9a-f] only, never [0-9a-fA-F] or a case-insensitive flag, and do not lowercase the header before you parse it."})
    void refusesUppercase() {
        refused("00-" + CALLER_TRACE.toUpperCase() + "-" + CALLER_SPAN + "-01", "its trace id is uppercase");
        refused("00-" + CALLER_TRACE + "-" + CALLER_SPAN.toUpperCase() + "-01", "its parent id is uppercase");
        refused("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-0A", "its flags are uppercase");
        assertThat(Traceparent.parse("00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-0a")).withFailMessage("flags 0a are lowercase hex, so 00-...-0a should parse")
            .contains(new Traceparent(CALLER_TRACE, CALLER_SPAN, "0a"));
    }

    @Test
    @Points(2)
    @DisplayName("parse refuses an all-zero trace id or parent id: zeros mean 'no id'; one digit that is not 0 makes an id")
    @Hint({"A header of the right shape whose trace id is 32 zeros: does it name a trace? ('The traceparent header' in the lesson's README.)",
           "All zeros is how the standard spells 'no id'. One digit that is not 0 makes an id: 31 zeros and a 1 is one.",
           "Last hint: after the parts match, return Optional.empty() when traceId.chars().allMatch(c -> c == '0'), or the same for the parent id."})
    void refusesAllZeroIds() {
        refused("00-" + "0".repeat(32) + "-" + CALLER_SPAN + "-01", "its trace id is all zeros");
        refused("00-" + CALLER_TRACE + "-" + "0".repeat(16) + "-01", "its parent id is all zeros");
        refused("00-" + "0".repeat(32) + "-" + "0".repeat(16) + "-01", "both its ids are all zeros");
        String lastDigit = "00-" + "0".repeat(31) + "1-" + "0".repeat(15) + "1-01";
        String firstDigit = "00-1" + "0".repeat(31) + "-1" + "0".repeat(15) + "-00";
        assertThat(Traceparent.parse(lastDigit)).withFailMessage("%s has ids with one digit that is not 0, so they are ids: it should parse", lastDigit)
            .contains(new Traceparent("0".repeat(31) + "1", "0".repeat(15) + "1", "01"));
        assertThat(Traceparent.parse(firstDigit)).withFailMessage("%s has ids with one digit that is not 0, so they are ids: it should parse", firstDigit)
            .contains(new Traceparent("1" + "0".repeat(31), "1" + "0".repeat(15), "00"));
    }

    @Test
    @DisplayName("parse refuses any version but 00: the next one, 01, as well as the forbidden ff")
    @Hint({"What are the first two digits of the header? Which values does this shop speak? ('The traceparent header' in the lesson's README.)",
           "The first two digits are the version. This shop speaks version 00, and only that: 01 and the forbidden ff are refused.",
           "Last hint: start the pattern with the literal 00-, not with two hex digits of any value."})
    void refusesOtherVersions() {
        refused("01-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01", "this shop reads version 00 only, and 01 is another version");
        refused("ff-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01", "version ff is forbidden by the standard");
        refused("0g-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01", "0g is not a version");
        refused("0-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01", "a version has two digits");
    }

    // ---- the tracer, without any HTTP ----

    @Test
    @Points(2)
    @DisplayName("serve continues the caller's trace: the same trace id and flags, a new span id, the caller's span as parent")
    @Hint({"Read 'A new span on every hop' in the lesson's README. A request comes in with a valid header. Whose trace is it in, and who is the parent?",
           "A service continues the caller's trace: the same trace id and flags, a new span id of its own, and the caller's span as the parent.",
           "Last hint: new Span(caller.traceId(), ids.spanId(), caller.parentId(), caller.flags()), with caller from Traceparent.parse(traceparent)."})
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
        assertThat(unsampled.spanId()).withFailMessage("two requests served are two spans, even from the same caller: both got the span id %s", span.spanId())
            .isNotEqualTo(span.spanId());
    }

    @Test
    @Points(2)
    @DisplayName("serve starts a new trace when the header is missing or malformed, keeping nothing of a bad one")
    @Hint({"The header is missing, or parse refused it. What is this request then? (End of 'A new span on every hop' in the lesson's README.)",
           "It is the first of a new trace: new ids for both, no parent, and sampled, since we start it. Nothing of a bad header is kept.",
           "Last hint: Traceparent.parse(traceparent).map(...).orElseGet(() -> new Span(ids.traceId(), ids.spanId(), null, \"01\"))."})
    void serveStartsANewTrace() {
        Tracer tracer = new Tracer(new Ids(new SplittableRandom(2)));
        String uppercase = "00-" + CALLER_TRACE.toUpperCase() + "-" + CALLER_SPAN + "-01";
        String unsampledAllZero = "00-" + "0".repeat(32) + "-" + CALLER_SPAN + "-00";
        Set<String> traces = new HashSet<>();

        for (String header : new String[] {null, uppercase, unsampledAllZero, ""}) {
            Span span = Expect.returns(() -> tracer.serve(header), "serve should start a new trace for the header " + header);
            traces.add(span.traceId());
            String what = header == null ? "no header" : header.isEmpty() ? "an empty header" : "the malformed header " + header;
            assertThat(span.traceId()).withFailMessage("with %s, serve should start a trace with a new, valid trace id, but the trace id is %s", what, span.traceId())
                .matches("[0-9a-f]{32}").isNotEqualToIgnoringCase(CALLER_TRACE).isNotEqualTo("0".repeat(32));
            assertThat(span.spanId()).withFailMessage("with %s, the span needs a valid span id, but has %s", what, span.spanId())
                .matches("[0-9a-f]{16}").isNotEqualTo(CALLER_SPAN);
            assertThat(span.parentId()).withFailMessage("with %s, the first span of a new trace has no parent (null), but has %s", what, span.parentId()).isNull();
            assertThat(span.flags()).withFailMessage("a trace we start ourselves is sampled (01), whatever a malformed header said, but with %s the flags are %s",
                what, span.flags()).isEqualTo("01");
        }
        assertThat(traces).withFailMessage("four requests without a valid header are four new traces, each with a trace id of its own, but they got %s", traces)
            .hasSize(4);
    }

    @Test
    @Points(2)
    @DisplayName("call puts a traceparent on the request with the same trace, a new span id for the call, and returns the call's span")
    @Hint({"A service calls a peer. Is the call a span of its own? What does the header name as the callee's parent? ('A new span on every hop' in the lesson's README.)",
           "Each call is a span of its own, a child of the span we work in: same trace, new span id. The traceparent names that new span as the callee's parent.",
           "Last hint: Span call = new Span(current.traceId(), ids.spanId(), current.spanId(), current.flags()); request.setHeader(\"traceparent\", call.asParent().header()); return call;"})
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
        String secondHeader = second.build().headers().firstValue("traceparent").orElse("(none)");
        assertThat(secondHeader).withFailMessage("the second request should carry traceparent: %s, but carried %s", toPayments.asParent().header(), secondHeader)
            .isEqualTo(toPayments.asParent().header());

        Span unsampled = new Span(CALLER_TRACE, "2222222222222222", null, "00");
        var third = HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/charges"));
        Span toShipping = tracer.call(unsampled, third);
        assertThat(List.of(toShipping.traceId(), toShipping.parentId(), toShipping.flags())).withFailMessage(
            "a call from the span 2222222222222222 of an unsampled trace (flags 00) should have the trace id %s, the parent 2222222222222222 and the flags 00, "
                + "but has %s", CALLER_TRACE, toShipping).isEqualTo(List.of(CALLER_TRACE, "2222222222222222", "00"));
        assertThat(third.build().headers().firstValue("traceparent")).withFailMessage("the request should carry traceparent: %s",
            toShipping.asParent().header()).contains("00-" + CALLER_TRACE + "-" + toShipping.spanId() + "-00");
    }

    // ---- the log line ----

    @Test
    @DisplayName("A log line has the time from the clock when it is logged, the level, the span's parent only when it has one, and stays one line whatever the message holds")
    @Hint({"Read 'Logs a machine can join' in the lesson's README: it shows a line. What must stay true whatever the message holds?",
           "One event is one line of JSON, built with a JSON library so that quotes, line breaks and tabs stay escaped. The time is the clock's, read for every line; parentId only when the span has one.",
           "Last hint: ObjectNode line = JSON.createObjectNode().put(\"time\", clock.instant().toString()).put(\"level\", level)...; if (span.parentId() != null) line.put(\"parentId\", ...); out.accept(line.toString());"})
    void oneEventOneLine() {
        List<String> out = new ArrayList<>();
        ManualClock clock = new ManualClock();
        JsonLog log = new JsonLog("payments", clock, out::add);
        Span child = new Span(CALLER_TRACE, "1111111111111111", CALLER_SPAN, "01");
        Span root = new Span(CALLER_TRACE, CALLER_SPAN, null, "01");

        Expect.returns(() -> { log.warn(child, "card \"4242\" declined\\n\nsecond line\r\n\tthird"); return null; }, "warn should log the line");
        clock.advance(Duration.ofSeconds(90));
        log.info(root, "checkout placed");

        assertThat(out).withFailMessage("two events should be two lines for out, but out got %d: %s", out.size(), out).hasSize(2);
        assertThat(out.get(0)).withFailMessage("one event is one line: the line break in the message must be escaped, but the line was: %s", out.get(0))
            .doesNotContain("\n").doesNotContain("\r");
        JsonNode warn = parse(out.get(0));
        assertThat(warn.path("message").asText()).withFailMessage("the message should come back exactly as it was logged, but came back as %s", warn.path("message"))
            .isEqualTo("card \"4242\" declined\\n\nsecond line\r\n\tthird");
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
        assertThat(info.path("time").asText()).withFailMessage("the clock moved on 90 s, so the second line's time should be %s, but the line was: %s",
            ManualClock.EPOCH.plusSeconds(90), out.get(1)).isEqualTo(ManualClock.EPOCH.plusSeconds(90).toString());
        assertThat(info.has("parentId")).withFailMessage(
            "a span without a parent should log no parentId field at all (not even null), but the line was: %s", out.get(1)).isFalse();
    }

    // ---- the health report ----

    @Test
    @DisplayName("A breaker that is HALF_OPEN, still trying payments out, is DEGRADED too: only all CLOSED is UP")
    @Hint({"Read 'Health that names its dependencies' in the lesson's README. Can a HALF_OPEN breaker do all of the work?",
           "HALF_OPEN lets a few trial calls through and refuses the rest. Only all CLOSED is UP; any other state is DEGRADED.",
           "Last hint: compare each state with CircuitBreaker.State.CLOSED, rather than looking for OPEN."})
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

    @Test
    @Points(2)
    @DisplayName("Health looks at every breaker, the first as well as the last, whatever its peers are called: any state but CLOSED is DEGRADED")
    @Hint({"A breaker forced open by an operator, or switched off: is it CLOSED? Does your report look at every peer in the map?",
           "Any state but CLOSED means some of the work is not protected or not done. The first peer in the map counts as much as the last, whatever it is called.",
           "Last hint: breakers.forEach((peer, b) -> dependencies.put(peer, new Dependency(b.getState().name()))); status \"UP\" only when breakers.values().stream().allMatch(b -> b.getState() == CircuitBreaker.State.CLOSED)."})
    void everyBreakerCounts() {
        for (var state : List.of(CircuitBreaker.State.OPEN, CircuitBreaker.State.FORCED_OPEN, CircuitBreaker.State.DISABLED)) {
            CircuitBreaker shipping = CircuitBreaker.ofDefaults("shipping");
            switch (state) {
                case OPEN -> shipping.transitionToOpenState();
                case FORCED_OPEN -> shipping.transitionToForcedOpenState();
                default -> shipping.transitionToDisabledState();
            }
            Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
            breakers.put("shipping", shipping);
            breakers.put("invoicing", CircuitBreaker.ofDefaults("invoicing"));
            breakers.put("email", CircuitBreaker.ofDefaults("email"));

            Health.Report report = Expect.returns(() -> new Health(breakers).report(), "report should describe the three breakers");

            assertThat(report.status()).withFailMessage("the first of three breakers, shipping's, is %s, so the report should say DEGRADED, but said %s",
                state, report).isEqualTo("DEGRADED");
            assertThat(report.dependencies()).withFailMessage("the report should list shipping %s, invoicing CLOSED and email CLOSED, but was %s", state, report)
                .isEqualTo(Map.of("shipping", new Health.Dependency(state.name()), "invoicing", new Health.Dependency("CLOSED"),
                    "email", new Health.Dependency("CLOSED")));
        }
        Health.Report calm = new Health(Map.of("email", CircuitBreaker.ofDefaults("email"))).report();
        assertThat(calm.status()).withFailMessage("with its one breaker CLOSED, the report should say UP, but was %s", calm).isEqualTo("UP");
    }

    // ---- helpers ----

    private static void refused(String header, String why) {
        Optional<Traceparent> parsed = Expect.returns(() -> Traceparent.parse(header), "parse should answer for the header " + header);
        assertThat(parsed).withFailMessage("parse(%s) should be empty, because %s; but it returned %s",
            header == null ? "null" : "\"" + header + "\"", why, parsed).isEmpty();
    }

    /** The answer of a checkout that should have been placed, which every peer accepts. */

    static JsonNode parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            assertThat(node != null && node.isObject()).withFailMessage("each log line (and each answer) should be one JSON object, but this is not: %s", json).isTrue();
            return node;
        } catch (IOException e) {
            throw new AssertionError("each log line (and each answer) should parse as JSON, but this does not: " + json + " (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }
}
