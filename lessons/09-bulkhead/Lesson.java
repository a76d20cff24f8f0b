///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 09 · Bulkhead: slow shipping quotes use up the gateway's threads, and checkout dies with them.

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import kit.Mine;
import kit.Narrator;
import kit.Peer;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The gateway's client for its peers. */
    static final HttpClient PEERS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The customers' apps. */
    static final HttpClient APPS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** How long shipping takes for a quote once its carrier's API has slowed down. */
    static final int SLOW_QUOTE_MS = 1500;

    static Narrator story;
    static Peer shipping, payments;
    static Javalin gateway;
    /** Where the gateway's calls to its peers run, and what limits them: each step changes it. */
    static volatile Isolation isolation;
    /** Released once for every request shipping receives, as it arrives (before its slow answer leaves). */
    static final Semaphore QUOTES_ARRIVED = new Semaphore(0);
    static final AtomicInteger carts = new AtomicInteger(100);

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("09-bulkhead", args);
        boolean mine = story.mine();
        aCalmSaturday();
        shippingSlowsDown();
        aPoolPerDependency();
        virtualThreads();
        resilience4j();
        if (mine) yourBulkheads();
        serveWithResilience4j();
        story.end(); // exits the process, servers and all
    }

    // ---- the steps ----

    static void aCalmSaturday() throws Exception {
        story.tell("""
            The shop's gateway answers two things for the checkout page: GET /quote asks shipping what delivery
            costs, and POST /checkout asks payments to charge the card. Both are calls to a peer, and while a call
            waits for its peer, it holds one of the gateway's worker threads. The gateway has six.""");
        story.step("A calm Saturday");
        // tag::peers[]
        var starting = CompletableFuture.supplyAsync(Lesson::startGateway); // both are mostly class loading
        var peers = Peer.startAll("shipping", "payments");
        shipping = peers.get(0);
        payments = peers.get(1);
        shipping.stub(get(urlPathEqualTo("/quotes")).willReturn(quote().withFixedDelay(60)));
        payments.stub(post("/charges").willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"chargeId\": \"ch-1\", \"status\": \"captured\"}").withFixedDelay(40)));
        // end::peers[]
        isolation = new SharedPool(6);
        gateway = starting.join();
        story.listen(shipping, payments);
        shipping.onExchange(e -> QUOTES_ARRIVED.release());
        story.say("shipping is up at " + shipping.uri() + ", payments at " + payments.uri() + ", the gateway at " + gatewayUrl());
        story.state("the gateway's worker threads", isolation.describe());

        var quote = askForQuote().join();
        var checkout = checkout();
        story.say("GET /quote answered " + quote.status() + " in " + quote.millis() + " ms: " + quote.body());
        story.say("POST /checkout answered " + checkout.status() + " in " + checkout.millis() + " ms: " + checkout.body());
        story.check(quote.status() == 200 && checkout.status() == 201, "a quote (200) and a checkout (201)");
    }

    static void shippingSlowsDown() throws Exception {
        story.step("Shipping slows down, and checkout dies with it");
        shippingQuotesIn(SLOW_QUOTE_MS);
        story.state("shipping", "its carrier's API is slow: every quote takes " + SLOW_QUOTE_MS + " ms");
        var pool = new SharedPool(6);
        isolation = pool;
        newWave();

        var quotes = askForQuotes(6);                       // six customers open the checkout page at once
        boolean allArrived = QUOTES_ARRIVED.tryAcquire(6, 5, TimeUnit.SECONDS);
        story.state("the gateway's worker threads", pool.describe());
        var busy = pool.running();
        var checkout = checkout();                          // a seventh customer only wants to pay
        story.say("POST /checkout answered " + checkout.status() + " in " + checkout.millis() + " ms: " + checkout.body());
        var answers = all(quotes);
        story.say("the 6 quotes: " + summary(answers));
        story.tell("""
            Six slow quotes took all six worker threads, each waiting a second and a half for shipping. Then a
            customer pressed "Pay". Payments is fast and healthy, but the checkout needs a thread too, and there
            was none: the gateway turned it away. Shipping is slow, not down, and yet checkout failed: the whole
            gateway is only as available as its slowest dependency, because they all share one pool.
            (This gateway keeps no queue. A real server queues the request, and the customer waits for a thread
            instead, until their app gives up: the same outage, only slower.)""");
        story.check(allArrived && busy.equals(Map.of("shipping", 6)), "all 6 worker threads were waiting on shipping when the checkout came");
        story.check(checkout.status() == 503, "the checkout was turned away (503), though payments is healthy");
        story.check(payments.hits() == 0, "payments never received it");
        story.check(statuses(answers).equals(List.of(200, 200, 200, 200, 200, 200)) && fastest(answers) >= SLOW_QUOTE_MS,
            "the 6 quotes themselves succeeded (200), each after at least " + SLOW_QUOTE_MS + " ms");
    }

    static void aPoolPerDependency() throws Exception {
        story.step("A bulkhead per dependency: the six threads, divided");
        // tag::divided[]
        var pools = new PoolPerDependency(Map.of("shipping", 2, "payments", 4));
        // end::divided[]
        isolation = pools;
        story.state("the gateway's worker threads", pools.describe());
        newWave();

        var rush = rush(pools);
        story.tell("""
            The same six threads, in compartments, like the watertight bulkheads of a ship's hull: two for shipping,
            four for payments. Two quotes got shipping's two threads. The other four found shipping's compartment
            full and were answered at once, 503 with Retry-After: no waiting, no thread held. The checkout had a
            compartment of its own, and went through. A leak floods one compartment; the ship stays afloat.""");
        rush.check("shipping's 2 threads", "threads");
    }

    static void virtualThreads() throws Exception {
        story.step("Virtual threads: the gateway never runs out of threads again. Is all well?");
        var unlimited = new Unlimited();
        isolation = unlimited;
        story.state("the gateway's threads", "one virtual thread per request, no pool: as many as there are requests");
        newWave();

        var quotes = askForQuotes(12);
        boolean allArrived = QUOTES_ARRIVED.tryAcquire(12, 5, TimeUnit.SECONDS);
        boolean noneAnswered = quotes.stream().noneMatch(CompletableFuture::isDone);
        var checkout = checkout();
        story.state("calls in flight", unlimited.describe());
        story.say("POST /checkout answered " + checkout.status() + " in " + checkout.millis() + " ms");
        story.tell("""
            Twelve slow quotes, twice as many as the old pool had threads, and the checkout went through: each
            request waited on a virtual thread of its own, and a waiting virtual thread is cheap, so the gateway
            never runs out of them. The thread-exhaustion story is over. But look at shipping: it received all
            twelve quotes at once. Nothing in the gateway holds any back any more, however slow shipping gets,
            and shipping is usually slow because it is overloaded already. The six threads were a limit by
            accident; now the limit must be said out loud: at most this many calls inside shipping at once, and
            the rest answered at once. That is a count of permits per dependency: a semaphore.""");
        story.check(checkout.status() == 201, "the checkout went through (201) while 12 slow quotes were in flight");
        story.check(unlimited.virtualThreads.size() == 13, "each of the 13 calls waited on a virtual thread of its own");
        story.check(allArrived && noneAnswered, "shipping received all 12 quotes at once: nothing in the gateway held any back");
        // The twelve quotes are answered in the background while the next step runs.
    }

    static void resilience4j() throws Exception {
        story.step("Resilience4j's Bulkhead: permits instead of threads");
        // tag::resilience4j[]
        var registry = BulkheadRegistry.of(BulkheadConfig.custom()
            .maxConcurrentCalls(4)                       // payments, and any dependency not named: 4 calls at once
            .maxWaitDuration(Duration.ZERO)              // full: reject at once, never wait
            .build());
        registry.bulkhead("shipping", BulkheadConfig.from(registry.getDefaultConfig())
            .maxConcurrentCalls(2)                       // the slow one gets 2
            .build());
        var rejected = new AtomicInteger();
        registry.bulkhead("shipping").getEventPublisher().onCallRejected(event -> rejected.incrementAndGet());
        isolation = new Resilience4jBulkheads(registry);
        // end::resilience4j[]
        story.state("the gateway's bulkheads", isolation.describe());
        newWave();

        var rush = rush(isolation);
        story.tell("""
            The same Saturday on virtual threads, with a semaphore per dependency: a quote takes one of shipping's
            two permits before it calls, and gives it back when the call ends, however it ends. No permit free: the
            call is not made, and the customer hears 503 at once. Shipping never sees more than two quotes, payments
            has four permits of its own, and the gateway knows at every moment how many calls are inside each peer.
            This is the bulkhead you write in the exercise.""");
        rush.check("shipping's 2 permits", "permits");
        story.check(rejected.get() == 4, "Resilience4j counted the 4 rejected quotes in its events");
    }

    /** With --mine: the same Saturday with the learner's Bulkheads from exercises/09-bulkhead. */
    static void yourBulkheads() throws Exception {
        story.step("Your bulkheads, on the same Saturday (--mine)");
        Mine mine = Mine.compile("09-bulkhead");
        try {
            // tag::mine[]
            Object bulkheads = mine.create("bulkhead.Bulkheads", mine.create("bulkhead.BulkheadConfig", 4, Duration.ZERO));
            mine.call(bulkheads, "configure", "shipping", mine.create("bulkhead.BulkheadConfig", 2, Duration.ZERO));
            isolation = new YourBulkheads(mine, bulkheads);
            // end::mine[]
            story.state("your bulkheads", isolation.describe()); // a TODO shows here, not as a 500 from the gateway
            newWave();
            rush(isolation).check("your shipping bulkhead's 2 permits", "permits");
        } catch (RuntimeException e) {
            story.check(false, "your Bulkheads ran the busy Saturday (it threw " + e + ")");
        }
    }

    static void serveWithResilience4j() {
        if (!story.serving()) return;
        var registry = BulkheadRegistry.of(BulkheadConfig.custom().maxConcurrentCalls(4).maxWaitDuration(Duration.ZERO).build());
        registry.bulkhead("shipping", BulkheadConfig.from(registry.getDefaultConfig()).maxConcurrentCalls(2).build());
        isolation = new Resilience4jBulkheads(registry);
        // the live view's buttons (--view --serve): shipping's bad Saturday, and its calm day
        story.fault("shipping", "slow", () -> shippingQuotesIn(SLOW_QUOTE_MS));
        story.repair("shipping", "fast again", () -> shippingQuotesIn(60));
        story.serve(
            "for i in 1 2 3 4; do curl -s -o /dev/null -w '%{http_code} ' '" + gatewayUrl() + "/quote?cart=c-'$i & done; wait; echo"
                + "      (two 503s at once, two 200s after " + SLOW_QUOTE_MS + " ms)",
            "curl -i -X POST " + gatewayUrl() + "/checkout -d '{\"cart\": \"c-1\"}'      (payments has permits of its own: 201)",
            "curl -s " + gatewayUrl() + "/bulkheads      (permits in use per dependency; try it while quotes are in flight)");
    }

    // ---- the rush: six quotes and a checkout, against a bulkhead of two for shipping ----

    /** What happened when six customers asked for a quote at once and a seventh paid, and the claims about it. */
    record Rush(List<Answer> quotes, Answer checkout, boolean twoArrived, Map<String, String> during, Map<String, String> after) {
        List<Answer> rejected() { return quotes.stream().filter(a -> a.status() == 503).toList(); }

        List<Answer> served() { return quotes.stream().filter(a -> a.status() == 200).toList(); }

        void check(String places, String unit) {
            story.check(served().size() == 2 && twoArrived && shipping.hits() == 2, "2 quotes got " + places + " and reached shipping; shipping received nothing else");
            story.check(rejected().size() == 4 && rejected().stream().allMatch(a -> "1".equals(a.retryAfter())),
                "the other 4 were answered 503 with Retry-After: 1");
            story.check(!rejected().isEmpty() && slowest(rejected()) < fastest(served()),
                "each of them at once (" + slowest(rejected()) + " ms at most), before shipping had answered anyone");
            story.check(checkout.status() == 201 && payments.hits() == 1, "the checkout reached payments and went through (201)");
            story.check(("0 of 4 " + unit).equals(during.get("payments")), "payments had 4 " + unit + " of its own, none of them taken by the quotes");
            story.check(during.getOrDefault("shipping", "").startsWith("2 of 2") && after.getOrDefault("shipping", "").startsWith("0 of 2"),
                "shipping had 2 of 2 " + unit + " in use during the rush, and 0 once its quotes were answered");
        }
    }

    static Rush rush(Isolation isolation) throws Exception {
        var quotes = askForQuotes(6);
        boolean twoArrived = QUOTES_ARRIVED.tryAcquire(2, 5, TimeUnit.SECONDS);
        awaitAnswered(quotes, 4);                            // the four turned away come back at once
        var during = isolation.inUse();
        story.state("in use", isolation.describe());
        var checkout = checkout();
        story.say("POST /checkout answered " + checkout.status() + " in " + checkout.millis() + " ms");
        var answers = all(quotes);
        story.say("the 6 quotes: " + summary(answers));
        story.state("in use once they were answered", isolation.describe());
        return new Rush(answers, checkout, twoArrived, during, isolation.inUse());
    }

    // ---- the gateway ----

    // tag::gateway[]
    static Javalin startGateway() {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            story.watch(config, "gateway");   // its calls on the live view (--view)
            // Jetty hands each request to a virtual thread; where the call to the peer runs is the isolation's choice.
            config.concurrency.useVirtualThreads = true;
            config.routes.get("/quote", ctx -> answer(ctx, "shipping", () -> askShipping(ctx.queryParam("cart"))));
            config.routes.post("/checkout", ctx -> answer(ctx, "payments", () -> askPayments(ctx.body())));
            config.routes.get("/bulkheads", ctx -> ctx.contentType("application/json").result(JSON.writeValueAsString(isolation.inUse())));
        }).start("127.0.0.1", 0);
    }

    /** Calls the peer as the isolation allows. No room for the call: the gateway's own 503, without calling. */
    static void answer(Context ctx, String dependency, Supplier<Reply> call) {
        try {
            Reply reply = isolation.call(dependency, call);
            ctx.status(reply.status()).contentType("application/json").result(reply.body());
        } catch (NoRoom full) {
            ctx.status(503).header("Retry-After", "1").contentType("application/json").result("{\"error\": \"" + full.getMessage() + "\"}");
        }
    }
    // end::gateway[]

    /** A peer's answer, as the gateway passes it on. */
    record Reply(int status, String body) {}

    static Reply askShipping(String cart) {
        String query = cart == null ? "" : "?cart=" + URLEncoder.encode(cart, StandardCharsets.UTF_8);
        return send(HttpRequest.newBuilder(shipping.uri().resolve("/quotes" + query)).GET());
    }

    static Reply askPayments(String order) {
        return send(HttpRequest.newBuilder(payments.uri().resolve("/charges")).header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(order)));
    }

    static Reply send(HttpRequest.Builder request) {
        try {
            var response = PEERS.send(request.timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Reply(502, "{\"error\": \"no answer: " + e.getClass().getSimpleName() + "\"}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(503, "{\"error\": \"interrupted\"}");
        }
    }

    // ---- isolations: where the calls run, and what limits them ----

    // tag::seam[]
    /** Where the gateway's calls to its peers run, and what limits them: the part of the gateway each step changes. */
    interface Isolation {
        /** Makes the call to {@code dependency}, or throws NoRoom at once without making it. */
        Reply call(String dependency, Supplier<Reply> call);

        /** What is in use now, per dependency ("2 of 2 threads"), for the narration and GET /bulkheads. */
        Map<String, String> inUse();

        default String describe() {
            var parts = new ArrayList<String>();
            inUse().forEach((dependency, used) -> parts.add(dependency + " " + used));
            return parts.isEmpty() ? "nothing in use" : String.join(", ", parts);
        }
    }

    /** There was no room for the call: the gateway answers 503 without making it. */
    static final class NoRoom extends RuntimeException {
        NoRoom(String why) { super(why, null, false, false); }
    }
    // end::seam[]

    /** Calls in flight per dependency, counted around each call, so that every isolation can say where its calls wait. */
    static class Counting {
        private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

        Reply counted(String dependency, Supplier<Reply> call) {
            AtomicInteger count = running.computeIfAbsent(dependency, d -> new AtomicInteger());
            count.incrementAndGet();
            try {
                return call.get();
            } finally {
                count.decrementAndGet();
            }
        }

        Map<String, Integer> running() {
            var now = new TreeMap<String, Integer>();
            running.forEach((dependency, count) -> { if (count.get() > 0) now.put(dependency, count.get()); });
            return now;
        }
    }

    // tag::shared-pool[]
    /** Every call on one pool of worker threads, whatever peer it waits for: how a servlet container serves requests. */
    static final class SharedPool extends Counting implements Isolation {
        private final ThreadPoolExecutor workers;

        SharedPool(int threads) {
            // No queue, to keep the story short: a call that finds every thread busy is turned away at once.
            this.workers = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES, new SynchronousQueue<>());
        }

        public Reply call(String dependency, Supplier<Reply> call) {
            try {
                return runOn(workers, () -> counted(dependency, call));
            } catch (RejectedExecutionException e) {
                throw new NoRoom("the gateway is overloaded: all " + workers.getMaximumPoolSize() + " worker threads are busy");
            }
        }

        public Map<String, String> inUse() {
            var running = running();
            int busy = running.values().stream().mapToInt(Integer::intValue).sum();
            var waiting = new ArrayList<String>();
            running.forEach((dependency, n) -> waiting.add(n + " waiting on " + dependency));
            return Map.of("busy", busy + " of " + workers.getMaximumPoolSize() + (waiting.isEmpty() ? "" : " (" + String.join(", ", waiting) + ")"));
        }
    }
    // end::shared-pool[]

    // tag::pool-per-dependency[]
    /** A bulkhead made of threads: each dependency a pool of its own; a full pool turns calls away at once. */
    static final class PoolPerDependency extends Counting implements Isolation {
        private final Map<String, ThreadPoolExecutor> pools = new TreeMap<>();

        PoolPerDependency(Map<String, Integer> threads) {
            threads.forEach((dependency, n) -> pools.put(dependency, new ThreadPoolExecutor(n, n, 1, TimeUnit.MINUTES, new SynchronousQueue<>())));
        }

        public Reply call(String dependency, Supplier<Reply> call) {
            try {
                return runOn(pools.get(dependency), () -> counted(dependency, call));
            } catch (RejectedExecutionException e) {
                throw new NoRoom(dependency + " is busy, try again shortly");
            }
        }

        public Map<String, String> inUse() {
            var inUse = new TreeMap<String, String>();
            pools.forEach((dependency, pool) -> inUse.put(dependency, running().getOrDefault(dependency, 0) + " of " + pool.getMaximumPoolSize() + " threads"));
            return inUse;
        }
    }
    // end::pool-per-dependency[]

    /** Virtual threads: the call runs on the request's own thread. Nothing limits how many. */
    static final class Unlimited extends Counting implements Isolation {
        /** The virtual threads the calls ran on, to show that each had its own. */
        final Set<Long> virtualThreads = ConcurrentHashMap.newKeySet();

        public Reply call(String dependency, Supplier<Reply> call) {
            if (Thread.currentThread().isVirtual()) virtualThreads.add(Thread.currentThread().threadId());
            return counted(dependency, call);
        }

        public Map<String, String> inUse() {
            var inUse = new TreeMap<String, String>(Map.of("payments", "0", "shipping", "0"));
            running().forEach((dependency, n) -> inUse.put(dependency, Integer.toString(n)));
            return inUse;
        }
    }

    // tag::resilience4j-isolation[]
    /** Resilience4j's semaphore bulkheads, one per dependency from the registry; the call runs on the request's thread. */
    static final class Resilience4jBulkheads implements Isolation {
        private final BulkheadRegistry registry;

        Resilience4jBulkheads(BulkheadRegistry registry) { this.registry = registry; }

        public Reply call(String dependency, Supplier<Reply> call) {
            try {
                return registry.bulkhead(dependency).executeSupplier(call);
            } catch (BulkheadFullException e) {
                throw new NoRoom(dependency + " is busy, try again shortly");
            }
        }

        public Map<String, String> inUse() {
            var inUse = new TreeMap<String, String>();
            for (String dependency : List.of("payments", "shipping")) {
                var metrics = registry.bulkhead(dependency).getMetrics();
                int max = metrics.getMaxAllowedConcurrentCalls();
                inUse.put(dependency, (max - metrics.getAvailableConcurrentCalls()) + " of " + max + " permits");
            }
            return inUse;
        }
    }
    // end::resilience4j-isolation[]

    /** Your exercise's bulkhead.Bulkheads, compiled by kit.Mine and called by reflection. */
    static final class YourBulkheads implements Isolation {
        private final Mine mine;
        private final Object bulkheads;

        YourBulkheads(Mine mine, Object bulkheads) {
            this.mine = mine;
            this.bulkheads = bulkheads;
        }

        public Reply call(String dependency, Supplier<Reply> call) {
            Object bulkhead = mine.call(bulkheads, "bulkhead", dependency);
            try {
                return (Reply) mine.call(bulkhead, "call", call);
            } catch (RuntimeException e) {
                if (e.getClass().getName().equals("bulkhead.BulkheadFull")) throw new NoRoom(dependency + " is busy, try again shortly");
                throw e;
            }
        }

        public Map<String, String> inUse() {
            var inUse = new TreeMap<String, String>();
            for (String dependency : List.of("payments", "shipping")) {
                Object bulkhead = mine.call(bulkheads, "bulkhead", dependency);
                Object max = mine.call(mine.call(bulkhead, "config"), "maxConcurrentCalls");
                inUse.put(dependency, mine.call(bulkhead, "inUse") + " of " + max + " permits");
            }
            return inUse;
        }
    }

    /** Runs the call on a pool's thread and waits for it; the pool's RejectedExecutionException comes through as it is. */
    static Reply runOn(ExecutorService pool, Supplier<Reply> call) {
        var task = pool.submit(call::get);
        try {
            return task.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.cancel(true);
            throw new NoRoom("interrupted");
        }
    }

    // ---- plumbing ----

    /** What a customer's app saw. */
    record Answer(int status, String body, long millis, String retryAfter) {}

    static Answer checkout() throws Exception {
        long start = System.nanoTime();
        var response = APPS.send(HttpRequest.newBuilder(URI.create(gatewayUrl() + "/checkout"))
            .POST(BodyPublishers.ofString("{\"cart\": \"c-" + carts.incrementAndGet() + "\", \"amountCents\": 4999}")).build(), BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body(), (System.nanoTime() - start) / 1_000_000,
            response.headers().firstValue("Retry-After").orElse(null));
    }

    static CompletableFuture<Answer> askForQuote() {
        long start = System.nanoTime();
        return APPS.sendAsync(HttpRequest.newBuilder(URI.create(gatewayUrl() + "/quote?cart=c-" + carts.incrementAndGet()))
                .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString())
            .thenApply(r -> new Answer(r.statusCode(), r.body(), (System.nanoTime() - start) / 1_000_000, r.headers().firstValue("Retry-After").orElse(null)));
    }

    /** {@code n} customers asking for a quote at the same moment. */
    static List<CompletableFuture<Answer>> askForQuotes(int n) {
        var quotes = new ArrayList<CompletableFuture<Answer>>();
        for (int i = 0; i < n; i++) quotes.add(askForQuote());
        return quotes;
    }

    static List<Answer> all(List<CompletableFuture<Answer>> quotes) {
        return quotes.stream().map(CompletableFuture::join).toList();
    }

    /** Waits until {@code n} of the quotes have their answer (at most 5 s: a lesson that hangs helps nobody). */
    static void awaitAnswered(List<CompletableFuture<Answer>> quotes, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (quotes.stream().filter(CompletableFuture::isDone).count() < n && System.nanoTime() < deadline) Thread.sleep(2);
    }

    /** A new wave of customers: the peers forget what they received, and arrivals are counted from zero. */
    static void newWave() {
        shipping.forgetRequests();
        payments.forgetRequests();
        QUOTES_ARRIVED.drainPermits();
    }

    /** Shipping's carrier answers every quote after {@code millis}. */
    static void shippingQuotesIn(int millis) {
        shipping.stub(get(urlPathEqualTo("/quotes")).willReturn(quote().withFixedDelay(millis)));
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder quote() {
        return okJson("{\"carrier\": \"Parcelo\", \"price\": \"4.90 EUR\", \"days\": 2}");
    }

    static List<Integer> statuses(List<Answer> answers) { return answers.stream().map(Answer::status).toList(); }

    static long slowest(List<Answer> answers) { return answers.stream().mapToLong(Answer::millis).max().orElse(0); }

    static long fastest(List<Answer> answers) { return answers.stream().mapToLong(Answer::millis).min().orElse(0); }

    static String summary(List<Answer> answers) {
        var counts = new TreeMap<Integer, Integer>();
        answers.forEach(a -> counts.merge(a.status(), 1, Integer::sum));
        var parts = new ArrayList<String>();
        counts.forEach((status, count) -> parts.add(count + " x " + status));
        return String.join(", ", parts) + ", in " + fastest(answers) + " to " + slowest(answers) + " ms";
    }

    static String gatewayUrl() { return "http://127.0.0.1:" + gateway.port(); }
}
