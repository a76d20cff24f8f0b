///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 05 · Service discovery: catalog runs as three replicas that come and go; a registry knows where they are.

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kit.ManualClock;
import kit.Mine;
import kit.Narrator;
import kit.Peer;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Duration LIST_TTL = Duration.ofSeconds(10);
    static final Duration BENCH = Duration.ofSeconds(30);

    static Narrator story;
    static Peer registry, catalog1, catalog2, catalog3;
    static List<Peer> replicas;
    // The storefront's clock: "thirty seconds later" is one call, so the lesson shows a TTL and a cool-down in no time.
    static final ManualClock clock = new ManualClock();
    static final Ring ring = new Ring();
    static Javalin storefront;

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("05-service-discovery", args);
        catalogScalesOut();
        replicasTakeTurns();
        aReplicaJoins();
        aReplicaBreaks();
        theReplicaComesBack();
        theRegistryGoesDown();
        if (story.mine()) yourClient();
        if (story.serving()) { // the registry is well again, for you to try
            registry.reset();
            registryLists(catalog1, catalog2, catalog3);
        }
        story.serve(
            "curl -s " + storefrontUrl() + "/products/KB-42      (run it a few times: servedBy takes turns)",
            "curl -s " + registry.url("/services/catalog") + "     (what the registry lists)",
            "curl -s -X POST " + catalog2.url("/__admin/mappings") + " -d '{\"request\": {\"urlPathPattern\": \"/products/.*\"}, \"response\": {\"status\": 503}}'",
            "     (break catalog-2 with WireMock's admin API, then ask for pages: it fails once and is benched)",
            "curl -s -X POST " + storefrontUrl() + "/clock/advance/30    (move the storefront's clock on by 30 s: catalog-2 is let back in)");
        storefront.stop();
        Stream.concat(Stream.of(registry), replicas.stream()).forEach(Peer::close);
        story.end();
    }

    // ---- the steps ----

    static void catalogScalesOut() {
        story.tell("""
            The catalog service used to run on one machine, and the storefront had its address in a config file.
            On sale days that machine was the first thing to fall over. Now catalog runs as several replicas that
            the platform starts, stops and moves as it likes: their addresses change every day. A registry keeps the
            list. Each replica is listed when it starts and removed when it stops; the storefront asks the registry
            where catalog is, and spreads its requests over whatever the answer says.""");
        story.step("Start the registry, three catalog replicas and the storefront");
        // tag::peers[]
        var peers = Peer.startAll("registry", "catalog-1", "catalog-2", "catalog-3");
        registry = peers.get(0);
        replicas = peers.subList(1, 4);
        catalog1 = replicas.get(0);
        catalog2 = replicas.get(1);
        catalog3 = replicas.get(2);
        for (Peer replica : replicas) replicaIsWell(replica);
        registryLists(catalog1, catalog2); // catalog-3 is still being deployed
        // end::peers[]
        storefront = startStorefront();
        story.listen(registry, catalog1, catalog2, catalog3);
        for (Peer peer : peers) story.say(peer.name() + " is up at " + peer.uri());
        story.say("storefront (our service) is up at " + storefrontUrl());
        story.state("the registry lists", "catalog-1, catalog-2 (catalog-3 is still being deployed)");
    }

    static void replicasTakeTurns() throws Exception {
        story.step("Six product pages: the storefront asks the registry once, and the replicas take turns");
        var pages = showProducts(6);
        story.state("pages served", counts());
        story.tell("""
            The storefront asked the registry once and kept the answer for 10 seconds (its TTL): the registry is
            not asked on every request, so it is not a bottleneck, and a slow registry does not slow every page.
            The two replicas took turns, round-robin, so each got exactly half.""");
        story.check(pages.stream().allMatch(p -> p.status() == 200), "all six pages were served (200)");
        story.check(registry.hits() == 1, "the registry was asked once for six pages");
        story.check(catalog1.hits() == 3 && catalog2.hits() == 3, "catalog-1 and catalog-2 served three pages each");
        story.check(alternate(pages), "they took turns: no replica served two pages in a row");
    }

    static void aReplicaJoins() throws Exception {
        story.step("catalog-3 joins: the storefront sees it when its list is ten seconds old");
        registryLists(catalog1, catalog2, catalog3);
        story.state("the registry lists", "catalog-1, catalog-2, catalog-3");
        forgetRequests();
        showProducts(2);
        story.say("(the storefront's list is still fresh: it does not know about catalog-3 yet)");
        story.check(catalog3.hits() == 0 && registry.hits() == 0, "within the TTL, the storefront did not ask again, and catalog-3 got nothing");

        clock.advance(LIST_TTL);
        story.say("... 10 s later, on the storefront's clock:");
        forgetRequests();
        showProducts(6);
        story.state("pages served", counts());
        story.tell("""
            A replica that joins gets traffic once every client has refreshed its list: up to one TTL later. A
            replica that leaves is worse: until then, clients still send it requests. A short TTL reacts sooner and
            asks the registry more often; that trade-off is the TTL's whole job.""");
        story.check(registry.hits() == 1, "once the list was 10 s old, the storefront asked the registry again");
        story.check(replicas.stream().allMatch(r -> r.hits() == 2), "the three replicas served two pages each");
    }

    static void aReplicaBreaks() throws Exception {
        story.step("catalog-2 breaks: the storefront retries the page on the next replica and benches catalog-2");
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable().withBody("database pool exhausted")));
        story.state("catalog-2", "answers 503 (its database connection pool is exhausted)");
        forgetRequests();
        var pages = showProducts(6);
        story.state("pages served", counts());
        story.state("ring", ringState());
        story.tell("""
            The registry still lists catalog-2: it is running, it answers, it just answers 503. The registry cannot
            know; the storefront can, from the answers it gets. That is passive health checking: a replica that
            fails is taken out of the ring (ejected) for a cool-down, here 30 seconds. The page that hit catalog-2
            was a GET, which only reads, so the storefront sent it again to the next replica: no customer saw the 503.""");
        story.check(pages.stream().allMatch(p -> p.status() == 200), "all six pages were served (200): the failed one was retried on the next replica");
        story.check(catalog2.hits() == 1, "catalog-2 got one request, failed it, and got no more");
        story.check(catalog1.hits() == 3 && catalog3.hits() == 3, "catalog-1 and catalog-3 shared the six pages, three each");

        clock.advance(LIST_TTL);
        story.say("... 10 s later: the list is old, and the registry, asked again, still lists catalog-2:");
        forgetRequests();
        showProducts(4);
        story.check(registry.hits() == 1 && catalog2.hits() == 0, "a fresh list from the registry did not bring catalog-2 back before its cool-down");
    }

    static void theReplicaComesBack() throws Exception {
        story.step("catalog-2 recovers: after its cool-down it is admitted again");
        replicaIsWell(catalog2);
        story.state("catalog-2", "answers 200 again (someone restarted its database)");
        clock.advance(BENCH.minus(LIST_TTL));
        story.say("... 30 s after catalog-2 was ejected:");
        forgetRequests();
        var pages = showProducts(6);
        story.state("pages served", counts());
        story.state("ring", ringState());
        story.tell("""
            Nobody told the storefront that catalog-2 was well again. The cool-down ended, catalog-2 went back into
            the ring, and its answers were good, so it stays. A replica still failing would be benched again by its
            first failed request. Without re-admission, every blip would shrink the pool until nothing was left.""");
        story.check(pages.stream().allMatch(p -> p.status() == 200), "all six pages were served (200)");
        story.check(replicas.stream().allMatch(r -> r.hits() == 2), "catalog-2 is back and got its share: two pages each");
    }

    static void theRegistryGoesDown() throws Exception {
        story.step("The registry goes down: the storefront keeps the list it has");
        registry.stub(get(urlPathMatching("/services/.*")).willReturn(serviceUnavailable()));
        story.state("registry", "answers 503");
        clock.advance(LIST_TTL);
        story.say("... 10 s later, the storefront's list is old and the registry does not answer:");
        forgetRequests();
        var pages = showProducts(6);
        story.state("pages served", counts());
        story.tell("""
            A stale list is far better than none: the replicas it names were there ten seconds ago, and most of
            them still are. If the storefront threw its list away, the registry would take every service down with
            it. The clients of Eureka, Netflix's registry, do the same: they keep using the last list they fetched.
            The storefront asks the registry again in another ten seconds, not on every request: a registry that
            is struggling to start again needs quiet, not a stampede.""");
        story.check(pages.stream().allMatch(p -> p.status() == 200), "all six pages were served from the last list");
        story.check(registry.hits() == 1, "the registry was tried once, not once per page");
        story.check(replicas.stream().allMatch(r -> r.hits() == 2), "the three replicas still took turns");
        story.tell("""
            The storefront's ring is the simplest thing that works: it benches a replica at its first failure,
            retries a page once, and has no POST to worry about. The exercise asks for more: ejection after N
            failures in a row, each instance tried once per call, and a POST that is never sent twice.
            ./jbang workbook check 05""");
    }

    /** With --mine: the same broken replica, against the learner's DiscoveryClient from exercises/05-service-discovery. */
    static void yourClient() {
        story.step("Your DiscoveryClient, in the same story (--mine)");
        Mine mine = Mine.compile("05-service-discovery");
        var yourClock = new ManualClock();
        registry.reset();
        registryLists(catalog1, catalog2, catalog3);
        catalog2.stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable()));
        forgetRequests();
        try {
            Object policy = mine.create("discovery.Policy", Duration.ofSeconds(10), 2, Duration.ofSeconds(30));
            Object client = mine.create("discovery.DiscoveryClient", HTTP, registry.uri(), "catalog", yourClock, policy);
            for (int i = 0; i < 9; i++) mine.call(client, "get", "/products/KB-42");
            story.state("9 GETs with catalog-2 broken", counts() + " · ejected: " + mine.call(client, "ejected"));
            story.check(catalog2.hits() == 2, "your client ejected catalog-2 after two failures in a row");
            replicaIsWell(catalog2);
            yourClock.advance(Duration.ofSeconds(31));
            forgetRequests();
            for (int i = 0; i < 6; i++) mine.call(client, "get", "/products/KB-42");
            story.state("31 s later, catalog-2 well again, 6 GETs", counts());
            story.check(catalog2.hits() == 2, "your client admitted catalog-2 again after its cool-down");
        } catch (RuntimeException e) {
            story.check(false, "your client ran the story (it threw " + e + ")");
        }
    }

    // ---- the storefront ----

    static Javalin startStorefront() {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            story.watch(config, "storefront");   // its calls on the live view (--view)
            config.concurrency.useVirtualThreads = true;
            config.routes.get("/products/{sku}", Lesson::productPage);
            // For --serve only: lets you move the storefront's clock past a TTL or a cool-down by hand.
            config.routes.post("/clock/advance/{seconds}", ctx -> {
                clock.advance(Duration.ofSeconds(Long.parseLong(ctx.pathParam("seconds"))));
                ctx.result("storefront clock: " + clock.instant() + "\n");
            });
        }).start("127.0.0.1", 0);
    }

    static void productPage(Context ctx) {
        var answer = catalogGet("/products/" + ctx.pathParam("sku"));
        ctx.status(answer.status()).contentType("application/json").result(answer.body());
    }

    record Answer(int status, String body) {}

    // tag::retry[]
    /** A GET only reads, so when a replica fails it, the storefront may ask the next one: once. */
    static Answer catalogGet(String path) {
        for (int attempt = 1; attempt <= 2; attempt++) {
            Replica replica = ring.next();
            if (replica == null) break;
            try {
                var response = HTTP.send(HttpRequest.newBuilder(replica.uri().resolve(path)).build(), BodyHandlers.ofString());
                if (response.statusCode() < 500) return new Answer(response.statusCode(), response.body());
            } catch (IOException e) {
                // no answer at all: as bad as a 5xx
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            ring.bench(replica);
        }
        return new Answer(503, "{\"problem\": \"catalog is unavailable, try again later\"}");
    }
    // end::retry[]

    record Replica(String id, URI uri) {}

    // tag::ring[]
    /**
     * The storefront's view of catalog. The replicas stand in a ring: each request takes the one at the front and
     * puts it at the back. A replica that fails is taken out of the ring and benched; when its time on the bench is
     * over, it goes back in at the end. Every ten seconds the ring is rebuilt from the registry's list.
     */
    static final class Ring {
        private final ArrayDeque<Replica> ring = new ArrayDeque<>();
        private final Map<String, Instant> benchedUntil = new HashMap<>();
        private List<Replica> listed = List.of();
        private Instant askRegistryAt = Instant.MIN;

        synchronized Replica next() {
            Instant now = clock.instant();
            if (!now.isBefore(askRegistryAt)) rebuildFromRegistry(now);
            for (var benched : List.copyOf(benchedUntil.entrySet())) {
                if (now.isBefore(benched.getValue())) continue;
                benchedUntil.remove(benched.getKey());
                listed.stream().filter(r -> r.id().equals(benched.getKey())).forEach(ring::addLast);
            }
            Replica front = ring.pollFirst();
            if (front != null) ring.addLast(front);
            return front;
        }

        synchronized void bench(Replica replica) {
            ring.remove(replica);
            benchedUntil.put(replica.id(), clock.instant().plus(BENCH));
        }

        private void rebuildFromRegistry(Instant now) {
            askRegistryAt = now.plus(LIST_TTL); // after a failure too: a registry that is down is not asked by every request
            try {
                listed = askRegistry();
            } catch (IOException e) {
                return; // keep the ring we have: a stale list beats no list
            }
            ring.clear();
            listed.stream().filter(r -> !benchedUntil.containsKey(r.id())).forEach(ring::addLast);
        }
    }
    // end::ring[]

    // tag::registry[]
    /** GET /services/catalog: {"service": "catalog", "instances": [{"id": "catalog-1", "url": "http://..."}, ...]} */
    static List<Replica> askRegistry() throws IOException {
        try {
            var response = HTTP.send(HttpRequest.newBuilder(registry.uri().resolve("/services/catalog")).build(), BodyHandlers.ofString());
            if (response.statusCode() != 200) throw new IOException("the registry answered " + response.statusCode());
            List<Replica> replicas = new ArrayList<>();
            for (JsonNode node : JSON.readTree(response.body()).path("instances")) {
                replicas.add(new Replica(node.path("id").asText(), URI.create(node.path("url").asText())));
            }
            return replicas;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
    // end::registry[]

    // ---- plumbing ----

    /** What the registry answers for catalog: these replicas, each with its id and address. */
    static void registryLists(Peer... listed) {
        String instances = Stream.of(listed)
            .map(p -> "{\"id\": \"" + p.name() + "\", \"url\": \"" + p.uri() + "\", \"zone\": \"eu-1\"}")
            .collect(Collectors.joining(", "));
        registry.stub(get("/services/catalog").willReturn(okJson("{\"service\": \"catalog\", \"instances\": [" + instances + "]}")));
    }

    /** Each replica serves the same products, and says which replica it is, so the pages show who served them. */
    static void replicaIsWell(Peer replica) {
        replica.reset();
        replica.stub(get(urlPathMatching("/products/.*")).willReturn(okJson(
            "{\"sku\": \"KB-42\", \"name\": \"Keyboard\", \"priceCents\": 4999, \"servedBy\": \"" + replica.name() + "\"}").withFixedDelay(15)));
    }

    record Page(int status, String servedBy) {}

    /** Asks the storefront for n product pages, one after another, as customers would. */
    static List<Page> showProducts(int n) throws Exception {
        List<Page> pages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create(storefrontUrl() + "/products/KB-42")).build(), BodyHandlers.ofString());
            pages.add(new Page(response.statusCode(), JSON.readTree(response.body()).path("servedBy").asText("-")));
        }
        return pages;
    }

    static boolean alternate(List<Page> pages) {
        for (int i = 1; i < pages.size(); i++) if (pages.get(i).servedBy().equals(pages.get(i - 1).servedBy())) return false;
        return true;
    }

    static void forgetRequests() {
        registry.forgetRequests();
        replicas.forEach(Peer::forgetRequests);
    }

    /** The ring as it stands, and who is benched until when, on the storefront's clock. */
    static String ringState() {
        synchronized (ring) {
            String benched = ring.benchedUntil.entrySet().stream()
                .map(e -> e.getKey() + " until t+" + Duration.between(ManualClock.EPOCH, e.getValue()).toSeconds() + "s")
                .collect(Collectors.joining(", "));
            return ring.ring.stream().map(Replica::id).toList() + (benched.isEmpty() ? "" : " · benched: " + benched)
                + " · now t+" + clock.elapsed().toSeconds() + "s";
        }
    }

    static String counts() {
        return replicas.stream().map(r -> r.name() + " " + r.hits()).collect(Collectors.joining(" · "));
    }

    static String storefrontUrl() { return "http://127.0.0.1:" + storefront.port(); }
}
