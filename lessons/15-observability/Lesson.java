///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 15 · Observability: Ada's checkout failed somewhere between the gateway, orders, inventory and payments.

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import kit.ManualClock;
import kit.Mine;
import kit.Narrator;
import kit.Peer;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The time on every log line: one millisecond later for each line, so the story reads the same on every run. */
    static final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T09:00:01Z"));
    /** Four customers check out at the same moment. Ada's card is the one payments fails on; Bob wants a mug inventory cannot reserve. */
    static final Map<String, String> BASKETS = Map.of("ada", "KB-42", "bob", "MUG-7", "cleo", "KB-42", "dan", "LAMP-3");
    static final Pattern VALID = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    static Narrator story;
    static Peer inventory, payments;
    static Service gateway, orders;
    /** Off at first: no traceparent, plain log lines, and a /health that only says the process is alive. */
    static volatile boolean tracing;
    static final Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
    /** With --serve, once the story is over: every log line is printed as it is written. */
    static volatile boolean echoLogs;

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("15-observability", args);
        story.caller("orders");   // who calls the peers, on the live view (--view)
        boolean mine = story.mine();
        theCheckoutThatFails();
        everyTeamSaysNotUs();
        traceparentOnEveryHop();
        oneSearchFindsTheHop();
        malformedHeadersStartANewTrace();
        healthNamesTheDependency();
        if (mine) yourTracing();
        if (story.serving()) calmForCurl();
        story.serve(
            "curl -s -X POST " + gateway.url("/api/checkout") + " -d '{\"customer\": \"eve\", \"sku\": \"KB-42\"}'",
            "curl -s -X POST " + gateway.url("/api/checkout") + " -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' -d '{\"customer\": \"eve\", \"sku\": \"KB-42\"}'",
            "curl -s " + orders.url("/health"),
            "(each service's log lines are printed here as they are written; grep them by the traceId of an answer)");
        story.end(); // exits the process, servers and all
    }

    // ---- the steps ----

    static void theCheckoutThatFails() throws Exception {
        story.tell("""
            Monday, 09:00. Ada writes to support: her checkout failed, "something went wrong". Four customers
            checked out in that same second, through the gateway, which passes each checkout to orders, which
            reserves the items at inventory and charges the card at payments. Four teams, four services, four
            logs.""");
        story.step("The checkout that fails: four customers at once, and plain log lines");
        var peers = Peer.startAll("inventory", "payments");
        inventory = peers.get(0);
        payments = peers.get(1);
        stubPeers();
        for (String peer : List.of("inventory", "payments")) breakers.put(peer, CircuitBreaker.of(peer, BREAKER));
        gateway = new Service("gateway", app -> app.routes.post("/api/checkout", Lesson::gatewayCheckout));
        orders = new Service("orders", app -> {
            app.routes.post("/checkout", Lesson::ordersCheckout);
            app.routes.get("/health", Lesson::health);
        });
        story.say("inventory and payments (WireMock) at " + inventory.uri() + " and " + payments.uri());
        story.say("gateway and orders (Javalin) at " + gateway.url("") + " and " + orders.url(""));

        var answers = checkoutsAtOnce();
        answers.forEach((customer, answer) -> story.say(customer + "'s checkout <- " + answer.status() + " " + answer.body()));
        printLog(gateway);
        printLog(orders);
        printRequests();
        story.check(answers.get("ada").status() == 503 && answers.get("bob").status() == 503, "Ada's and Bob's checkouts failed (503)");
        story.check(answers.get("cleo").status() == 201 && answers.get("dan").status() == 201, "Cleo's and Dan's went through (201)");
        story.check(allRequests().stream().noneMatch(r -> r.containsHeader("traceparent")), "no request carried a traceparent header");
    }

    static void everyTeamSaysNotUs() throws Exception {
        story.step("Every team says \"not us\"");
        List<String> failures = orders.log.stream().filter(line -> line.contains("503")).toList();
        String health = HTTP.send(HttpRequest.newBuilder(URI.create(orders.url("/health"))).build(), BodyHandlers.ofString()).body();
        story.say("the gateway team: \"orders answered 503, twice. Ask orders.\"");
        story.say("the orders team:  \"inventory failed once and payments failed once. Which one was Ada's? Our health check says " + health + ".\"");
        story.say("the payments team: \"we answered one 503 to POST /charges. For whom? Nothing in the request says.\"");
        story.say("the inventory team: \"one 503, for a mug. Was Ada buying a mug?\"");
        story.tell("""
            Each team has the truth about its own service, and none can join it with anybody else's. Orders logged
            both failures in the same second, between the lines of the other checkouts; nothing on a line says
            which checkout it belongs to. Ada's basket is in one line, the failure in another, and under load the
            lines of four requests are shuffled together. The slow way out is a meeting: every team, every log,
            timestamps compared by hand. The fast way is an id that travels with the request.""");
        story.check(failures.size() == 2 && failures.stream().allMatch(line -> line.startsWith("09:00:01.")),
            "orders' log holds two failures in the same second");
        story.check(failures.stream().noneMatch(line -> line.contains("ada")), "neither failure line says whose checkout it was");
        story.check(health.equals("{\"status\":\"UP\"}"), "orders' health check said UP all along: it only proves the process is alive");
    }

    static void traceparentOnEveryHop() throws Exception {
        story.step("traceparent on every hop, and log lines in JSON");
        tracing = true;
        forgetEverything();
        breakers.values().forEach(CircuitBreaker::reset); // a fresh start for the breakers too: this is about traces
        story.state("traceparent", "00-<trace id: 32 hex>-<parent span id: 16 hex>-<flags: 01 = sampled>");
        story.tell("""
            Now the gateway, which meets each checkout first, gives it a trace id and sends it along in the W3C
            header traceparent. Orders continues that trace and passes it on to inventory and payments. Every hop
            gets a span id of its own, and names the span that called it as its parent. Every log line is one JSON
            object that carries the trace id and the span id. The same four customers try again:""");
        var answers = checkoutsAtOnce();
        answers.forEach((customer, answer) -> story.say(customer + "'s checkout <- " + answer.status() + " " + answer.body()));
        printRequests();
        List<String> headers = allRequests().stream().map(r -> r.getHeader("traceparent")).toList();
        Set<String> traces = new HashSet<>(), spans = new HashSet<>();
        for (String header : headers) {
            if (header == null) continue;
            traces.add(header.substring(3, 35));
            spans.add(header.substring(36, 52));
        }
        story.check(headers.size() == 7 && headers.stream().allMatch(h -> h != null && VALID.matcher(h).matches()),
            "all 7 requests to inventory and payments carried a valid traceparent");
        story.check(traces.size() == 4, "4 checkouts, 4 trace ids");
        story.check(spans.size() == 7, "7 calls, 7 different span ids: every hop is a span of its own");
        story.check(answers.values().stream().allMatch(a -> traces.contains(a.traceId())), "each customer's answer names the trace of their checkout");
    }

    static void oneSearchFindsTheHop() throws Exception {
        story.step("One search by Ada's trace id finds the hop that broke");
        String adas = lastAnswers.get("ada").traceId();
        story.say("Ada's answer said: traceId " + adas + ". Support searches every service's log for it:");
        // tag::grep[]
        List<JsonNode> lines = Stream.of(gateway, orders).flatMap(s -> s.log.stream())
            .filter(line -> line.contains(adas))          // what `grep <trace id>` does, in every service's log
            .map(Lesson::json)
            .sorted(Comparator.comparing(line -> Instant.parse(line.path("time").asText())))
            .toList();
        // end::grep[]
        lines.forEach(line -> story.say(line.toString()));
        List<LoggedRequest> received = allRequests().stream().filter(r -> String.valueOf(r.getHeader("traceparent")).contains(adas)).toList();
        for (LoggedRequest r : received) story.say("access log of " + peerOf(r) + ": " + r.getMethod() + " " + r.getUrl() + "  traceparent: " + r.getHeader("traceparent"));
        JsonNode broke = lines.stream().filter(l -> l.path("level").asText().equals("WARN")).findFirst().orElse(JSON.createObjectNode());
        story.tell("""
            %d lines of two services and two access logs, out of everything logged that second, and they tell
            the whole story in order: the gateway took the checkout, orders reserved the keyboard at inventory
            (201), and payments answered 503 to the call in span %s. Payments' own access log shows that very
            request, with the same trace id: the hop that broke is orders -> payments, and the payments team now
            has the one request to look at. Each line's parentId names the line above it: the spans form a tree,
            which is what a tracing UI such as Jaeger or Grafana Tempo draws.""".formatted(lines.size(), broke.path("spanId").asText("?")));
        Set<String> spanIds = new HashSet<>();
        lines.forEach(l -> spanIds.add(l.path("spanId").asText()));
        story.check(lines.stream().map(l -> l.path("service").asText()).distinct().toList().equals(List.of("gateway", "orders")),
            "the search found lines of the gateway and of orders, and nobody else's checkout");
        story.check(broke.path("service").asText().equals("orders") && broke.path("message").asText().contains("payments answered 503"),
            "the first warning says: orders' call to payments was answered 503");
        story.check(received.size() == 2 && received.stream().map(Lesson::peerOf).toList().containsAll(List.of("inventory", "payments")),
            "inventory's and payments' access logs each hold one request of Ada's trace");
        story.check(lines.stream().filter(l -> l.has("parentId")).allMatch(l -> spanIds.contains(l.path("parentId").asText())),
            "every span's parent is a span of the same search: one tree, from the gateway down");
    }

    static void malformedHeadersStartANewTrace() throws Exception {
        story.step("A caller's traceparent is continued; a malformed one starts a new trace");
        String caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        List<String> malformed = List.of(
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",           // uppercase: a partner's home-made SDK
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",           // an all-zero trace id: "no trace"
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",            // one digit short
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");          // version ff is forbidden
        Map<String, String> receivedFor = new LinkedHashMap<>();
        for (String header : Stream.concat(Stream.of(caller), malformed.stream()).toList()) {
            inventory.forgetRequests();
            checkout("cleo", header);
            String received = inventory.journal().getFirst().getHeader("traceparent");
            receivedFor.put(header, received);
            story.say("sent     " + header);
            story.say("inventory received " + received);
        }
        story.tell("""
            A valid header from the caller is continued: inventory sees the caller's trace id with a span id of
            our own, so the caller's trace and ours are one. A header that breaks the rules (uppercase, an
            all-zero id, a wrong length, an unknown version) is not repaired and not passed on: the gateway cannot
            trust any part of it, so it starts a new trace. Passing garbage along would break every service
            after it that reads the header strictly, and a trace is only as good as its weakest hop.""");
        String continued = receivedFor.get(caller);
        story.check(continued.startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-") && !continued.contains("00f067aa0ba902b7"),
            "the caller's valid trace was continued, with a new span id");
        story.check(malformed.stream().allMatch(h -> VALID.matcher(receivedFor.get(h)).matches()
                && !receivedFor.get(h).contains("4bf92f3577b34da6a3ce929d0e0e4736") && !receivedFor.get(h).contains("00f067aa0ba902b7")),
            "each of the 4 malformed headers started a new, valid trace, and none of it reached inventory");
    }

    static void healthNamesTheDependency() throws Exception {
        story.step("Health that names its dependencies: payments' breaker opens");
        breakers.values().forEach(CircuitBreaker::reset);
        forgetEverything();
        story.state("health", get(orders.url("/health")));
        payments.stub(post("/charges").willReturn(serviceUnavailable()));
        story.state("payments", "down: every charge answers 503");
        story.state("orders' breakers", "last 4 calls, from the 4th on, open at 50 % failures");
        for (String customer : List.of("cleo", "dan", "eve", "finn")) {
            var answer = checkout(customer, null);
            story.say(customer + "'s checkout <- " + answer.status() + "   payments' breaker: " + breakers.get("payments").getState());
        }
        int chargesBefore = payments.hits();
        var refused = checkout("gus", null);
        story.say("gus's checkout <- " + refused.status() + " " + refused.body());
        var healthAnswer = HTTP.send(HttpRequest.newBuilder(URI.create(orders.url("/health"))).build(), BodyHandlers.ofString());
        String health = healthAnswer.body();
        story.state("health", health);
        String refusalLine = orders.log.stream().filter(l -> l.contains("not called")).findFirst().orElse("");
        story.say("orders' log: " + refusalLine);
        story.tell("""
            After four failures out of four, orders' breaker stopped calling payments (lesson 08), and its health
            says so: DEGRADED, because payments' breaker is OPEN, while inventory's is CLOSED. On call, this is the
            first place to look, before any log. /health still answers 200: orders runs, and serves what it can.
            A liveness check that failed here would get orders restarted for payments' problem, and a restart
            fixes nothing that is wrong at payments.""");
        JsonNode report = json(health);
        story.check(report.path("status").asText().equals("DEGRADED") && healthAnswer.statusCode() == 200, "orders' /health says DEGRADED, with 200: orders itself is fine");
        story.check(report.path("dependencies").path("payments").path("breaker").asText().equals("OPEN")
                && report.path("dependencies").path("inventory").path("breaker").asText().equals("CLOSED"),
            "payments' breaker is OPEN, inventory's CLOSED");
        story.check(refused.status() == 503 && payments.hits() == chargesBefore, "Gus's checkout was refused without a call to payments");
        story.check(refusalLine.contains(refused.traceId()), "the refusal's log line carries Gus's trace id");
    }

    /** With --mine: the learner's Tracer, JsonLog and Health, in the exercise's gateway and orders, against the same peers. */
    static void yourTracing() {
        story.step("Your tracing, on the same shop (--mine)");
        Mine mine = Mine.compile("15-observability");
        inventory.reset();
        payments.reset();
        inventory.stub(post("/reservations").willReturn(created("{\"reservationId\": \"r-1\"}")));
        payments.stub(post("/charges").willReturn(serviceUnavailable()));
        List<String> yourLogs = new CopyOnWriteArrayList<>();
        try {
            // tag::mine[]
            Object tracer = mine.create("tracing.Tracer", mine.create("tracing.Ids", new SplittableRandom(15)));
            Object yourOrders = mine.call(mine.create("tracing.Orders", inventory.uri(), payments.uri(), tracer,
                mine.create("tracing.JsonLog", "orders", clock, (Consumer<String>) yourLogs::add), clock), "start");
            Object yourGateway = mine.call(mine.create("tracing.Gateway", mine.call(yourOrders, "uri"), tracer,
                mine.create("tracing.JsonLog", "gateway", clock, (Consumer<String>) yourLogs::add)), "start");
            // end::mine[]
            String checkoutUrl = mine.call(yourGateway, "uri") + "/api/checkout";
            String healthUrl = mine.call(yourOrders, "uri") + "/health";
            var fresh = send(checkoutUrl, "ada", null);
            send(checkoutUrl, "ada", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");   // a caller's valid trace
            send(checkoutUrl, "ada", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01");   // uppercase: malformed
            send(checkoutUrl, "ada", null);                                                          // the 4th failure opens the breaker
            String health = get(healthUrl);
            story.say("your answers: " + fresh.status() + " " + fresh.body());
            story.state("your /health", health);
            List<String> toInventory = inventory.journal().stream().map(r -> String.valueOf(r.getHeader("traceparent"))).toList();
            List<String> toPayments = payments.journal().stream().map(r -> String.valueOf(r.getHeader("traceparent"))).toList();
            toInventory.forEach(h -> story.say("inventory received " + h));
            if (!story.check(toInventory.size() == 4 && toPayments.size() == 4 && toInventory.stream().allMatch(h -> VALID.matcher(h).matches()),
                    "inventory received a valid traceparent with each of your 4 checkouts")) {
                story.say("Not there yet: ./jbang workbook check 15 says what is missing.");
                return;
            }
            story.check(toInventory.get(0).substring(3, 35).equals(toPayments.get(0).substring(3, 35))
                    && !toInventory.get(0).substring(36, 52).equals(toPayments.get(0).substring(36, 52)),
                "your orders called inventory and payments in one trace, each call with a span id of its own");
            story.check(toInventory.get(1).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-") && !toInventory.get(1).contains("00f067aa0ba902b7"),
                "your gateway continued the caller's trace with a new span id");
            story.check(!toInventory.get(2).toLowerCase().contains("4bf92f3577b34da6a3ce929d0e0e4736"), "your gateway started a new trace for the uppercase header");
            story.check(!yourLogs.isEmpty() && yourLogs.stream().allMatch(l -> parses(l) && toInventory.stream().anyMatch(h -> h.contains(json(l).path("traceId").asText()))),
                "each of your " + yourLogs.size() + " log lines is JSON with the trace id of its checkout");
            story.check(json(health).path("status").asText().equals("DEGRADED") && health.contains("OPEN"),
                "after 4 failed charges your /health says DEGRADED, payments' breaker OPEN");
            mine.call(yourGateway, "close");
            mine.call(yourOrders, "close");
        } catch (Exception e) {
            story.check(false, "your tracing ran the checkouts (it threw " + e + ")");
        }
    }

    // tag::peers[]
    /** Monday morning: most checkouts go through; the mugs' warehouse is offline, and Ada's bank times out. */
    static void stubPeers() {
        inventory.stub(post("/reservations").willReturn(created("{\"reservationId\": \"r-1\"}")));
        inventory.stub(post("/reservations").withRequestBody(matchingJsonPath("$.sku", equalTo("MUG-7")))
            .willReturn(serviceUnavailable()));
        payments.stub(post("/charges").willReturn(created("{\"chargeId\": \"ch-1\"}")));
        payments.stub(post("/charges").withRequestBody(matchingJsonPath("$.customer", equalTo("ada")))
            .willReturn(serviceUnavailable()));
    }
    // end::peers[]

    /** For --serve: the peers as on Monday morning (Ada's card fails), the breakers closed, the logs printed live. */
    static void calmForCurl() {
        inventory.reset();
        payments.reset();
        stubPeers();
        breakers.values().forEach(CircuitBreaker::reset);
        echoLogs = true;
    }

    // ---- the shop's own services ----

    // tag::breaker[]
    static final CircuitBreakerConfig BREAKER = CircuitBreakerConfig.custom()
        .slidingWindowType(SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(4)                            // judge the last 4 calls
        .minimumNumberOfCalls(4)                         // from the 4th on
        .failureRateThreshold(50)                        // open at 50 % failures
        .waitDurationInOpenState(Duration.ofMinutes(1))  // longer than the story
        .build();
    // end::breaker[]

    // tag::gateway[]
    /** POST /api/checkout: the first hop, so the one that starts the trace when the caller did not. */
    static void gatewayCheckout(Context ctx) throws Exception {
        Span span = Span.serve(ctx.header("traceparent"));
        gateway.log("INFO", span, "POST /api/checkout");
        var request = HttpRequest.newBuilder(URI.create(orders.url("/checkout"))).POST(BodyPublishers.ofByteArray(ctx.bodyAsBytes()));
        Span call = span.call(request);
        var answer = HTTP.send(request.build(), BodyHandlers.ofString());
        gateway.log(answer.statusCode() < 400 ? "INFO" : "WARN", call, "orders answered " + answer.statusCode());
        if (answer.statusCode() < 400) {
            ctx.status(answer.statusCode()).contentType("application/json").result(answer.body());
            return;
        }
        // The customer sees no internals; with tracing, a reference that finds every line of their request.
        ObjectNode problem = JSON.createObjectNode().put("problem", "something went wrong, please try again");
        if (tracing) problem.put("traceId", span.traceId());
        ctx.status(answer.statusCode()).contentType("application/json").result(problem.toString());
    }
    // end::gateway[]

    // tag::orders[]
    /** POST /checkout: reserve at inventory, then charge at payments, each call through its breaker. */
    static void ordersCheckout(Context ctx) throws Exception {
        Span span = Span.serve(ctx.header("traceparent"));
        JsonNode order = JSON.readTree(ctx.body());
        String customer = order.path("customer").asText();
        orders.log("INFO", span, "checkout for " + customer + ": 1 x " + order.path("sku").asText());
        var reservation = JSON.createObjectNode().put("sku", order.path("sku").asText()).put("quantity", 1);
        var charge = JSON.createObjectNode().put("customer", customer).put("amountCents", 4999);
        String failed = callPeer(span, inventory, "/reservations", reservation);
        if (failed == null) failed = callPeer(span, payments, "/charges", charge);
        if (failed != null) {
            ctx.status(503).contentType("application/json").result(JSON.createObjectNode().put("problem", failed).toString());
            return;
        }
        orders.log("INFO", span, "checkout for " + customer + " placed");
        ctx.status(201).contentType("application/json").result(JSON.createObjectNode().put("status", "placed").toString());
    }

    /** One call to a peer through its breaker: null when it said yes, or what went wrong. */
    static String callPeer(Span span, Peer peer, String path, ObjectNode body) {
        var request = HttpRequest.newBuilder(URI.create(peer.url(path))).POST(BodyPublishers.ofString(body.toString()))
            .header("Content-Type", "application/json");
        Span call = span.call(request);
        orders.log("INFO", call, "calling " + peer.name() + ": POST " + path);
        try {
            int status = breakers.get(peer.name()).executeCallable(() -> {
                int answered = HTTP.send(request.build(), BodyHandlers.discarding()).statusCode();
                if (answered >= 500) throw new IOException(peer.name() + " answered " + answered);
                return answered;
            });
            orders.log("INFO", call, peer.name() + " answered " + status);
            return null;
        } catch (CallNotPermittedException e) {
            orders.log("WARN", call, peer.name() + " not called: its breaker is OPEN");
            return peer.name() + " is unavailable";
        } catch (Exception e) {
            orders.log("WARN", call, e.getMessage());
            return peer.name() + " is unavailable";
        }
    }
    // end::orders[]

    /** GET /health: before tracing, only "the process answers"; then every dependency with its breaker. */
    static void health(Context ctx) {
        ObjectNode report = JSON.createObjectNode();
        if (!tracing) {
            ctx.contentType("application/json").result(report.put("status", "UP").toString());
            return;
        }
        ObjectNode dependencies = JSON.createObjectNode();
        breakers.forEach((peer, breaker) -> dependencies.putObject(peer).put("breaker", breaker.getState().name()));
        boolean degraded = breakers.values().stream().anyMatch(b -> b.getState() != CircuitBreaker.State.CLOSED);
        report.put("status", degraded ? "DEGRADED" : "UP").set("dependencies", dependencies);
        ctx.contentType("application/json").result(report.toString());
    }

    /**
     * One piece of work in a trace, with the lesson's own reading and writing of traceparent. The exercise has you
     * write yours (Traceparent, Tracer); the lesson's text explains the rules without this code.
     */
    record Span(String traceId, String spanId, String parentId, String flags) {
        static final Pattern TRACEPARENT = Pattern.compile("00-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-([0-9a-f]{2})");
        static final SplittableRandom RANDOM = new SplittableRandom(15);

        static Span serve(String header) {
            var parts = header == null || !tracing ? null : TRACEPARENT.matcher(header);
            if (parts != null && parts.matches()) return new Span(parts.group(1), newId(8), parts.group(2), parts.group(3));
            return new Span(newId(16), newId(8), null, "01");
        }

        Span call(HttpRequest.Builder request) {
            Span call = new Span(traceId, newId(8), spanId, flags);
            if (tracing) request.header("traceparent", "00-" + traceId + "-" + call.spanId + "-" + flags);
            return call;
        }

        static synchronized String newId(int bytes) {
            byte[] id = new byte[bytes];
            RANDOM.nextBytes(id);
            id[0] |= 1; // never all zeros
            return HexFormat.of().formatHex(id);
        }
    }

    /** A Javalin service of the shop, with its own log: plain lines at first, JSON lines once tracing is on. */
    static final class Service {
        static final DateTimeFormatter PLAIN_TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

        final String name;
        final List<String> log = new CopyOnWriteArrayList<>();
        final Javalin app;

        Service(String name, Consumer<JavalinConfig> routes) {
            this.name = name;
            this.app = Javalin.create(config -> {
                config.startup.showJavalinBanner = false;
                story.watch(config, name);   // its calls on the live view (--view)
                config.concurrency.useVirtualThreads = true;
                story.malformedBodiesAre400(config);
                routes.accept(config);
            }).start("127.0.0.1", 0);
        }

        void log(String level, Span span, String message) {
            synchronized (clock) { // one line at a time, so the times in the logs go up as the lines do
                clock.advanceMillis(1);
                write(level, span, message);
            }
        }

        private void write(String level, Span span, String message) {
            String line;
            if (!tracing) {
                // What most services log: a time, a level, a name, a sentence. Nothing joins it to another service's line.
                line = "%s %-5s %-8s %s".formatted(PLAIN_TIME.format(clock.instant()), level, name, message);
            } else {
                ObjectNode json = JSON.createObjectNode().put("time", clock.instant().toString()).put("level", level)
                    .put("service", name).put("traceId", span.traceId()).put("spanId", span.spanId());
                if (span.parentId() != null) json.put("parentId", span.parentId());
                line = json.put("message", message).toString();
            }
            log.add(line);
            if (echoLogs) story.say(line);
        }

        String url(String path) { return "http://127.0.0.1:" + app.port() + path; }
    }

    // ---- plumbing ----

    record Answer(int status, String body, String traceId) {}

    static Map<String, Answer> lastAnswers = Map.of();

    static ResponseDefinitionBuilder created(String body) {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** The four customers check out at the same moment: their log lines interleave, as they do under load. */
    static Map<String, Answer> checkoutsAtOnce() throws Exception {
        var start = new CountDownLatch(1);
        Map<String, Future<Answer>> running = new LinkedHashMap<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String customer : List.of("ada", "bob", "cleo", "dan")) {
                running.put(customer, pool.submit(() -> {
                    start.await();
                    return checkout(customer, null);
                }));
            }
            start.countDown();
            Map<String, Answer> answers = new LinkedHashMap<>();
            for (var entry : running.entrySet()) answers.put(entry.getKey(), entry.getValue().get());
            lastAnswers = answers;
            return answers;
        }
    }

    static Answer checkout(String customer, String traceparent) throws Exception {
        return send(gateway.url("/api/checkout"), customer, traceparent);
    }

    static Answer send(String url, String customer, String traceparent) throws Exception {
        String body = JSON.createObjectNode().put("customer", customer).put("sku", BASKETS.getOrDefault(customer, "KB-42")).toString();
        var request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json").POST(BodyPublishers.ofString(body));
        if (traceparent != null) request.header("traceparent", traceparent);
        var response = HTTP.send(request.build(), BodyHandlers.ofString());
        String traceId = parses(response.body()) ? json(response.body()).path("traceId").asText(null) : null;
        if (traceId == null) traceId = orders.log.isEmpty() || !tracing ? "" : lastTraceOf(customer);
        return new Answer(response.statusCode(), response.body(), traceId);
    }

    /** A placed checkout's answer names no trace; orders' log does, on the line that names the customer. */
    static String lastTraceOf(String customer) {
        return orders.log.reversed().stream().filter(l -> l.contains("checkout for " + customer + ":")).findFirst()
            .map(l -> json(l).path("traceId").asText()).orElse("");
    }

    static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), BodyHandlers.ofString()).body();
    }

    static void forgetEverything() {
        gateway.log.clear();
        orders.log.clear();
        inventory.forgetRequests();
        payments.forgetRequests();
    }

    static List<LoggedRequest> allRequests() {
        List<LoggedRequest> all = new ArrayList<>(inventory.journal());
        all.addAll(payments.journal());
        return all;
    }

    static String peerOf(LoggedRequest request) {
        return request.getUrl().startsWith("/reservations") ? "inventory" : "payments";
    }

    static void printLog(Service service) {
        story.say(service.name + (service.name.endsWith("s") ? "'" : "'s") + " log:");
        service.log.forEach(line -> story.say("  " + line));
    }

    /** What inventory and payments received, with the traceparent header of each request. */
    static void printRequests() {
        for (Peer peer : List.of(inventory, payments)) {
            for (LoggedRequest r : peer.journal()) {
                String header = r.containsHeader("traceparent") ? r.getHeader("traceparent") : "(none)";
                story.say("→ %-9s %s %-13s traceparent: %s".formatted(peer.name(), r.getMethod(), r.getUrl(), header));
            }
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    static boolean parses(String text) {
        try {
            return JSON.readTree(text).isObject();
        } catch (IOException e) {
            return false;
        }
    }

}
