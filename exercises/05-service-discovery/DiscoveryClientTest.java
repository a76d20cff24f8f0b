package discovery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Peer;
import kit.Points;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("05 · A discovery client: registry, round-robin, passive health")
class DiscoveryClientTest {
    // The registry and catalog's three replicas, started once for the class (in parallel: a start costs most of a
    // second) and reset before each test. Every test runs on its own manual clock, which moves only when told to.
    private static Peer registry, catalog1, catalog2, catalog3;
    private static List<Peer> replicas;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ManualClock clock = new ManualClock();
    private DiscoveryClient client;

    @BeforeAll
    static void startPeers() {
        var peers = Peer.startAll("registry", "catalog-1", "catalog-2", "catalog-3");
        registry = peers.get(0);
        catalog1 = peers.get(1);
        catalog2 = peers.get(2);
        catalog3 = peers.get(3);
        replicas = List.of(catalog1, catalog2, catalog3);
    }

    @AfterAll
    static void stopPeers() {
        Stream.of(registry, catalog1, catalog2, catalog3).forEach(Peer::close);
    }

    /** The standard day: the registry lists all three replicas and each one answers product pages with its own name. */
    @BeforeEach
    void calmDay() {
        Stream.of(registry, catalog1, catalog2, catalog3).forEach(Peer::reset);
        registryLists(catalog1, catalog2, catalog3);
        for (Peer replica : replicas) {
            replica.stub(get(urlPathMatching("/products/.*")).willReturn(okJson(
                "{\"sku\": \"KB-42\", \"name\": \"Keyboard\", \"replica\": \"" + replica.name() + "\"}")));
            replica.stub(post(urlPathMatching("/products/.*/reviews")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"reviewId\": \"rv-1\", \"replica\": \"" + replica.name() + "\"}")));
        }
        client = new DiscoveryClient(HTTP, registry.uri(), "catalog", clock, Policy.standard()); // TTL 10 s, 2 failures, 30 s
    }

    // ---- the registry ----

    @Test
    @DisplayName("instances() asks the registry with GET /services/catalog and lists the instances in the registry's order")
    @Hint({"askRegistry() is written for you: call it, and return what it gives.",
           "Keep the list in a field, so later calls can use it without asking again (the next tests check that).",
           "The lesson's README, section 'The registry', shows what the registry answers."})
    void readsTheRegistry() {
        var instances = Expect.returns(() -> client.instances(), "instances() should return the registry's list");

        assertThat(instances).withFailMessage("expected the three replicas in the registry's order, %s, but got %s", expected(), instances)
            .isEqualTo(expected());
        assertThat(registry.count(getRequestedFor(urlPathMatching("/services/catalog")))).withFailMessage(
            "instances() should ask the registry once, with GET /services/catalog; the registry saw %s", registry.journal()).isEqualTo(1);
    }

    @Test
    @Points(2)
    @DisplayName("The registry's list is kept for the TTL: twenty GETs within 10 s ask the registry once, the first GET after it asks again")
    @Hint({"Remember when you fetched the list. Before asking the registry, compare clock.instant() with that moment plus policy.ttl().",
           "Keep the list and an Instant 'askAgainAt' in fields; ask only when there is no list or !clock.instant().isBefore(askAgainAt).",
           "See 'Keeping the list: TTL and stale answers' in the lesson's README: a registry asked on every call is a bottleneck for everyone."})
    void registryAskedOncePerTtl() {
        for (int i = 0; i < 20; i++) Expect.returns(() -> client.get("/products/KB-42"), "a GET on a calm day should be answered");
        assertThat(registry.hits()).withFailMessage("twenty GETs within the TTL should ask the registry once, but it was asked %d times", registry.hits())
            .isEqualTo(1);

        clock.advance(Duration.ofMillis(9_900));
        for (int i = 0; i < 5; i++) client.get("/products/KB-42");
        assertThat(registry.hits()).withFailMessage("9.9 s after the first ask the list is still fresh (TTL 10 s): the registry should still have 1 request, but has %d",
            registry.hits()).isEqualTo(1);

        clock.advance(Duration.ofMillis(200));
        client.get("/products/KB-42");
        assertThat(registry.hits()).withFailMessage("10.1 s after the first ask the list is older than the TTL: the next GET should ask the registry again (2 requests), but it has %d",
            registry.hits()).isEqualTo(2);
    }

    @Test
    @Points(2)
    @DisplayName("When the registry goes down, the last list it gave keeps the calls going")
    @Hint({"An IOException from askRegistry() is not the end: you still have the list it gave last time.",
           "Catch the IOException around askRegistry() and carry on with the list you kept; only with no list at all is it RegistryDown.",
           "See 'Keeping the list: TTL and stale answers' in the lesson's README."})
    void staleListWhenRegistryDown() {
        client.get("/products/KB-42");
        registry.reset();
        registry.stub(get(urlPathMatching("/services/.*")).willReturn(serviceUnavailable()));
        clock.advance(Duration.ofSeconds(11));

        List<String> servedBy = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            var reply = Expect.returns(() -> client.get("/products/KB-42"),
                "the registry is down (503) but the replicas are fine: the GET should use the last list and be answered");
            servedBy.add(replicaIn(reply));
        }
        assertThat(registry.hits()).withFailMessage("the list was older than the TTL, so the client should have tried the registry (it got %d requests)", registry.hits())
            .isGreaterThanOrEqualTo(1);
        assertThat(servedBy).withFailMessage("with the last list, all three replicas should still take turns, but the GETs went to %s", servedBy)
            .containsOnly("catalog-1", "catalog-2", "catalog-3").contains("catalog-1", "catalog-2", "catalog-3");
    }

    @Test
    @DisplayName("A registry that is down is asked again after another TTL, not by every call")
    @Hint({"After a failed ask, when should the next ask be? If it is 'right away', every call during the outage asks.",
           "Move 'askAgainAt' on by the TTL after a failed ask too, not only after a good one.",
           "'Keeping the list: TTL and stale answers' in the lesson's README: a registry that is recovering needs quiet, not a stampede."})
    void downRegistryNotHammered() {
        client.get("/products/KB-42");
        registry.reset();
        registry.stub(get(urlPathMatching("/services/.*")).willReturn(serviceUnavailable()));
        clock.advance(Duration.ofSeconds(11));

        for (int i = 0; i < 10; i++) Expect.returns(() -> client.get("/products/KB-42"), "with the registry down, the last list should keep working");
        assertThat(registry.hits()).withFailMessage("during the outage, ten GETs within one TTL should try the registry once, but it got %d requests", registry.hits())
            .isEqualTo(1);

        clock.advance(Duration.ofSeconds(11));
        client.get("/products/KB-42");
        assertThat(registry.hits()).withFailMessage("one TTL after the failed ask, the client should try the registry again (2 requests), but it got %d",
            registry.hits()).isEqualTo(2);
    }

    @Test
    @DisplayName("With no list yet and the registry down, the call fails with RegistryDown")
    @Hint({"The first call has nothing to fall back on.",
           "When askRegistry() throws and you have no list, throw new DiscoveryProblem.RegistryDown(service, e).",
           "See 'Keeping the list: TTL and stale answers' in the lesson's README."})
    void registryDownAtStart() {
        registry.reset();
        registry.stub(get(urlPathMatching("/services/.*")).willReturn(serviceUnavailable()));

        var problem = Expect.thrown(DiscoveryProblem.RegistryDown.class, () -> client.get("/products/KB-42"),
            "the registry answered 503 and no list is known from before, which the client calls RegistryDown");

        assertThat(problem.service()).isEqualTo("catalog");
        assertThat(replicas.stream().mapToInt(Peer::hits).sum()).withFailMessage("no replica should be called when none is known").isZero();
    }

    @Test
    @DisplayName("An empty registry is NoInstances naming the service, not an IndexOutOfBounds or a division by zero")
    @Hint({"What does list.get(turn % list.size()) do when the list is empty?",
           "When the registry's list is empty, throw new DiscoveryProblem.NoInstances(service, \"the registry lists none\").",
           "See 'The registry' in the lesson's README: an empty list is an answer, and the caller deserves a clear one."})
    void emptyRegistry() {
        registry.reset();
        registry.stub(get("/services/catalog").willReturn(okJson("{\"service\": \"catalog\", \"instances\": []}")));

        var problem = Expect.thrown(DiscoveryProblem.NoInstances.class, () -> client.get("/products/KB-42"),
            "the registry lists no instance of catalog, which the client calls NoInstances");

        assertThat(problem.service()).withFailMessage("NoInstances should name the service \"catalog\", but named %s", problem.service()).isEqualTo("catalog");
    }

    // ---- taking turns ----

    @Test
    @Points(2)
    @DisplayName("GETs take turns: twelve calls go round the three replicas in the same order, again and again")
    @Hint({"Keep a counter of whose turn it is, and move it on by one for every request you send.",
           "instances.get(Math.floorMod(turn++, instances.size())): the same order every round, and no replica twice in a row.",
           "See 'Taking turns' in the lesson's README: round-robin is predictable, and that is what makes it even."})
    void takesTurns() {
        List<String> servedBy = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            var reply = Expect.returns(() -> client.get("/products/KB-42"), "a GET on a calm day should be answered");
            servedBy.add(replicaIn(reply));
        }
        assertThat(servedBy.subList(0, 3)).withFailMessage("the first three GETs should go to three different replicas, but went to %s", servedBy)
            .doesNotHaveDuplicates();
        for (int i = 3; i < servedBy.size(); i++) {
            assertThat(servedBy.get(i)).withFailMessage("round-robin repeats the same order: GET %d should go where GET %d went (%s), but the order was %s",
                i + 1, i - 2, servedBy.get(i - 3), servedBy).isEqualTo(servedBy.get(i - 3));
        }
    }

    @Test
    @Points(2)
    @DisplayName("Thirty-one GETs reach each replica 10 or 11 times: every count within one of the others")
    @Hint({"Random choice is even only on average; round-robin is even every time.",
           "One counter shared by every call of the client, moved on by each request, taken modulo the number of instances.",
           "See 'Taking turns' in the lesson's README."})
    void evenCounts() {
        for (int i = 0; i < 31; i++) Expect.returns(() -> client.get("/products/KB-42"), "a GET on a calm day should be answered");

        Map<String, Integer> counts = counts();
        int max = counts.values().stream().max(Integer::compare).orElse(0);
        int min = counts.values().stream().min(Integer::compare).orElse(0);
        assertThat(max - min).withFailMessage("each replica should get 10 or 11 of 31 GETs, but the counts were %s", counts).isLessThanOrEqualTo(1);
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).withFailMessage(
            "31 GETs on a calm day should be 31 requests in all, but the replicas got %s", counts).isEqualTo(31);
    }

    // ---- passive health ----

    @Test
    @Points(3)
    @DisplayName("A replica that fails twice in a row is ejected: no more requests reach it, even after the registry is asked again")
    @Hint({"Count each instance's failures in a row (a 5xx or no answer), by its id. At policy.maxFailures(), eject it until now + policy.coolDown().",
           "Skip ejected instances when you pick the next one. Keep the ejections in a Map<String, Instant> by id, apart from the registry's list, so a fresh list does not undo them.",
           "See 'Passive health: ejection and re-admission' in the lesson's README."})
    void ejectsAfterFailures() {
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable().withBody("database pool exhausted")));

        for (int i = 0; i < 9; i++) Expect.returns(() -> client.get("/products/KB-42"), "catalog-2 fails, but the other two replicas should answer every GET");
        assertThat(catalog2.hits()).withFailMessage("catalog-2 failed twice in a row, so it should have been ejected after its 2nd request; it got %d",
            catalog2.hits()).isEqualTo(2);
        assertThat(Expect.returns(() -> client.ejected(), "ejected() should list the ejected replicas")).withFailMessage(
            "ejected() should be [catalog-2] after its two failures, but was %s", client.ejected()).containsExactly("catalog-2");

        replicas.forEach(Peer::forgetRequests);
        clock.advance(Duration.ofSeconds(15)); // the list is older than the TTL: the registry, still listing catalog-2, is asked again
        for (int i = 0; i < 8; i++) client.get("/products/KB-42");
        assertThat(catalog2.hits()).withFailMessage("15 s after its ejection (cool-down 30 s) catalog-2 should get nothing, even though the registry still lists it; it got %d",
            catalog2.hits()).isZero();
        assertThat(counts()).withFailMessage("while catalog-2 is out, catalog-1 and catalog-3 should share the 8 GETs evenly, but the counts were %s", counts())
            .containsEntry("catalog-1", 4).containsEntry("catalog-3", 4);
    }

    @Test
    @Points(2)
    @DisplayName("After the cool-down the ejected replica, well again, is admitted and gets its share: 2 of the next 6 GETs")
    @Hint({"An ejection has an end: compare clock.instant() with the instant it was ejected until.",
           "When the cool-down is over, treat the instance as admitted again and forget its old failures.",
           "See 'Passive health: ejection and re-admission' in the lesson's README: without re-admission, every blip shrinks the pool for good."})
    void readmitsAfterCoolDown() {
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable()));
        for (int i = 0; i < 9; i++) client.get("/products/KB-42");
        assertThat(client.ejected()).withFailMessage("catalog-2 should be ejected after two failures in a row").containsExactly("catalog-2");

        catalog2.reset();
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(okJson("{\"replica\": \"catalog-2\"}")));
        replicas.forEach(Peer::forgetRequests);
        clock.advance(Duration.ofSeconds(31));

        for (int i = 0; i < 6; i++) Expect.returns(() -> client.get("/products/KB-42"), "every replica is well again: the GET should be answered");
        assertThat(client.ejected()).withFailMessage("31 s after its ejection (cool-down 30 s) nobody should be ejected, but ejected() is %s", client.ejected()).isEmpty();
        assertThat(catalog2.hits()).withFailMessage("after its cool-down catalog-2 should be admitted again and get 2 of 6 GETs, but got %d (counts %s)",
            catalog2.hits(), counts()).isEqualTo(2);
    }

    @Test
    @DisplayName("Failures must be in a row: a replica that fails, answers, and fails again is not ejected")
    @Hint({"A good answer is news too: the instance is working.",
           "Reset an instance's count of failures whenever it answers with a status below 500.",
           "See 'Passive health: ejection and re-admission' in the lesson's README: one blip now and then is not a broken replica."})
    void failuresInARow() {
        // catalog-2 alternates: 503, 200, 503, 200, ... (a WireMock scenario, so the order is exact)
        catalog2.stub(get(urlPathMatching("/products/.*")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("well").willReturn(serviceUnavailable()));
        catalog2.stub(get(urlPathMatching("/products/.*")).inScenario("flaky").whenScenarioStateIs("well")
            .willSetStateTo(Scenario.STARTED).willReturn(okJson("{\"replica\": \"catalog-2\"}")));

        for (int i = 0; i < 15; i++) Expect.returns(() -> client.get("/products/KB-42"), "the GET should be answered");
        assertThat(client.ejected()).withFailMessage("catalog-2 never failed twice in a row, so it should not be ejected, but ejected() is %s", client.ejected())
            .isEmpty();
        assertThat(catalog2.hits()).withFailMessage("catalog-2 was never ejected, so it should keep getting its turns (5 or more of 15 GETs), but got %d", catalog2.hits())
            .isGreaterThanOrEqualTo(5);
    }

    @Test
    @DisplayName("When every replica has been ejected, a GET fails at once with NoInstances and calls nobody")
    @Hint({"Filter the list down to the admitted instances. What if nothing is left?",
           "No admitted instance at all, before any attempt: throw new DiscoveryProblem.NoInstances(service, \"every instance is ejected\").",
           "See 'Passive health: ejection and re-admission' in the lesson's README."})
    void allEjected() {
        replicas.forEach(r -> r.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable())));
        for (int i = 0; i < 2; i++) {
            Expect.thrown(DiscoveryProblem.CallFailed.class, () -> client.get("/products/KB-42"), "every replica answers 503, so the GET fails");
        }
        replicas.forEach(Peer::forgetRequests);

        Expect.thrown(DiscoveryProblem.NoInstances.class, () -> client.get("/products/KB-42"),
            "all three replicas failed twice in a row and are ejected, which leaves no instance to call: NoInstances");
        assertThat(counts().values().stream().mapToInt(Integer::intValue).sum()).withFailMessage(
            "with every replica ejected no request should be sent, but the replicas got %s", counts()).isZero();
    }

    // ---- retrying ----

    @Test
    @Points(2)
    @DisplayName("A GET that fails on one replica (503) is sent to the next one, and the caller gets the answer")
    @Hint({"A GET only reads, so sending it again cannot do harm twice.",
           "Loop: pick the next admitted instance not tried yet in this call, send, return the reply if its status is below 500, else note the failure and go on.",
           "See 'Retry on the next instance, GETs only' in the lesson's README."})
    void retriesGetOnNext() {
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable()));

        for (int i = 0; i < 3; i++) {
            var reply = Expect.returns(() -> client.get("/products/KB-42"), "catalog-2 answers 503, but the GET should be retried on another replica and answered");
            assertThat(reply.status()).withFailMessage("the caller should get a healthy replica's 200, but got %d", reply.status()).isEqualTo(200);
        }
        assertThat(catalog2.hits()).withFailMessage("in three GETs, catalog-2's turn should come at least once").isGreaterThanOrEqualTo(1);
        assertThat(catalog1.hits() + catalog3.hits()).withFailMessage("each of the 3 GETs should end at exactly one healthy replica: 3 requests to catalog-1 and catalog-3, but they got %d",
            catalog1.hits() + catalog3.hits()).isEqualTo(3);
    }

    @Test
    @DisplayName("A dropped connection is a failure too: the GET moves on to the next replica")
    @Hint({"send(...) throws IOException when the instance gives no answer.",
           "Catch the IOException like a 5xx: count a failure for that instance and try the next one.",
           "See 'Retry on the next instance, GETs only' in the lesson's README."})
    void droppedConnectionRetried() {
        catalog3.stub(get(urlPathMatching("/products/.*")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        for (int i = 0; i < 3; i++) {
            var reply = Expect.returns(() -> client.get("/products/KB-42"), "catalog-3 drops the connection, but the GET should be answered by another replica");
            assertThat(reply.status()).isEqualTo(200);
        }
        assertThat(catalog3.hits()).withFailMessage("in three GETs, catalog-3's turn should come at least once").isGreaterThanOrEqualTo(1);
    }

    @Test
    @DisplayName("When every replica fails, a GET tries each one once and then throws CallFailed listing the three attempts")
    @Hint({"Keep the ids tried in this call in a Set, and stop when the next instance would be one you tried already.",
           "After the loop, throw new DiscoveryProblem.CallFailed(service, attempts) with one entry per attempt, like \"catalog-2: 503\".",
           "See 'Retry on the next instance, GETs only' in the lesson's README: a retry goes to another instance, never round and round."})
    void givesUpAfterEachOnce() {
        replicas.forEach(r -> r.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable())));

        var problem = Expect.thrown(DiscoveryProblem.CallFailed.class, () -> client.get("/products/KB-42"),
            "all three replicas answered 503, which the client calls CallFailed");

        assertThat(counts()).withFailMessage("each replica should be tried exactly once, but the counts were %s", counts())
            .isEqualTo(Map.of("catalog-1", 1, "catalog-2", 1, "catalog-3", 1));
        assertThat(problem.attempts()).withFailMessage("CallFailed should list the three attempts, but listed %s", problem.attempts()).hasSize(3);
    }

    @Test
    @DisplayName("A 404 is an answer, not a failure: it is returned as it is, not retried, and ejects nobody")
    @Hint({"Which statuses mean the instance is broken, and which mean it answered?",
           "Only a 5xx (or no answer) is a failure. Return any reply with a status below 500, and count it as a success.",
           "See 'Passive health: ejection and re-admission' in the lesson's README: an unknown product is not a sick replica."})
    void notFoundIsAnAnswer() {
        replicas.forEach(r -> r.stub(get("/products/NOPE-1").willReturn(aResponse().withStatus(404).withBody("{\"problem\": \"no such product\"}"))));

        for (int i = 0; i < 6; i++) {
            var reply = Expect.returns(() -> client.get("/products/NOPE-1"), "a 404 is the replica's answer and should be returned to the caller");
            assertThat(reply.status()).withFailMessage("the caller should get the 404 itself, but got %d", reply.status()).isEqualTo(404);
        }
        assertThat(counts().values().stream().mapToInt(Integer::intValue).sum()).withFailMessage(
            "six GETs answered 404 should be six requests (no retries), but the replicas got %s", counts()).isEqualTo(6);
        assertThat(client.ejected()).withFailMessage("a 404 says nothing about a replica's health: nobody should be ejected, but ejected() is %s",
            client.ejected()).isEmpty();
    }

    @Test
    @Points(2)
    @DisplayName("A POST is never retried: when its replica fails, the caller gets CallFailed and no other replica sees it")
    @Hint({"The replica that failed may have stored the review before it failed. Sending it again could store it twice.",
           "post(...) picks the next admitted instance, sends once, and on a 5xx or no answer notes the failure and throws CallFailed with that one attempt.",
           "See 'Retry on the next instance, GETs only' in the lesson's README, and lesson 07 for idempotency keys."})
    void postNotRetried() {
        catalog2.stub(post(urlPathMatching("/products/.*/reviews")).willReturn(serviceUnavailable()));

        int failed = 0;
        for (int i = 0; i < 3; i++) {
            try {
                var reply = client.post("/products/KB-42/reviews", "{\"stars\": 5, \"text\": \"clicky\"}");
                assertThat(reply.status()).withFailMessage("a healthy replica's 201 should come back as it is, but got %d", reply.status()).isEqualTo(201);
            } catch (DiscoveryProblem.CallFailed expected) {
                failed++;
            } catch (UnsupportedOperationException todo) {
                throw todo;
            } catch (RuntimeException e) {
                throw new AssertionError("a failed POST should be DiscoveryProblem.CallFailed, but it threw " + e, e);
            }
        }
        int posts = replicas.stream().mapToInt(r -> r.count(postRequestedFor(urlPathMatching("/products/.*/reviews")))).sum();
        assertThat(posts).withFailMessage("three POSTs should be three requests: the one that reached catalog-2 must not be sent again, but the replicas got %d POSTs (%s)",
            posts, counts()).isEqualTo(3);
        assertThat(failed).withFailMessage("the POST that reached catalog-2 (503) should end in CallFailed; %d of 3 POSTs did", failed).isEqualTo(1);
    }

    // ---- helpers ----

    private static void registryLists(Peer... instances) {
        String listed = Stream.of(instances)
            .map(p -> "{\"id\": \"" + p.name() + "\", \"url\": \"" + p.uri() + "\", \"zone\": \"eu-1\"}")
            .collect(Collectors.joining(", "));
        registry.stub(get("/services/catalog").willReturn(okJson("{\"service\": \"catalog\", \"instances\": [" + listed + "]}")));
    }

    private static List<Instance> expected() {
        return replicas.stream().map(p -> new Instance(p.name(), p.uri())).toList();
    }

    /** Requests each replica received since the last reset. */
    private static Map<String, Integer> counts() {
        Map<String, Integer> counts = new TreeMap<>();
        replicas.forEach(r -> counts.put(r.name(), r.hits()));
        return counts;
    }

    /** Which replica's body this is: each one names itself in its answer. */
    private static String replicaIn(Reply reply) {
        try {
            return JSON.readTree(reply.body()).path("replica").asText("?");
        } catch (Exception e) {
            throw new AssertionError("expected a replica's JSON answer, but the body was: " + reply.body());
        }
    }
}
