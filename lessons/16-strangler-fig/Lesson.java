///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 16 · Strangler fig: the old monolith's routes move to new services one at a time, and customers never notice.

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import kit.Mine;
import kit.Narrator;
import kit.Peer;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    /** Legacy is old and busy: every answer takes this long. */
    static final int LEGACY_MS = 50;
    /** The shop's customers in this story: u-001 to u-100. */
    static final List<String> CUSTOMERS = IntStream.rangeClosed(1, 100).mapToObj("u-%03d"::formatted).toList();
    /** The customers who happen to browse while products are in shadow. */
    static final List<String> BROWSING = CUSTOMERS.subList(0, 20);

    static Narrator story;
    static Peer legacy, catalog, carts;
    static StranglerFacade facade;

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("16-strangler-fig", args);
        boolean mine = story.mine();
        aFacadeInFrontOfTheMonolith();
        shadowTheProductPages();
        fixTheDifferences();
        tenPercentOfTheCustomers();
        halfOfTheCustomers();
        everyoneAndLegacyNeverHearsOfIt();
        catalogHasABadDay();
        retireLegacysProductPages();
        if (mine) yourFacade();
        if (story.serving()) catalogIsHealthy();
        story.serve(
            "curl -i -H 'X-User-Id: ada' " + facade.url("/products/KB-42") + "      (X-Served-By: catalog)",
            "curl -i -H 'X-User-Id: ada' " + facade.url("/carts/ada") + "      (carts is in shadow: X-Served-By: legacy)",
            "curl -i " + facade.url("/account/ada") + "      (not being migrated: legacy)",
            "curl -s " + legacy.url("/__admin/requests") + "      (legacy's journal)");
        story.end(); // exits the process, servers and all
    }

    // ---- the steps ----

    static void aFacadeInFrontOfTheMonolith() throws Exception {
        story.tell("""
            The shop began as one program, and that program, legacy, still serves every page: products, carts,
            accounts. It is slow and nobody dares touch it. The team has written a new catalog service for the
            product pages and a new carts service. Switching everything over one night (a big-bang cutover) is how
            shops lose a weekend's orders. Instead they will strangle legacy, as a strangler fig grows around an old
            tree: one route at a time, behind a facade, until nothing is left of it.""");
        story.step("A facade in front of the monolith: everything still goes to legacy");
        // tag::peers[]
        var peers = Peer.startAll("legacy", "catalog", "carts");
        legacy = peers.get(0);
        catalog = peers.get(1);
        carts = peers.get(2);
        // Legacy's own ways: prices and stock as strings, and an unknown product answered 200 with an error inside.
        legacy.stub(get(urlPathMatching("/.*")).willReturn(legacyAnswer("{\"page\": \"legacy\"}")));
        legacy.stub(get(urlPathMatching("/products/.*")).willReturn(legacyAnswer(LEGACY_KB42)));
        legacy.stub(get(urlPathEqualTo("/products/NOPE-1")).willReturn(legacyAnswer("{\"error\": \"product not found\"}")));
        legacy.stub(get(urlPathMatching("/carts/.*")).willReturn(legacyAnswer(CART)));
        // The first version of the new catalog, written from legacy's documentation rather than from its traffic.
        catalog.stub(get(urlPathMatching("/products/.*")).willReturn(okJson(NEW_KB42)));
        catalog.stub(get(urlPathEqualTo("/products/NOPE-1")).willReturn(aResponse().withStatus(404).withBody("{\"error\": \"no such product\"}")));
        carts.stub(get(urlPathMatching("/carts/.*")).willReturn(okJson(CART)));
        // end::peers[]
        facade = new StranglerFacade(legacy);
        for (Peer peer : peers) story.say(peer.name() + " is up at " + peer.uri());
        story.say("the facade is up at " + facade.url("") + ": the gateway now sends every request there");
        story.state("routing table", facade.table());

        var product = send("ada", "/products/KB-42");
        var cart = send("ada", "/carts/ada");
        var account = send("ada", "/account/ada");
        story.tell("""
            Nothing has changed for anyone: the facade's table is empty, and a route that is not in it belongs to
            legacy. The facade is the seam the whole migration hangs on. From now on, moving a route is a change
            to the facade's table, not to the customers' apps, and moving it back is another.""");
        story.check(List.of(product, cart, account).stream().allMatch(a -> a.status() == 200 && a.servedBy().equals("legacy")),
            "products, carts and account pages were all served by legacy (X-Served-By: legacy)");
        story.check(catalog.hits() == 0 && carts.hits() == 0, "the new services received nothing");
    }

    static void shadowTheProductPages() throws Exception {
        story.step("Shadow traffic: the new catalog answers too, and nobody sees it");
        facade.put("products", catalog, new Shadow());
        story.state("routing table", facade.table());
        forgetRequests();
        var kb42 = send("ada", "/products/KB-42");
        var nope = send("bob", "/products/NOPE-1");
        var crowd = sendAs(BROWSING, "/products/KB-42");
        facade.awaitShadows(2 + BROWSING.size());
        story.state("requests reached", sides("/products/.*") + " (catalog's answers are only compared, never sent)");
        story.say("the shadow log, one line per kind of difference:");
        facade.shadowLog().stream().map(ShadowEntry::finding).distinct().forEach(finding -> story.say("  " + finding));
        story.tell("""
            Every product request now goes to legacy, which answers the customer, and a copy goes to the new
            catalog in the background. The facade compares the two answers and writes what differs in its shadow
            log. Two differences turn up at once, on real traffic, with no customer at risk: the new catalog sends
            prices and stock as numbers where legacy sent strings (and the mobile app parses strings), and it answers
            an unknown product 404 where legacy answered 200 with an error inside.""");
        story.check(kb42.servedBy().equals("legacy") && kb42.body().equals(LEGACY_KB42) && nope.body().contains("product not found"),
            "the customers got legacy's answers, quirks and all");
        story.check(crowd.values().stream().allMatch(a -> a.servedBy().equals("legacy")), "all " + BROWSING.size() + " other customers were answered by legacy");
        story.check(catalog.hits() == 2 + BROWSING.size(), "catalog received a copy of every one of the " + (2 + BROWSING.size()) + " product requests");
        story.check(facade.differences() == 2 + BROWSING.size(), "the shadow log found a difference in every answer");
    }

    static void fixTheDifferences() throws Exception {
        story.step("The team fixes the differences, and the shadow stays quiet, even when catalog misbehaves");
        // tag::fixed-catalog[]
        // Bug for bug: the new catalog answers exactly as legacy did. Improving the contract is a later, separate change.
        catalog.stub(get(urlPathMatching("/products/.*")).willReturn(okJson(LEGACY_KB42)));
        catalog.stub(get(urlPathEqualTo("/products/NOPE-1")).willReturn(okJson("{\"error\": \"product not found\"}")));
        // end::fixed-catalog[]
        facade.clearShadowLog();
        sendAs(BROWSING, "/products/KB-42");
        send("bob", "/products/NOPE-1");
        facade.awaitShadows(BROWSING.size() + 1);
        int compared = facade.shadowLog().size();
        long differing = facade.differences();
        story.state("shadow log", compared + " comparisons, " + differing + " differences");

        catalog.stub(get(urlPathEqualTo("/products/MS-3")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        catalog.stub(get(urlPathEqualTo("/products/HB-7")).willReturn(okJson(LEGACY_KB42).withFixedDelay(SLOW_SHADOW_MS)));
        story.state("catalog", "drops the connection on /products/MS-3, takes " + SLOW_SHADOW_MS + " ms on /products/HB-7");
        facade.clearShadowLog();
        var dropped = send("cy", "/products/MS-3");
        var slow = send("dee", "/products/HB-7");
        boolean shadowDoneBeforeHerAnswer = facade.shadowLog().stream().anyMatch(entry -> entry.path().equals("/products/HB-7"));
        facade.awaitShadows(2);
        facade.shadowLog().forEach(entry -> story.say("shadow log: " + entry));
        story.tell("""
            The fixed catalog answers every request as legacy does: the shadow log is quiet. Then catalog breaks in
            two ways, and the customers do not notice: the shadow runs on threads of its own, after the customer's
            answer is decided, and nothing it does can reach that answer. A slow shadow costs the customer nothing
            either: dee had legacy's answer long before catalog's came in.""");
        story.check(compared == BROWSING.size() + 1 && differing == 0, "after the fix, " + compared + " comparisons found no difference");
        story.check(dropped.status() == 200 && dropped.servedBy().equals("legacy") && slow.status() == 200 && slow.servedBy().equals("legacy"),
            "with catalog dropping the connection or slow, the customers still got legacy's 200");
        story.check(!shadowDoneBeforeHerAnswer,
            "dee had her answer (in " + slow.millis() + " ms) while her shadow call still waited for catalog's " + SLOW_SHADOW_MS + " ms");
        story.check(facade.shadowLog().stream().anyMatch(e -> e.finding().startsWith("failed")), "the dropped connection is in the shadow log, for the team to see");
    }

    static void tenPercentOfTheCustomers() throws Exception {
        story.step("10 % of the customers get the new catalog");
        facade.move("products", new Rollout(10));
        story.state("routing table", facade.table());
        forgetRequests();
        var first = sendAsEveryone("/products/KB-42");
        var second = sendAsEveryone("/products/KB-42");
        var onCatalog = usersReaching(catalog);
        story.state("requests reached", sides("/products/.*") + ", each customer asked twice");
        story.state("customers on catalog", onCatalog);
        story.tell("""
            Which customers? A hash of the customer and the route, read as a number from 0 to 99 (their bucket):
            those in buckets 0 to 9 get the new catalog. No random number, no table of who went where: the same
            customer lands on the same side on every request, in every copy of the facade, after every restart. A
            customer who sees a bug can see it again, and support can reproduce it.""");
        story.check(onCatalog.size() >= 5 && onCatalog.size() <= 15, onCatalog.size() + " of " + CUSTOMERS.size() + " customers reached catalog, about 10 %");
        story.check(CUSTOMERS.stream().allMatch(c -> first.get(c).servedBy().equals(second.get(c).servedBy())),
            "every customer was served by the same side both times");
        story.check(disjoint(onCatalog, usersReaching(legacy)), "the journals agree: no customer reached both legacy and catalog");
        tenPercent = onCatalog;
    }

    static Set<String> tenPercent = Set.of();

    static void halfOfTheCustomers() throws Exception {
        story.step("50 %: more customers, and the first ones stay");
        facade.move("products", new Rollout(50));
        story.state("routing table", facade.table());
        forgetRequests();
        sendAsEveryone("/products/KB-42");
        var onCatalog = usersReaching(catalog);
        story.state("requests reached", sides("/products/.*"));
        story.tell("""
            The share grows by moving the line between buckets, not by choosing again: the customers of buckets 0
            to 9 are still below 50. Nobody who has used the new pages for a week is sent back to the old ones.
            Had the hash included the percentage, or a random number, half of them would have been.""");
        story.check(onCatalog.size() >= 40 && onCatalog.size() <= 60, onCatalog.size() + " of " + CUSTOMERS.size() + " customers reached catalog, about 50 %");
        story.check(onCatalog.containsAll(tenPercent), "all " + tenPercent.size() + " customers of the 10 % step are among them");
    }

    static void everyoneAndLegacyNeverHearsOfIt() throws Exception {
        story.step("100 %: the product pages are migrated, and legacy never hears of them again");
        facade.move("products", new Migrated());
        story.state("routing table", facade.table());
        forgetRequests();
        sendAsEveryone("/products/KB-42");
        send(null, "/products/KB-42");
        send("ada", "/account/ada");
        story.state("requests reached", sides("/products/.*"));
        story.tell("""
            Every product request goes to catalog, anonymous visitors' included, and legacy's journal has none. That
            is the proof the team needs before deleting legacy's product code: not a belief that nothing calls it,
            but a journal that shows nothing does. The account pages, not yet being migrated, still go to legacy.""");
        story.check(catalog.hits() == CUSTOMERS.size() + 1, "catalog served all " + (CUSTOMERS.size() + 1) + " product requests");
        story.check(legacy.count(getRequestedFor(urlPathMatching("/products/.*"))) == 0, "legacy received no product request at all");
        story.check(legacy.count(getRequestedFor(urlPathMatching("/account/.*"))) == 1, "legacy still served the account page");
    }

    static void catalogHasABadDay() throws Exception {
        story.step("Catalog has a bad day: the failure shows, and legacy is not asked instead");
        catalog.stub(get(urlPathMatching("/products/.*")).willReturn(okJson(CATALOG_KB42)));
        story.state("catalog", "KB-42 costs 44.99 now: prices are changed in catalog since the migration, and legacy is not told");
        forgetRequests();
        var cheaper = send("ada", "/products/KB-42");
        catalog.stub(get(urlPathMatching("/products/.*")).willReturn(aResponse().withStatus(503).withBody("{\"error\": \"catalog is deploying\"}")));
        story.state("catalog", "answers 503 while it is deploying");
        var answer = send("ada", "/products/KB-42");
        String stale = HTTP.send(HttpRequest.newBuilder(URI.create(legacy.url("/products/KB-42"))).build(), BodyHandlers.ofString()).body();
        story.say("legacy, asked directly, would have said: " + stale);
        story.tell("""
            Asking legacy whenever catalog fails looks kind, and it is a trap. Legacy still shows last month's
            49.99 for a keyboard that now costs 44.99, and would show it without anyone noticing, because nothing
            failed. Worse, the fallback hides catalog's problem from the people who must fix it. The customer gets
            catalog's 503 (the app tries again, lesson 07), and the alarm goes off. If catalog stays down, the team
            moves the route back in the table, on purpose, knowing what legacy's data is worth.""");
        story.check(cheaper.status() == 200 && cheaper.body().contains("44.99"), "before its bad moment, catalog served the new price, 44.99");
        story.check(answer.status() == 503 && answer.servedBy().equals("catalog"), "during it, ada got catalog's 503");
        story.check(legacy.hits() == 1 && stale.contains("49.99"), "legacy, with its stale 49.99, received only the request the lesson sent it directly");
        catalogIsHealthy();
    }

    static void retireLegacysProductPages() throws Exception {
        story.step("Legacy's product pages are retired; carts begin their own migration");
        legacy.stub(get(urlPathMatching("/products/.*")).willReturn(aResponse().withStatus(410).withBody("{\"error\": \"moved to catalog\"}")));
        facade.put("carts", carts, new Shadow());
        story.state("routing table", facade.table());
        forgetRequests();
        facade.clearShadowLog();
        var product = send("ada", "/products/KB-42");
        var cart = send("ada", "/carts/ada");
        facade.awaitShadows(1);
        facade.shadowLog().forEach(entry -> story.say("shadow log: " + entry));
        story.tell("""
            Legacy's product code is deleted (here, its product pages answer 410 Gone), and no customer can tell:
            the facade has not sent it a product request since the migration. One branch of the old tree is gone.
            The next route starts where products started, in the shadows. Route by route legacy shrinks until the
            facade's table sends it nothing, and then legacy can be switched off. The exercise asks you to write
            this facade: ./jbang workbook check 16""");
        story.check(product.status() == 200 && product.servedBy().equals("catalog"), "the product page still works, from catalog");
        story.check(cart.servedBy().equals("legacy") && facade.differences() == 0 && facade.shadowLog().size() == 1,
            "carts, in shadow, answered from legacy, and the new carts service agreed");
        story.check(legacy.count(getRequestedFor(urlPathMatching("/products/.*"))) == 0, "legacy's retired product pages received nothing");
    }

    /** With --mine: the learner's facade from exercises/16-strangler-fig, in front of the same three services. */
    static void yourFacade() throws Exception {
        story.step("Your facade, on the same migration (--mine)");
        Mine mine = Mine.compile("16-strangler-fig");
        Duration timeout = Duration.ofSeconds(5);
        Object legacyService = mine.create("strangler.Upstream", "legacy", legacy.uri(), HTTP, timeout);
        Object catalogService = mine.create("strangler.Upstream", "catalog", catalog.uri(), HTTP, timeout);
        Object table = mine.create("strangler.RoutingTable");
        Object log = mine.create("strangler.ShadowLog");
        Semaphore logged = new Semaphore(0);
        mine.call(log, "onRecord", (Consumer<Object>) entry -> {
            story.say("your shadow log: " + entry);
            logged.release();
        });
        ExecutorService shadows = Executors.newVirtualThreadPerTaskExecutor();
        Object router = mine.create("strangler.Router", table, legacyService, shadows, log);
        Object yours = mine.call(mine.create("strangler.Facade", router), "start");
        String url = "http://127.0.0.1:" + mine.call(yours, "port");
        story.state("your facade", url);
        legacy.stub(get(urlPathMatching("/products/.*")).willReturn(legacyAnswer(LEGACY_KB42)));

        mine.call(table, "put", "products", catalogService, mine.create("strangler.Stage$Shadow"));
        catalog.stub(get(urlPathMatching("/products/.*")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        var shadowed = send("ada", url + "/products/KB-42");
        boolean loggedIt = logged.tryAcquire(5, TimeUnit.SECONDS);
        story.check(shadowed.status() == 200 && shadowed.body().equals(LEGACY_KB42), "in shadow, with catalog dropping the connection, ada got legacy's answer from yours");
        story.check(loggedIt, "your shadow log recorded what happened to the shadow request");

        catalogIsHealthy();
        mine.call(table, "move", "products", mine.create("strangler.Stage$Rollout", 25));
        forgetRequests();
        var first = sendAsEveryone(url, "/products/KB-42");
        var second = sendAsEveryone(url, "/products/KB-42");
        var onCatalog = usersReaching(catalog);
        story.state("at 25 %, requests reached", sides("/products/.*"));
        story.check(CUSTOMERS.stream().allMatch(c -> first.get(c).servedBy().equals(second.get(c).servedBy()))
            && disjoint(onCatalog, usersReaching(legacy)), "at 25 %, every customer stayed on one side with yours");
        story.check(onCatalog.size() >= 12 && onCatalog.size() <= 38, onCatalog.size() + " of " + CUSTOMERS.size() + " customers reached catalog, about 25 %");

        mine.call(table, "move", "products", mine.create("strangler.Stage$Migrated"));
        catalog.stub(get(urlPathMatching("/products/.*")).willReturn(aResponse().withStatus(503)));
        forgetRequests();
        var down = send("ada", url + "/products/KB-42");
        story.check(down.status() == 503 && legacy.hits() == 0, "migrated, with catalog down: yours answered catalog's 503 and did not ask legacy");
        catalogIsHealthy();
    }

    // ---- the facade ----

    /** Where one route stands in its migration. */
    sealed interface Stage {}
    record Shadow() implements Stage {}
    record Rollout(int percent) implements Stage {}
    record Migrated() implements Stage {}

    /** A route on its way out of legacy: the new service that takes it over, and how far it has come. */
    record Route(Peer newService, Stage stage) {}

    /** What the facade answered, and who answered it. */
    record Forwarded(String servedBy, int status, String contentType, String body) {}

    /** One shadow request: what the comparison found. */
    record ShadowEntry(String route, String path, String user, String finding) {
        @Override public String toString() { return route + " " + path + " (" + user + "): " + finding; }
    }

    /** The lesson's facade: GET only, one new service per route, the shadow log in memory. */
    static final class StranglerFacade {
        final Peer legacy;
        final Map<String, Route> routes = new ConcurrentHashMap<>();
        final ExecutorService shadows = Executors.newVirtualThreadPerTaskExecutor();
        final List<ShadowEntry> shadowLog = new CopyOnWriteArrayList<>();
        final Semaphore shadowsDone = new Semaphore(0);
        final Javalin app;

        StranglerFacade(Peer legacy) {
            this.legacy = legacy;
            this.app = Javalin.create(config -> {
                config.startup.showJavalinBanner = false;
                story.watch(config, "facade");   // its calls on the live view (--view)
                config.concurrency.useVirtualThreads = true;
                config.routes.get("/*", this::handle);
            }).start("127.0.0.1", 0);
        }

        // tag::route[]
        void handle(Context ctx) {
            String path = ctx.path();
            String route = path.split("/")[1];                       // /products/KB-42 belongs to "products"
            String user = ctx.header("X-User-Id");                   // set by the gateway (lesson 02)
            Route moving = routes.get(route);
            Stage stage = moving == null ? null : moving.stage();
            Forwarded answer = switch (stage) {
                case null -> forward(legacy, ctx);                   // not being migrated: legacy, as always
                case Shadow s -> {
                    Forwarded legacys = forward(legacy, ctx);
                    shadows.execute(() -> shadow(route, path, user, legacys, moving.newService()));
                    yield legacys;                                   // the customer never waits for the shadow
                }
                case Rollout(int percent) -> user != null && bucket(user, route) < percent
                    ? forward(moving.newService(), ctx)
                    : forward(legacy, ctx);
                case Migrated m -> forward(moving.newService(), ctx); // and no fallback to legacy: failures show
            };
            ctx.status(answer.status()).contentType(answer.contentType()).header("X-Served-By", answer.servedBy()).result(answer.body());
        }
        // end::route[]

        // tag::bucket[]
        /** 0 to 99, from the route and the user alone: the same on every request, in every JVM, after every restart. */
        static int bucket(String user, String route) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest((route + ":" + user).getBytes(StandardCharsets.UTF_8));
                return Math.floorMod(ByteBuffer.wrap(digest).getInt(), 100); // floorMod: never negative
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
        // end::bucket[]

        // tag::shadow[]
        /** Runs on a shadow thread: sends the copy, compares, logs. Nothing here can reach the customer. */
        void shadow(String route, String path, String user, Forwarded legacys, Peer newService) {
            String finding;
            try {
                Forwarded candidate = fetch(newService, path, user);
                finding = difference(legacys, candidate);
            } catch (Exception e) {
                finding = "failed: " + newService.name() + " gave no answer (" + e.getClass().getSimpleName() + ")";
            }
            shadowLog.add(new ShadowEntry(route, path, user, finding));
            shadowsDone.release();
        }

        /** "same", or what differs: the status, or the fields whose values differ. JSON is compared as trees. */
        static String difference(Forwarded legacys, Forwarded candidate) throws IOException {
            if (legacys.status() != candidate.status()) {
                return "DIFFERENT status: " + legacys.status() + " from legacy, " + candidate.status() + " from " + candidate.servedBy();
            }
            JsonNode old = JSON.readTree(legacys.body()), now = JSON.readTree(candidate.body());
            if (old.equals(now)) return "same";                     // key order and spacing do not count
            List<String> fields = new ArrayList<>();
            for (Iterator<String> names = old.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!old.get(name).equals(now.get(name))) fields.add(name + ": " + old.get(name) + " vs " + now.get(name));
            }
            return "DIFFERENT " + String.join(", ", fields);
        }
        // end::shadow[]

        Forwarded forward(Peer to, Context ctx) {
            try {
                return fetch(to, ctx.path(), ctx.header("X-User-Id"));
            } catch (IOException | InterruptedException e) {
                return new Forwarded("facade", 502, "application/json", "{\"error\": \"" + to.name() + " gave no answer\"}");
            }
        }

        static Forwarded fetch(Peer peer, String path, String user) throws IOException, InterruptedException {
            var request = HttpRequest.newBuilder(peer.uri().resolve(path)).timeout(Duration.ofSeconds(5));
            if (user != null) request.header("X-User-Id", user);
            HttpResponse<String> answer = HTTP.send(request.build(), BodyHandlers.ofString());
            return new Forwarded(peer.name(), answer.statusCode(), answer.headers().firstValue("Content-Type").orElse("application/json"), answer.body());
        }

        void put(String route, Peer newService, Stage stage) { routes.put(route, new Route(newService, stage)); }

        void move(String route, Stage stage) { routes.computeIfPresent(route, (name, r) -> new Route(r.newService(), stage)); }

        /** "products -> catalog (10 % of the customers); everything else -> legacy" */
        String table() {
            var lines = new ArrayList<String>();
            new TreeSet<>(routes.keySet()).forEach(name -> lines.add(name + " -> " + routes.get(name).newService().name() + " (" + switch (routes.get(name).stage()) {
                case Shadow s -> "shadow";
                case Rollout(int percent) -> percent + " % of the customers";
                case Migrated m -> "migrated";
            } + ")"));
            lines.add("everything else -> legacy");
            return String.join("; ", lines);
        }

        List<ShadowEntry> shadowLog() { return List.copyOf(shadowLog); }

        long differences() { return shadowLog.stream().filter(e -> e.finding().startsWith("DIFFERENT")).count(); }

        void clearShadowLog() {
            shadowLog.clear();
            shadowsDone.drainPermits();
        }

        /** Waits until this many shadow requests have been logged: the lesson's way to read a complete log. */
        void awaitShadows(int count) throws InterruptedException {
            if (!shadowsDone.tryAcquire(count, 10, TimeUnit.SECONDS)) story.say("(fewer than " + count + " shadow requests finished)");
        }

        String url(String path) { return "http://127.0.0.1:" + app.port() + path; }
    }

    // ---- plumbing ----

    static final String LEGACY_KB42 = "{\"sku\": \"KB-42\", \"name\": \"Split keyboard\", \"price\": \"49.99\", \"stock\": \"7\"}";
    /** KB-42 once catalog owns the prices, and has lowered this one. */
    static final String CATALOG_KB42 = LEGACY_KB42.replace("49.99", "44.99");
    static final String NEW_KB42 = "{\"sku\": \"KB-42\", \"name\": \"Split keyboard\", \"price\": 49.99, \"stock\": 7}";
    static final String CART = "{\"owner\": \"ada\", \"items\": [{\"sku\": \"KB-42\", \"quantity\": 1}]}";
    static final int SLOW_SHADOW_MS = 1000;

    static ResponseDefinitionBuilder legacyAnswer(String json) {
        return okJson(json).withHeader("X-Legacy-Build", "2009.4").withFixedDelay(LEGACY_MS);
    }

    /** Catalog as it is after the migration: up, and with the price it has set since. */
    static void catalogIsHealthy() {
        catalog.stub(get(urlPathMatching("/products/.*")).willReturn(okJson(CATALOG_KB42)));
    }

    record Answer(String user, int status, String servedBy, String body, long millis) {}

    /** Sends a GET to the facade (or a full URL) as a customer, and prints who answered. */
    static Answer send(String user, String pathOrUrl) throws Exception {
        Answer answer = ask(user, pathOrUrl.startsWith("http") ? pathOrUrl : facade.url(pathOrUrl));
        String body = answer.body().length() > 70 ? answer.body().substring(0, 69) + "…" : answer.body();
        story.say((user == null ? "anonymous" : user) + ": GET " + URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : facade.url(pathOrUrl)).getPath()
            + " <- " + answer.status() + " from " + answer.servedBy() + " in " + answer.millis() + " ms  " + body);
        return answer;
    }

    static Answer ask(String user, String url) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (user != null) request.header("X-User-Id", user);
        long start = System.nanoTime();
        var response = HTTP.send(request.build(), BodyHandlers.ofString());
        return new Answer(user, response.statusCode(), response.headers().firstValue("X-Served-By").orElse("?"), response.body(),
            (System.nanoTime() - start) / 1_000_000);
    }

    /** Every customer asks once, twenty at a time, through the lesson's facade (or another at {@code base}). */
    static Map<String, Answer> sendAsEveryone(String path) throws Exception {
        return sendAs(CUSTOMERS, facade.url(""), path);
    }

    static Map<String, Answer> sendAsEveryone(String base, String path) throws Exception {
        return sendAs(CUSTOMERS, base, path);
    }

    static Map<String, Answer> sendAs(List<String> customers, String path) throws Exception {
        return sendAs(customers, facade.url(""), path);
    }

    static Map<String, Answer> sendAs(List<String> customers, String base, String path) throws Exception {
        Map<String, Answer> answers = new ConcurrentHashMap<>();
        try (var pool = Executors.newFixedThreadPool(20)) {
            for (String customer : customers) pool.submit(() -> answers.put(customer, ask(customer, base + path)));
        }
        return new LinkedHashMap<>(answers);
    }

    static void forgetRequests() { List.of(legacy, catalog, carts).forEach(Peer::forgetRequests); }

    /** "legacy 100, catalog 0", counted from the peers' journals. */
    static String sides(String pathPattern) {
        return "legacy " + legacy.count(getRequestedFor(urlPathMatching(pathPattern))) + ", catalog " + catalog.count(getRequestedFor(urlPathMatching(pathPattern)));
    }

    /** The customers whose requests a peer's journal holds. */
    static Set<String> usersReaching(Peer peer) {
        Set<String> users = new TreeSet<>();
        peer.journal().forEach(r -> { if (r.containsHeader("X-User-Id")) users.add(r.getHeader("X-User-Id")); });
        return users;
    }

    static boolean disjoint(Set<String> a, Set<String> b) { return a.stream().noneMatch(b::contains); }
}
