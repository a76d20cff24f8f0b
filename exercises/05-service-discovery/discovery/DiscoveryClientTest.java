package discovery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    @Hint({"Read 'The registry' in the lesson's README. askRegistry() is written for you: what does it give?",
           "instances() returns the registry's list, in the registry's order. Keep it in a field: the next tests want it used again without asking.",
           "Last hint: known = List.copyOf(askRegistry()); return known;"})
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
    @Hint({"Read 'Keeping the list: TTL and stale answers' in the lesson's README. Why not ask the registry on every call?",
           "The list is kept for its time to live. The registry is asked again only when there is no list, or the list is at least policy.ttl() old. Time comes from clock.instant().",
           "Last hint: keep the list and an Instant askAgainAt in fields; ask only when known == null || !clock.instant().isBefore(askAgainAt), then askAgainAt = now.plus(policy.ttl())."})
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
    @Hint({"When the registry does not answer, what is the best knowledge you still have? ('Keeping the list: TTL and stale answers' in the lesson's README.)",
           "The last list is still good: the replicas it names were there a moment ago. Only with no list at all is a down registry an error.",
           "Last hint: try { known = List.copyOf(askRegistry()); } catch (IOException e) { if (known == null) throw ...; } and carry on with the list you kept."})
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
    @Hint({"After a failed ask, when is the next ask? If it is 'right away', how many calls ask during the outage?",
           "A registry that is struggling needs quiet, not a stampede. A failed ask starts a new TTL, just like a good one.",
           "Last hint: set askAgainAt = now.plus(policy.ttl()) after the try/catch, so after a failed ask too, not only after a good one."})
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
    @Hint({"The first call has no list to fall back on. What is left to do? ('Keeping the list: TTL and stale answers' in the lesson's README.)",
           "With no list and no registry, the client cannot find any instance. It says so in its own words: RegistryDown.",
           "Last hint: in the catch around askRegistry(): if (known == null) throw new DiscoveryProblem.RegistryDown(service, e);"})
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
    @Hint({"What does list.get(turn % list.size()) do when the list is empty? (End of 'The registry' in the lesson's README.)",
           "An empty list is an answer: the registry is up and knows no instance. The caller deserves a clear error naming the service, not an IndexOutOfBounds.",
           "Last hint: if (known.isEmpty()) throw new DiscoveryProblem.NoInstances(service, \"the registry lists none\");"})
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
    @Hint({"Read 'Taking turns' in the lesson's README. How does the storefront choose the replica for each request?",
           "Round-robin: the replicas serve in a fixed order, the registry's, and the last is followed by the first. Each request moves the turn on by one.",
           "Last hint: instances.get(Math.floorMod(turn++, instances.size())), with long turn a field of the client."})
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
    @Hint({"Is a random choice even every time, or only on average? ('Taking turns' in the lesson's README.)",
           "Round-robin is even every time: over any n requests to n replicas each gets exactly one. That needs one turn counter shared by every call of the client.",
           "Last hint: one field turn, moved on by every request, taken modulo the number of instances: never a new counter per call."})
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
    @Hint({"Read 'Passive health: ejection and re-admission' in the lesson's README. Who knows that a replica keeps failing?",
           "The callers see the answers. A replica that fails policy.maxFailures() times in a row (a 5xx or no answer) is ejected for policy.coolDown(). Ejections are kept by id, apart from the registry's list, so a fresh list does not undo them.",
           "Last hint: count failures in a Map<String, Integer> by id; at policy.maxFailures(), put id -> now.plus(policy.coolDown()) in a Map<String, Instant> ejectedUntil, and skip those ids when you pick the next instance."})
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
    @Hint({"An ejection has an end. What happens then? ('Passive health: ejection and re-admission' in the lesson's README.)",
           "After the cool-down the instance is admitted again, with its old failures forgotten. Without re-admission every blip shrinks the pool for good.",
           "Last hint: an instance is admitted when it has no ejectedUntil, or !clock.instant().isBefore(until); then remove it from ejectedUntil and from the failure counts."})
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
    @Hint({"A replica fails, answers, and fails again. Is it broken? ('Passive health: ejection and re-admission' in the lesson's README.)",
           "Failures count only in a row: a good answer says the instance is working. One blip now and then is not a broken replica.",
           "Last hint: failuresInARow.remove(instance.id()) whenever the instance answers with a status below 500."})
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
    @Hint({"You filter the list down to the admitted instances. What if nothing is left?",
           "No admitted instance at all means nothing can be called: fail at once with NoInstances, and send nothing.",
           "Last hint: before the first attempt: if (admitted.isEmpty()) throw new DiscoveryProblem.NoInstances(service, \"every instance is ejected\");"})
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
    @Hint({"Read 'Retry on the next instance, GETs only' in the lesson's README. Why may a GET be sent again?",
           "A GET only reads, so sending it again does no harm. When an instance fails, the same GET goes to the next admitted instance.",
           "Last hint: loop: pick the next admitted instance not tried yet in this call, send; return the reply if reply.status() < 500, else note the failure and go on."})
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
    @Hint({"What does send(...) do when an instance gives no answer?",
           "No answer is a failure, like a 5xx: it counts against that instance, and the GET moves on to the next one.",
           "Last hint: catch (IOException e) around send(...), count a failure for that instance, and continue the loop with the next one."})
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
    @Hint({"When every replica fails, when does your loop stop? (End of 'Retry on the next instance, GETs only' in the lesson's README.)",
           "A retry goes to another instance, each at most once per call, never round and round. When all have failed, the caller is told what each one did.",
           "Last hint: keep the ids tried in this call in a Set and stop when the next one was tried; then throw new DiscoveryProblem.CallFailed(service, attempts) with entries like \"catalog-2: 503\"."})
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
    @Hint({"Which statuses say the replica is sick, and which say it answered? ('Passive health: ejection and re-admission' in the lesson's README.)",
           "Only a 5xx or no answer is a failure. A 404 says the product does not exist: the replica answered and is healthy, so its answer is returned and counts as a success.",
           "Last hint: if (reply.status() < 500) { reset its failures; return reply; } with no retry."})
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
    @Hint({"The replica that failed may have stored the review before it failed. What happens if you send it again? ('Retry on the next instance, GETs only' in the lesson's README.)",
           "A POST is not idempotent, so it is sent once. Its failure counts for that instance's health and goes to the caller as CallFailed.",
           "Last hint: post picks the next admitted instance, sends once, and on a 5xx or no answer notes the failure and throws new DiscoveryProblem.CallFailed(service, List.of(that one attempt))."})
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

    // ---- the rules at their edges ----

    @Test
    @Points(2)
    @DisplayName("The registry's order is kept, whatever it is: listed as catalog-3, catalog-2, catalog-1, that is the list and the order of the turns")
    @Hint({"Is your order the registry's, or one you made (sorted by id, or a HashMap's)?",
           "The registry's list is an ordered answer. Keep it as a List in the order it came, and take turns along it, wrapping round at the end.",
           "Last hint: keep known = List.copyOf(askRegistry()) as it is (no sort, no Set, no Map by id) and pick known.get(Math.floorMod(turn++, known.size()))."})
    void registryOrderKept() {
        registryLists(catalog3, catalog2, catalog1);

        var instances = Expect.returns(() -> client.instances(), "instances() should return the registry's list");
        List<String> ids = instances.stream().map(Instance::id).toList();
        assertThat(ids).withFailMessage("the registry listed catalog-3, catalog-2, catalog-1 in that order: instances() should too, but returned %s", ids)
            .containsExactly("catalog-3", "catalog-2", "catalog-1");

        List<String> servedBy = new ArrayList<>();
        for (int i = 0; i < 7; i++) servedBy.add(replicaIn(Expect.returns(() -> client.get("/products/KB-42"), "a GET on a calm day should be answered")));
        for (int i = 1; i < servedBy.size(); i++) {
            String after = ids.get((ids.indexOf(servedBy.get(i - 1)) + 1) % ids.size());
            assertThat(servedBy.get(i)).withFailMessage("turns follow the registry's order (catalog-3, catalog-2, catalog-1, then catalog-3 again): after %s comes %s, "
                + "but GET %d went to %s (the order was %s)", servedBy.get(i - 1), after, i + 1, servedBy.get(i), servedBy).isEqualTo(after);
        }
    }

    @Test
    @Points(2)
    @DisplayName("A list is too old at exactly one TTL: with a 10 s TTL the registry is not asked again at 9.999 s, and is at 10 s; with a 3 s TTL, at 3 s")
    @Hint({"Is a list that is exactly one TTL old still fresh? (The exercise's README says.)",
           "The list is fresh while now is before the ask plus the TTL. From that instant on, the next call asks again. Use the policy's TTL, not a fixed 10 s.",
           "Last hint: ask when known == null || !clock.instant().isBefore(askAgainAt), with askAgainAt = the time of the ask plus policy.ttl(). (isAfter would wait one tick too long.)"})
    void ttlExpiresExactly() {
        client.instances();
        clock.advance(Duration.ofMillis(9_999));
        client.instances();
        assertThat(registry.hits()).withFailMessage("9.999 s into a 10 s TTL the list is still fresh: the registry should have 1 request, but has %d", registry.hits())
            .isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        client.instances();
        assertThat(registry.hits()).withFailMessage("at exactly 10 s the list is one TTL old, which is too old: instances() should ask again (2 requests), but the registry has %d",
            registry.hits()).isEqualTo(2);

        registry.forgetRequests();
        var quick = withPolicy(new Policy(Duration.ofSeconds(3), 2, Duration.ofSeconds(30)));
        quick.instances();
        clock.advance(Duration.ofMillis(2_999));
        quick.instances();
        clock.advance(Duration.ofMillis(1));
        quick.instances();
        assertThat(registry.hits()).withFailMessage("with a TTL of 3 s, asks at 0 s, 2.999 s and 3 s should reach the registry twice (at 0 and at 3 s), but it got %d: "
            + "is the TTL taken from the policy?", registry.hits()).isEqualTo(2);
    }

    @Test
    @Points(2)
    @DisplayName("POSTs use the kept list too: five POSTs within the TTL ask the registry once, and the first at 10 s asks again")
    @Hint({"Where does your post(...) get its instances from?",
           "Every method that needs the instances goes through the same kept list, a POST as much as a GET, so the TTL rule holds for both.",
           "Last hint: in post, pick the instance with the same helper as get (the next admitted instance from instances()), never by calling askRegistry() itself."})
    void postsUseTheKeptList() {
        for (int i = 0; i < 5; i++) Expect.returns(() -> client.post("/products/KB-42/reviews", "{\"stars\": 4}"), "a POST on a calm day should be answered");
        assertThat(registry.hits()).withFailMessage("five POSTs within the TTL should ask the registry once, but it was asked %d times", registry.hits()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(10));
        client.post("/products/KB-42/reviews", "{\"stars\": 4}");
        assertThat(registry.hits()).withFailMessage("10 s after the first ask the list is one TTL old: the next POST should ask again (2 requests), but the registry has %d",
            registry.hits()).isEqualTo(2);
    }

    @Test
    @Points(2)
    @DisplayName("A fresh list replaces the old one: a replica the registry no longer lists gets no requests, and one it lists again gets its turns back")
    @Hint({"When the registry answers again, is its answer something to add to what you knew?",
           "A fresh list is the list. Replicas missing from it are gone, and new ones take part at once.",
           "Last hint: known = List.copyOf(askRegistry()) replaces the field; do not merge it into the old list, or keep the old one when the new one is shorter."})
    void freshListReplacesOld() {
        client.get("/products/KB-42");
        registryLists(catalog1, catalog3);
        clock.advance(Duration.ofSeconds(10));
        replicas.forEach(Peer::forgetRequests);

        for (int i = 0; i < 6; i++) Expect.returns(() -> client.get("/products/KB-42"), "catalog-1 and catalog-3 are listed and well: the GET should be answered");
        assertThat(counts()).withFailMessage("the registry now lists catalog-1 and catalog-3 only: the 6 GETs should go 3 and 3 to them and none to catalog-2, but the counts were %s",
            counts()).isEqualTo(Map.of("catalog-1", 3, "catalog-2", 0, "catalog-3", 3));
        assertThat(client.instances().stream().map(Instance::id).toList()).withFailMessage("instances() should be the registry's new list").containsExactly("catalog-1", "catalog-3");

        registryLists(catalog1, catalog2, catalog3);
        clock.advance(Duration.ofSeconds(10));
        replicas.forEach(Peer::forgetRequests);
        for (int i = 0; i < 6; i++) client.get("/products/KB-42");
        assertThat(counts()).withFailMessage("catalog-2 is listed again: the 6 GETs should go 2 to each replica, but the counts were %s", counts())
            .isEqualTo(Map.of("catalog-1", 2, "catalog-2", 2, "catalog-3", 2));
    }

    @Test
    @Points(2)
    @DisplayName("Every kind of registry failure (500, 503, a dropped connection, a 200 without the list, a 500 with one) leaves the last list in use, for GETs and POSTs")
    @Hint({"How many ways can the registry fail to give a list? What does askRegistry() throw for each?",
           "askRegistry() throws IOException for every way the registry fails, a 500 with a list in its body included. They are all the same to the caller: keep the last list, for GETs and POSTs.",
           "Last hint: try { known = List.copyOf(askRegistry()); } catch (IOException e) { if (known == null) throw new DiscoveryProblem.RegistryDown(service, e); } and both methods go through instances()."})
    void everyRegistryFailureKeepsTheList() {
        Map<String, ResponseDefinitionBuilder> failures = new LinkedHashMap<>();
        failures.put("500", serverError());
        failures.put("503", serviceUnavailable());
        failures.put("a dropped connection", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        failures.put("200 with {\"status\": \"starting\"}", okJson("{\"status\": \"starting\"}"));
        failures.put("200 with a body that is not JSON", aResponse().withStatus(200).withBody("<html>maintenance</html>"));
        failures.put("500 with a list of catalog-1 alone", aResponse().withStatus(500).withHeader("Content-Type", "application/json")
            .withBody("{\"service\": \"catalog\", \"instances\": [{\"id\": \"catalog-1\", \"url\": \"" + catalog1.uri() + "\"}]}"));
        for (var failure : failures.entrySet()) {
            registryLists(catalog1, catalog2, catalog3);
            var reader = withPolicy(Policy.standard());
            var writer = withPolicy(Policy.standard());
            reader.instances();
            writer.instances();
            registry.stub(get("/services/catalog").willReturn(failure.getValue()));
            clock.advance(Duration.ofSeconds(10));

            var read = Expect.returns(() -> reader.get("/products/KB-42"), "the registry answered " + failure.getKey() + ": the GET should use the last list and be answered");
            var written = Expect.returns(() -> writer.post("/products/KB-42/reviews", "{\"stars\": 5}"),
                "the registry answered " + failure.getKey() + ": the POST should use the last list and be answered");
            assertThat(read.status() + " " + written.status()).withFailMessage("with the registry answering %s, the GET should get 200 and the POST 201 from the last list, but got %d and %d",
                failure.getKey(), read.status(), written.status()).isEqualTo("200 201");
            assertThat(reader.instances()).withFailMessage("with the registry answering %s, instances() should still be the last list, %s, but was %s",
                failure.getKey(), expected(), reader.instances()).isEqualTo(expected());
        }
    }

    @Test
    @DisplayName("A registry that failed is asked again at exactly one TTL after the failed ask: not at 9.999 s, at 10 s")
    @Hint({"A failed ask starts a new TTL. Is its boundary the same as after a good ask?",
           "After every ask, good or failed, the next ask is due exactly one TTL later, and not one tick later.",
           "Last hint: askAgainAt = now.plus(policy.ttl()) after the try/catch, and the check is !now.isBefore(askAgainAt)."})
    void failedAskRetriedAtExactlyOneTtl() {
        client.get("/products/KB-42");
        registry.stub(get("/services/catalog").willReturn(serviceUnavailable()));
        clock.advance(Duration.ofSeconds(12));
        client.get("/products/KB-42");
        assertThat(registry.hits()).withFailMessage("at 12 s the list was too old: the registry should have been tried (2 requests), but had %d", registry.hits()).isEqualTo(2);

        clock.advance(Duration.ofMillis(9_999));
        client.get("/products/KB-42");
        assertThat(registry.hits()).withFailMessage("9.999 s after the failed ask it is too early to ask again: the registry should still have 2 requests, but has %d",
            registry.hits()).isEqualTo(2);
        clock.advance(Duration.ofMillis(1));
        client.get("/products/KB-42");
        assertThat(registry.hits()).withFailMessage("exactly 10 s after the failed ask the registry should be tried again (3 requests), but has %d", registry.hits()).isEqualTo(3);
    }

    @Test
    @Points(2)
    @DisplayName("With no list and the registry down, instances(), get() and post() each throw RegistryDown; once it is back, the very next call asks it and works")
    @Hint({"With no list to fall back on, is there anything to wait a TTL for?",
           "Only a list that you have is kept for a TTL. Without one, every method throws RegistryDown, and the next call asks the registry again at once.",
           "Last hint: ask whenever known == null; throw new DiscoveryProblem.RegistryDown(service, e) from the catch when known == null, and go through instances() in get and post."})
    void registryDownWithoutAList() {
        registry.stub(get("/services/catalog").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        Expect.thrown(DiscoveryProblem.RegistryDown.class, () -> client.instances(), "instances() with the registry down and no list should throw RegistryDown");
        Expect.thrown(DiscoveryProblem.RegistryDown.class, () -> client.get("/products/KB-42"), "get() with the registry down and no list should throw RegistryDown");
        var problem = Expect.thrown(DiscoveryProblem.RegistryDown.class, () -> client.post("/products/KB-42/reviews", "{\"stars\": 5}"),
            "post() with the registry down and no list should throw RegistryDown");
        assertThat(problem.service()).withFailMessage("RegistryDown should name the service \"catalog\", but named %s", problem.service()).isEqualTo("catalog");
        assertThat(replicas.stream().mapToInt(Peer::hits).sum()).withFailMessage("no replica is known, so none should be called, but they got %s", counts()).isZero();

        registryLists(catalog1, catalog2, catalog3);
        var reply = Expect.returns(() -> client.get("/products/KB-42"),
            "the registry is back and no list was ever known: the next GET should ask it at once (no TTL to wait out) and be answered");
        assertThat(reply.status()).isEqualTo(200);
    }

    @Test
    @DisplayName("An empty list is an answer: it replaces the last list, and instances(), get() and post() each throw NoInstances")
    @Hint({"The registry is up and says: no catalog right now. Is that an outage, or news?",
           "An empty list is an answer. It replaces the list you had (it is not a failure to fall back from), and with it nothing can be called: NoInstances, from every method.",
           "Last hint: known = List.copyOf(askRegistry()) even when it is empty, then if (known.isEmpty()) throw new DiscoveryProblem.NoInstances(service, \"the registry lists none\")."})
    void emptyListEverywhere() {
        client.get("/products/KB-42");
        registry.stub(get("/services/catalog").willReturn(okJson("{\"service\": \"catalog\", \"instances\": []}")));
        clock.advance(Duration.ofSeconds(10));
        replicas.forEach(Peer::forgetRequests);

        Expect.thrown(DiscoveryProblem.NoInstances.class, () -> client.instances(), "the registry now lists no catalog: instances() should throw NoInstances");
        Expect.thrown(DiscoveryProblem.NoInstances.class, () -> client.get("/products/KB-42"), "the registry now lists no catalog: get() should throw NoInstances");
        Expect.thrown(DiscoveryProblem.NoInstances.class, () -> client.post("/products/KB-42/reviews", "{\"stars\": 5}"),
            "the registry now lists no catalog: post() should throw NoInstances");
        assertThat(replicas.stream().mapToInt(Peer::hits).sum()).withFailMessage("the registry lists none, so no replica should be called, but they got %s", counts()).isZero();
    }

    @Test
    @Points(2)
    @DisplayName("Ejection comes at exactly maxFailures in a row: with 2, after the 2nd failure; with a policy of 3, not after the 2nd, after the 3rd")
    @Hint({"Do you compare with policy.maxFailures(), or with a fixed 2?",
           "An instance is ejected when its failures in a row reach policy.maxFailures(): at that failure, not one before, not one after.",
           "Last hint: int failures = failuresInARow.merge(id, 1, Integer::sum); if (failures >= policy.maxFailures()) ejectedUntil.put(id, now.plus(policy.coolDown()));"})
    void ejectedAtExactlyMaxFailures() {
        registryLists(catalog2);
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable()));

        failOnce(client, "catalog-2 answers 503");
        assertThat(client.ejected()).withFailMessage("after 1 failure of 2 allowed catalog-2 should not be ejected yet, but ejected() is %s", client.ejected()).isEmpty();
        failOnce(client, "catalog-2 answers 503");
        assertThat(client.ejected()).withFailMessage("after its 2nd failure in a row catalog-2 should be ejected, but ejected() is %s", client.ejected()).containsExactly("catalog-2");

        catalog2.forgetRequests();
        var patient = withPolicy(new Policy(Duration.ofSeconds(10), 3, Duration.ofSeconds(30)));
        for (int failure = 1; failure <= 3; failure++) {
            failOnce(patient, "catalog-2 answers 503");
            var ejected = patient.ejected();
            if (failure < 3) {
                assertThat(ejected).withFailMessage("with maxFailures 3, after %d failure(s) catalog-2 should not be ejected yet, but ejected() is %s", failure, ejected).isEmpty();
            } else {
                assertThat(ejected).withFailMessage("with maxFailures 3, the 3rd failure in a row should eject catalog-2, but ejected() is %s", ejected).containsExactly("catalog-2");
            }
        }
        Expect.thrown(DiscoveryProblem.NoInstances.class, () -> patient.get("/products/KB-42"), "the only instance is ejected: the GET should be NoInstances");
        assertThat(catalog2.hits()).withFailMessage("with maxFailures 3, catalog-2 should get exactly 3 requests before it is ejected, but got %d", catalog2.hits()).isEqualTo(3);
    }

    @Test
    @Points(3)
    @DisplayName("The cool-down runs from the failure that ejects: failures at 0 s and 4 s keep catalog-2 out until 33.999 s and let it back in at exactly 34 s")
    @Hint({"When does an ejection start: at the first failure of the run, or at the one that reaches maxFailures? And when does it end, to the millisecond?",
           "The cool-down runs from the failure that ejects. From the instant it is over, the instance is admitted again, not one tick later.",
           "Last hint: on the ejecting failure, ejectedUntil.put(id, clock.instant().plus(policy.coolDown())); an instance is admitted when !now.isBefore(until)."})
    void coolDownEndsExactly() {
        registryLists(catalog2);
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable()));
        failOnce(client, "catalog-2 answers 503");
        clock.advance(Duration.ofSeconds(4));
        failOnce(client, "catalog-2 answers 503");
        catalog2.forgetRequests();

        clock.advance(Duration.ofMillis(29_999)); // 33.999 s
        assertThat(client.ejected()).withFailMessage("29.999 s after the ejecting failure (cool-down 30 s) catalog-2 should still be ejected, but ejected() is %s",
            client.ejected()).containsExactly("catalog-2");
        Expect.thrown(DiscoveryProblem.NoInstances.class, () -> client.get("/products/KB-42"),
            "29.999 s into its 30 s cool-down the only replica is still ejected: NoInstances");
        assertThat(catalog2.hits()).withFailMessage("catalog-2 is still cooling down, but it got %d request(s)", catalog2.hits()).isZero();

        clock.advance(Duration.ofMillis(1)); // 34 s: 30 s after the second failure
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(okJson("{\"replica\": \"catalog-2\"}")));
        assertThat(client.ejected()).withFailMessage("exactly 30 s after the failure that ejected it, catalog-2's cool-down is over: ejected() should be empty, but is %s",
            client.ejected()).isEmpty();
        var reply = Expect.returns(() -> client.get("/products/KB-42"), "at exactly the end of its cool-down catalog-2 is admitted again: the GET should reach it");
        assertThat(reply.instance()).isEqualTo("catalog-2");
    }

    @Test
    @Points(2)
    @DisplayName("Re-admitted with a clean slate: after its cool-down, one failure does not eject catalog-2 again, a second in a row does")
    @Hint({"What is left of the old failures when the cool-down ends?",
           "Re-admitted means a clean slate: the count of failures starts again from zero, so one new failure does not eject it again.",
           "Last hint: failuresInARow.remove(id) when you eject it (or when its cool-down is over), so the count after re-admission starts at 0."})
    void readmittedWithACleanSlate() {
        registryLists(catalog2);
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable()));
        failOnce(client, "catalog-2 answers 503");
        failOnce(client, "catalog-2 answers 503");
        clock.advance(Duration.ofSeconds(30));

        failOnce(client, "catalog-2, admitted again, still answers 503");
        assertThat(client.ejected()).withFailMessage("after re-admission catalog-2 failed once: with a clean slate that is 1 of 2, not an ejection, but ejected() is %s",
            client.ejected()).isEmpty();
        failOnce(client, "catalog-2 answers 503");
        assertThat(client.ejected()).withFailMessage("its 2nd failure in a row since re-admission should eject catalog-2 again, but ejected() is %s", client.ejected())
            .containsExactly("catalog-2");
    }

    @Test
    @Points(2)
    @DisplayName("500, 502, 504 and a dropped connection are failures: a GET that meets them all throws CallFailed listing each attempt in order, as \"catalog-1: 500\"")
    @Hint({"Is only 503 a failure? And what does CallFailed tell the caller?",
           "Every 5xx is a failure, and so is no answer at all. CallFailed lists one entry per failed attempt, in the order tried.",
           "Last hint: attempts.add(instance.id() + \": \" + reply.status()) for a status of 500 or more, attempts.add(instance.id() + \": no answer\") for an IOException."})
    void everyFailureListedInOrder() {
        catalog1.stub(get(urlPathMatching("/products/.*")).willReturn(serverError()));
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(aResponse().withStatus(502)));
        catalog3.stub(get(urlPathMatching("/products/.*")).willReturn(aResponse().withStatus(504)));

        var problem = Expect.thrown(DiscoveryProblem.CallFailed.class, () -> client.get("/products/KB-42"), "500, 502 and 504 are all failures: the GET should be CallFailed");
        List<String> inTurn = List.of("catalog-1: 500", "catalog-2: 502", "catalog-3: 504");
        assertThat(problem.attempts()).withFailMessage("CallFailed should list each attempt as \"id: status\", in the order tried (the registry's, from whoever's turn it was), "
                + "like %s, but listed %s", inTurn, problem.attempts())
            .isIn(inTurn, List.of(inTurn.get(1), inTurn.get(2), inTurn.get(0)), List.of(inTurn.get(2), inTurn.get(0), inTurn.get(1)));
        assertThat(problem.service()).isEqualTo("catalog");

        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        var again = Expect.thrown(DiscoveryProblem.CallFailed.class, () -> client.get("/products/KB-42"), "every replica fails again: CallFailed");
        assertThat(again.attempts()).withFailMessage("CallFailed should have one entry per attempt, catalog-2's dropped connection included, but listed %s", again.attempts())
            .hasSize(3);
        assertThat(again.attempts().stream().filter(a -> a.startsWith("catalog-2")).toList()).withFailMessage(
            "catalog-2 dropped the connection: its entry should say so, not give a status, but the attempts were %s", again.attempts())
            .singleElement().matches(a -> !a.matches(".*\\d{3}.*"), "has no status");
        assertThat(client.ejected()).withFailMessage("each replica failed twice in a row (once per GET), so all three should be ejected, but ejected() is %s", client.ejected())
            .containsExactly("catalog-1", "catalog-2", "catalog-3");
    }

    @Test
    @Points(2)
    @DisplayName("Any answer below 500 is returned as it is, not retried, and clears the count: 400, 409, 429 and 499 come back, and 503, 429, 503 ejects nobody")
    @Hint({"Where is the line between an answer and a failure? Is a 429 the replica answering?",
           "The line is at 500: 499 is an answer, 500 a failure. Every reply below 500 goes back to the caller as it is, and counts as a success for that instance.",
           "Last hint: if (reply.status() < 500) { failuresInARow.remove(instance.id()); return reply; } and only then count a failure."})
    void everyAnswerBelow500() {
        registryLists(catalog2);
        for (int status : new int[] {400, 409, 429, 499}) {
            catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(aResponse().withStatus(status).withBody("{\"replica\": \"catalog-2\"}")));
            catalog2.forgetRequests();
            var reply = Expect.returns(() -> client.get("/products/KB-42"), "an answer of " + status + " is the replica's answer and should be returned");
            assertThat(reply.status()).withFailMessage("the caller should get the %d itself, but got %d", status, reply.status()).isEqualTo(status);
            assertThat(catalog2.hits()).withFailMessage("a %d is an answer: one request, no retry, but catalog-2 got %d", status, catalog2.hits()).isEqualTo(1);
        }

        catalog2.answerInTurn(get(urlPathMatching("/products/.*")), serviceUnavailable(), aResponse().withStatus(429), serviceUnavailable());
        failOnce(client, "catalog-2 answers 503");
        Expect.returns(() -> client.get("/products/KB-42"), "a 429 is catalog-2's answer and should be returned");
        failOnce(client, "catalog-2 answers 503");
        assertThat(client.ejected()).withFailMessage("503, 429, 503 is not two failures in a row (the 429 is an answer and clears the count), but ejected() is %s",
            client.ejected()).isEmpty();
    }

    @Test
    @Points(2)
    @DisplayName("A retry skips ejected replicas: with catalog-2 ejected and the others failing, a GET tries catalog-1 and catalog-3 only")
    @Hint({"How is the next instance for a retry chosen?",
           "A retry chooses among the admitted instances, like a first attempt. An ejected one is neither tried nor listed in CallFailed.",
           "Last hint: build the candidates from instances() filtered by 'admitted now' (no ejectedUntil, or !now.isBefore(until)), for the first attempt and for every retry."})
    void retrySkipsEjected() {
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable()));
        for (int i = 0; i < 6; i++) client.get("/products/KB-42");
        assertThat(client.ejected()).withFailMessage("catalog-2 should be ejected after two failures").containsExactly("catalog-2");

        replicas.forEach(Peer::forgetRequests);
        catalog1.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable()));
        catalog3.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable()));
        var problem = Expect.thrown(DiscoveryProblem.CallFailed.class, () -> client.get("/products/KB-42"),
            "catalog-1 and catalog-3 fail and catalog-2 is ejected: the GET should be CallFailed");
        assertThat(catalog2.hits()).withFailMessage("catalog-2 is ejected: the retry should skip it, but it got %d request(s)", catalog2.hits()).isZero();
        assertThat(problem.attempts()).withFailMessage("CallFailed should list the two admitted replicas tried, but listed %s", problem.attempts())
            .containsExactlyInAnyOrder("catalog-1: 503", "catalog-3: 503");
    }

    @Test
    @Points(2)
    @DisplayName("POSTs take turns among the admitted replicas, count for their health, and fail once: a dropped connection is CallFailed with that one attempt")
    @Hint({"How is a POST different from a GET? In how many ways is it the same?",
           "A POST picks its instance like a GET, takes a turn, and counts for health like a GET. It only never goes to a second instance.",
           "Last hint: post = one attempt on the next admitted instance; a 5xx or lost connection counts a failure and throws new DiscoveryProblem.CallFailed(service, attempts) with that single entry; a 2xx or 4xx is returned as it is."})
    void postsTakeTurnsAndFailOnce() {
        List<String> servedBy = new ArrayList<>();
        for (int i = 0; i < 3; i++) servedBy.add(replicaIn(Expect.returns(() -> client.post("/products/KB-42/reviews", "{\"stars\": 5}"), "a POST on a calm day should be answered")));
        assertThat(servedBy).withFailMessage("three POSTs should go to three different replicas, but went to %s", servedBy).doesNotHaveDuplicates();
        var received = catalog1.requests(postRequestedFor(urlPathMatching("/products/KB-42/reviews"))).getFirst();
        assertThat(received.getBodyAsString() + " as " + received.getHeader("Content-Type")).withFailMessage(
            "the replica should receive the POST's JSON body as application/json, but received %s as %s", received.getBodyAsString(), received.getHeader("Content-Type"))
            .isEqualTo("{\"stars\": 5} as application/json");

        replicas.forEach(r -> r.stub(post(urlPathMatching("/products/.*/reviews")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))));
        replicas.forEach(Peer::forgetRequests);
        var problem = Expect.thrown(DiscoveryProblem.CallFailed.class, () -> client.post("/products/KB-42/reviews", "{\"stars\": 5}"),
            "the replica dropped the POST's connection: CallFailed");
        assertThat(problem.attempts()).withFailMessage("a POST is one attempt: CallFailed should list exactly one, but listed %s", problem.attempts()).hasSize(1);
        assertThat(replicas.stream().mapToInt(Peer::hits).sum()).withFailMessage("a POST whose connection dropped must not go to another replica, but the replicas got %s",
            counts()).isEqualTo(1);

        String failedOn = problem.attempts().getFirst().split(":")[0];
        Peer target = replicas.stream().filter(r -> r.name().equals(failedOn)).findFirst().orElseThrow();
        target.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable()));
        for (int i = 0; i < 3; i++) client.get("/products/KB-42");
        assertThat(client.ejected()).withFailMessage("%s failed a POST and then a GET, two in a row: it should be ejected, but ejected() is %s", failedOn, client.ejected())
            .containsExactly(failedOn);

        replicas.forEach(r -> r.stub(post(urlPathMatching("/products/.*/reviews")).willReturn(aResponse().withStatus(409).withBody("{\"replica\": \"" + r.name() + "\"}"))));
        replicas.forEach(Peer::forgetRequests);
        for (int i = 0; i < 4; i++) {
            var reply = Expect.returns(() -> client.post("/products/KB-42/reviews", "{\"stars\": 5}"), "a 409 is the replica's answer and should be returned");
            assertThat(reply.status()).withFailMessage("the caller should get the 409 itself, but got %d", reply.status()).isEqualTo(409);
        }
        assertThat(target.hits()).withFailMessage("%s is ejected: no POST should reach it, but it got %d", failedOn, target.hits()).isZero();
        assertThat(replicas.stream().mapToInt(Peer::hits).sum()).withFailMessage("four POSTs answered 409 should be four requests, but the replicas got %s", counts()).isEqualTo(4);
    }

    @Test
    @DisplayName("With every replica ejected, a POST fails at once with NoInstances and calls nobody")
    @Hint({"Does a POST need an admitted instance just as a GET does?",
           "With every replica ejected, nothing can be called, for a POST too: NoInstances, and nothing is sent.",
           "Last hint: the helper that picks the next admitted instance throws new DiscoveryProblem.NoInstances(service, \"every instance is ejected\"); post uses it too."})
    void postWithAllEjected() {
        registryLists(catalog2);
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable()));
        failOnce(client, "catalog-2 answers 503");
        failOnce(client, "catalog-2 answers 503");
        catalog2.forgetRequests();

        Expect.thrown(DiscoveryProblem.NoInstances.class, () -> client.post("/products/KB-42/reviews", "{\"stars\": 5}"),
            "the only replica is ejected: the POST should be NoInstances");
        assertThat(catalog2.hits()).withFailMessage("the only replica is ejected, so the POST should call nobody, but catalog-2 got %d", catalog2.hits()).isZero();
    }

    @Test
    @DisplayName("A GET on an interrupted thread gets no answer: CallFailed, and the thread is still interrupted afterwards")
    @Hint({"An interrupt is the caller saying 'stop'. Does your code swallow it on the way?",
           "send(...) turns an interrupt into an InterruptedIOException, an IOException like no answer, and sets the interrupt flag again. Treat it as no answer, and keep the flag.",
           "Last hint: catch IOException in your attempt as for a dropped connection; never call Thread.interrupted() (it clears the flag), and keep exchange(...) as it was given."})
    void interruptIsKept() throws Exception {
        try (var silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) { // accepts, never answers
            registry.stub(get("/services/catalog").willReturn(okJson("{\"service\": \"catalog\", \"instances\": [{\"id\": \"catalog-9\", \"url\": \"http://127.0.0.1:"
                + silent.getLocalPort() + "\"}]}")));
            client.instances();

            Thread.currentThread().interrupt();
            Throwable thrown;
            try {
                thrown = Expect.thrown(DiscoveryProblem.CallFailed.class, () -> client.get("/products/KB-42"),
                    "the thread was interrupted, so the GET cannot wait for catalog-9's answer: CallFailed");
            } finally {
                boolean stillInterrupted = Thread.interrupted(); // and clear it, for the next test
                assertThat(stillInterrupted).withFailMessage("the caller's interrupt should still be set when get() returns, but it was cleared").isTrue();
            }
            assertThat(((DiscoveryProblem.CallFailed) thrown).attempts()).withFailMessage("one instance, one attempt").hasSize(1);
        }
    }

    // ---- helpers ----

    private static void registryLists(Peer... instances) {
        String listed = Stream.of(instances)
            .map(p -> "{\"id\": \"" + p.name() + "\", \"url\": \"" + p.uri() + "\", \"zone\": \"eu-1\"}")
            .collect(Collectors.joining(", "));
        registry.stub(get("/services/catalog").willReturn(okJson("{\"service\": \"catalog\", \"instances\": [" + listed + "]}")));
    }

    /** A client like the test's, on the same clock, with another policy. */
    private DiscoveryClient withPolicy(Policy policy) {
        return new DiscoveryClient(HTTP, registry.uri(), "catalog", clock, policy);
    }

    /** One GET that every instance it may try fails: it must end in CallFailed. */
    private static void failOnce(DiscoveryClient client, String why) {
        Expect.thrown(DiscoveryProblem.CallFailed.class, () -> client.get("/products/KB-42"), why + ": the GET should be CallFailed");
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
