///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 04 · API composition: the mobile home screen gathers three services' answers in one round trip, on time.

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.http.Fault;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kit.Mine;
import kit.Narrator;
import kit.Peer;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** How long the home service waits for its parts, unless a request asks for another deadline. */
    static final Duration DEADLINE = Duration.ofMillis(400);
    /** How long each service takes on a calm day. */
    static final int PROFILES_MS = 100, ORDERS_MS = 150, RECOMMENDATIONS_MS = 300;
    /** How long recommendations takes on a bad day. */
    static final int SLOW_MS = 1000;
    /** The deadline of the step where parts fail rather than come late. */
    static final int FAILURES_DEADLINE_MS = 5000;

    static Narrator story;
    static Peer profiles, orders, recommendations;
    static Javalin home;

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("04-api-composition", args);
        boolean mine = story.mine();
        oneScreenThreeServices();
        oneAfterAnother();
        allAtOnce();
        recommendationsSlowsDown();
        recommendationsFails();
        profilesIsDown();
        if (mine) yourHomeScreen();
        offerFaults();
        story.serve(
            "curl -s " + homeUrl() + "/home/c-7",
            "curl -s " + homeUrl() + "/v1/home/c-7          (the first version: one service after another)",
            "curl -s '" + homeUrl() + "/home/c-7?deadline=200'   (a tighter deadline: recommendations misses it)",
            "curl -s -X POST " + recommendations.url("/__admin/mappings") + " -d '{\"request\": {\"urlPathPattern\": \"/recommendations/.*\"}, "
                + "\"response\": {\"status\": 200, \"fixedDelayMilliseconds\": 1500, \"jsonBody\": []}}'   (make recommendations slow)");
        home.stop();
        List.of(profiles, orders, recommendations).forEach(Peer::close);
        story.end();
    }

    // ---- the steps ----

    static void oneScreenThreeServices() {
        story.tell("""
            The shop's mobile app opens on a home screen: 'Hello Ada', her recent orders, and a few things she
            might like. Three services know these: profiles, orders, and recommendations (a machine-learning model,
            slow when it is busy). On a phone each round trip costs 100 ms or more before a service even starts,
            so the app makes one call, GET /home/c-7, and the home service composes the screen from the three.""");
        story.step("Start the three services and the home service");
        // The home service starts while the services do: both are mostly class loading, and there are cores to share.
        var starting = CompletableFuture.supplyAsync(Lesson::startHomeService);
        // tag::peers[]
        var peers = Peer.startAll("profiles", "orders", "recommendations");
        profiles = peers.get(0);
        orders = peers.get(1);
        recommendations = peers.get(2);
        profiles.stub(get(urlPathMatching("/profiles/.*"))
            .willReturn(okJson("{\"id\": \"c-7\", \"name\": \"Ada\", \"tier\": \"gold\"}").withFixedDelay(PROFILES_MS)));
        orders.stub(get(urlPathEqualTo("/orders"))
            .willReturn(okJson("[{\"orderId\": \"o-41\", \"status\": \"shipped\"}]").withFixedDelay(ORDERS_MS)));
        recommendations.stub(get(urlPathMatching("/recommendations/.*"))
            .willReturn(okJson("[{\"sku\": \"KB-42\", \"title\": \"Split keyboard\"}]").withFixedDelay(RECOMMENDATIONS_MS)));
        // end::peers[]
        home = starting.join();
        story.listen(profiles, orders, recommendations);
        for (Peer peer : peers) story.say(peer.name() + " is up at " + peer.uri());
        story.say("home (our service) is up at " + homeUrl());
        story.state("each service takes", "profiles " + PROFILES_MS + " ms, orders " + ORDERS_MS + " ms, recommendations " + RECOMMENDATIONS_MS + " ms");
    }

    static void oneAfterAnother() throws Exception {
        story.step("The first version: one service after another");
        var answer = call("/v1/home/c-7");
        story.say("home answered " + answer.status() + " in " + answer.millis() + " ms: " + answer.body());
        var arrivals = arrivals();
        story.state("requests arrived at", timeline(arrivals));
        story.tell("""
            Each request leaves only when the answer before it is in, so the times add up: 100 + 150 + 300 ms
            make the home screen take at least 550 ms, and every service that slows down slows the screen down.""");
        story.check(answer.status() == 200, "the home screen came (200)");
        story.check(answer.millis() >= PROFILES_MS + ORDERS_MS + RECOMMENDATIONS_MS, "it took at least the sum of the three services' times (550 ms)");
        story.check(arrivals.size() == 3
                && arrivals.get(1).at() - arrivals.get(0).at() >= PROFILES_MS
                && arrivals.get(2).at() - arrivals.get(1).at() >= ORDERS_MS,
            "the journals show each request arriving only after the service before had answered");
    }

    static void allAtOnce() throws Exception {
        story.step("Fan out: all three at once");
        var answer = call("/home/c-7");
        story.say("home answered " + answer.status() + " in " + answer.millis() + " ms: " + answer.body());
        var arrivals = arrivals();
        story.state("requests arrived at", timeline(arrivals));
        story.tell("""
            The three requests leave together and the home service waits for all of them at once. The screen now
            takes as long as the slowest service (300 ms), not as long as all of them together. The journals prove
            it without a stopwatch: all three requests had arrived before even the quickest service (100 ms) could
            have answered.""");
        story.check(answer.status() == 200 && degraded(answer).isEmpty(), "the whole home screen came (200), nothing degraded");
        story.check(arrivals.size() == 3 && arrivals.get(2).at() - arrivals.get(0).at() < PROFILES_MS,
            "the journals show all three requests arriving before the quickest answer could have been sent");
        // No upper bound in milliseconds: on a busy machine the answer may come later than 550 ms though the calls
        // overlapped. The journals above are the proof that they did; the clock shows only what the screen waits for.
        story.check(answer.millis() >= RECOMMENDATIONS_MS, "it took at least the slowest service's 300 ms: the screen waits for its slowest part");
    }

    static void recommendationsSlowsDown() throws Exception {
        story.step("Recommendations slows down: a deadline for the whole answer");
        recommendationsAnswerIn(SLOW_MS);
        story.state("recommendations", RECOMMENDATIONS_MS + " ms -> " + SLOW_MS + " ms (the model is retraining)");
        var patient = call("/home/c-7?deadline=5000");
        story.say("with a deadline of 5 s, home answered " + patient.status() + " in " + patient.millis() + " ms");
        story.tell("""
            Parallel calls wait for the slowest service, so one slow part makes the whole screen slow. The home
            service needs a deadline for the whole answer: what has not come by then is left out, and the answer
            says so in "degraded". The app then shows the screen without recommendations, at once.""");

        story.state("deadline", DEADLINE.toMillis() + " ms");
        var onTime = call("/home/c-7");
        long screenSent = System.currentTimeMillis();
        story.say("with the deadline of " + DEADLINE.toMillis() + " ms, home answered " + onTime.status() + " in " + onTime.millis() + " ms: " + onTime.body());
        var asked = arrivals().stream().filter(a -> a.peer().equals("recommendations")).findFirst();
        long answerDue = asked.map(a -> a.at() + SLOW_MS).orElse(0L);
        story.say("recommendations got the request all the same, and answers " + (answerDue - screenSent)
            + " ms after the screen has gone out: to nobody. completeOnTimeout stopped the waiting, not the request.");

        story.check(patient.status() == 200 && patient.millis() >= SLOW_MS, "without a deadline that matters, the screen waited for recommendations' " + SLOW_MS + " ms");
        story.check(onTime.status() == 200 && degraded(onTime).equals(List.of("recommendations")),
            "with the deadline, the screen came (200) with \"degraded\": [\"recommendations\"]");
        story.check(part(onTime, "profile").path("name").asText().equals("Ada") && part(onTime, "orders").isArray() && !part(onTime, "recommendations").isArray(),
            "it holds the profile and the orders, and no recommendations");
        story.check(onTime.millis() < SLOW_MS, "it came long before recommendations answered (" + onTime.millis() + " ms < " + SLOW_MS + " ms)");
        story.check(asked.isPresent() && answerDue > screenSent,
            "the journal shows recommendations got the request less than " + SLOW_MS + " ms before the screen went out, so its answer comes later");
    }

    static void recommendationsFails() throws Exception {
        story.step("Recommendations fails, then orders drops the connection");
        recommendations.stub(get(urlPathMatching("/recommendations/.*")).willReturn(serverError().withBody("{\"error\": \"model not loaded\"}")));
        // A deadline far from the calm day's 300 ms: this step is about failures, so on a busy machine a healthy
        // part that answers a little late must not be taken for one that failed.
        var noRecommendations = call("/home/c-7?deadline=" + FAILURES_DEADLINE_MS);
        story.say("recommendations down:   " + noRecommendations.status() + " " + noRecommendations.body());
        restoreCalmDay();
        orders.stub(get(urlPathEqualTo("/orders")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        var noOrders = call("/home/c-7?deadline=" + FAILURES_DEADLINE_MS);
        int ordersAsked = orders.hits();
        story.say("orders broken:          " + noOrders.status() + " " + noOrders.body());
        story.tell("""
            A part that fails is treated like a part that is late: left out, and named. Orders and recommendations
            are optional: a home screen without them is still a home screen, and the app knows what to hide.
            (Orders may show twice: the JDK's client sends a GET again, once, when a connection it reused breaks.)""");
        story.check(noRecommendations.status() == 200 && degraded(noRecommendations).equals(List.of("recommendations")),
            "recommendations' 500 gave a home screen (200) with \"degraded\": [\"recommendations\"]");
        story.check(noOrders.status() == 200 && degraded(noOrders).equals(List.of("orders")),
            "orders' broken connection gave a home screen (200) with \"degraded\": [\"orders\"]");
        story.check(ordersAsked >= 1 && ordersAsked <= 2, "orders was asked at most twice (" + ordersAsked + ")");
        restoreCalmDay();
    }

    static void profilesIsDown() throws Exception {
        story.step("Profiles is down: no home screen without the customer");
        profiles.stub(get(urlPathMatching("/profiles/.*")).willReturn(serviceUnavailable()));
        var answer = call("/home/c-7");
        story.say("home answered " + answer.status() + " in " + answer.millis() + " ms: " + answer.body());
        story.tell("""
            The profile is required: a home screen that cannot greet the customer is an error, and the app shows
            its error screen. The home service answers 502 Bad Gateway: it is up, a service behind it failed.
            This version finds out late: it waits for orders and recommendations, then throws them away.""");
        story.check(answer.status() == 502, "the home service answered 502 Bad Gateway");
        story.check(answer.body().contains("\"missing\":\"profile\""), "the answer names the missing part: \"missing\": \"profile\"");
        story.check(answer.millis() >= RECOMMENDATIONS_MS, "it answered only after the slowest service's 300 ms, although profiles had failed at once");
        restoreCalmDay();
        story.tell("""
            Composition moves the waiting from the phone to the data centre, where round trips are short and calls
            can overlap. Its price: the home service depends on three services, and must decide for each one what
            the screen can do without. In the exercise you write a home service that also gives up as soon as the
            profile has failed: ./jbang workbook check 04""");
    }

    /** With --mine: the same bad day, served by the learner's HomeApi. */
    static void yourHomeScreen() throws Exception {
        story.step("Your home service, on the same bad day (--mine)");
        Mine mine = Mine.compile("04-api-composition");
        // tag::mine[]
        Object peers = mine.create("composition.Peers", HTTP, profiles.uri(), orders.uri(), recommendations.uri());
        Object composer = mine.create("composition.HomeComposer", peers, DEADLINE);
        Object api = mine.call(mine.create("composition.HomeApi", composer), "start");
        String yours = "http://127.0.0.1:" + mine.call(api, "port");
        // end::mine[]
        try {
            recommendationsAnswerIn(SLOW_MS);
            var slow = call(URI.create(yours + "/home/c-7"));
            story.say("recommendations slow:  " + slow.status() + " in " + slow.millis() + " ms: " + slow.body());
            restoreCalmDay();
            profiles.stub(get(urlPathMatching("/profiles/.*")).willReturn(serviceUnavailable()));
            var down = call(URI.create(yours + "/home/c-7"));
            story.say("profiles down:         " + down.status() + " in " + down.millis() + " ms: " + down.body());
            story.check(slow.status() == 200 && slow.body().contains("\"degraded\":[\"recommendations\"]") && slow.millis() < SLOW_MS,
                "yours answered on time, with \"degraded\": [\"recommendations\"]");
            story.check(down.status() == 502, "yours answered 502 when profiles was down");
            story.check(down.millis() < RECOMMENDATIONS_MS, "yours gave up at once (" + down.millis() + " ms), without waiting for recommendations' 300 ms");
        } finally {
            mine.call(api, "close");
            restoreCalmDay();
        }
    }

    // ---- the home service ----

    static Javalin startHomeService() {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            story.watch(config, "home");   // its calls on the live view (--view)
            config.concurrency.useVirtualThreads = true;
            config.routes.get("/v1/home/{customerId}", ctx -> answer(ctx, composeInTurn(ctx.pathParam("customerId"))));
            config.routes.get("/home/{customerId}", ctx -> answer(ctx, composeAtOnce(ctx.pathParam("customerId"),
                Duration.ofMillis(ctx.queryParamAsClass("deadline", Long.class).getOrDefault(DEADLINE.toMillis())))));
        }).start("127.0.0.1", 0);
    }

    /** One part of the home screen: its name in the JSON, and where it comes from. */
    record Part(String name, Peer peer, String path) {}

    static List<Part> partsOf(String customerId) {
        return List.of(
            new Part("profile", profiles, "/profiles/" + customerId),
            new Part("orders", orders, "/orders?customerId=" + customerId),
            new Part("recommendations", recommendations, "/recommendations/" + customerId));
    }

    // tag::in-turn[]
    /** The first version had no deadline: a day is as good as none. */
    static final Duration NO_DEADLINE = Duration.ofDays(1);

    /** The first version: each call waits for the one before. */
    static Map<String, Optional<JsonNode>> composeInTurn(String customerId) {
        Map<String, Optional<JsonNode>> parts = new LinkedHashMap<>();
        for (Part part : partsOf(customerId)) parts.put(part.name(), fetch(part, NO_DEADLINE).join());
        return parts;
    }
    // end::in-turn[]

    // tag::fan-out[]
    /** All requests leave at once; each part is settled by the deadline: with the service's JSON, or empty. */
    static Map<String, Optional<JsonNode>> composeAtOnce(String customerId, Duration deadline) {
        Map<String, CompletableFuture<Optional<JsonNode>>> pending = new LinkedHashMap<>();
        for (Part part : partsOf(customerId)) pending.put(part.name(), fetch(part, deadline));
        CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new)).join(); // done by the deadline
        Map<String, Optional<JsonNode>> parts = new LinkedHashMap<>();
        pending.forEach((name, part) -> parts.put(name, part.join()));
        return parts;
    }

    /** No thread waits here: the HTTP client completes the future when the answer comes, or the timer does. */
    static CompletableFuture<Optional<JsonNode>> fetch(Part part, Duration deadline) {
        var request = HttpRequest.newBuilder(part.peer().uri().resolve(part.path())).header("Accept", "application/json").build();
        return HTTP.sendAsync(request, BodyHandlers.ofString())
            .thenApply(Lesson::jsonIfOk)                     // an error status is no part
            .exceptionally(failure -> Optional.empty())      // nor is a broken connection
            .completeOnTimeout(Optional.empty(), deadline.toMillis(), TimeUnit.MILLISECONDS); // nor a late answer
    }
    // end::fan-out[]

    static Optional<JsonNode> jsonIfOk(HttpResponse<String> response) {
        if (response.statusCode() != 200) return Optional.empty();
        try {
            return Optional.of(JSON.readTree(response.body()));
        } catch (IOException notJson) {
            throw new UncheckedIOException(notJson);
        }
    }

    // tag::answer[]
    /** 200 with the parts that came and the names of those that did not; 502 without the required profile. */
    static void answer(Context ctx, Map<String, Optional<JsonNode>> parts) {
        ctx.contentType("application/json");
        if (parts.get("profile").isEmpty()) {
            ctx.status(502).result("{\"problem\":\"no profile from profiles\",\"missing\":\"profile\"}");
            return;
        }
        ObjectNode screen = JSON.createObjectNode();
        var degraded = new ArrayList<String>();
        parts.forEach((name, part) -> part.ifPresentOrElse(json -> screen.set(name, json), () -> degraded.add(name)));
        var names = screen.putArray("degraded");
        degraded.forEach(names::add);
        ctx.result(screen.toString());
    }
    // end::answer[]

    // ---- plumbing ----

    /** The live view's buttons (--view --serve): the steps' own bad days, and the way back from each. */
    static void offerFaults() {
        story.fault("recommendations", "slow", () -> recommendationsAnswerIn(SLOW_MS));
        story.fault("profiles", "down", () -> profiles.stub(get(urlPathMatching("/profiles/.*")).willReturn(serviceUnavailable())));
        story.repair("recommendations", "fast again", () -> recommendationsAnswerIn(RECOMMENDATIONS_MS));
        story.repair("profiles", "up again", Lesson::profilesAnswer);
    }

    static void restoreCalmDay() {
        profilesAnswer();
        orders.stub(get(urlPathEqualTo("/orders"))
            .willReturn(okJson("[{\"orderId\": \"o-41\", \"status\": \"shipped\"}]").withFixedDelay(ORDERS_MS)));
        recommendationsAnswerIn(RECOMMENDATIONS_MS);
    }

    static void profilesAnswer() {
        profiles.stub(get(urlPathMatching("/profiles/.*"))
            .willReturn(okJson("{\"id\": \"c-7\", \"name\": \"Ada\", \"tier\": \"gold\"}").withFixedDelay(PROFILES_MS)));
    }

    static void recommendationsAnswerIn(int millis) {
        recommendations.stub(get(urlPathMatching("/recommendations/.*"))
            .willReturn(okJson("[{\"sku\": \"KB-42\", \"title\": \"Split keyboard\"}]").withFixedDelay(millis)));
    }

    record Answer(int status, String body, long millis) {}

    static Answer call(String path) throws Exception {
        return call(URI.create(homeUrl() + path));
    }

    static Answer call(URI uri) throws Exception {
        Stream.of(profiles, orders, recommendations).forEach(Peer::forgetRequests);
        long start = System.nanoTime();
        var response = HTTP.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body(), (System.nanoTime() - start) / 1_000_000);
    }

    static List<String> degraded(Answer answer) {
        try {
            var names = new ArrayList<String>();
            JSON.readTree(answer.body()).path("degraded").forEach(n -> names.add(n.asText()));
            return names;
        } catch (IOException e) {
            return List.of("(not JSON)");
        }
    }

    static JsonNode part(Answer answer, String name) {
        try {
            return JSON.readTree(answer.body()).path(name);
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    /** A request as a service's journal logged it: who received it, and when (ms since the epoch). */
    record Arrival(String peer, long at) {}

    /** The requests of the last call, in the order they arrived, from the services' journals. */
    static List<Arrival> arrivals() {
        return Stream.of(profiles, orders, recommendations)
            .flatMap(p -> p.journal().stream().map(r -> new Arrival(p.name(), r.getLoggedDate().getTime())))
            .sorted(Comparator.comparingLong(Arrival::at))
            .toList();
    }

    /** "profiles +0 ms, orders +101 ms, recommendations +253 ms" */
    static String timeline(List<Arrival> arrivals) {
        if (arrivals.isEmpty()) return "(none)";
        long first = arrivals.get(0).at();
        return String.join(", ", arrivals.stream().map(a -> a.peer() + " +" + (a.at() - first) + " ms").toList());
    }

    static String homeUrl() { return "http://127.0.0.1:" + home.port(); }
}
