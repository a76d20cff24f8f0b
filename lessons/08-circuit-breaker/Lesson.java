///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 08 · Circuit breaker: payments is down, and without a breaker every checkout goes down with it.

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import kit.ManualClock;
import kit.Mine;
import kit.Narrator;
import kit.Peer;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** How long payments takes to fail while it is down: its own gateway gives up on its database after 400 ms. */
    static final int PAYMENTS_GIVES_UP_MS = 400;

    static Narrator story;
    static Peer payments;
    static Javalin checkout;
    /** The breakers' time. The story moves it, so "ten seconds later" takes no time and every run prints the same timeline. */
    static final ManualClock clock = new ManualClock();
    /** The breaker in front of payments: none at first, then the lesson's own, then Resilience4j's (or yours, with --mine). */
    static volatile Breaker breaker = Breaker.NONE;
    static final AtomicInteger waitingOnPayments = new AtomicInteger();
    static final AtomicInteger peakWaiting = new AtomicInteger();
    static final AtomicInteger orderNumbers = new AtomicInteger();
    /** When the first call to payments ended (System.nanoTime), to show what /health had to wait for. */
    static final AtomicLong firstChargeEnded = new AtomicLong(Long.MAX_VALUE);
    /** Opened by the checkout that takes the last request thread, at the moment it starts waiting on payments. */
    static volatile CountDownLatch everyRequestThreadWaiting = new CountDownLatch(1);
    static QueuedThreadPool requestThreads;

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("08-circuit-breaker", args);
        boolean mine = story.mine();
        aCalmCheckout();
        paymentsGoesDown();
        aBreakerInTwentyLines();
        aFlakyPaymentsSlipsThrough();
        resilience4j();
        if (mine) yourBreaker();
        serveWithARealClock();
        story.end(); // exits the process, servers and all
    }

    // ---- the steps ----

    static void aCalmCheckout() throws Exception {
        story.tell("""
            At checkout the shop's gateway asks payments to charge the card, and waits for the answer. Today
            payments' database is failing, and payments takes 400 ms to give up and answer 503. Nothing in the
            gateway is broken. Watch what happens to it anyway.""");
        story.step("A calm checkout");
        // The gateway starts while payments does: both are mostly class loading, and there may be only two cores.
        var starting = CompletableFuture.supplyAsync(Lesson::startCheckout);
        payments = Peer.start("payments");
        paymentsAnswers(charged());
        checkout = starting.join();
        story.listen(payments);
        story.say("payments is up at " + payments.uri() + ", the checkout gateway at " + checkoutUrl());
        story.state("breaker", "none: every checkout calls payments");

        var answer = checkout();
        story.say("POST /checkout answered " + answer.status() + " in " + answer.millis() + " ms: " + answer.body());
        story.check(answer.status() == 201 && answer.body().contains("captured"), "the order was placed and the card charged (201)");
    }

    static void paymentsGoesDown() throws Exception {
        story.step("Payments goes down, and the checkout goes down with it");
        paymentsAnswers(down());
        story.state("payments", "every charge fails: 503 after " + PAYMENTS_GIVES_UP_MS + " ms");
        payments.forgetRequests();
        peakWaiting.set(0);
        firstChargeEnded.set(Long.MAX_VALUE);
        everyRequestThreadWaiting = new CountDownLatch(1);

        var rush = CompletableFuture.supplyAsync(() -> checkouts(12));   // twelve customers press "Pay" at once
        boolean full = everyRequestThreadWaiting.await(10, TimeUnit.SECONDS);
        var health = get("/health");                                     // a request that needs no peer at all
        var answers = rush.join();

        story.say("12 checkouts: " + summary(answers));
        story.say("at most " + peakWaiting.get() + " checkouts could wait on payments at once, one per request thread; the others queued");
        story.say("GET /health, which calls nobody, answered " + health.status() + " after " + health.millis() + " ms");
        story.tell("""
            Every customer waited, and every one got an error in the end. Worse, the waiting used up the gateway:
            each checkout holds a request thread while it waits, and once all of them wait on payments, every other
            request queues behind them, even /health, even pages that have nothing to do with payments. And
            payments, already on its knees, received every single call. One slow, failing dependency has taken
            the gateway down with it: a cascading failure.""");
        story.check(answers.stream().allMatch(a -> a.status() == 503), "all 12 checkouts failed (503)");
        story.check(peakWaiting.get() < 12, "the gateway ran out of request threads: only " + peakWaiting.get() + " checkouts were served at a time");
        story.check(answers.stream().allMatch(a -> a.millis() >= PAYMENTS_GIVES_UP_MS), "each of them waited at least payments' " + PAYMENTS_GIVES_UP_MS + " ms for it");
        story.check(slowest(answers) >= 2 * PAYMENTS_GIVES_UP_MS, "the slowest waited at least twice that (" + slowest(answers) + " ms): first for a free thread, then for payments");
        story.check(full, "every request thread of the gateway was waiting on payments, none left for anything else");
        story.check(health.answeredAt() > firstChargeEnded.get(), "GET /health, though it needs no peer, waited " + health.millis()
            + " ms for a thread: it was answered only after a checkout's call to payments had ended");
        story.check(payments.hits() == 12, "payments received all 12 calls while it was down");
    }

    static void aBreakerInTwentyLines() throws Exception {
        story.step("A breaker in twenty lines: open after 3 failures in a row");
        clock.set(ManualClock.EPOCH); // t+0s
        var simple = new FailuresInARow(3, Duration.ofSeconds(10), clock);
        breaker = simple;
        var timeline = new Timeline("the lesson's breaker");
        story.state("breaker", "open after 3 failures in a row, for 10 s; then one call may try");
        payments.forgetRequests();

        var firstWave = checkouts(3);
        timeline.note(simple.state());
        story.say(timeClock() + "  3 checkouts: " + summary(firstWave));
        clock.advance(Duration.ofSeconds(1));
        var secondWave = checkouts(9);
        timeline.note(simple.state());
        story.say(timeClock() + "  9 checkouts: " + summary(secondWave));
        int callsWhileOpen = payments.hits() - 3;

        clock.advance(Duration.ofSeconds(10));
        paymentsAnswers(charged());
        story.state("payments", "recovered: charges succeed again");
        timeline.note(simple.state());
        var trial = checkout();
        timeline.note(simple.state());
        story.say(timeClock() + "  1 checkout: " + trial.status() + " " + trial.body());
        timeline.print();
        story.tell("""
            The first three checkouts still waited for payments and failed. Then the breaker opened, and the next
            nine never called payments at all: the gateway answered them at once with a fallback, 202 Accepted,
            "payment pending": the order is taken and the card is charged when payments is back. Ten seconds
            later the breaker let one call try, it went through, and the breaker closed.""");
        story.check(firstWave.stream().allMatch(a -> a.status() == 503), "the first 3 checkouts called payments and failed (503)");
        story.check(secondWave.stream().allMatch(a -> a.status() == 202 && a.body().contains("pending")), "the next 9 were answered with the fallback: 202, payment pending");
        story.check(slowest(secondWave) < PAYMENTS_GIVES_UP_MS, "each of them at once (" + slowest(secondWave) + " ms at most), without waiting for payments' " + PAYMENTS_GIVES_UP_MS + " ms");
        story.check(callsWhileOpen == 0, "payments received no call while the breaker was open");
        story.check(trial.status() == 201, "after 10 s a trial checkout reached the recovered payments and was charged (201)");
        story.check(timeline.entries().equals(List.of("t+0s CLOSED -> OPEN", "t+11s OPEN -> HALF_OPEN", "t+11s HALF_OPEN -> CLOSED")),
            "the breaker went CLOSED -> OPEN -> HALF_OPEN -> CLOSED");
    }

    static void aFlakyPaymentsSlipsThrough() throws Exception {
        story.step("The flaw: a flaky payments never fails three times in a row");
        clock.set(ManualClock.EPOCH);
        var simple = new FailuresInARow(3, Duration.ofSeconds(10), clock);
        breaker = simple;
        payments.answerInTurn(post("/charges"), down().withFixedDelay(0), charged(), down().withFixedDelay(0), charged(),
            down().withFixedDelay(0), charged(), down().withFixedDelay(0), charged());
        story.state("payments", "flaky: every other charge fails");
        List<Answer> answers = new ArrayList<>();
        boolean alwaysClosed = true;
        for (int i = 0; i < 8; i++) {
            answers.add(checkout());
            alwaysClosed &= simple.state().equals("CLOSED");
            clock.advance(Duration.ofSeconds(1));
        }
        long failed = answers.stream().filter(a -> a.status() == 503).count();
        story.say("8 checkouts: " + summary(answers) + "; the breaker is " + simple.state());
        story.tell("""
            Half of the checkouts failed, and the breaker never noticed: a success between two failures resets
            a count of failures in a row. A breaker that judges by a run of failures misses a dependency that is
            half broken, which is the usual way dependencies break. The fix is to judge a failure rate over the
            last N calls, with a minimum number of calls before judging at all. That is what Resilience4j does,
            and what the exercise asks you to build.""");
        story.check(failed == 4, "4 of the 8 checkouts failed");
        story.check(alwaysClosed, "the lesson's breaker stayed CLOSED after every one of them");
    }

    static void resilience4j() throws Exception {
        story.step("The same outage, with Resilience4j: a failure rate over a sliding window");
        clock.set(ManualClock.EPOCH);
        // tag::resilience4j[]
        var config = CircuitBreakerConfig.custom()
            .slidingWindowType(SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(6)                        // judge the last 6 calls
            .minimumNumberOfCalls(3)                     // but not before 3 calls
            .failureRateThreshold(50)                    // open at 50 % failures or more
            .waitDurationInOpenState(Duration.ofSeconds(10))
            .permittedNumberOfCallsInHalfOpenState(2)    // then 2 trial calls decide
            .clock(clock)                                // the story's clock (the default is the system's)
            .build();
        var resilient = CircuitBreaker.of("payments", config);
        var timeline = new Timeline("Resilience4j's breaker");
        resilient.getEventPublisher().onStateTransition(event ->
            timeline.add(event.getStateTransition().getFromState(), event.getStateTransition().getToState()));
        breaker = Breaker.of(resilient);
        // end::resilience4j[]
        story.state("breaker", "Resilience4j: last 6 calls, at least 3, open at 50 %, 10 s, then 2 trial calls");

        var metrics = new long[3];
        var run = theOutage(timeline, () -> {
            var m = resilient.getMetrics();
            metrics[0] = m.getNumberOfNotPermittedCalls();
            metrics[1] = m.getNumberOfBufferedCalls();
            metrics[2] = m.getNumberOfFailedCalls();
            story.state("Resilience4j's metrics", metrics[0] + " calls not permitted; in the window: " + metrics[1] + " calls, " + metrics[2] + " failed");
        });
        timeline.print();
        story.tell("""
            Resilience4j opened after the first three failures, as the lesson's breaker did. The refused calls
            were counted apart, never as failures. Ten seconds on, its first trial failed and the second
            succeeded: 50 %, so it opened again for another ten seconds. The next two trials both succeeded and it
            closed. And when payments turned flaky, it opened after three calls, two of them failed: the rate
            caught what the run of failures missed.""");
        run.check("Resilience4j");
        story.check(metrics[0] == 9 && metrics[1] == 3 && metrics[2] == 3,
            "Resilience4j counted the 9 refused calls apart: its window held the 3 real calls, all failed");
    }

    static void yourBreaker() {
        story.step("Your breaker, in the same outage (--mine)");
        clock.set(ManualClock.EPOCH);
        Mine mine = Mine.compile("08-circuit-breaker");
        try {
            // tag::mine[]
            Object config = mine.create("breaker.BreakerConfig", 6, 3, 50f, Duration.ofSeconds(10), 2);
            Object yours = mine.create("breaker.CircuitBreaker", "payments", config, clock);
            var timeline = new Timeline("your breaker");
            Consumer<Object> listener = t -> timeline.add(mine.call(t, "from"), mine.call(t, "to"));
            mine.call(yours, "onStateChange", listener);
            breaker = Breaker.of(mine, yours);
            // end::mine[]
            // A TODO shows here, on a breaker of its own, not as a 500 from the gateway in the middle of the outage.
            Object probe = mine.create("breaker.CircuitBreaker", "probe", config, clock);
            mine.call(probe, "call", (Supplier<String>) () -> "a first try");
            mine.call(probe, "state");
            var run = theOutage(timeline, () -> {});
            timeline.print();
            run.check("your breaker");
        } catch (Exception e) {
            story.check(false, "your CircuitBreaker ran the outage (it threw " + e + ")");
        }
    }

    /**
     * The outage the Resilience4j step tells, for any breaker: payments down, then limping back, then healthy,
     * then flaky. Each wave of checkouts comes a second or more after the last, by the story's clock.
     */
    static Outage theOutage(Timeline timeline, Runnable whileOpen) throws Exception {
        var run = new Outage(timeline);
        paymentsAnswers(down());
        payments.forgetRequests();
        run.down = checkouts(3);
        story.say(timeClock() + "  3 checkouts: " + summary(run.down));
        clock.advance(Duration.ofSeconds(1));
        run.refused = checkouts(9);
        story.say(timeClock() + "  9 checkouts: " + summary(run.refused));
        run.callsWhileOpen = payments.hits() - 3;
        whileOpen.run();

        clock.advance(Duration.ofSeconds(10));
        payments.answerInTurn(post("/charges"), down().withFixedDelay(0), charged());
        story.state("payments", "limping back: one more failure, then charges succeed");
        run.limping = sequence(3);

        clock.advance(Duration.ofSeconds(10));
        paymentsAnswers(charged());
        story.state("payments", "healthy");
        run.healthy = sequence(2);

        clock.advance(Duration.ofSeconds(1));
        payments.answerInTurn(post("/charges"), down().withFixedDelay(0), charged(), down().withFixedDelay(0), charged());
        story.state("payments", "flaky: every other charge fails");
        run.flaky = sequence(4);
        return run;
    }

    /** What a breaker did in the outage, and the claims the text makes about it. */
    static final class Outage {
        final Timeline timeline;
        List<Answer> down, refused, limping, healthy, flaky;
        int callsWhileOpen;

        Outage(Timeline timeline) { this.timeline = timeline; }

        void check(String who) {
            story.check(down.stream().allMatch(a -> a.status() == 503) && refused.stream().allMatch(a -> a.status() == 202),
                who + ": 3 checkouts failed, then 9 were answered with the fallback (202)");
            story.check(callsWhileOpen == 0, who + ": payments received no call while the breaker was open");
            story.check(statuses(limping).equals(List.of(503, 201, 202)), who + ": 10 s later, one trial failed and one succeeded (50 %), so the next checkout was refused again");
            story.check(statuses(healthy).equals(List.of(201, 201)), who + ": 10 s after that, two good trials closed it");
            story.check(statuses(flaky).equals(List.of(503, 201, 503, 202)), who + ": the flaky payments opened it after 2 failures in 3 calls (67 %)");
            story.check(timeline.entries().equals(List.of("t+0s CLOSED -> OPEN", "t+11s OPEN -> HALF_OPEN", "t+12s HALF_OPEN -> OPEN",
                "t+23s OPEN -> HALF_OPEN", "t+24s HALF_OPEN -> CLOSED", "t+27s CLOSED -> OPEN")), who + ": its timeline is exactly the one above");
        }
    }

    static void serveWithARealClock() {
        if (!story.serving()) return;
        // For curl, time must pass by itself: Resilience4j on the system's clock, and payments down again.
        var resilient = CircuitBreaker.of("payments", CircuitBreakerConfig.custom()
            .slidingWindowSize(6).minimumNumberOfCalls(3).failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(10)).permittedNumberOfCallsInHalfOpenState(2)
            .clock(Clock.systemUTC()).build());
        resilient.getEventPublisher().onStateTransition(e -> story.show("breaker", e.getStateTransition().getToState()));
        breaker = Breaker.of(resilient);
        paymentsAnswers(down());
        story.show("breaker", "CLOSED");
        story.fault("payments", "down", () -> paymentsAnswers(down()));
        story.repair("payments", "recovers", () -> paymentsAnswers(charged()));
        story.serve(
            "for i in 1 2 3 4 5; do curl -s -X POST " + checkoutUrl() + "/checkout; echo; done      (3 x 503, then 202 pending)",
            "curl -s " + checkoutUrl() + "/breaker      (the breaker's state)",
            "curl -s -X POST " + payments.url("/__admin/mappings") + " -d '{\"request\": {\"method\": \"POST\", \"url\": \"/charges\"}, "
                + "\"response\": {\"status\": 201, \"jsonBody\": {\"chargeId\": \"ch-9\", \"status\": \"captured\"}}}'      (payments recovers)",
            "sleep 10; for i in 1 2 3; do curl -s -X POST " + checkoutUrl() + "/checkout; echo; done      (2 trials, then CLOSED)");
    }

    // ---- the checkout gateway ----

    // tag::gateway[]
    static Javalin startCheckout() {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            story.watch(config, "gateway");   // its calls on the live view (--view)
            // A fixed pool of request threads, as servlet containers have (Jetty's default is 200). Jetty keeps
            // two of these six for accepting and selecting connections; four serve requests.
            requestThreads = new QueuedThreadPool(6, 6);
            // No threads held in reserve: with one, Jetty may hand a request to the thread that watches the sockets,
            // and another takes over watching, so the number of threads serving requests would change from run to run.
            requestThreads.setReservedThreads(0);
            config.jetty.threadPool = requestThreads;
            config.routes.post("/checkout", Lesson::checkout);
            config.routes.get("/health", ctx -> ctx.result("up"));
            config.routes.get("/breaker", ctx -> ctx.result("{\"state\": \"" + breaker.state() + "\"}"));
        }).start("127.0.0.1", 0);
    }

    /** Charge the card through the breaker. Refused by the breaker: take the order anyway and charge it later. */
    static void checkout(Context ctx) {
        String orderId = "o-" + orderNumbers.incrementAndGet();
        try {
            String chargeId = breaker.call(() -> charge(orderId));
            ctx.status(201).result("{\"orderId\": \"" + orderId + "\", \"payment\": \"captured\", \"chargeId\": \"" + chargeId + "\"}");
        } catch (Refused refused) {
            ctx.status(202).result("{\"orderId\": \"" + orderId + "\", \"payment\": \"pending\"}"); // the fallback
        } catch (PaymentsUnavailable failed) {
            ctx.status(503).result("{\"problem\": \"payments is unavailable, try again later\"}");
        }
    }
    // end::gateway[]

    static String charge(String orderId) {
        var request = HttpRequest.newBuilder(payments.uri().resolve("/charges")).header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString("{\"orderId\": \"" + orderId + "\", \"amountCents\": 4999, \"currency\": \"EUR\"}")).build();
        int now = waitingOnPayments.incrementAndGet();
        peakWaiting.accumulateAndGet(now, Math::max);
        if (everyRequestThreadWaits()) everyRequestThreadWaiting.countDown();  // seen as it happens, not by polling
        try {
            var response = HTTP.send(request, BodyHandlers.ofString());
            if (response.statusCode() != 201) throw new PaymentsUnavailable("payments answered " + response.statusCode());
            return JSON.readTree(response.body()).path("chargeId").asText();
        } catch (IOException e) {
            throw new PaymentsUnavailable(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PaymentsUnavailable("interrupted");
        } finally {
            waitingOnPayments.decrementAndGet();
            firstChargeEnded.accumulateAndGet(System.nanoTime(), Math::min);
        }
    }

    static final class PaymentsUnavailable extends RuntimeException {
        PaymentsUnavailable(String detail) { super(detail); }
    }

    // ---- breakers ----

    // tag::seam[]
    /** What the checkout needs of a breaker. The lesson's, Resilience4j's and, with --mine, yours fit behind it. */
    interface Breaker {
        /** Makes the call and returns its result, or throws Refused without making it. */
        <T> T call(Supplier<T> call);

        String state();

        Breaker NONE = new Breaker() {
            public <T> T call(Supplier<T> call) { return call.get(); }
            public String state() { return "none"; }
        };

        static Breaker of(CircuitBreaker resilience4j) {
            return new Breaker() {
                public <T> T call(Supplier<T> call) {
                    try {
                        return resilience4j.executeSupplier(call);
                    } catch (CallNotPermittedException e) {
                        throw new Refused();
                    }
                }
                public String state() { return resilience4j.getState().name(); }
            };
        }

        /** Your exercise's breaker.CircuitBreaker, compiled by kit.Mine and called by reflection. */
        @SuppressWarnings("unchecked")
        static Breaker of(Mine mine, Object yours) {
            return new Breaker() {
                public <T> T call(Supplier<T> call) {
                    try {
                        return (T) mine.call(yours, "call", call);
                    } catch (RuntimeException e) {
                        if (e.getClass().getName().equals("breaker.CallNotPermitted")) throw new Refused();
                        throw e;
                    }
                }
                public String state() { return String.valueOf(mine.call(yours, "state")); }
            };
        }
    }

    /** The breaker turned the call away: payments was not asked. */
    static final class Refused extends RuntimeException {
        Refused() { super(null, null, false, false); }
    }
    // end::seam[]

    // tag::simple-breaker[]
    /**
     * A first breaker: after {@code limit} failures in a row it opens for {@code openFor}; after that, calls may
     * try again, and one success closes it. Simple, and flawed: see the step about a flaky payments.
     */
    static final class FailuresInARow implements Breaker {
        private final int limit;
        private final Duration openFor;
        private final InstantSource clock;
        private int failuresInARow;
        private Instant openUntil = Instant.MIN;

        FailuresInARow(int limit, Duration openFor, InstantSource clock) {
            this.limit = limit;
            this.openFor = openFor;
            this.clock = clock;
        }

        public <T> T call(Supplier<T> call) {
            if (state().equals("OPEN")) throw new Refused();
            try {
                T result = call.get();
                synchronized (this) { failuresInARow = 0; }
                return result;
            } catch (RuntimeException failure) {
                synchronized (this) {
                    if (++failuresInARow >= limit) openUntil = clock.instant().plus(openFor);
                }
                throw failure;
            }
        }

        public synchronized String state() {
            if (failuresInARow < limit) return "CLOSED";
            return clock.instant().isBefore(openUntil) ? "OPEN" : "HALF_OPEN";
        }
    }
    // end::simple-breaker[]

    /** State changes with their time on the story's clock (t+0s is the start of the step). */
    static final class Timeline {
        private final String who;
        private final List<String> entries = new CopyOnWriteArrayList<>();
        private String last = "CLOSED";

        Timeline(String who) { this.who = who; }

        /** A transition, as a breaker's event tells it. */
        void add(Object from, Object to) {
            entries.add(timeClock() + " " + from + " -> " + to);
            last = String.valueOf(to);
            story.show("breaker", to);
        }

        /** For a breaker without events: a transition whenever its state differs from the last one seen. */
        void note(String state) {
            if (!state.equals(last)) add(last, state);
        }

        List<String> entries() { return List.copyOf(entries); }

        void print() {
            entries.forEach(e -> story.state("timeline of " + who, e));
        }
    }

    // ---- plumbing ----

    /** @param answeredAt when the answer arrived (System.nanoTime) */
    record Answer(int status, String body, long millis, long answeredAt) {}

    static Answer checkout() throws Exception {
        return send(HttpRequest.newBuilder(URI.create(checkoutUrl() + "/checkout")).POST(BodyPublishers.noBody()).build());
    }

    static Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(checkoutUrl() + path)).build());
    }

    static Answer send(HttpRequest request) throws Exception {
        long start = System.nanoTime();
        var response = HTTP.send(request, BodyHandlers.ofString());
        long end = System.nanoTime();
        return new Answer(response.statusCode(), response.body(), (end - start) / 1_000_000, end);
    }

    /**
     * The state the cascade needs: every thread that serves requests (the pool's, less those Jetty leases for
     * accepting and selecting connections) is inside a call to payments, and none is idle or held in reserve. A
     * request that comes now waits until one of those calls ends, however fast or busy the machine. A busy thread is
     * not enough: on a loaded machine some are still reading a checkout's request, and finish that in a moment.
     */
    static boolean everyRequestThreadWaits() {
        int servingThreads = requestThreads.getMaxThreads() - requestThreads.getLeasedThreads();
        return requestThreads.getReadyThreads() == 0 && waitingOnPayments.get() >= servingThreads;
    }

    /** {@code n} checkouts at the same moment, each from its own customer. */
    static List<Answer> checkouts(int n) {
        try (var customers = Executors.newVirtualThreadPerTaskExecutor()) {
            var pending = new ArrayList<java.util.concurrent.Future<Answer>>();
            for (int i = 0; i < n; i++) pending.add(customers.submit(() -> checkout()));
            List<Answer> answers = new ArrayList<>();
            for (var p : pending) answers.add(p.get());
            return answers;
        } catch (Exception e) {
            throw new IllegalStateException("a checkout could not be sent: " + e, e);
        }
    }

    /** {@code n} checkouts one after another, a second apart by the story's clock, each printed. */
    static List<Answer> sequence(int n) throws Exception {
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i > 0) clock.advance(Duration.ofSeconds(1));
            var answer = checkout();
            answers.add(answer);
            story.say(timeClock() + "  checkout: " + answer.status() + " " + answer.body() + "  (breaker " + breaker.state() + ")");
        }
        return answers;
    }

    static List<Integer> statuses(List<Answer> answers) { return answers.stream().map(Answer::status).toList(); }

    static long slowest(List<Answer> answers) { return answers.stream().mapToLong(Answer::millis).max().orElse(0); }

    static String summary(List<Answer> answers) {
        var counts = new java.util.TreeMap<Integer, Integer>();
        answers.forEach(a -> counts.merge(a.status(), 1, Integer::sum));
        var parts = new ArrayList<String>();
        counts.forEach((status, count) -> parts.add(count + " x " + status));
        long fastest = answers.stream().mapToLong(Answer::millis).min().orElse(0);
        return String.join(", ", parts) + ", in " + fastest + " to " + slowest(answers) + " ms";
    }

    static String timeClock() { return "t+" + clock.elapsed().toSeconds() + "s"; }

    static void paymentsAnswers(ResponseDefinitionBuilder answer) {
        payments.reset();
        payments.stub(post("/charges").willReturn(answer));
    }

    static ResponseDefinitionBuilder charged() {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"chargeId\": \"ch-1\", \"status\": \"captured\"}");
    }

    static ResponseDefinitionBuilder down() {
        return aResponse().withStatus(503).withHeader("Content-Type", "application/json")
            .withBody("{\"error\": \"database unavailable\"}").withFixedDelay(PAYMENTS_GIVES_UP_MS);
    }

    static String checkoutUrl() { return "http://127.0.0.1:" + checkout.port(); }
}
