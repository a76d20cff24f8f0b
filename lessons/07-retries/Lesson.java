///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 07 · Retries: payments flickers; retrying saves the order, if it waits, spreads out, and never charges twice.

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.internal.RetryImpl;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.DoubleSupplier;
import kit.ManualClock;
import kit.Mine;
import kit.Narrator;
import kit.Peer;
import kit.RecordingSleeper;

public class Lesson {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** How many customers press "Pay" at the same moment while payments is down. */
    static final int CUSTOMERS = 20;
    static final int MAX_ATTEMPTS = 5;
    /** Each call says when, on the story's clock, it is sent; payments reads it to know whether it is back yet. */
    static final String STORY_TIME = "X-Story-Time-Ms";

    static Narrator story;
    static Peer payments;
    /** Each customer's own story clock: a retry's wait moves it, and takes no real time. */
    static final ThreadLocal<ManualClock> customersClock = ThreadLocal.withInitial(ManualClock::new);

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("07-retries", args);
        story.caller("orders");   // who calls the peers, on the live view (--view)
        boolean mine = story.mine();
        payments = Peer.start("payments");
        paymentsFlickers();
        aRetryStorm();
        backoffWithJitter();
        aLostAnswerChargesTwice();
        anIdempotencyKeyChargesOnce();
        if (mine) yourRetries();
        serve();
        story.end(); // exits the process, servers and all
    }

    // ---- the steps ----

    static void paymentsFlickers() throws Exception {
        story.tell("""
            Orders asks payments to charge the card for every order. Payments is healthy, mostly: now and then
            its database fails over, and for a moment it answers 503 Service Unavailable. A moment later, the
            same charge would go through.""");
        story.step("Payments flickers, and an order is lost");
        answerInTurn(unavailable(), charged("ch-1"));
        story.say("payments is up at " + payments.uri());
        story.state("orders' client", "one call per charge, no retry");

        var first = send(charge("o-1", null, 0));
        story.say("→ payments POST /charges for o-1: " + first.statusCode() + " " + first.body());
        var second = send(charge("o-2", null, 0));
        story.say("→ payments POST /charges for o-2: " + second.statusCode() + " " + second.body());
        story.tell("""
            The first order met the flicker and is lost: the customer saw an error, though payments was fine a
            moment later, as the second order shows. A transient failure should be retried.""");
        story.check(first.statusCode() == 503, "the charge for o-1 met the flicker: 503, and with no retry the order is lost");
        story.check(second.statusCode() == 201, "the very next charge went through (201): the failure was transient");
    }

    static void aRetryStorm() throws Exception {
        story.step("Retrying at once, from every client: a retry storm");
        paymentsDownForTheFirstSecond();
        story.state("payments", "down for the first second of the story's clock (503), then back");
        story.state("orders' client", "up to " + MAX_ATTEMPTS + " attempts, no wait in between");
        payments.forgetRequests();

        var outcomes = customers(Lesson::chargeAtOnce);
        var schedule = schedule(payments.journal(), 100);

        story.say(CUSTOMERS + " customers pressed \"Pay\" at t+0 ms: " + saved(outcomes) + " orders charged, " + (CUSTOMERS - saved(outcomes)) + " lost");
        printSchedule(schedule, 100);
        story.tell("""
            Every client retried the moment it failed, so all five attempts of all twenty customers arrived in the
            same instant: five times the load, at the moment payments was trying to come back. The retries were
            over long before payments was, and every order was lost anyway. Retries without a wait do not ride
            out a failure; they multiply it. In a real shop, the extra load can be what keeps payments down.""");
        story.check(payments.hits() == CUSTOMERS * MAX_ATTEMPTS, "payments received " + payments.hits() + " calls: " + MAX_ATTEMPTS + " from each of the " + CUSTOMERS + " customers");
        story.check(schedule.size() == 1 && schedule.containsKey(0L), "all of them in the first 100 ms of the story's clock");
        story.check(saved(outcomes) == 0, "no order was charged: the retries had given up before payments was back at t+1000 ms");
    }

    static void backoffWithJitter() throws Exception {
        story.step("Backoff with jitter spreads the retries out (Resilience4j Retry)");
        paymentsDownForTheFirstSecond();
        story.state("orders' client", "Resilience4j Retry: " + MAX_ATTEMPTS + " attempts, waits from 200 ms, doubling, ±50 % at random, at most 2 s");
        payments.forgetRequests();
        var waits = Collections.synchronizedList(new ArrayList<Long>());
        // tag::resilience4j[]
        var config = RetryConfig.<HttpResponse<String>>custom()
            .maxAttempts(MAX_ATTEMPTS)                                    // the first call included
            .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(
                Duration.ofMillis(200), 2.0, 0.5, Duration.ofSeconds(2))) // 200, 400, 800 ms ... ±50 %, capped
            .retryOnResult(answer -> retryable(answer.statusCode()))      // 5xx and 429: try again
            .retryExceptions(IOException.class)                           // no answer at all: try again
            .build();
        var retry = Retry.of("payments", config);
        retry.getEventPublisher().onRetry(event -> waits.add(event.getWaitInterval().toMillis()));
        // end::resilience4j[]

        var outcomes = customers(orderId -> {
            var request = charge(orderId, null, 0);
            return through(retry, () -> send(stampedNow(request)));
        });
        var journal = payments.journal();
        var schedule = schedule(journal, 200);
        long duringOutage = journal.stream().filter(r -> storyTime(r) < 1000).count();

        story.say(CUSTOMERS + " customers pressed \"Pay\" at t+0 ms: " + saved(outcomes) + " orders charged, " + (CUSTOMERS - saved(outcomes)) + " lost");
        printSchedule(schedule, 200);
        var first = firstCustomerWaits(journal);
        story.state("the first customer's calls at", first.stream().map(t -> "t+" + t + " ms").toList());
        story.tell("""
            After a failure each client now waits, longer after each failure, and each for a different, random
            time: the retries no longer come back as one wave but spread over the seconds after the outage.
            Payments received fewer calls while it was down, after the first moment at most one per customer in
            any 200 ms, and once it was back, the next retry of every customer went through.""");
        long shortest = waits.stream().mapToLong(Long::longValue).min().orElse(0);
        long busiestAfterStart = schedule.entrySet().stream().filter(e -> e.getKey() > 0).mapToLong(Map.Entry::getValue).max().orElse(0);
        story.check(saved(outcomes) == CUSTOMERS, "all " + CUSTOMERS + " orders were charged: each customer's last retries came after payments was back");
        story.check(duringOutage < CUSTOMERS * MAX_ATTEMPTS, "payments received " + duringOutage + " calls while it was down, not " + CUSTOMERS * MAX_ATTEMPTS);
        story.check(busiestAfterStart <= CUSTOMERS, "after t+0, no 200 ms held more than " + CUSTOMERS + " calls (the busiest: " + busiestAfterStart + ")");
        story.check(shortest >= 100, "every wait was at least 100 ms (200 ms less 50 %); the shortest: " + shortest + " ms");
        story.check(waits.stream().distinct().count() > CUSTOMERS / 2, "the waits differ from customer to customer (" + waits.stream().distinct().count() + " different waits): the jitter");
    }

    static void aLostAnswerChargesTwice() throws Exception {
        story.step("A retried POST without an idempotency key charges twice");
        // Payments charges the card for every request it does not recognise. The first answer is lost on the way back.
        payments.reset();
        payments.answerInTurn(post("/charges"), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), charged("ch-2"));
        story.state("payments", "charges the card, then the connection breaks before the answer reaches orders");
        story.state("orders' client", "Resilience4j Retry, no Idempotency-Key");
        var retry = Retry.of("payments", RetryConfig.<HttpResponse<String>>custom().maxAttempts(3)
            .intervalFunction(IntervalFunction.of(Duration.ofMillis(10))).retryExceptions(IOException.class).build());

        var answer = through(retry, () -> send(charge("o-42", null, 0)));
        var calls = payments.journal();
        calls.forEach(r -> story.say("→ payments POST /charges for o-42, Idempotency-Key: " + r.getHeader("Idempotency-Key")));
        int charges = chargesMade(calls);
        story.state("payments' charges for o-42", charges);
        story.tell("""
            Orders could not know that the first call had worked: all it saw was a broken connection. So it
            retried, and payments, which had no way to tell a retry from a new charge, charged the card again.
            The customer paid twice for one order. A POST is not idempotent: retrying it is only safe when the
            server can recognise the retry.""");
        story.check(answer.statusCode() == 201 && calls.size() == 2, "orders saw a broken connection, retried, and got 201");
        story.check(charges == 2, "payments made 2 charges for the one order o-42: the customer paid twice");
    }

    static void anIdempotencyKeyChargesOnce() throws Exception {
        story.step("With an Idempotency-Key, payments charges once");
        String key = UUID.randomUUID().toString();
        paymentsRemembersKeys(key);
        story.state("payments", "remembers each Idempotency-Key it charged, and answers a repeat with the same charge");
        story.state("orders' client", "Resilience4j Retry, one Idempotency-Key per order: " + key);
        var retry = Retry.of("payments", RetryConfig.<HttpResponse<String>>custom().maxAttempts(3)
            .intervalFunction(IntervalFunction.of(Duration.ofMillis(10))).retryExceptions(IOException.class).build());

        // tag::idempotency-key[]
        var request = charge("o-43", key, 0);                                 // the key is made once, per order
        var answer = through(retry, () -> send(request));             // and sent on every attempt
        // end::idempotency-key[]
        var calls = payments.journal();
        calls.forEach(r -> story.say("→ payments POST /charges for o-43, Idempotency-Key: " + r.getHeader("Idempotency-Key")));
        int charges = chargesMade(calls);
        story.state("payments' charges for o-43", charges);
        story.say("the retry's answer: " + answer.statusCode() + " " + answer.body() + ", Idempotent-Replayed: " + answer.headers().firstValue("Idempotent-Replayed").orElse("no"));
        story.tell("""
            The same broken connection, the same retry. But both attempts carried the same key, so payments knew
            the second was a retry of a charge it had already made, and answered it with that charge instead of
            making a new one. The key names the operation, not the attempt: made once per order, before the first
            attempt, and sent with every retry.""");
        story.check(calls.size() == 2 && calls.stream().allMatch(r -> key.equals(r.getHeader("Idempotency-Key"))), "both attempts carried the same Idempotency-Key");
        story.check(charges == 1 && answer.statusCode() == 201 && answer.body().contains("ch-3"), "payments made 1 charge (ch-3), and the retry got it back: the customer paid once");
    }

    static void yourRetries() {
        story.step("Your Payments client, in the flicker and the lost answer (--mine)");
        Mine mine = Mine.compile("07-retries");
        try {
            // tag::mine[]
            var clock = new ManualClock();
            var sleeper = new RecordingSleeper(clock);
            Object policy = mine.create("retries.RetryPolicy", 3, Duration.ofMillis(100), Duration.ofSeconds(1));
            Object yours = mine.create("retries.Payments", HTTP, payments.uri(), policy, sleeper, (DoubleSupplier) new SplittableRandom(7)::nextDouble);
            // end::mine[]
            payments.reset();
            payments.answerInTurn(post("/charges"), unavailable(), unavailable(), charged("ch-4"));
            Object chargeId = mine.call(yours, "charge", "o-44", 4999);
            var calls = payments.journal();
            story.say("your client: " + calls.size() + " calls, waits " + sleeper.sleeps() + ", charge " + chargeId);
            story.check("ch-4".equals(chargeId) && calls.size() == 3, "503, 503, 201: your client charged o-44 in exactly 3 calls");
            story.check(sleeper.sleeps().size() == 2 && sleeper.sleeps().get(0).compareTo(Duration.ofMillis(100)) <= 0
                && sleeper.sleeps().get(1).compareTo(Duration.ofMillis(200)) <= 0, "its 2 waits lay within the policy's bounds: at most 100 ms, then at most 200 ms");

            String key = calls.get(0).getHeader("Idempotency-Key");
            story.check(key != null && calls.stream().allMatch(r -> key.equals(r.getHeader("Idempotency-Key"))), "all 3 attempts carried the same Idempotency-Key");

            payments.reset();
            payments.answerInTurn(post("/charges"), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), charged("ch-5"));
            mine.call(yours, "charge", "o-45", 4999);
            var lost = payments.journal();
            story.check(lost.size() == 2 && lost.get(0).getHeader("Idempotency-Key") != null
                && lost.get(0).getHeader("Idempotency-Key").equals(lost.get(1).getHeader("Idempotency-Key")),
                "a lost answer: your retry carried the first attempt's key, so payments could charge o-45 once");
        } catch (Exception e) {
            story.check(false, "your Payments client ran the story (it threw " + e + ")");
        }
    }

    static void serve() {
        if (!story.serving()) return;
        String key = "k-" + UUID.randomUUID();
        paymentsRemembersKeys(key);
        story.serve(
            "curl -si -X POST " + payments.url("/charges") + " -H 'Idempotency-Key: " + key + "' -d '{}'      (the first answer is lost: curl sees the connection reset)",
            "curl -si -X POST " + payments.url("/charges") + " -H 'Idempotency-Key: " + key + "' -d '{}'      (the retry: 201 ch-3, Idempotent-Replayed: true)",
            "curl -s " + payments.url("/__admin/requests") + "      (payments' journal)");
    }

    // ---- orders' client for payments ----

    /** A charge, stamped with the customer's story time; with an Idempotency-Key when one is given. */
    static HttpRequest charge(String orderId, String idempotencyKey, long storyMillis) {
        var builder = HttpRequest.newBuilder(payments.uri().resolve("/charges"))
            .header("Content-Type", "application/json")
            .header(STORY_TIME, Long.toString(storyMillis))
            .POST(BodyPublishers.ofString("{\"orderId\": \"" + orderId + "\", \"amountCents\": 4999}"));
        if (idempotencyKey != null) builder.header("Idempotency-Key", idempotencyKey);
        return builder.build();
    }

    /** The same request, stamped with this customer's story time now (after any waits). */
    static HttpRequest stampedNow(HttpRequest request) {
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase(STORY_TIME))
            .header(STORY_TIME, Long.toString(customersClock.get().elapsed().toMillis())).build();
    }

    static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, BodyHandlers.ofString());
    }

    // tag::storm[]
    /** The naive retry: try again at once, until it works or the attempts run out. */
    static HttpResponse<String> chargeAtOnce(String orderId) throws Exception {
        HttpResponse<String> answer = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            answer = send(stampedNow(charge(orderId, null, 0)));
            if (!retryable(answer.statusCode())) return answer;
        }
        return answer;
    }
    // end::storm[]

    static boolean retryable(int status) { return status == 429 || status >= 500; }

    /** The call through Resilience4j's retry, which declares Throwable. */
    static <T> T through(Retry retry, CheckedSupplier<T> call) throws Exception {
        try {
            return retry.executeCheckedSupplier(call);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    // ---- the customers ----

    interface Checkout { HttpResponse<String> pay(String orderId) throws Exception; }

    /** {@value CUSTOMERS} customers pay at the same moment, each on its own thread and its own story clock. */
    static List<HttpResponse<String>> customers(Checkout checkout) throws Exception {
        // Resilience4j waits through this function: here it moves the customer's story clock instead of sleeping.
        RetryImpl.setSleepFunction(millis -> customersClock.get().advanceMillis(millis));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> pending = new ArrayList<>();
            for (int i = 1; i <= CUSTOMERS; i++) {
                String orderId = "o-" + (100 + i);
                pending.add(pool.submit((Callable<HttpResponse<String>>) () -> {
                    customersClock.set(new ManualClock());
                    return checkout.pay(orderId);
                }));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (var p : pending) answers.add(p.get());
            return answers;
        }
    }

    static int saved(List<HttpResponse<String>> answers) {
        return (int) answers.stream().filter(a -> a.statusCode() == 201).count();
    }

    // ---- payments' behaviours ----

    /** Payments answers 503 to calls sent in the first second of the story's clock, and charges the card after. */
    static void paymentsDownForTheFirstSecond() {
        payments.reset();
        payments.stub(post("/charges").atPriority(1).withHeader(STORY_TIME, matching("\\d{1,3}")).willReturn(unavailable()));
        payments.stub(post("/charges").atPriority(2).willReturn(charged("ch-9")));
    }

    // tag::payments-dedup[]
    /**
     * Payments' side of idempotency, as a stub: the first charge with this key is made (and its answer lost on
     * the way back); every later request with the same key gets the same charge back, marked as a replay.
     */
    static void paymentsRemembersKeys(String key) {
        payments.reset();
        payments.stub(post("/charges").withHeader("Idempotency-Key", equalTo(key))
            .inScenario("key " + key).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("charged")
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        payments.stub(post("/charges").withHeader("Idempotency-Key", equalTo(key))
            .inScenario("key " + key).whenScenarioStateIs("charged")
            .willReturn(charged("ch-3").withHeader("Idempotent-Replayed", "true")));
        payments.stub(post("/charges").withHeader("Idempotency-Key", absent()).willReturn(charged("ch-new")));
    }
    // end::payments-dedup[]

    /** Charges payments made: one per request without a key, one per distinct key. */
    static int chargesMade(List<LoggedRequest> calls) {
        long withoutKey = calls.stream().filter(r -> r.getHeader("Idempotency-Key") == null).count();
        long keys = calls.stream().map(r -> r.getHeader("Idempotency-Key")).filter(k -> k != null).distinct().count();
        return (int) (withoutKey + keys);
    }

    static void answerInTurn(ResponseDefinitionBuilder... answers) {
        payments.reset();
        payments.answerInTurn(post("/charges"), answers);
    }

    static ResponseDefinitionBuilder charged(String chargeId) {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"chargeId\": \"" + chargeId + "\", \"status\": \"captured\"}");
    }

    static ResponseDefinitionBuilder unavailable() {
        return aResponse().withStatus(503).withHeader("Content-Type", "application/json").withBody("{\"error\": \"database failing over\"}");
    }

    // ---- the schedule ----

    static long storyTime(LoggedRequest r) { return Long.parseLong(r.getHeader(STORY_TIME)); }

    /** Calls per slot of the story's clock: slot start in ms -> calls. */
    static TreeMap<Long, Long> schedule(List<LoggedRequest> calls, long slotMillis) {
        var slots = new TreeMap<Long, Long>();
        calls.forEach(r -> slots.merge(storyTime(r) / slotMillis * slotMillis, 1L, Long::sum));
        return slots;
    }

    static void printSchedule(TreeMap<Long, Long> slots, long slotMillis) {
        story.say("calls payments received, by the story's clock (# = one call, 503 before t+1000 ms):");
        slots.forEach((start, calls) -> story.say("  t+%4d..%4d ms %3d %s".formatted(start, start + slotMillis - 1, calls, "#".repeat((int) (long) calls))));
    }

    static List<Long> firstCustomerWaits(List<LoggedRequest> journal) {
        return journal.stream().filter(r -> r.getBodyAsString().contains("o-101")).map(Lesson::storyTime).sorted().toList();
    }
}
