package composition;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kit.Expect;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("04 · The home screen in one round trip")
class HomeScreenTest {
    /** Holds answers back on the tests' command: a latch, so no test waits for a delay to pass. Shared by the three peers. */
    static final Hold HOLD = new Hold();

    // One server per service for the whole class (a start costs most of a second); stubs and journals reset per test.
    @RegisterExtension static WireMockExtension profiles = peer();
    @RegisterExtension static WireMockExtension orders = peer();
    @RegisterExtension static WireMockExtension recommendations = peer();

    static final String PROFILE = "{\"id\": \"c-7\", \"name\": \"Ada\", \"tier\": \"gold\"}";
    static final String ORDERS = "[{\"orderId\": \"o-41\", \"status\": \"shipped\"}, {\"orderId\": \"o-42\", \"status\": \"packed\"}]";
    static final String RECOMMENDATIONS = "[{\"sku\": \"KB-42\", \"title\": \"Split keyboard\"}, {\"sku\": \"MS-3\", \"title\": \"Vertical mouse\"}]";

    /** Long enough never to matter, except in the one test about the deadline. */
    static final Duration GENEROUS = Duration.ofSeconds(10);

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    static Peers peers;
    /** The endpoint under test, started once, with a generous deadline. */
    static HomeApi api;

    private static WireMockExtension peer() {
        return WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").extensions(HOLD)).build();
    }

    @BeforeAll
    static void startTheService() {
        peers = new Peers(HTTP, URI.create(profiles.baseUrl()), URI.create(orders.baseUrl()), URI.create(recommendations.baseUrl()));
        api = new HomeApi(new HomeComposer(peers, GENEROUS)).start();
    }

    @AfterAll
    static void stopTheService() {
        if (api != null) api.close();
    }

    @BeforeEach
    void freshHold() { HOLD.reset(); }

    @AfterEach
    void letHeldAnswersGo() { HOLD.releaseAll(); }

    // ---- composing ----

    @Test
    @Points(2)
    @DisplayName("All three services answer: the home screen holds the profile, the orders and the recommendations, and nothing is degraded")
    @Hint({"Read 'One round trip for the app' in the lesson's README. What is the home screen made of?",
           "The home screen holds one answer per Part, from peers.fetch(part, customerId). When all three answer, nothing is degraded. Start simple: the next tests ask for more.",
           "Last hint: for (Part part : Part.values()) parts.put(part, peers.fetch(part, customerId)); then return new HomeScreen(parts, List.of());"})
    void composesAllThree() {
        everyoneAnswers();

        var home = Expect.returns(() -> composer(GENEROUS).compose("c-11"), "compose(\"c-11\") should return the home screen when every service answers");

        assertThat(home.parts()).withFailMessage("the home screen should hold the answers of profiles, orders and recommendations as they came, but held %s", home.parts())
            .isEqualTo(Map.of(Part.PROFILE, json(PROFILE), Part.ORDERS, json(ORDERS), Part.RECOMMENDATIONS, json(RECOMMENDATIONS)));
        assertThat(home.degraded()).withFailMessage("every part arrived, so nothing is degraded, but degraded was %s", home.degraded()).isEmpty();
        assertThat(requestsFor("c-11", profiles)).withFailMessage("profiles should be asked once, for c-11, but received %s", requestsFor("c-11", profiles))
            .containsExactly("GET /profiles/c-11");
        assertThat(requestsFor("c-11", orders)).withFailMessage("orders should be asked once, for c-11, but received %s", requestsFor("c-11", orders))
            .containsExactly("GET /orders?customerId=c-11");
        assertThat(requestsFor("c-11", recommendations)).withFailMessage("recommendations should be asked once, for c-11, but received %s", requestsFor("c-11", recommendations))
            .containsExactly("GET /recommendations/c-11");
    }

    @Test
    @Points(3)
    @DisplayName("The three services are asked at the same time: every request arrives before any service has answered")
    @Hint({"If you call the three services one after another, how long does the customer wait? ('Fan out: virtual threads or CompletableFuture' in the lesson's README.)",
           "Fan out: start all three calls before you wait for any of them. Then the customer waits for the slowest call, not for the sum.",
           "Last hint: Executors.newVirtualThreadPerTaskExecutor(), then submit(() -> peers.fetch(part, customerId)) for each part, keeping the Futures; only then call get() on them."})
    void asksInParallel() {
        // Each service holds its answer until all three requests have arrived (for two seconds at most): called one
        // after another, the second request can only arrive after the first service has answered.
        profiles.stubFor(HOLD.untilAllArrived("c-12", get(anyUrl()).willReturn(okJson(PROFILE))));
        orders.stubFor(HOLD.untilAllArrived("c-12", get(anyUrl()).willReturn(okJson(ORDERS))));
        recommendations.stubFor(HOLD.untilAllArrived("c-12", get(anyUrl()).willReturn(okJson(RECOMMENDATIONS))));

        var home = Expect.returns(() -> composer(GENEROUS).compose("c-12"), "compose(\"c-12\") should return the home screen when every service answers");

        List<Arrival> arrivals = arrivalsFor("c-12");
        assertThat(arrivals).withFailMessage("each service should be asked exactly once, but the requests were %s", arrivals).hasSize(3);
        long first = arrivals.get(0).at();
        long firstAnswer = HOLD.firstAnswerSent();
        for (Arrival arrival : arrivals) {
            assertThat(arrival.at()).withFailMessage("the request to %s arrived %d ms after the first answer had been sent: the services were asked one after "
                    + "another, not at the same time (the journals say: %s; first answer sent at +%d ms)",
                    arrival.peer(), arrival.at() - firstAnswer, timeline(arrivals), firstAnswer - first)
                .isLessThanOrEqualTo(firstAnswer);
        }
        assertThat(home.degraded()).withFailMessage("every part arrived, so nothing is degraded, but degraded was %s", home.degraded()).isEmpty();
    }

    @Test
    @Points(2)
    @DisplayName("Recommendations answers 500: the home screen comes without them, and names them in degraded")
    @Hint({"Read 'Degrade, and say so' in the lesson's README. Is a failed optional part a reason to fail the whole screen?",
           "An optional part that fails is left out and named in degraded. Only a required part (part.required()) ends the composition.",
           "Last hint: peers.fetch throws PartUnavailable, which Future.get wraps in an ExecutionException: catch (ExecutionException e) { degraded.add(part); } for an optional part."})
    void optionalPartFails() {
        profiles.stubFor(get(anyUrl()).willReturn(okJson(PROFILE)));
        orders.stubFor(get(anyUrl()).willReturn(okJson(ORDERS)));
        recommendations.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(500).withBody("{\"error\": \"model not loaded\"}")));

        var home = Expect.returns(() -> composer(GENEROUS).compose("c-7"),
            "recommendations answered 500, but it is optional: compose should still return a home screen");

        assertThat(home.degraded()).withFailMessage("recommendations failed, so degraded should be [RECOMMENDATIONS], but was %s", home.degraded())
            .containsExactly(Part.RECOMMENDATIONS);
        assertThat(home.parts()).withFailMessage("the profile and the orders arrived and belong on the screen (and no recommendations), but the parts were %s", home.parts())
            .isEqualTo(Map.of(Part.PROFILE, json(PROFILE), Part.ORDERS, json(ORDERS)));
    }

    @Test
    @DisplayName("Orders drops the connection: the home screen comes without orders, and names them in degraded")
    @Hint({"Is a broken connection different from a 500, for the home screen? ('Degrade, and say so' in the lesson's README.)",
           "A failed part is a failed part, whatever went wrong. peers.fetch throws PartUnavailable for a 5xx, a broken connection and garbage alike.",
           "Last hint: handle ExecutionException once, around future.get(...), for any optional part: degraded.add(part)."})
    void optionalPartBreaks() {
        profiles.stubFor(get(anyUrl()).willReturn(okJson(PROFILE)));
        orders.stubFor(get(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        recommendations.stubFor(get(anyUrl()).willReturn(okJson(RECOMMENDATIONS)));

        var home = Expect.returns(() -> composer(GENEROUS).compose("c-7"),
            "orders reset the connection, but orders are optional: compose should still return a home screen");

        assertThat(home.degraded()).withFailMessage("orders failed, so degraded should be [ORDERS], but was %s", home.degraded()).containsExactly(Part.ORDERS);
        assertThat(home.parts()).withFailMessage("the profile and the recommendations belong on the screen (and no orders), but the parts were %s", home.parts())
            .isEqualTo(Map.of(Part.PROFILE, json(PROFILE), Part.RECOMMENDATIONS, json(RECOMMENDATIONS)));
    }

    @Test
    @DisplayName("Both optional services fail: the home screen still shows the profile, with orders and recommendations degraded")
    @Hint({"When one optional part fails, does your code still look at the next one? ('Degrade, and say so' in the lesson's README.)",
           "Each optional part fails on its own. One failure must not stop you from collecting the others, and every failed part is named.",
           "Last hint: List<Part> degraded = new ArrayList<>(); add to it inside the loop over Part.values(), and return new HomeScreen(parts, degraded) after the loop."})
    void bothOptionalPartsFail() {
        profiles.stubFor(get(anyUrl()).willReturn(okJson(PROFILE)));
        orders.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));
        recommendations.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(500)));

        var home = Expect.returns(() -> composer(GENEROUS).compose("c-7"),
            "orders and recommendations failed, but both are optional: compose should still return a home screen");

        assertThat(home.degraded()).withFailMessage("degraded should be [ORDERS, RECOMMENDATIONS], but was %s", home.degraded())
            .containsExactly(Part.ORDERS, Part.RECOMMENDATIONS);
        assertThat(home.parts()).withFailMessage("the profile belongs on the screen, alone, but the parts were %s", home.parts())
            .isEqualTo(Map.of(Part.PROFILE, json(PROFILE)));
    }

    @Test
    @Points(2)
    @DisplayName("Profiles answers 503: there is no home screen, and compose says the required profile is missing")
    @Hint({"Read 'Required and optional parts' in the lesson's README. Can the screen do without the profile?",
           "The profile is required: Part.PROFILE.required() is true. Without the customer's name the app shows an error, not a home screen.",
           "Last hint: when a required part fails, throw new RequiredPartMissing(part, reason) instead of adding it to degraded."})
    void requiredPartFails() {
        profiles.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));
        orders.stubFor(get(anyUrl()).willReturn(okJson(ORDERS)));
        recommendations.stubFor(get(anyUrl()).willReturn(okJson(RECOMMENDATIONS)));

        var problem = Expect.thrown(RequiredPartMissing.class, () -> composer(GENEROUS).compose("c-7"),
            "profiles answered 503, and the profile is required");

        assertThat(problem.part()).withFailMessage("RequiredPartMissing should name the PROFILE, but named %s", problem.part()).isEqualTo(Part.PROFILE);
    }

    @Test
    @Points(2)
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("When profiles fails, compose gives up at once, without waiting for orders and recommendations")
    @Hint({"Once the profile has failed, will anyone use orders and recommendations? (The end of 'Required and optional parts' in the lesson's README.)",
           "Give up at once when the required part fails. Waiting for all the parts first, for example with allOf(...), only makes the customer wait for an error.",
           "Last hint: wait for the profile first (Part lists it first), and throw RequiredPartMissing as soon as its future fails, before you call get() on the others."})
    void requiredPartFailsFast() {
        profiles.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));
        // These two answer only when the test is over, long after any reasonable wait.
        orders.stubFor(HOLD.untilTheTestIsOver(get(anyUrl()).willReturn(okJson(ORDERS))));
        recommendations.stubFor(HOLD.untilTheTestIsOver(get(anyUrl()).willReturn(okJson(RECOMMENDATIONS))));
        var composer = composer(GENEROUS);

        var outcome = finishes(() -> composer.compose("c-7"), Duration.ofSeconds(2),
            "profiles answered 503 at once, yet after 2 s compose was still waiting: for orders and recommendations, "
            + "which answer only when this test is over? Without the profile there is nothing to wait for");
        var problem = Expect.thrown(RequiredPartMissing.class, outcome, "profiles answered 503, and the profile is required");

        assertThat(problem.part()).withFailMessage("RequiredPartMissing should name the PROFILE, but named %s", problem.part()).isEqualTo(Part.PROFILE);
    }

    @Test
    @Points(3)
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("One 600 ms deadline for the whole composition: late recommendations, or late orders and recommendations, are degraded by 600 ms, not 1200")
    @Hint({"Read 'A deadline for the whole answer' in the lesson's README. One deadline, or one per part?",
           "Fix one moment when compose is called, and wait for each part only for what is left of it. A timeout per part, waited for in turn, adds up.",
           "Make sure nothing else waits longer: an executor closed with try-with-resources waits for every task, the late ones too. Use shutdownNow() instead.",
           "Last hint: long deadlineAt = System.nanoTime() + deadline.toNanos(); then future.get(Math.max(0, deadlineAt - System.nanoTime()), TimeUnit.NANOSECONDS) for every part; a TimeoutException means degraded."})
    void deadlineHolds() {
        profiles.stubFor(get(anyUrl()).willReturn(okJson(PROFILE)));
        // For c-7, recommendations answers only when the test is over, far beyond any deadline; for c-8, orders does too.
        orders.stubFor(get(anyUrl()).willReturn(okJson(ORDERS)));
        orders.stubFor(HOLD.untilTheTestIsOver(get(urlEqualTo("/orders?customerId=c-8")).willReturn(okJson(ORDERS))));
        recommendations.stubFor(HOLD.untilTheTestIsOver(get(urlPathMatching("/recommendations/c-[78]")).willReturn(okJson(RECOMMENDATIONS))));
        var composer = composer(Duration.ofMillis(600));

        // Both compositions run at once. A deadline per part makes c-8 wait 600 ms for orders, then 600 more for recommendations.
        var started = System.nanoTime();
        var recommendationsLate = running(() -> composer.compose("c-7"));
        var bothLate = running(() -> composer.compose("c-8"));
        String tooSlow = "the deadline was 600 ms from the call, yet after 1100 ms compose(\"%s\") was still waiting for %s (which answer%s only when this test is over)."
            + " Does each part get a deadline of its own?";
        var withoutRecommendations = Expect.returns(within(recommendationsLate, started, Duration.ofMillis(1100), tooSlow.formatted("c-7", "recommendations", "s")),
            "recommendations was late, but it is optional: compose should return a home screen without it");
        var profileOnly = Expect.returns(within(bothLate, started, Duration.ofMillis(1100), tooSlow.formatted("c-8", "orders and recommendations", "")),
            "orders and recommendations were late, but both are optional: compose should return a home screen without them");

        assertThat(withoutRecommendations.degraded()).withFailMessage("recommendations did not answer by the deadline, so degraded should be [RECOMMENDATIONS], but was %s",
            withoutRecommendations.degraded()).containsExactly(Part.RECOMMENDATIONS);
        assertThat(withoutRecommendations.parts()).withFailMessage("the profile and the orders came in time and belong on the screen (and no recommendations),"
            + " but the parts were %s", withoutRecommendations.parts()).isEqualTo(Map.of(Part.PROFILE, json(PROFILE), Part.ORDERS, json(ORDERS)));
        assertThat(profileOnly.degraded()).withFailMessage("orders and recommendations did not answer by the deadline, so degraded should be [ORDERS, RECOMMENDATIONS],"
            + " but was %s", profileOnly.degraded()).containsExactly(Part.ORDERS, Part.RECOMMENDATIONS);
        assertThat(profileOnly.parts()).withFailMessage("the profile came in time and belongs on the screen, alone, but the parts were %s", profileOnly.parts())
            .isEqualTo(Map.of(Part.PROFILE, json(PROFILE)));
    }

    @Test
    @Points(2)
    @DisplayName("An optional part that fails in any way (404, 500, 503, not JSON, a reset, an empty answer) is degraded, orders and recommendations alike")
    @Hint({"Is a 404 a failure? Is an answer that is not JSON? ('Degrade, and say so' in the lesson's README.)",
           "Every way a call can fail reaches you the same way: peers.fetch throws PartUnavailable. Handle it once, whatever the part and whatever went wrong.",
           "Last hint: catch (ExecutionException failed) around future.get(...) for each part: part.required() ? throw new RequiredPartMissing(part, failed.getCause().getMessage()) : degraded.add(part)."})
    void optionalPartsFailEveryWay() {
        Map<String, ResponseDefinitionBuilder> failures = new LinkedHashMap<>();
        failures.put("404", aResponse().withStatus(404).withBody("{\"error\": \"no such customer\"}"));
        failures.put("500", aResponse().withStatus(500));
        failures.put("503", aResponse().withStatus(503).withHeader("Retry-After", "1"));
        failures.put("200 with HTML", aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>maintenance</html>"));
        failures.put("a reset connection", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        failures.put("an empty answer", aResponse().withFault(Fault.EMPTY_RESPONSE));
        for (Part failing : List.of(Part.ORDERS, Part.RECOMMENDATIONS)) {
            for (var failure : failures.entrySet()) {
                everyoneAnswers();
                peerOf(failing).stubFor(get(anyUrl()).willReturn(failure.getValue()));

                var home = Expect.returns(() -> composer(GENEROUS).compose("c-7"),
                    failing.peer() + " answered " + failure.getKey() + ", but " + failing.key() + " are optional: compose should still return a home screen");

                assertThat(home.degraded()).withFailMessage("%s answered %s: degraded should be [%s], but was %s", failing.peer(), failure.getKey(), failing, home.degraded())
                    .containsExactly(failing);
                assertThat(home.parts().keySet()).withFailMessage("%s answered %s: the other two parts belong on the screen, but the parts were %s",
                    failing.peer(), failure.getKey(), home.parts().keySet()).containsExactlyInAnyOrderElementsOf(otherThan(failing));
            }
        }
    }

    @Test
    @Points(2)
    @DisplayName("A profile that fails in any way (404, 500, not JSON, a reset) means no home screen: RequiredPartMissing for the profile")
    @Hint({"Does it matter why the profile is missing? ('Required and optional parts' in the lesson's README.)",
           "The profile is required whatever the reason it is missing: a refusal, an error, garbage or a broken connection. Do not special-case the 5xx.",
           "Last hint: in the one place where a failed part is handled: if (part.required()) throw new RequiredPartMissing(part, failed.getCause().getMessage());"})
    void profileFailsEveryWay() {
        Map<String, ResponseDefinitionBuilder> failures = new LinkedHashMap<>();
        failures.put("404", aResponse().withStatus(404));
        failures.put("500", aResponse().withStatus(500).withBody("{\"error\": \"database unavailable\"}"));
        failures.put("200 with something that is not JSON", aResponse().withStatus(200).withBody("{\"id\": \"c-7\", \"na"));
        failures.put("a reset connection", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        for (var failure : failures.entrySet()) {
            everyoneAnswers();
            profiles.stubFor(get(anyUrl()).willReturn(failure.getValue()));

            var problem = Expect.thrown(RequiredPartMissing.class, () -> composer(GENEROUS).compose("c-7"),
                "profiles answered " + failure.getKey() + ", and the profile is required");

            assertThat(problem.part()).withFailMessage("profiles answered %s: RequiredPartMissing should name the PROFILE, but named %s", failure.getKey(), problem.part())
                .isEqualTo(Part.PROFILE);
        }
    }

    @Test
    @Points(2)
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @DisplayName("A profile that has not come by the deadline (100 ms here) means no home screen: RequiredPartMissing, at the deadline")
    @Hint({"Is a late profile any better than a failed one? ('A deadline for the whole answer' in the lesson's README.)",
           "Late is as missing as failed, for the required part too. Wait for the profile only with what is left of the deadline.",
           "Last hint: catch (TimeoutException late) { if (part.required()) throw new RequiredPartMissing(part, \"no answer by the deadline\"); degraded.add(part); }"})
    void requiredPartLate() {
        profiles.stubFor(HOLD.untilTheTestIsOver(get(anyUrl()).willReturn(okJson(PROFILE))));
        orders.stubFor(get(anyUrl()).willReturn(okJson(ORDERS)));
        recommendations.stubFor(get(anyUrl()).willReturn(okJson(RECOMMENDATIONS)));
        var composer = composer(Duration.ofMillis(100));

        var outcome = finishes(() -> composer.compose("c-7"), Duration.ofSeconds(3),
            "the deadline was 100 ms, yet after 3 s compose was still waiting for the profile (which answers only when this test is over)");
        var problem = Expect.thrown(RequiredPartMissing.class, outcome, "the profile had not come by the deadline, and the profile is required");

        assertThat(problem.part()).withFailMessage("RequiredPartMissing should name the PROFILE, but named %s", problem.part()).isEqualTo(Part.PROFILE);
    }

    @Test
    @DisplayName("compose called by an interrupted thread stops waiting: RequiredPartMissing for the profile, and the thread is still interrupted")
    @Hint({"What does Future.get throw when the waiting thread is interrupted?",
           "An interrupted caller must stop waiting, and keep its interrupt flag: catching InterruptedException clears it. Without the profile there is no home screen.",
           "Last hint: catch (InterruptedException e) { Thread.currentThread().interrupt(); then the part is missing: for the profile, throw new RequiredPartMissing(part, \"interrupted\"); }"})
    void interruptedCaller() {
        everyoneAnswers();
        // The profile is still on its way when compose waits for it: an answer already there is returned without a
        // look at the interrupt flag, and on one busy CPU the calls can all be done before compose first waits.
        profiles.stubFor(HOLD.untilTheTestIsOver(get(anyUrl()).willReturn(okJson(PROFILE))));
        RequiredPartMissing problem;
        boolean stillInterrupted;
        try {
            Thread.currentThread().interrupt();
            problem = Expect.thrown(RequiredPartMissing.class, () -> composer(GENEROUS).compose("c-7"),
                "the thread calling compose was interrupted, so it cannot wait for the profile");
        } finally {
            stillInterrupted = Thread.interrupted(); // reads and clears the flag, so the next test starts clean
        }

        assertThat(problem.part()).withFailMessage("RequiredPartMissing should name the PROFILE, but named %s", problem.part()).isEqualTo(Part.PROFILE);
        assertThat(stillInterrupted).withFailMessage("after compose, the thread should still be interrupted, but its flag was cleared:"
            + " set it again with Thread.currentThread().interrupt() when you catch InterruptedException").isTrue();
    }

    // ---- the endpoint ----

    @Test
    @DisplayName("GET /home/c-7 answers 200 with the home screen as JSON, \"degraded\": [] included")
    @Hint({"Where does the customer id come from, and what does the app get back? ('One round trip for the app' in the lesson's README.)",
           "The endpoint composes the home screen for the customer in the path, and answers its JSON with 200.",
           "Last hint: ctx.contentType(\"application/json\").result(composer.compose(ctx.pathParam(\"customerId\")).toJson().toString());"})
    void endpointAnswersTheHomeScreen() {
        everyoneAnswers();

        var answer = getHome("c-7");

        assertThat(answer.statusCode()).withFailMessage("GET /home/c-7 should answer 200 when every service answers, but answered %s", describe(answer)).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).withFailMessage("the answer is JSON, so it needs Content-Type: application/json (it had %s)",
            answer.headers().firstValue("Content-Type").orElse("none")).startsWith("application/json");
        var expected = JSON.createObjectNode();
        expected.set("profile", json(PROFILE));
        expected.set("orders", json(ORDERS));
        expected.set("recommendations", json(RECOMMENDATIONS));
        expected.putArray("degraded");
        assertThat(jsonOf(answer)).withFailMessage("GET /home/c-7 should answer %s, but answered %s", expected, answer.body()).isEqualTo(expected);
    }

    @Test
    @DisplayName("GET /home/c-7 with recommendations down answers 200 with \"degraded\": [\"recommendations\"]")
    @Hint({"Is a home screen without recommendations an error? ('Degrade, and say so' in the lesson's README.)",
           "A partial home screen is still a home screen: 200, not an error. The degraded parts are named in its JSON already.",
           "Last hint: answer whatever compose returns with 200 and home.toJson().toString(); do not look at degraded."})
    void endpointAnswersPartially() {
        profiles.stubFor(get(anyUrl()).willReturn(okJson(PROFILE)));
        orders.stubFor(get(anyUrl()).willReturn(okJson(ORDERS)));
        recommendations.stubFor(get(anyUrl()).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));

        var answer = getHome("c-7");

        assertThat(answer.statusCode()).withFailMessage("recommendations is optional: GET /home/c-7 should still answer 200, but answered %s", describe(answer)).isEqualTo(200);
        JsonNode body = jsonOf(answer);
        assertThat(body.path("degraded").toString()).withFailMessage("the answer should say \"degraded\": [\"recommendations\"], but was %s", answer.body())
            .isEqualTo("[\"recommendations\"]");
        assertThat(body.has("recommendations")).withFailMessage("recommendations failed, so the answer should have no \"recommendations\" field, but was %s", answer.body()).isFalse();
        assertThat(body.path("profile")).withFailMessage("the profile should still be in the answer, but it was %s", answer.body()).isEqualTo(json(PROFILE));
    }

    @Test
    @Points(2)
    @DisplayName("GET /home/c-7 with profiles down answers 502 Bad Gateway, naming the missing profile")
    @Hint({"Read the list of statuses in 'Required and optional parts' in the lesson's README. Which one says 'a service behind me failed'?",
           "A missing required part is 502 Bad Gateway: the home service works, a service it depends on failed. 500 would say our own bug, 503 that we ourselves are down.",
           "Last hint: catch (RequiredPartMissing e) { ctx.status(502).contentType(\"application/json\").result(e.toJson().toString()); }"})
    void endpointAnswers502() {
        profiles.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(503)));
        orders.stubFor(get(anyUrl()).willReturn(okJson(ORDERS)));
        recommendations.stubFor(get(anyUrl()).willReturn(okJson(RECOMMENDATIONS)));

        var answer = getHome("c-7");

        assertThat(answer.statusCode()).withFailMessage("profiles is down and the profile is required: GET /home/c-7 should answer 502 Bad Gateway, but answered %s",
            describe(answer)).isEqualTo(502);
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).withFailMessage("the 502 carries JSON too, so it needs Content-Type: application/json (it had %s)",
            answer.headers().firstValue("Content-Type").orElse("none")).startsWith("application/json");
        assertThat(jsonOf(answer).path("missing").asText()).withFailMessage("the 502's JSON should say \"missing\": \"profile\" (RequiredPartMissing.toJson() does), but was %s",
            answer.body()).isEqualTo("profile");
    }

    // ---- helpers ----

    private static HomeComposer composer(Duration deadline) { return new HomeComposer(peers, deadline); }

    private static WireMockExtension peerOf(Part part) {
        return switch (part) {
            case PROFILE -> profiles;
            case ORDERS -> orders;
            case RECOMMENDATIONS -> recommendations;
        };
    }

    private static List<Part> otherThan(Part part) {
        return Arrays.stream(Part.values()).filter(p -> p != part).toList();
    }

    private static void everyoneAnswers() {
        profiles.stubFor(get(anyUrl()).willReturn(okJson(PROFILE)));
        orders.stubFor(get(anyUrl()).willReturn(okJson(ORDERS)));
        recommendations.stubFor(get(anyUrl()).willReturn(okJson(RECOMMENDATIONS)));
    }

    /**
     * Runs the call on a thread of its own and waits for it, at most {@code limit}; a call still running by then
     * fails the test with {@code tooSlow}. Returns what the call returned or threw, to be replayed with kit.Expect.
     */
    private static <T> Callable<T> finishes(Callable<T> call, Duration limit, String tooSlow) {
        return within(running(call), System.nanoTime(), limit, tooSlow);
    }

    /** Starts the call on a virtual thread of its own. */
    private static <T> CompletableFuture<T> running(Callable<T> call) {
        var running = new CompletableFuture<T>();
        Thread.ofVirtual().name("compose under test").start(() -> {
            try {
                running.complete(call.call());
            } catch (Throwable t) {
                running.completeExceptionally(t);
            }
        });
        return running;
    }

    /**
     * Waits for a running call until {@code limit} after {@code startedAt} (a System.nanoTime()); a call still running
     * by then fails the test with {@code tooSlow}. Returns what the call returned or threw, to be replayed with kit.Expect.
     */
    private static <T> Callable<T> within(CompletableFuture<T> running, long startedAt, Duration limit, String tooSlow) {
        try {
            T value = running.get(Math.max(0, startedAt + limit.toNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
            return () -> value;
        } catch (TimeoutException e) {
            throw new AssertionError(tooSlow);
        } catch (ExecutionException e) {
            Throwable thrown = e.getCause();
            return () -> {
                if (thrown instanceof Exception ex) throw ex;
                throw (Error) thrown;
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("the test was interrupted");
        }
    }

    /** One request as a service's journal logged it: who received it, and when it arrived (ms since the epoch). */
    record Arrival(String peer, long at) {}

    /** "profiles +0 ms, orders +2004 ms, ...": each arrival after the first. */
    private static String timeline(List<Arrival> arrivals) {
        long first = arrivals.get(0).at();
        return String.join(", ", arrivals.stream().map(a -> a.peer() + " +" + (a.at() - first) + " ms").toList());
    }

    private static List<Arrival> arrivalsFor(String customer) {
        List<Arrival> all = new ArrayList<>();
        for (var peer : List.of(Map.entry("profiles", profiles), Map.entry("orders", orders), Map.entry("recommendations", recommendations))) {
            for (ServeEvent event : peer.getValue().getAllServeEvents()) {
                if (isFor(customer, event)) all.add(new Arrival(peer.getKey(), event.getRequest().getLoggedDate().getTime()));
            }
        }
        all.sort(Comparator.comparingLong(Arrival::at));
        return all;
    }

    /**
     * The requests a peer received for one customer. Tests that read journals use a customer of their own: a call
     * that an earlier test gave up on may still reach a peer after that test is over.
     */
    private static List<String> requestsFor(String customer, WireMockExtension peer) {
        return peer.getAllServeEvents().stream().filter(e -> isFor(customer, e))
            .map(e -> e.getRequest().getMethod().getName() + " " + e.getRequest().getUrl()).toList();
    }

    private static boolean isFor(String customer, ServeEvent event) {
        String url = event.getRequest().getUrl();
        return url.endsWith("/" + customer) || url.endsWith("=" + customer);
    }

    private static HttpResponse<String> getHome(String customerId) {
        try {
            var answer = HTTP.send(HttpRequest.newBuilder(api.uri().resolve("/home/" + customerId)).GET().build(), BodyHandlers.ofString());
            // The stub's TODO surfaces as a 500 naming it: pass it on as the TODO it is.
            String todo = "java.lang.UnsupportedOperationException: TODO";
            if (answer.statusCode() == 500 && answer.body().startsWith(todo)) {
                throw new UnsupportedOperationException(answer.body().substring(todo.length() - 4));
            }
            return answer;
        } catch (java.io.IOException e) {
            throw new AssertionError("GET /home/" + customerId + " got no answer from the home service: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private static String describe(HttpResponse<String> answer) {
        String body = answer.body();
        return answer.statusCode() + (body.isEmpty() ? "" : " " + (body.length() > 200 ? body.substring(0, 200) + "…" : body));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static JsonNode jsonOf(HttpResponse<String> answer) {
        try {
            return JSON.readTree(answer.body());
        } catch (Exception e) {
            throw new AssertionError("the answer should be JSON, but was: " + describe(answer));
        }
    }

    /**
     * A WireMock extension that holds a stub's answer back, with no delay to wait out: either until all three
     * services have received their request (two seconds at most), or until the test is over (five at most).
     * Only stubs that ask for it are held.
     */
    static final class Hold implements ServeEventListener {
        private static final Duration MAX_FOR_ALL = Duration.ofSeconds(2);
        private static final Duration MAX_FOR_TEST = Duration.ofSeconds(5);

        private volatile CountDownLatch allArrived = new CountDownLatch(3);
        private volatile CountDownLatch testOver = new CountDownLatch(1);
        private final ConcurrentLinkedQueue<Long> answersSent = new ConcurrentLinkedQueue<>();

        /** Counts only the requests for this customer (a late request of an earlier test passes straight through). */
        MappingBuilder untilAllArrived(String customer, MappingBuilder stub) {
            return stub.withServeEventListener(getName(), Parameters.from(Map.of("until", "all-arrived", "customer", customer)));
        }

        MappingBuilder untilTheTestIsOver(MappingBuilder stub) { return stub.withServeEventListener(getName(), Parameters.one("until", "test-over")); }

        /** When the first held answer went out (ms since the epoch, like the journal's dates). */
        long firstAnswerSent() { return answersSent.stream().min(Long::compare).orElse(Long.MAX_VALUE); }

        void reset() {
            releaseAll();
            allArrived = new CountDownLatch(3);
            testOver = new CountDownLatch(1);
            answersSent.clear();
        }

        void releaseAll() {
            testOver.countDown();
            while (allArrived.getCount() > 0) allArrived.countDown();
        }

        @Override public String getName() { return "hold"; }

        @Override public boolean applyGlobally() { return false; }

        @Override
        public void beforeResponseSent(ServeEvent event, Parameters parameters) {
            String until = parameters.getString("until", "");
            if (until.equals("all-arrived") && isFor(parameters.getString("customer"), event)) {
                CountDownLatch latch = allArrived;
                latch.countDown();
                await(latch, MAX_FOR_ALL);
                answersSent.add(System.currentTimeMillis());
            } else if (until.equals("test-over")) {
                await(testOver, MAX_FOR_TEST);
            }
        }

        private static void await(CountDownLatch latch, Duration max) {
            try {
                latch.await(max.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
