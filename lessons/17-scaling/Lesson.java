///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 17 · Scaling (the capstone): a sneaker drop at 12:00; scale what is hot, leave the rest alone, never flap.

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import kit.ManualClock;
import kit.Mine;
import kit.Narrator;
import kit.Peer;
import kit.Style;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    // tag::services[]
    /** A service of the shop, and the pool of replicas it runs on: each replica serves so many requests a tick. */
    record Service(String name, int perReplicaPerTick, int serviceMillis, int minReplicas, int maxReplicas) {}

    // A tick is ten seconds of shop time. Catalog answers from its cache; payments waits on the card processor,
    // which accepts 8 connections from the shop, one per payments replica: 8 is payments' max.
    static final Service CATALOG = new Service("catalog", 100, 80, 3, 6);
    static final Service PAYMENTS = new Service("payments", 50, 250, 2, 8);
    // end::services[]
    static final List<Service> SHOP = List.of(CATALOG, PAYMENTS);
    static final int TICKS = 60, TICK_SECONDS = 10, NOON = 6;

    static Narrator story;
    static Peer registry;
    /** payments' replicas, real WireMock servers, in the order they started. */
    static final List<Peer> paymentsReplicas = new ArrayList<>();
    /** The gateway's clock: it decides when the gateway's list of replicas is old and when its bucket refills. */
    static final ManualClock clock = new ManualClock();
    static final Ring ring = new Ring();
    static volatile Admission admission = Admission.unlimited();
    static Javalin gateway;
    static Run fixedPools, oneThreshold, tracking, withShedding;

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("17-scaling", args);
        boolean mine = story.mine();
        theShopBeforeNoon();
        theDropWithFixedPools();
        aFirstAutoscalerFlaps();
        scaleWhatIsHot();
        newReplicasJoinTheRing();
        theGatewayShedsTheRest();
        theSaleIsOver();
        if (mine) yourAutoscaler();
        lookingBack();
        story.serve(
            "curl -s -X POST " + gatewayUrl() + "/checkout -d '{\"sku\": \"SNKR-DROP-1\"}'     (run it a few times: servedBy takes turns)",
            "curl -s " + registry.url("/services/payments") + "     (the replicas the registry lists)",
            "for i in $(seq 50); do curl -s -o /dev/null -w '%{http_code} ' -X POST " + gatewayUrl() + "/checkout; done; echo",
            "     (40 a second get through, the rest are told 429 and when to come back)",
            "curl -s -X POST " + gatewayUrl() + "/clock/advance/1     (one second later on the gateway's clock: the bucket has refilled)");
        story.end(); // exits the process, servers and all
    }

    // ---- the steps ----

    static void theShopBeforeNoon() throws Exception {
        story.tell("""
            Today at 12:00 the shop drops a limited sneaker. Everyone who wants a pair has the page open and presses
            "buy" on the stroke of noon: ten times the usual checkouts, all at once. Every checkout goes through
            the gateway to payments, which charges the card; catalog serves the product pages.
            It is 11:59. Payments runs on 2 replicas, catalog on 3. A registry (lesson 05) lists payments' replicas,
            and the gateway spreads the checkouts over whatever the registry lists.""");
        story.step("11:59: the shop before the drop");
        var starting = CompletableFuture.supplyAsync(Lesson::startGateway);
        var peers = Peer.startAll("registry", "payments-1", "payments-2");
        registry = peers.get(0);
        for (Peer replica : peers.subList(1, 3)) replicaIsUp(replica);
        registerReplicas(2);
        gateway = starting.join();
        story.listen(registry);
        story.say("registry, payments-1 and payments-2 are up; the gateway (our service) is at " + gatewayUrl());
        for (Service s : SHOP) {
            story.state(s.name(), s.minReplicas() + " replicas, each serving " + s.perReplicaPerTick() + " requests a tick (10 s) in "
                + s.serviceMillis() + " ms; " + s.minReplicas() + " to " + s.maxReplicas() + " allowed");
        }

        var answers = checkouts(4);
        story.state("checkouts served", servedCounts());
        story.check(answers.stream().allMatch(a -> a.status() == 201), "4 checkouts went through the gateway (201)");
        story.check(paymentsReplicas.get(0).hits() == 2 && paymentsReplicas.get(1).hits() == 2, "payments-1 and payments-2 took turns: two checkouts each");
        story.check(registry.hits() == 1, "the gateway asked the registry once for its list");
    }

    static void theDropWithFixedPools() {
        story.step("12:00: ten times the checkouts, and nobody scales");
        fixedPools = simulate(new FixedPools(), Integer.MAX_VALUE);
        draw(fixedPools);
        story.tell("""
            The simulation runs the shop tick by tick, ten seconds a tick, from 11:59:00 to 12:08:50: the load of
            the flash sale joins each service's queue, each replica serves its share, the rest waits. At noon 500
            checkouts arrive every ten seconds for a pool that serves 100. The queue grows by 400 a tick; a
            checkout that arrives at 12:01 waits minutes behind it.
            Catalog is busy too (240 page views a tick instead of 150), but it has room to spare, and its pool is
            its own: a bulkhead (lesson 09). Payments' queue does not take a single worker from it.""");
        story.state("payments at 12:02:00", describe(fixedPools.at(PAYMENTS, 18)));
        story.state("catalog at 12:02:00", describe(fixedPools.at(CATALOG, 18)));
        story.check(growsEveryTick(fixedPools.queues(PAYMENTS).subList(NOON, 30)), "payments' queue grew on every tick from 12:00:00 to the end of the plateau");
        story.check(fixedPools.at(PAYMENTS, 18).latencyMillis() > 60_000, "a checkout at 12:02:00 takes over a minute");
        story.check(fixedPools.queues(CATALOG).stream().allMatch(q -> q == 0) && fixedPools.peakLatency(CATALOG) == CATALOG.serviceMillis(),
            "catalog never queued: every page took its 80 ms, whatever payments' queue did");
    }

    static void aFirstAutoscalerFlaps() {
        story.step("A first autoscaler: one threshold, no memory");
        oneThreshold = simulate(new OneThreshold(), Integer.MAX_VALUE);
        draw(oneThreshold);
        story.say("payments' replicas, tick by tick from 12:02:00: " + oneThreshold.replicas(PAYMENTS).subList(18, 42));
        story.tell("""
            Every tick it asks one question of each pool: was it more than 80 % busy, counting its queue? Yes: two
            replicas more. No: one replica less. At noon that works: payments grows to its max of 8. Then the queue
            drains, and the pool starts to flap. 300 checkouts a tick keep 8 replicas 75 % busy: "not hot", so
            one goes. 7 replicas are 86 % busy: "hot", so it is back to 8. And again, every tick. Each replica
            that starts has to warm up and register before it serves; each one that stops cuts off the checkouts
            it had. A pool that flaps spends its capacity on being resized.""");
        story.state("payments' replicas changed", oneThreshold.changes(PAYMENTS) + " times, turning around " + oneThreshold.turnarounds(PAYMENTS) + " times");
        story.check(oneThreshold.turnarounds(PAYMENTS) >= 8, "payments flapped: its pool turned from growing to shrinking and back at least 8 times");
        story.check(oneThreshold.replicas(CATALOG).stream().allMatch(r -> r == 3), "catalog, never hot, kept its 3 replicas (its min)");
    }

    static void scaleWhatIsHot() {
        story.step("Scale what is hot: a target, and a window before scaling in");
        tracking = simulate(new TargetTracking(), Integer.MAX_VALUE);
        draw(tracking);
        story.say("payments' autoscaler decided:");
        tracking.resizes(PAYMENTS).forEach(line -> story.say("  " + line));
        story.tell("""
            This autoscaler works as Kubernetes' Horizontal Pod Autoscaler does. It asks how many replicas would
            run the pool at 80 % of their capacity, counting the queue. Going up it acts at once, but at most
            doubling per tick; going down it takes the highest number it has wanted in the last minute (its
            stabilization window), so a quiet tick or two does not shrink the pool. Payments went from 2 to 8 in
            twenty seconds, stayed at 8 while there was work, and came down in step with the load.
            Catalog was never short of workers, so its pool was never touched: only what is hot is scaled.""");
        story.state("payments", "2 -> " + tracking.most(PAYMENTS) + " -> " + tracking.replicas(PAYMENTS).getLast()
            + " replicas · queue peak " + tracking.peakQueue(PAYMENTS) + " at " + time(tracking.peakQueueTick(PAYMENTS))
            + " · latency peak " + seconds(tracking.peakLatency(PAYMENTS)));
        story.check(tracking.replicas(PAYMENTS).get(NOON + 2) == PAYMENTS.maxReplicas(), "payments ran its max of 8 replicas from 12:00:20");
        story.check(tracking.most(PAYMENTS) <= PAYMENTS.maxReplicas(), "payments never had more than its max of 8");
        story.check(tracking.turnarounds(PAYMENTS) == 1, "no flapping: payments' pool grew, then shrank, and turned around once");
        story.check(tracking.replicas(PAYMENTS).getLast() == PAYMENTS.minReplicas(), "after the sale payments was back at its 2 replicas");
        story.check(tracking.replicas(CATALOG).stream().allMatch(r -> r == 3), "catalog kept its 3 replicas on every tick");
        story.check(tracking.peakQueue(PAYMENTS) < fixedPools.peakQueue(PAYMENTS) / 4, "payments' queue peaked at less than a quarter of the fixed pool's");
    }

    static void newReplicasJoinTheRing() throws Exception {
        story.step("12:00:20: six new payments replicas start, register, and join the gateway's turns");
        // tag::scale-out[]
        // A scale-out, for real: each new replica starts, and the registry lists it (lesson 05).
        var started = Peer.startAll("payments-3", "payments-4", "payments-5", "payments-6", "payments-7", "payments-8");
        started.forEach(Lesson::replicaIsUp);
        registerReplicas(8);
        // end::scale-out[]
        story.state("the registry lists", paymentsReplicas.stream().map(Peer::name).collect(Collectors.joining(", ")));
        forgetRequests();
        clock.advance(Duration.ofSeconds(TICK_SECONDS)); // the gateway's list is a tick old: it asks the registry again
        var answers = checkouts(16);
        story.state("checkouts served", servedCounts());
        story.tell("""
            Nobody told the gateway about the new replicas. They registered; the gateway's list was ten seconds
            old, so it asked the registry again, and the next checkouts went round all eight. Scaling out is only
            half the work: traffic has to reach the new replicas, and here discovery and round-robin balancing
            (lesson 05) do it. A replica that is running but unknown to its callers serves nobody.""");
        story.check(answers.stream().allMatch(a -> a.status() == 201), "all 16 checkouts went through (201)");
        story.check(registry.hits() == 1, "the gateway asked the registry once, when its list was a tick old");
        story.check(paymentsReplicas.stream().allMatch(r -> r.hits() == 2), "each of the 8 replicas served two checkouts");
    }

    static void theGatewayShedsTheRest() throws Exception {
        story.step("What even 8 replicas cannot take: the gateway sheds it with 429");
        withShedding = simulate(new TargetTracking(), PAYMENTS.maxReplicas() * PAYMENTS.perReplicaPerTick());
        draw(withShedding);
        story.tell("""
            500 checkouts a tick, and 8 replicas serve 400: at its max, payments' queue would still grow by 100 a
            tick for the whole first minute. So the gateway limits checkouts to what the max can take, 400 a tick,
            with a token bucket (lesson 03). The rest are answered at once with 429 and Retry-After; the shop's app
            waits and tries again (lesson 07), and the checkout goes through a few ticks later. Nobody waits
            minutes in a queue that only grows.""");
        story.state("answered 429", withShedding.shed(PAYMENTS) + " times (a checkout may be told twice), each tried again a tick later");
        story.state("payments' queue peak", withShedding.peakQueue(PAYMENTS) + " (it was " + tracking.peakQueue(PAYMENTS) + " without the limit)");
        story.check(withShedding.shed(PAYMENTS) > 0, "the gateway shed checkouts while demand was over what 8 replicas can serve");
        story.check(withShedding.peakQueue(PAYMENTS) < tracking.peakQueue(PAYMENTS), "with the limit, payments' queue peaked lower");
        story.check(withShedding.served(PAYMENTS) == tracking.served(PAYMENTS), "every checkout was served in the end: shed ones came back");

        story.say("");
        story.say("And for real: one second of 12:00:30, 48 checkouts through the gateway, which admits 40 a second (8 replicas × 5):");
        admission = new Admission(PAYMENTS.maxReplicas() * PAYMENTS.perReplicaPerTick() / TICK_SECONDS);
        forgetRequests();
        var second = checkouts(48);
        long refused = second.stream().filter(a -> a.status() == 429).count();
        boolean fivePerReplica = paymentsReplicas.stream().allMatch(r -> r.hits() == 5);
        story.state("answers", second.stream().collect(Collectors.groupingBy(Answer::status, LinkedHashMap::new, Collectors.counting()))
            + " · Retry-After: " + second.getLast().retryAfter());
        story.state("checkouts served", servedCounts());
        clock.advance(Duration.ofSeconds(1));
        var again = checkouts((int) refused);
        story.say("one second later, the " + refused + " refused checkouts come back: " + again.stream().map(Answer::status).distinct().toList());
        story.check(second.stream().filter(a -> a.status() == 201).count() == 40 && refused == 8, "40 checkouts went through and 8 were told 429");
        story.check(fivePerReplica, "the 40 were spread over the 8 replicas, 5 each");
        story.check(second.stream().filter(a -> a.status() == 429).allMatch(a -> "1".equals(a.retryAfter())), "every 429 said when to come back: Retry-After: 1");
        story.check(again.stream().allMatch(a -> a.status() == 201), "a second later, all 8 went through");
    }

    static void theSaleIsOver() throws Exception {
        story.step("12:05: sold out; replicas deregister, drain, and stop");
        // tag::scale-in[]
        // A scale-in, for real: deregister first, wait until callers have a fresh list, only then stop the replica.
        registerReplicas(2);
        clock.advance(Duration.ofSeconds(TICK_SECONDS));
        forgetRequests();
        var answers = checkouts(4);
        var leaving = List.copyOf(paymentsReplicas.subList(2, 8));
        boolean drained = leaving.stream().allMatch(r -> r.hits() == 0);
        leaving.forEach(Peer::close);
        paymentsReplicas.removeAll(leaving);
        // end::scale-in[]
        story.state("the registry lists", paymentsReplicas.stream().map(Peer::name).collect(Collectors.joining(", ")));
        story.state("checkouts served", servedCounts());
        story.tell("""
            Scaling in is where requests get lost. A replica stopped while it is still listed gets checkouts until
            every caller's list expires, and each of them fails. So the order is: take it off the registry, wait
            for the callers' lists to expire (one tick here), let it finish what it has, then stop it.""");
        story.check(answers.stream().allMatch(a -> a.status() == 201), "all 4 checkouts went through (201)");
        story.check(drained, "payments-3 to payments-8 got no checkout once deregistered, so stopping them cut nobody off");
        story.check(paymentsReplicas.get(0).hits() == 2 && paymentsReplicas.get(1).hits() == 2, "payments-1 and payments-2 took turns again");
    }

    /** With --mine: the learner's Autoscaler from exercises/17-scaling, with its own policies, in this lesson's flash sale. */
    static void yourAutoscaler() {
        story.step("Your autoscaler in the flash sale (--mine)");
        Mine mine = Mine.compile("17-scaling");
        try {
            Object policies = mine.type("scaling.Simulation").getMethod("flashSalePolicies").invoke(null);
            Object yours = mine.create("scaling.Autoscaler", policies);
            int max = (int) mine.call(((Map<?, ?>) policies).get("payments"), "maxReplicas");
            var run = simulate(new Yours(mine, yours), Integer.MAX_VALUE);
            draw(run);
            story.say("your autoscaler decided, for payments:");
            run.resizes(PAYMENTS).forEach(line -> story.say("  " + line));
            story.check(run.replicas(PAYMENTS).get(NOON + 1) > run.replicas(PAYMENTS).get(NOON), "your autoscaler scaled payments out at 12:00:00");
            story.check(run.most(PAYMENTS) <= max, "payments never had more than the max of your policy (" + max + ")");
            story.check(run.turnarounds(PAYMENTS) <= 1, "payments did not flap: it grew, then shrank");
            story.check(run.replicas(CATALOG).stream().allMatch(r -> r == 3), "catalog kept its 3 replicas");
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
            story.check(false, "your autoscaler ran the flash sale (it threw " + cause + ")");
        }
    }

    static void lookingBack() {
        story.step("Looking back: the flash sale, pattern by pattern");
        story.state("01 service boundaries", "payments is a service of its own, so it could be scaled on its own");
        story.state("09 bulkheads", "catalog's pool was its own: its pages took " + CATALOG.serviceMillis() + " ms all through, while payments queued " + fixedPools.peakQueue(PAYMENTS));
        story.state("17 autoscaling", "payments " + PAYMENTS.minReplicas() + " -> " + tracking.most(PAYMENTS) + " -> " + tracking.replicas(PAYMENTS).getLast()
            + " replicas, turning around " + tracking.turnarounds(PAYMENTS) + " time; catalog " + tracking.most(CATALOG) + " all along");
        story.state("05 service discovery", "6 new replicas registered and got their share of the checkouts; leaving ones got none");
        story.state("03 rate limiting", withShedding.shed(PAYMENTS) + " answers of 429 saying when to come back, so the queue peaked at " + withShedding.peakQueue(PAYMENTS));
        story.tell("""
            None of the patterns of this course did the job alone. The boundary made payments something that could
            be scaled. The bulkhead kept its trouble from spreading to catalog. The autoscaler added replicas
            where the queue was, and its window kept it from flapping; discovery and balancing put the new
            replicas to work; the rate limit turned what no replica could take into a polite "come back in a
            second" instead of a queue that only grows. Had payments still been slow, the gateway's timeouts
            (06), retries with backoff (07) and a circuit breaker (08) would have kept the rest of the shop
            standing, and orders placed were events (10, 11) that shipping and notifications worked through at
            their own pace. That is the course: not one clever component, but many plain ones that each keep a
            failure, or a success, from becoming everybody's problem.
            The exercise asks for the older cure for flapping, watermarks and a cooldown: ./jbang workbook check 17""");
        story.check(tracking.replicas(CATALOG).equals(fixedPools.replicas(CATALOG)), "with or without the autoscaler, catalog ran the same 3 replicas");
    }

    // ---- the simulation ----

    // tag::load[]
    /** How many times the usual load: calm at 11:59, ten times at 12:00, six times while stock lasts, then down. */
    static double surge(int tick) {
        if (tick < NOON) return 1;
        if (tick < 12) return 10;                            // 12:00:00 to 12:00:50: the drop
        if (tick < 30) return 6;                             // 12:01 to 12:03: people keep buying while stock lasts
        if (tick < 40) return 6 - 5.0 * (tick - 29) / 10;    // 12:04: sold out, and falling
        return 1;
    }

    /** Checkouts follow the drop in full; page views far less: the drop's page was open in every browser before noon. */
    static int arrivals(Service service, int tick) {
        return service == PAYMENTS ? (int) Math.round(50 * surge(tick)) : (int) Math.round(150 * (1 + (surge(tick) - 1) / 15));
    }
    // end::load[]

    /** What an autoscaler sees of one pool at the end of a tick: {@code wanted} is what wanted a worker this tick. */
    record Reading(int tick, Service service, int replicas, int wanted, int queue, int latencyMillis) {
        /** How busy the pool was: what wanted a worker, over what its replicas can serve. Over 1 means a growing queue. */
        double utilization() { return (double) wanted / (replicas * service.perReplicaPerTick()); }
    }

    /** What it decides for the pool: its replicas from the next tick on, and why. */
    record Verdict(int replicas, String why) {}

    interface Autoscaler {
        List<Verdict> decide(int tick, List<Reading> pools);
    }

    /** One pool in one tick, as the charts draw it. */
    record Tick(int tick, int shed, int replicas, int served, int queue, int latencyMillis, Verdict verdict) {}

    // tag::pool[]
    /** One service's pool: a queue in front of its replicas. What the replicas cannot serve this tick waits. */
    static final class Pool {
        final Service service;
        int replicas;
        int queue;

        Pool(Service service) {
            this.service = service;
            this.replicas = service.minReplicas();
        }

        Reading serve(int tick, int admitted) {
            int capacity = replicas * service.perReplicaPerTick();
            int wanted = queue + admitted;
            queue = Math.max(0, wanted - capacity);
            int waitMillis = (int) Math.ceil((double) queue * TICK_SECONDS * 1000 / capacity); // the queue drains at capacity
            return new Reading(tick, service, replicas, wanted, queue, waitMillis + service.serviceMillis());
        }
    }

    /**
     * The flash sale, tick by tick. The gateway admits at most {@code checkoutLimit} checkouts a tick; the others get
     * 429 and come back the next tick. At the end of each tick the autoscaler decides, and its pools change for the next.
     */
    static Run simulate(Autoscaler autoscaler, int checkoutLimit) {
        Map<Service, Pool> pools = new LinkedHashMap<>();
        SHOP.forEach(s -> pools.put(s, new Pool(s)));
        Map<Service, List<Tick>> ticks = new LinkedHashMap<>();
        int comingBack = 0;
        for (int tick = 0; tick < TICKS; tick++) {
            List<Reading> readings = new ArrayList<>();
            Map<Service, Integer> shed = new HashMap<>();
            for (Pool pool : pools.values()) {
                int demand = arrivals(pool.service, tick) + (pool.service == PAYMENTS ? comingBack : 0);
                int admitted = pool.service == PAYMENTS ? Math.min(demand, checkoutLimit) : demand;
                if (pool.service == PAYMENTS) comingBack = demand - admitted;
                shed.put(pool.service, demand - admitted);
                readings.add(pool.serve(tick, admitted));
            }
            List<Verdict> verdicts = autoscaler.decide(tick, readings);
            for (int i = 0; i < readings.size(); i++) {
                Reading r = readings.get(i);
                Pool pool = pools.get(r.service());
                int served = r.wanted() - r.queue();
                ticks.computeIfAbsent(r.service(), s -> new ArrayList<>())
                    .add(new Tick(tick, shed.get(r.service()), r.replicas(), served, r.queue(), r.latencyMillis(), verdicts.get(i)));
                pool.replicas = verdicts.get(i).replicas();
            }
        }
        return new Run(ticks);
    }
    // end::pool[]

    /** No autoscaler: every pool keeps the replicas it has. */
    static final class FixedPools implements Autoscaler {
        public List<Verdict> decide(int tick, List<Reading> pools) {
            return pools.stream().map(p -> new Verdict(p.replicas(), "fixed")).toList();
        }
    }

    // tag::one-threshold[]
    /** One threshold and no memory: two replicas more while the pool is over 80 % busy, one fewer as soon as it is not. */
    static final class OneThreshold implements Autoscaler {
        public List<Verdict> decide(int tick, List<Reading> pools) {
            return pools.stream().map(pool -> {
                Service s = pool.service();
                boolean hot = pool.utilization() > 0.8;
                int next = Math.clamp(pool.replicas() + (hot ? 2 : -1), s.minReplicas(), s.maxReplicas());
                return new Verdict(next, hot ? "hot" : "not hot");
            }).toList();
        }
    }
    // end::one-threshold[]

    // tag::target-tracking[]
    /**
     * Target tracking, as Kubernetes' Horizontal Pod Autoscaler does it: the replicas that would serve what the pool
     * wanted this tick at 80 % of their capacity. Up at once, at most doubling per tick; down only as far as the
     * highest number wanted in the last minute, its stabilization window. Always within the pool's min and max.
     */
    static final class TargetTracking implements Autoscaler {
        static final double TARGET_UTILIZATION = 0.8;
        static final int WINDOW_TICKS = 6;
        private final Map<Service, Deque<Integer>> lastMinute = new HashMap<>();

        public List<Verdict> decide(int tick, List<Reading> pools) {
            return pools.stream().map(this::decide).toList();
        }

        private Verdict decide(Reading pool) {
            Service s = pool.service();
            int wanted = (int) Math.ceil(pool.wanted() / (s.perReplicaPerTick() * TARGET_UTILIZATION));
            Deque<Integer> window = lastMinute.computeIfAbsent(s, k -> new ArrayDeque<>());
            window.addLast(wanted);
            if (window.size() > WINDOW_TICKS) window.removeFirst();
            int replicas = pool.replicas();
            int lastMinutesMost = Collections.max(window);
            int next = wanted > replicas
                ? Math.min(wanted, replicas * 2)                    // up: now, but at most double
                : Math.min(replicas, lastMinutesMost);              // down: no lower than the last minute wanted
            next = Math.clamp(next, s.minReplicas(), s.maxReplicas());
            return new Verdict(next, "wants " + wanted + (wanted < replicas ? ", the last minute at most " + lastMinutesMost : ""));
        }
    }
    // end::target-tracking[]

    /** The learner's Autoscaler (exercise 17), called through kit.Mine, on this lesson's pools. */
    record Yours(Mine mine, Object autoscaler) implements Autoscaler {
        public List<Verdict> decide(int tick, List<Reading> pools) {
            List<Object> metrics = pools.stream()
                .map(p -> mine.create("scaling.PoolMetrics", p.service().name(), p.replicas(), p.queue(), p.latencyMillis())).toList();
            List<?> decisions = (List<?>) mine.call(autoscaler, "decide", tick, metrics);
            return decisions.stream().map(d -> new Verdict((int) mine.call(d, "replicas"), String.valueOf(mine.call(d, "why")))).toList();
        }
    }

    /** Every tick of one run, per service, and the questions the steps ask of it. */
    record Run(Map<Service, List<Tick>> ticks) {
        Tick at(Service s, int tick) { return ticks.get(s).get(tick); }
        List<Integer> replicas(Service s) { return ticks.get(s).stream().map(Tick::replicas).toList(); }
        List<Integer> queues(Service s) { return ticks.get(s).stream().map(Tick::queue).toList(); }
        int most(Service s) { return Collections.max(replicas(s)); }
        int peakQueue(Service s) { return Collections.max(queues(s)); }
        int peakQueueTick(Service s) { return queues(s).indexOf(peakQueue(s)); }
        int peakLatency(Service s) { return ticks.get(s).stream().mapToInt(Tick::latencyMillis).max().orElse(0); }
        int shed(Service s) { return ticks.get(s).stream().mapToInt(Tick::shed).sum(); }
        int served(Service s) { return ticks.get(s).stream().mapToInt(Tick::served).sum(); }

        /** How many times the pool changed size. */
        int changes(Service s) {
            var r = replicas(s);
            int n = 0;
            for (int i = 1; i < r.size(); i++) if (!r.get(i).equals(r.get(i - 1))) n++;
            return n;
        }

        /** How many times the pool went from growing to shrinking, or back: a pool that flaps turns around a lot. */
        int turnarounds(Service s) {
            var r = replicas(s);
            int n = 0, direction = 0;
            for (int i = 1; i < r.size(); i++) {
                int d = Integer.signum(r.get(i) - r.get(i - 1));
                if (d == 0) continue;
                if (direction != 0 && d != direction) n++;
                direction = d;
            }
            return n;
        }

        /** When the pool was resized, to what, and why: "12:00:00  2 → 4   wants 13". */
        List<String> resizes(Service s) {
            return ticks.get(s).stream().filter(t -> t.verdict().replicas() != t.replicas())
                .map(t -> "%s  %d → %d   %s".formatted(time(t.tick()), t.replicas(), t.verdict().replicas(), t.verdict().why())).toList();
        }
    }

    // ---- the charts ----

    static final String BARS = "▁▂▃▄▅▆▇█";

    /** Replicas and queue per service, one character per tick, with a time axis: sparklines, coloured on a terminal. */
    static void draw(Run run) {
        StringBuilder axis = new StringBuilder();
        for (int tick = 0; tick < TICKS; tick += 6) axis.append(time(tick), 0, 5).append(' ');
        story.say(" ".repeat(18) + Style.dim(axis.toString()));
        for (Service s : SHOP) {
            var replicas = run.replicas(s);
            int fewest = Collections.min(replicas), most = Collections.max(replicas);
            story.say("%-8s %-8s %s  %s".formatted(s.name(), "replicas", Style.cyan(spark(replicas, Math.max(most, s.maxReplicas()))),
                fewest == most ? most + " all along" : fewest + " to " + most));
            int peak = run.peakQueue(s);
            story.say("%-8s %-8s %s  peak %d%s".formatted("", "queue", Style.yellow(spark(run.queues(s), Math.max(peak, 1))), peak,
                peak == 0 ? "" : " at " + time(run.peakQueueTick(s)) + ", latency up to " + seconds(run.peakLatency(s))));
        }
    }

    /** One character per value: · for zero, then eight heights up to {@code top}. */
    static String spark(List<Integer> values, int top) {
        StringBuilder line = new StringBuilder();
        for (int v : values) line.append(v == 0 ? '·' : BARS.charAt(Math.clamp((int) Math.ceil(v * 8.0 / top) - 1, 0, 7)));
        return line.toString();
    }

    static String time(int tick) {
        return LocalTime.of(11, 59).plusSeconds((long) tick * TICK_SECONDS).toString() + (tick % 6 == 0 ? ":00" : "");
    }

    static String seconds(int millis) {
        return millis < 1000 ? millis + " ms" : "%.1f s".formatted(millis / 1000.0);
    }

    static String describe(Tick t) {
        return t.replicas() + " replicas, " + t.queue() + " queued, a request takes " + seconds(t.latencyMillis());
    }

    static boolean growsEveryTick(List<Integer> values) {
        for (int i = 1; i < values.size(); i++) if (values.get(i) <= values.get(i - 1)) return false;
        return true;
    }

    // ---- the gateway, for real ----

    static Javalin startGateway() {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            story.watch(config, "gateway");   // its calls on the live view (--view)
            config.concurrency.useVirtualThreads = true;
            config.routes.post("/checkout", Lesson::checkout);
            // For --serve only: moves the gateway's clock on, so its bucket refills and its list gets old.
            config.routes.post("/clock/advance/{seconds}", ctx -> {
                clock.advance(Duration.ofSeconds(Long.parseLong(ctx.pathParam("seconds"))));
                ctx.result("gateway clock: " + clock.instant() + "\n");
            });
        }).start("127.0.0.1", 0);
    }

    // tag::gateway[]
    /** POST /checkout: admitted by the bucket, or 429 at once; then charged by the next payments replica in turn. */
    static void checkout(Context ctx) throws InterruptedException {
        if (!admission.tryAcquire()) {
            ctx.status(429).header("Retry-After", "1").result("{\"problem\": \"too many checkouts right now, try again in 1 s\"}");
            return;
        }
        try {
            URI replica = ring.next();
            var charged = HTTP.send(HttpRequest.newBuilder(replica.resolve("/charges")).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"sku\": \"SNKR-DROP-1\", \"amountCents\": 18999}")).build(), BodyHandlers.ofString());
            ctx.status(charged.statusCode()).contentType("application/json").result(charged.body());
        } catch (IOException e) {
            ctx.status(503).result("{\"problem\": \"payments is unavailable: " + e.getMessage() + "\"}");
        }
    }
    // end::gateway[]

    // tag::ring[]
    /** The gateway's view of payments: the registry's list, asked for again once it is a tick old, taken in turns. */
    static final class Ring {
        private List<URI> replicas = List.of();
        private Instant askAgainAt = Instant.MIN;
        private int turn;

        synchronized URI next() throws IOException {
            Instant now = clock.instant();
            if (!now.isBefore(askAgainAt)) {
                askAgainAt = now.plusSeconds(TICK_SECONDS);
                replicas = askRegistry();
            }
            if (replicas.isEmpty()) throw new IOException("the registry lists no payments replica");
            return replicas.get(Math.floorMod(turn++, replicas.size()));
        }
    }
    // end::ring[]

    static List<URI> askRegistry() throws IOException {
        try {
            var response = HTTP.send(HttpRequest.newBuilder(registry.uri().resolve("/services/payments")).build(), BodyHandlers.ofString());
            if (response.statusCode() != 200) throw new IOException("the registry answered " + response.statusCode());
            List<URI> found = new ArrayList<>();
            for (JsonNode node : JSON.readTree(response.body()).path("instances")) found.add(URI.create(node.path("url").asText()));
            return found;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    // tag::admission[]
    /** The gateway's limit on checkouts (lesson 03): a bucket that holds a second's worth and refills on the gateway's clock. */
    static final class Admission {
        private final double perSecond;
        private double tokens;
        private Instant refilledAt = clock.instant();

        Admission(double perSecond) {
            this.perSecond = perSecond;
            this.tokens = perSecond;
        }

        static Admission unlimited() { return new Admission(Double.POSITIVE_INFINITY); }

        synchronized boolean tryAcquire() {
            Instant now = clock.instant();
            double elapsed = Duration.between(refilledAt, now).toNanos() / 1e9;
            tokens = Math.min(perSecond, tokens + elapsed * perSecond);
            refilledAt = now;
            if (tokens < 1) return false;
            tokens -= 1;
            return true;
        }
    }
    // end::admission[]

    // ---- plumbing ----

    /** Each replica charges cards, and says which replica it is. */
    static void replicaIsUp(Peer replica) {
        replica.stub(post("/charges").willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"chargeId\": \"ch-" + replica.name() + "\", \"status\": \"captured\", \"servedBy\": \"" + replica.name() + "\"}")));
        if (!paymentsReplicas.contains(replica)) paymentsReplicas.add(replica);
    }

    /** The registry lists the first n of payments' replicas. */
    static void registerReplicas(int n) {
        String instances = paymentsReplicas.subList(0, n).stream()
            .map(p -> "{\"id\": \"" + p.name() + "\", \"url\": \"" + p.uri() + "\"}")
            .collect(Collectors.joining(", "));
        registry.stub(get("/services/payments").willReturn(okJson("{\"service\": \"payments\", \"instances\": [" + instances + "]}")));
    }

    record Answer(int status, String retryAfter) {}

    /** Sends n checkouts through the gateway, one after another. */
    static List<Answer> checkouts(int n) throws Exception {
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create(gatewayUrl() + "/checkout"))
                .POST(BodyPublishers.ofString("{\"sku\": \"SNKR-DROP-1\"}")).build(), BodyHandlers.ofString());
            answers.add(new Answer(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null)));
        }
        return answers;
    }

    static void forgetRequests() {
        registry.forgetRequests();
        paymentsReplicas.forEach(Peer::forgetRequests);
    }

    static String servedCounts() {
        return paymentsReplicas.stream().map(r -> r.name() + " " + r.hits()).collect(Collectors.joining(" · "));
    }

    static String gatewayUrl() { return "http://127.0.0.1:" + gateway.port(); }
}
