package strangler;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import kit.Expect;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("16 · The facade: legacy, rollout, migrated and shadow routes")
class StranglerFacadeTest {
    // One server each for the whole class (a start costs most of a second); stubs and journals reset per test.
    @RegisterExtension static WireMockExtension legacy = peer();
    @RegisterExtension static WireMockExtension catalog = peer();
    @RegisterExtension static WireMockExtension carts = peer();

    static final String LEGACY_PRODUCT = "{\"sku\": \"KB-42\", \"name\": \"Split keyboard\", \"price\": \"49.99\"}";
    static final String NEW_PRODUCT = "{\"sku\": \"KB-42\", \"name\": \"Split keyboard\", \"price\": 49.99}";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();

    static final RoutingTable TABLE = new RoutingTable();
    static final ShadowLog LOG = new ShadowLog();
    /** Runs shadow requests only when a test says so: no test waits for a shadow to finish by the clock. */
    static final HeldExecutor SHADOWS = new HeldExecutor();
    static Upstream catalogService, cartsService;
    static Facade facade;

    private static WireMockExtension peer() {
        return WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();
    }

    @BeforeAll
    static void startTheFacade() {
        Duration generous = Duration.ofSeconds(10);
        catalogService = new Upstream("catalog", URI.create(catalog.baseUrl()), HTTP, generous);
        cartsService = new Upstream("carts", URI.create(carts.baseUrl()), HTTP, generous);
        Upstream monolith = new Upstream("legacy", URI.create(legacy.baseUrl()), HTTP, generous);
        facade = new Facade(new Router(TABLE, monolith, SHADOWS, LOG)).start();
        warmUp();
    }

    /**
     * One request to each server before the tests, answers ignored: the first request a server handles costs seconds
     * on a busy machine (classes to load, threads to start), and a test gives the facade 5 s. The servers forget them
     * before each test.
     */
    private static void warmUp() {
        for (URI uri : List.of(URI.create(catalog.baseUrl()), URI.create(carts.baseUrl()), facade.uri().resolve("/warm-up"))) {
            try {
                HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(), BodyHandlers.discarding());
            } catch (IOException e) {
                // the tests that need the servers say what is wrong with them
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @AfterAll
    static void stopTheFacade() {
        if (facade != null) facade.close();
    }

    @BeforeEach
    void freshStart() {
        TABLE.clear();
        LOG.clear();
        SHADOWS.reset();
        legacy.stubFor(any(anyUrl()).willReturn(okJson(LEGACY_PRODUCT).withHeader("X-Legacy-Build", "2009.4")));
        catalog.stubFor(any(anyUrl()).willReturn(okJson(NEW_PRODUCT)));
        carts.stubFor(any(anyUrl()).willReturn(okJson("{\"owner\": \"ada\", \"items\": []}")));
    }

    // ---- the router: where each stage sends a request ----

    @Test
    @DisplayName("A route not in the table, or at the Legacy stage, is served by legacy alone, path, query and user included")
    @Hint({"Read 'A facade in front of the monolith' in the lesson's README. Where does a route nobody has moved yet go?",
           "Until the team moves a route, the facade is invisible: every request goes to legacy exactly as it came, path, query and user included.",
           "Last hint: var found = table.routeFor(request.path()); if it is empty, or its stage is Stage.Legacy: return legacy.send(request);"})
    void legacyByDefault() {
        TABLE.put("products", catalogService, new Stage.Legacy());

        var product = call("/products/KB-42?lang=de", "ada");
        var account = call("/account/ada", "ada");

        assertThat(product.statusCode() + " " + product.body()).withFailMessage("products is still at the Legacy stage; the caller should get legacy's 200 %s, but got %s",
            LEGACY_PRODUCT, describe(product)).isEqualTo("200 " + LEGACY_PRODUCT);
        assertThat(account.statusCode()).withFailMessage("/account is in no route of the table, so legacy serves it; the caller should get 200, but got %s",
            describe(account)).isEqualTo(200);
        assertThat(urls(legacy)).withFailMessage("legacy should receive GET /products/KB-42?lang=de and GET /account/ada, but received %s", urls(legacy))
            .containsExactly("GET /products/KB-42?lang=de", "GET /account/ada");
        assertThat(requestsTo(legacy).getFirst().getHeader("X-User-Id")).withFailMessage("legacy should be told who is calling (X-User-Id: ada)").isEqualTo("ada");
        assertThat(urls(catalog)).withFailMessage("catalog should receive nothing while products is at the Legacy stage, but received %s", urls(catalog)).isEmpty();
    }

    @Test
    @Points(2)
    @DisplayName("A migrated route is served by its new service, and never reaches legacy")
    @Hint({"Once a route is migrated, may legacy's code for it be deleted? ('A facade in front of the monolith' in the lesson's README.)",
           "A migrated route is served by its new service alone. The facade must stop calling legacy for it, for every request.",
           "Last hint: case Stage.Migrated migrated -> route.newService().send(request);"})
    void migratedNeverReachesLegacy() {
        TABLE.put("products", catalogService, new Stage.Migrated());

        var answers = new ArrayList<HttpResponse<String>>();
        for (String user : List.of("ada", "bob", "cy")) answers.add(call("/products/KB-42", user));
        answers.add(call("/products/KB-42", null));

        for (var answer : answers) {
            assertThat(answer.statusCode() + " " + answer.body()).withFailMessage("products is migrated; every caller should get catalog's 200 %s, but one got %s",
                NEW_PRODUCT, describe(answer)).isEqualTo("200 " + NEW_PRODUCT);
        }
        assertThat(urls(catalog)).withFailMessage("catalog should receive all four product requests, but received %s", urls(catalog)).hasSize(4);
        assertThat(urls(legacy)).withFailMessage("products is migrated, so legacy must never hear of it again; but legacy received %s", urls(legacy)).isEmpty();
    }

    @Test
    @Points(3)
    @DisplayName("When the new service of a migrated route fails, the caller gets that failure (503, or 502 when it is down), and legacy is not asked instead")
    @Hint({"Read 'No quiet fallback' in the lesson's README. What does falling back to legacy hide?",
           "The new service's failure must reach the caller. A quiet fallback pages nobody, and legacy answers with data it no longer keeps up to date.",
           "Last hint: do not catch Upstream.Unavailable, and do not look at the new service's status: return route.newService().send(request) as it is; the facade answers 502 for Unavailable."})
    void noSilentFallback() {
        TABLE.put("products", catalogService, new Stage.Migrated());
        TABLE.put("carts", cartsService, new Stage.Migrated());
        catalog.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503).withBody("{\"error\": \"catalog is deploying\"}")));
        carts.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        var product = call("/products/KB-42", "ada");
        var cart = call("/carts/ada", "ada");

        assertThat(product.statusCode()).withFailMessage("catalog answered 503; the caller should get that 503, but got %s", describe(product)).isEqualTo(503);
        assertThat(cart.statusCode()).withFailMessage("carts dropped the connection; the facade should answer 502 Bad Gateway, but answered %s", describe(cart))
            .isEqualTo(502);
        assertThat(urls(legacy)).withFailMessage("both routes are migrated: legacy must not be asked, not even when the new service fails; but it received %s",
            urls(legacy)).isEmpty();
    }

    @Test
    @Points(2)
    @DisplayName("During a 50 % rollout each user's requests all land on the side Rollout picks, and a request without a user goes to legacy")
    @Hint({"During a rollout, who decides which side a user is on? ('Who gets the new service' in the lesson's README.)",
           "Rollout.toNewService decides, from the user and the route's name. A request without a user has no bucket, so it goes to legacy.",
           "Last hint: case Stage.Rollout(int percent): userId() == null goes to legacy; otherwise route.newService() when Rollout.toNewService(request.userId(), route.name(), percent), else legacy."})
    void rolloutThroughTheFacade() {
        TABLE.put("products", catalogService, new Stage.Rollout(50));
        List<String> users = RolloutTest.USERS.subList(0, 12);

        for (int round = 0; round < 2; round++) for (String user : users) assertThat(call("/products/KB-42", user).statusCode()).isEqualTo(200);
        call("/products/KB-42", null);

        Map<String, List<String>> sides = new HashMap<>();
        requestsTo(legacy).forEach(r -> sides.computeIfAbsent(String.valueOf(r.getHeader("X-User-Id")), u -> new ArrayList<>()).add("legacy"));
        requestsTo(catalog).forEach(r -> sides.computeIfAbsent(String.valueOf(r.getHeader("X-User-Id")), u -> new ArrayList<>()).add("catalog"));
        for (String user : users) {
            String expected = Rollout.toNewService(user, "products", 50) ? "catalog" : "legacy";
            assertThat(sides.get(user)).withFailMessage("%s asked twice and Rollout.toNewService says %s; the journals show %s",
                user, expected, sides.get(user)).isEqualTo(List.of(expected, expected));
        }
        assertThat(sides.get("null")).withFailMessage("a request without X-User-Id has no bucket and goes to legacy; the journals show %s", sides.get("null"))
            .isEqualTo(List.of("legacy"));
        assertThat(requestsTo(catalog)).withFailMessage("at 50 %% some of the 12 users should reach catalog, but none did").isNotEmpty();
    }

    @Test
    @Points(2)
    @DisplayName("A rollout of carts at 10 % follows Rollout for the carts route: its users on the new side reach carts, the others legacy")
    @Hint({"Which name do you give Rollout: the route's name, the path, or a fixed \"products\"?",
           "Each route has its own buckets: the side of a carts request comes from the route's name, carts.",
           "Last hint: case Stage.Rollout(int percent) -> request.userId() != null && Rollout.toNewService(request.userId(), route.name(), percent) ? route.newService().send(request) : legacy.send(request);"})
    void rolloutOfAnotherRoute() {
        TABLE.put("carts", cartsService, new Stage.Rollout(10));
        List<String> newSide = RolloutTest.USERS.stream().filter(u -> Rollout.toNewService(u, "carts", 10)).limit(3).toList();
        List<String> legacySide = RolloutTest.USERS.stream().filter(u -> !Rollout.toNewService(u, "carts", 10)).limit(3).toList();

        for (String user : newSide) call("/carts/" + user, user);
        for (String user : legacySide) call("/carts/" + user, user);

        List<String> toCarts = newSide.stream().map(u -> "GET /carts/" + u).toList();
        List<String> toLegacy = legacySide.stream().map(u -> "GET /carts/" + u).toList();
        assertThat(urls(carts)).withFailMessage("at 10 %% Rollout sends %s to carts for the route carts; carts should receive %s, but received %s",
            newSide, toCarts, urls(carts)).isEqualTo(toCarts);
        assertThat(urls(legacy)).withFailMessage("at 10 %% Rollout keeps %s on legacy for the route carts; legacy should receive %s, but received %s",
            legacySide, toLegacy, urls(legacy)).isEqualTo(toLegacy);
    }

    @Test
    @Points(3)
    @DisplayName("Whichever side a request goes to, its failure reaches the caller, 4xx as well as 5xx, and the other side is not asked: migrated, rollout, legacy")
    @Hint({"The side a stage chose answers 404. Do you ask the other side?",
           "The rule is the same at every stage: the side the stage chose answers, even with a 404 or a 500. Asking the other side instead hides the failure.",
           "Last hint: every branch of the switch is a single send, route.newService().send(request) or legacy.send(request), returned as it is: no look at the status, no catch."})
    void everySideFailsVisibly() {
        TABLE.put("products", catalogService, new Stage.Migrated());
        catalog.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404).withBody("{\"error\": \"no such product\"}")));
        var unknownProduct = call("/products/NOPE-1", "ada");
        assertThat(unknownProduct.statusCode()).withFailMessage("products is migrated and catalog answered 404; the caller should get that 404, but got %s",
            describe(unknownProduct)).isEqualTo(404);
        assertThat(urls(legacy)).withFailMessage("catalog's 404 is the answer, not a reason to ask legacy; but legacy received %s", urls(legacy)).isEmpty();

        TABLE.put("carts", cartsService, new Stage.Rollout(50));
        String onNewSide = RolloutTest.USERS.stream().filter(u -> Rollout.toNewService(u, "carts", 50)).findFirst().orElseThrow();
        String onLegacySide = RolloutTest.USERS.stream().filter(u -> !Rollout.toNewService(u, "carts", 50)).findFirst().orElseThrow();
        carts.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500).withBody("{\"error\": \"boom\"}")));
        legacy.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503).withBody("{\"error\": \"legacy is overloaded\"}")));
        var fromCarts = call("/carts/" + onNewSide, onNewSide);
        var fromLegacy = call("/carts/" + onLegacySide, onLegacySide);
        var notMigrated = call("/account/" + onLegacySide, onLegacySide);

        assertThat(fromCarts.statusCode()).withFailMessage("%s is on carts' side of the 50 %% rollout and carts answered 500; the caller should get that 500, but got %s",
            onNewSide, describe(fromCarts)).isEqualTo(500);
        assertThat(fromLegacy.statusCode()).withFailMessage("%s is on legacy's side of the 50 %% rollout and legacy answered 503; the caller should get that 503, "
            + "but got %s", onLegacySide, describe(fromLegacy)).isEqualTo(503);
        assertThat(notMigrated.statusCode()).withFailMessage("/account belongs to legacy, which answered 503; the caller should get that 503, but got %s",
            describe(notMigrated)).isEqualTo(503);
        assertThat(urls(carts)).withFailMessage("only %s's request belongs to carts, but carts received %s", onNewSide, urls(carts))
            .containsExactly("GET /carts/" + onNewSide);
        assertThat(urls(legacy)).withFailMessage("legacy should receive %s's cart and account requests only, but received %s", onLegacySide, urls(legacy))
            .containsExactly("GET /carts/" + onLegacySide, "GET /account/" + onLegacySide);
    }

    @Test
    @Points(2)
    @DisplayName("A rollout at 0 % sends every user to legacy, at 100 % every user to the new service, and a request without a user to legacy even at 100 %")
    @Hint({"At 100 %, where does a visitor without a user id go?",
           "At 0 % the rollout has not begun, at 100 % it is done for every user who has an id. A visitor without one has no bucket at all: legacy, even at 100 %.",
           "Last hint: request.userId() != null && Rollout.toNewService(request.userId(), route.name(), percent) ? route.newService().send(request) : legacy.send(request)"})
    void rolloutAtItsEdges() {
        List<String> users = RolloutTest.USERS.subList(0, 4);
        TABLE.put("products", catalogService, new Stage.Rollout(0));
        for (String user : users) call("/products/KB-42", user);
        TABLE.put("carts", cartsService, new Stage.Rollout(100));
        for (String user : users) call("/carts/" + user, user);
        call("/carts/guest", null);

        assertThat(urls(catalog)).withFailMessage("at 0 %% nobody gets catalog, but it received %s", urls(catalog)).isEmpty();
        assertThat(urls(carts)).withFailMessage("at 100 %% every user with an id gets carts: it should receive %s's requests, but received %s",
            users, urls(carts)).isEqualTo(users.stream().map(u -> "GET /carts/" + u).toList());
        assertThat(urls(legacy)).withFailMessage("legacy should receive the 4 product requests of the 0 %% rollout and the guest's cart (no X-User-Id: no "
            + "bucket), but received %s", urls(legacy)).isEqualTo(List.of("GET /products/KB-42", "GET /products/KB-42", "GET /products/KB-42",
                "GET /products/KB-42", "GET /carts/guest"));
    }

    // ---- shadow traffic ----

    @Test
    @Points(3)
    @DisplayName("In shadow mode the caller gets legacy's answer at once; the copy to the new service is sent on the shadow executor, never on the caller's thread")
    @Hint({"Read 'Shadow traffic' in the lesson's README. Does the caller wait for the new service?",
           "The caller gets legacy's answer at once. The copy to the new service runs in the background, on the shadow executor you were given, never on the caller's thread.",
           "Last hint: Reply answer = legacy.send(request); shadows.execute(() -> { send to route.newService(), Shadow.compare, log.record }); return answer;"})
    void shadowRunsInTheBackground() {
        TABLE.put("products", catalogService, new Stage.Shadow());

        var answer = call("/products/KB-42", "ada");

        assertThat(answer.statusCode() + " " + answer.body()).withFailMessage("in shadow mode the caller should get legacy's 200 %s, but got %s",
            LEGACY_PRODUCT, describe(answer)).isEqualTo("200 " + LEGACY_PRODUCT);
        assertThat(urls(catalog)).withFailMessage("the caller has its answer and no shadow task has run yet, so catalog should have received nothing; "
            + "but it received %s: the shadow ran on the caller's thread, and the caller waited for it", urls(catalog)).isEmpty();
        assertThat(SHADOWS.waiting()).withFailMessage("one shadow task should wait on the shadow executor, but %d did", SHADOWS.waiting()).isEqualTo(1);

        SHADOWS.runAll();

        assertThat(urls(catalog)).withFailMessage("once the shadow task ran, catalog should have received the same GET /products/KB-42, but received %s", urls(catalog))
            .containsExactly("GET /products/KB-42");
        assertThat(requestsTo(catalog).getFirst().getHeader("X-User-Id")).withFailMessage("the shadow copy should carry the caller's X-User-Id: ada").isEqualTo("ada");
        assertThat(urls(legacy)).withFailMessage("legacy should have served the caller once, but received %s", urls(legacy)).containsExactly("GET /products/KB-42");
        assertThat(LOG.entries()).withFailMessage("the shadow log should hold one entry for the one shadow request, but held %s", LOG.entries()).hasSize(1);
    }

    @Test
    @Points(2)
    @DisplayName("A shadow mismatch is logged as Different, with the route, the path and the user")
    @Hint({"Legacy says \"price\": \"49.99\", the new catalog 49.99. Where does the team find that out? ('Shadow traffic' in the lesson's README.)",
           "Finding such differences on real traffic is what shadow traffic is for. Each comparison is written to the log with the route, the path and the user.",
           "Last hint: in the shadow task: log.record(new ShadowLog.Entry(route.name(), request.path(), request.userId(), Shadow.compare(legacyReply, newReply)));"})
    void mismatchLogged() {
        TABLE.put("products", catalogService, new Stage.Shadow());

        call("/products/KB-42", "ada");
        SHADOWS.runAll();

        assertThat(LOG.entries()).withFailMessage("one shadow request should give one log entry, but the log held %s", LOG.entries()).hasSize(1);
        ShadowLog.Entry entry = LOG.entries().getFirst();
        assertThat(entry.result()).withFailMessage("legacy's price is the string \"49.99\", catalog's the number 49.99: the entry should be Different, but was %s",
            entry.result()).isInstanceOf(Comparison.Different.class);
        assertThat(entry.route() + " " + entry.path() + " " + entry.userId()).withFailMessage(
            "the entry should name the route products, the path /products/KB-42 and the user ada, but was %s", entry).isEqualTo("products /products/KB-42 ada");
    }

    @Test
    @Points(2)
    @DisplayName("A shadow answer that means the same is logged as Same, one entry per request, with its path, query aside, and its user, or none for an anonymous caller")
    @Hint({"Most shadow requests should find nothing. Are those written down too?",
           "An entry Same is what tells the team the new service is ready: one entry per shadow request, with its path (query aside) and its user, or none for an anonymous caller.",
           "Last hint: the shadow task ends with log.record(new ShadowLog.Entry(route.name(), request.path(), request.userId(), comparison)), request.userId() null for an anonymous caller."})
    void sameAnswerLoggedAsSame() {
        TABLE.put("products", catalogService, new Stage.Shadow());
        catalog.stubFor(any(anyUrl()).willReturn(okJson("{\"price\":\"49.99\",\"name\":\"Split keyboard\",\"sku\":\"KB-42\"}")));

        call("/products/KB-42?lang=de", "bob");
        call("/products/KB-42", null);
        SHADOWS.runAll();

        var expected = List.of(new ShadowLog.Entry("products", "/products/KB-42", "bob", new Comparison.Same()),
            new ShadowLog.Entry("products", "/products/KB-42", null, new Comparison.Same()));
        assertThat(LOG.entries()).withFailMessage("catalog answered legacy's product with its keys in another order: the two shadow requests should be "
            + "logged as%n  %s%nbut the log held%n  %s", expected, LOG.entries()).isEqualTo(expected);
        assertThat(urls(catalog)).withFailMessage("the shadow copies should be the caller's requests, query included, but catalog received %s", urls(catalog))
            .containsExactly("GET /products/KB-42?lang=de", "GET /products/KB-42");
    }

    @Test
    @Points(2)
    @DisplayName("Shadow failures change nothing for the caller: with the new service answering 500, dropping the connection, or the executor full, the caller gets legacy's status, headers and body, and the log says what happened")
    @Hint({"The new service answers 500, or the executor is full. What does the caller get? ('Shadow traffic' in the lesson's README.)",
           "The shadow is an experiment: whatever it does, the caller's answer is legacy's reply, returned as it came, and the log says what happened.",
           "Last hint: catch everything inside the shadow task and log it as new Comparison.Failed(e.getMessage()); also catch RejectedExecutionException around shadows.execute(...) and log that too."})
    void shadowFailuresInvisible() {
        TABLE.put("products", catalogService, new Stage.Shadow());
        catalog.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500).withHeader("X-Debug", "NullPointerException").withBody("{\"error\": \"boom\"}")));
        var withA500 = call("/products/KB-42", "ada");
        SHADOWS.runAll();
        catalog.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        var withAReset = call("/products/KB-42", "bob");
        SHADOWS.runAll();
        SHADOWS.rejectEverything();
        var withAFullExecutor = call("/products/KB-42", "cy");

        for (var answer : List.of(withA500, withAReset, withAFullExecutor)) {
            assertThat(answer.statusCode() + " " + answer.body()).withFailMessage("whatever the shadow did, the caller should get legacy's 200 %s, but got %s",
                LEGACY_PRODUCT, describe(answer)).isEqualTo("200 " + LEGACY_PRODUCT);
            assertThat(answer.headers().firstValue("X-Legacy-Build")).withFailMessage("the caller should get legacy's header X-Legacy-Build: 2009.4").hasValue("2009.4");
            assertThat(answer.headers().firstValue("X-Debug")).withFailMessage("the new service's X-Debug header reached the caller; nothing of the shadow may").isEmpty();
            assertThat(answer.headers().firstValue("X-Served-By")).withFailMessage("the caller's answer should say X-Served-By: legacy").hasValue("legacy");
        }
        assertThat(SHADOWS.uncaught()).withFailMessage("a shadow task threw %s out of the executor: catch what the new service does inside the task, and log it",
            SHADOWS.uncaught()).isEmpty();
        var found = LOG.entries().stream().map(e -> e.userId() + " " + e.result().getClass().getSimpleName()).toList();
        assertThat(found).withFailMessage("the log should say what each shadow found: ada's 500 is a Different answer, bob's dropped connection a Failed "
            + "one, and cy's shadow, refused by the full executor, Failed too; but it held %s", LOG.entries())
            .containsExactly("ada Different", "bob Failed", "cy Failed");
    }

    @Test
    @DisplayName("A shadow request that gets no answer is logged as Failed: the team sees it in the log, not the caller in the answer")
    @Hint({"Upstream.send throws inside the shadow task. Who would ever see that exception?",
           "Nobody, unless you log it: a shadow that gets no answer is written down as Failed, for the team, not shown to the caller.",
           "Last hint: try { comparison = Shadow.compare(legacyReply, route.newService().send(request)); } catch (Exception e) { comparison = new Comparison.Failed(e.getMessage()); } and record it either way."})
    void shadowFailureLogged() {
        TABLE.put("products", catalogService, new Stage.Shadow());
        catalog.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        call("/products/KB-42", "ada");
        SHADOWS.runAll();

        assertThat(LOG.entries()).withFailMessage("catalog dropped the shadow's connection; the log should hold one entry saying so, but held %s", LOG.entries()).hasSize(1);
        assertThat(LOG.entries().getFirst().result()).withFailMessage("a shadow request without an answer should be logged as Failed, but was %s",
            LOG.entries().getFirst().result()).isInstanceOf(Comparison.Failed.class);
    }

    // ---- helpers ----

    /** An executor that holds its tasks until the test runs them, and can refuse them like a full pool. */
    static final class HeldExecutor implements Executor {
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final List<Throwable> uncaught = new ArrayList<>();
        private volatile boolean rejecting;

        @Override
        public void execute(Runnable task) {
            if (rejecting) throw new RejectedExecutionException("the shadow pool is full");
            tasks.add(task);
        }

        int waiting() { return tasks.size(); }

        /** Runs every held task on the test's thread; what a task throws is kept, as a pool would log it and go on. */
        void runAll() {
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                try {
                    task.run();
                } catch (Throwable t) {
                    uncaught.add(t);
                }
            }
        }

        void rejectEverything() { rejecting = true; }

        List<Throwable> uncaught() { return List.copyOf(uncaught); }

        void reset() {
            tasks.clear();
            uncaught.clear();
            rejecting = false;
        }
    }

    /** A GET through the facade, as the user (null: anonymous). A 500 naming a TODO means the code is not written yet. */
    private static HttpResponse<String> call(String pathAndQuery, String user) {
        var builder = HttpRequest.newBuilder(URI.create(facade.uri() + pathAndQuery)).timeout(Duration.ofSeconds(5)).GET();
        if (user != null) builder.header("X-User-Id", user);
        HttpRequest request = builder.build();
        HttpResponse<String> answer = Expect.returns(() -> HTTP.send(request, BodyHandlers.ofString()),
            "the facade should answer GET " + pathAndQuery + " (within 5 s: nothing in these tests is slow, unless the caller waits for a shadow that has not run)");
        if (answer.statusCode() == 500 && answer.body().contains("TODO")) {
            throw new UnsupportedOperationException(answer.body().substring(answer.body().indexOf("TODO")));
        }
        return answer;
    }

    private static String describe(HttpResponse<String> answer) {
        String body = answer.body() == null || answer.body().isEmpty() ? "(no body)" : answer.body();
        return answer.statusCode() + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
    }

    /** What a service received, oldest first (WireMock lists the newest first). */
    private static List<LoggedRequest> requestsTo(WireMockExtension peer) {
        return peer.getAllServeEvents().stream().map(ServeEvent::getRequest).toList().reversed();
    }

    private static List<String> urls(WireMockExtension peer) {
        return requestsTo(peer).stream().map(r -> r.getMethod() + " " + r.getUrl()).toList();
    }
}
