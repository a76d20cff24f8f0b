package breaker;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("08 · A circuit breaker in front of payments, with a fallback")
class CircuitBreakerTest {
    // One payments server for the whole class; its stubs and journal are reset before each test.
    @RegisterExtension
    static WireMockExtension paymentsPeer = WireMockExtension.newInstance()
        .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The numbers most tests use: a window of the last 4 calls, a verdict from 4 on, open at 50 %, 30 s, 2 trials. */
    private static final BreakerConfig CONFIG = new BreakerConfig(4, 4, 50, Duration.ofSeconds(30), 2);
    private static final Duration WAIT = CONFIG.waitDurationInOpenState();
    private static final List<String> CARD_ONLY = List.of("card");

    private final ManualClock clock = new ManualClock();
    private Payments payments;

    @BeforeEach
    void connect() {
        payments = new Payments(HTTP, URI.create(paymentsPeer.baseUrl()));
    }

    // ---- CLOSED: counting failures ----

    @Test
    @DisplayName("A new breaker is CLOSED and lets calls through: payments' answer comes back unchanged")
    @Hint({"Read 'The three states' in the lesson's README, CLOSED first. What does a new breaker do with a call?",
           "A new breaker is CLOSED. In CLOSED every call goes through, and its outcome is recorded; payments' answer comes back unchanged.",
           "Last hint: private State state = State.CLOSED; state() returns it; acquirePermission returns normally when the state is CLOSED, and onSuccess records a success."})
    void closedLetsCallsThrough() {
        paymentsAnswer(up());
        var breaker = breaker(CONFIG);

        var methods = Expect.returns(() -> breaker.call(payments::methods), "a new breaker should let the call through");

        assertThat(methods).withFailMessage("the call's result should come back unchanged: expected [card, paypal], got %s", methods)
            .containsExactly("card", "paypal");
        assertThat(breaker.state()).withFailMessage("a new breaker should be CLOSED, but was %s", breaker.state()).isEqualTo(State.CLOSED);
        assertThat(callsToPayments()).withFailMessage("payments should have received the one call, but received %d", callsToPayments()).isEqualTo(1);
    }

    @Test
    @DisplayName("A failed call reaches the caller as payments' own exception, and the breaker stays CLOSED after one failure")
    @Hint({"call() is given: it calls onFailure() and rethrows. What must onFailure do, and not do?",
           "A single failure is no verdict: the breaker judges only from minimumNumberOfCalls outcomes. The failure is recorded, the breaker stays CLOSED, and the caller gets payments' own exception.",
           "Last hint: onFailure records a failure in the window and returns normally; it opens only when window size >= minimumNumberOfCalls and the rate is at or above the threshold."})
    void failurePassesThrough() {
        paymentsAnswer(down());
        var breaker = breaker(CONFIG);

        Expect.thrown(Payments.Unavailable.class, () -> breaker.call(payments::methods),
            "payments answered 503, and the caller should see payments' own exception (Payments.Unavailable), not another");

        assertThat(breaker.state()).withFailMessage("one failure is not enough for a verdict (minimumNumberOfCalls is 4), so it should be CLOSED, but was %s",
            breaker.state()).isEqualTo(State.CLOSED);
    }

    @Test
    @Points(2)
    @DisplayName("It stays CLOSED below minimumNumberOfCalls: 4 failures out of 4 are no verdict when the minimum is 5")
    @Hint({"Read 'Counting: a window, a rate, a minimum' in the lesson's README. Is 4 failures out of 4 enough to judge when the minimum is 5?",
           "The minimum number of calls keeps the breaker from judging on too little. Too few calls, no verdict, whatever the rate.",
           "Last hint: open only when size >= config.minimumNumberOfCalls() && failureRate >= config.failureRateThreshold()."})
    void staysClosedBelowMinimum() {
        paymentsAnswer(down());
        var breaker = breaker(new BreakerConfig(10, 5, 50, WAIT, 2));

        var outcomes = attempts(breaker, 4);

        assertThat(breaker.state()).withFailMessage("after 4 failures (%s) with minimumNumberOfCalls 5, the breaker should still be CLOSED, but was %s",
            outcomes, breaker.state()).isEqualTo(State.CLOSED);
        var fifth = attempt(breaker);
        assertThat(fifth).withFailMessage("the 5th call should still reach payments (and fail), but it was %s", fifth).isEqualTo("failed");
        assertThat(breaker.state()).withFailMessage("the 5th failure makes 5 of 5 calls failed (100 %% >= 50 %%): the breaker should be OPEN, but was %s",
            breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    @Points(2)
    @DisplayName("A failure rate equal to the threshold opens it: 2 failures in 4 calls is 50 %, and 1 in 4 is not")
    @Hint({"Is a failure rate equal to the threshold enough to open? Look at the table in 'Counting: a window, a rate, a minimum' (lesson's README).",
           "The threshold counts: a rate at or above failureRateThreshold opens the breaker. 2 failures in 4 is 50 %, and opens at 50 %.",
           "Last hint: failures * 100f / size >= config.failureRateThreshold(): compare with >=, not >."})
    void opensAtThreshold() {
        paymentsAnswerInTurn(up(), up(), up(), down());
        var quarter = breaker(CONFIG);
        var outcomes = attempts(quarter, 4);
        assertThat(quarter.state()).withFailMessage("1 failure in 4 calls (%s) is 25 %%, below the 50 %% threshold: it should stay CLOSED, but was %s",
            outcomes, quarter.state()).isEqualTo(State.CLOSED);

        paymentsAnswerInTurn(up(), up(), down(), down());
        var half = breaker(CONFIG);
        outcomes = attempts(half, 4);
        assertThat(half.state()).withFailMessage("2 failures in 4 calls (%s) is 50 %%, equal to the threshold: it should be OPEN, but was %s",
            outcomes, half.state()).isEqualTo(State.OPEN);
    }

    @Test
    @Points(2)
    @DisplayName("It counts the failure rate, not failures in a row: failure, success, failure, success opens it at 50 %")
    @Hint({"Read 'A breaker in twenty lines' in the lesson's README. What does a payments that fails every other call do to a count of failures in a row?",
           "A breaker counts the failure rate over its window, not failures in a row. Half the checkouts can fail with never two failures in a row.",
           "Last hint: keep the window's outcomes (or counts of them); never a counter of consecutive failures that a success resets."})
    void rateNotConsecutive() {
        paymentsAnswerInTurn(down(), up(), down(), up());
        var breaker = breaker(CONFIG);

        var outcomes = attempts(breaker, 4);

        assertThat(breaker.state()).withFailMessage("outcomes %s are 2 failures in 4 calls, 50 %%: the breaker should be OPEN, but was %s",
            outcomes, breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    @Points(2)
    @DisplayName("Old outcomes leave the window: after 6 successes, 2 failures among the last 4 calls open it")
    @Hint({"How many outcomes does the window hold? What happens to the oldest when a new one comes? ('Counting: a window, a rate, a minimum' in the lesson's README.)",
           "A count-based sliding window keeps the last slidingWindowSize outcomes only. A new outcome pushes the oldest out, so 2 failures among the last 4 is 50 %, whatever came before.",
           "Last hint: a ring buffer of booleans (or a Deque you trim to the size) with a failure count that goes down when a failure leaves."})
    void oldOutcomesLeaveTheWindow() {
        paymentsAnswerInTurn(up(), up(), up(), up(), up(), up(), down(), down());
        var breaker = breaker(CONFIG);

        var outcomes = attempts(breaker, 8);

        assertThat(breaker.state()).withFailMessage("after %s the window of 4 holds [ok, ok, failed, failed], 50 %%: the breaker should be OPEN, "
            + "but was %s (2 failures in all 8 calls would be only 25 %%: does your window forget old calls?)", outcomes, breaker.state())
            .isEqualTo(State.OPEN);
    }

    @Test
    @Points(2)
    @DisplayName("A failure that leaves the window stops counting: failed, ok, ok, ok, ok, failed is 1 failure in the last 4 (25 %), so it stays CLOSED")
    @Hint({"When the oldest outcome leaves the window and it was a failure, what happens to your failure count?",
           "Subtract on evict: a failure that leaves the window stops counting. A success that leaves changes no count.",
           "Last hint: in a ring of booleans: if (failed[next]) failures--; failed[next] = failure; if (failure) failures++; next = (next + 1) % failed.length;"})
    void aFailureLeavesTheWindow() {
        paymentsAnswerInTurn(down(), up(), up(), up(), up(), down());
        var breaker = breaker(CONFIG);

        var outcomes = attempts(breaker, 6);

        assertThat(breaker.state()).withFailMessage("after %s the window of 4 holds [ok, ok, ok, failed], 25 %%, below 50 %%: the breaker should be CLOSED, "
            + "but was %s (is the first failure still counted after it left the window?)", outcomes, breaker.state()).isEqualTo(State.CLOSED);
        var seventh = attempt(breaker);
        assertThat(breaker.state()).withFailMessage("a 7th call that %s makes the window [ok, ok, failed, failed], 50 %%: the breaker should be OPEN, but was %s",
            seventh, breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    @Points(2)
    @DisplayName("Before the window is full, the rate counts the calls made so far: in a window of 10, 2 failures in 4 calls (50 %) open it")
    @Hint({"Before the window is full, what do you divide by: the window's size, or the calls so far?",
           "The rate is failures over the outcomes the window holds now: 2 of 4 is 50 %, whatever the window's size. Check the minimum and the rate after every call.",
           "Last hint: failures * 100f / size, where size is how many outcomes the window holds (at most slidingWindowSize); open when size >= minimumNumberOfCalls && rate >= failureRateThreshold."})
    void rateOverTheCallsSoFar() {
        var config = new BreakerConfig(10, 4, 50, WAIT, 2);
        paymentsAnswerInTurn(up(), down(), up(), down());
        var evenly = breaker(config);
        var outcomes = attempts(evenly, 4);
        assertThat(evenly.state()).withFailMessage("%s in a window of 10 (minimum 4) is 2 failures in 4 calls, 50 %%: the breaker should be OPEN, but was %s "
            + "(2 failures in a window of 10 would be 20 %%: is the rate divided by the window's size?)", outcomes, evenly.state()).isEqualTo(State.OPEN);

        paymentsAnswerInTurn(down(), up(), up(), up(), down(), down());
        var later = breaker(config);
        List<String> seen = new ArrayList<>();
        for (String expected : List.of("CLOSED", "CLOSED", "CLOSED", "CLOSED", "CLOSED", "OPEN")) {
            seen.add(attempt(later));
            assertThat(later.state().name()).withFailMessage("after %s (%d failures in %d calls) the breaker should be %s, but was %s",
                seen, seen.stream().filter("failed"::equals).count(), seen.size(), expected, later.state()).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("The rate is not rounded: 2 failures in 3 calls (66.67 %) reach a threshold of 66.6 %, but not one of 66.7 %")
    @Hint({"What is 2 * 100 / 3 in Java ints?",
           "failureRateThreshold is a float percentage, and 2 in 3 is 66.666... %. Rounding the rate, or dividing in ints, gives the wrong answer for some thresholds.",
           "Last hint: failures * 100f / size >= config.failureRateThreshold() (the f: float arithmetic, no rounding)."})
    void rateIsNotRounded() {
        paymentsAnswerInTurn(down(), up(), down());
        var reached = breaker(new BreakerConfig(3, 3, 66.6f, WAIT, 2));
        var outcomes = attempts(reached, 3);
        assertThat(reached.state()).withFailMessage("%s is 2 failures in 3 calls, 66.67 %%, at or above a 66.6 %% threshold: it should be OPEN, but was %s "
            + "(is the rate computed with integers, 66?)", outcomes, reached.state()).isEqualTo(State.OPEN);

        paymentsAnswerInTurn(down(), up(), down());
        var notReached = breaker(new BreakerConfig(3, 3, 66.7f, WAIT, 2));
        outcomes = attempts(notReached, 3);
        assertThat(notReached.state()).withFailMessage("%s is 2 failures in 3 calls, 66.67 %%, below a 66.7 %% threshold: it should stay CLOSED, but was %s "
            + "(is the rate rounded up to 67?)", outcomes, notReached.state()).isEqualTo(State.CLOSED);
    }

    @Test
    @Points(2)
    @DisplayName("Any exception is a failure: 500, 504, a dropped connection and an error in our own code all count")
    @Hint({"Does the breaker care what went wrong?",
           "Any exception the call throws is a failure: a 500, a timeout, a dropped connection, a bug of our own. call() rethrows it unchanged.",
           "Last hint: call() already catches RuntimeException and calls onFailure() before rethrowing; onFailure records a failure whatever was thrown; no filter on Payments.Unavailable."})
    void anyExceptionIsAFailure() {
        paymentsAnswerInTurn(aResponse().withStatus(500), aResponse().withStatus(504), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), up());
        var breaker = breaker(CONFIG);
        List<String> outcomes = attempts(breaker, 3);
        var bug = new IllegalStateException("a bug in the checkout's own code");

        var thrown = Expect.thrown(IllegalStateException.class, () -> breaker.call(() -> { throw bug; }),
            "a call that throws IllegalStateException should reach the caller as that exception");
        outcomes.add("threw " + thrown.getClass().getSimpleName());

        assertThat(thrown).withFailMessage("call() should rethrow the very exception the call threw, but a different one came").isSameAs(bug);
        assertThat(breaker.state()).withFailMessage("%s are 4 failures in 4 calls: the breaker should be OPEN, but was %s (is some kind of failure not counted?)",
            outcomes, breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    @Points(3)
    @DisplayName("Thread-safe: 100000 failures from 4 threads at once are all counted, and the breaker opens exactly once")
    @Hint({"Several checkouts record outcomes at the same moment. What happens to an unguarded failures++?",
           "The window is shared state: its bookkeeping needs the breaker's lock, or outcomes get lost. The call itself runs outside the lock, so calls never wait for each other.",
           "Last hint: private synchronized void onSuccess() { record(false); } and private synchronized void onFailure() { record(true); } (and acquirePermission synchronized too)."})
    void countsEveryOutcomeUnderRace() throws Exception {
        int threads = 4, callsEach = 25_000, all = threads * callsEach;
        var breaker = breaker(new BreakerConfig(all, all, 100, WAIT, 2));
        List<Transition> heard = Collections.synchronizedList(new ArrayList<>());
        breaker.onStateChange(heard::add);
        var down = new Payments.Unavailable("down", null); // one exception for every call: the calls stay short, so they overlap more
        var startTogether = new CyclicBarrier(threads);
        var pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> failures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                failures.add(pool.submit(() -> {
                    startTogether.await(5, TimeUnit.SECONDS);
                    int failed = 0;
                    for (int i = 0; i < callsEach; i++) {
                        try {
                            breaker.call(() -> { throw down; });
                        } catch (Payments.Unavailable expected) {
                            failed++;
                        }
                    }
                    return failed;
                }));
            }
            int failed = 0;
            for (var f : failures) failed += f.get(20, TimeUnit.SECONDS);
            assertThat(failed).withFailMessage("all %d calls should have been made (and failed) while the breaker was CLOSED, but %d were", all, failed).isEqualTo(all);
        } finally {
            pool.shutdownNow();
        }

        assertThat(breaker.state()).withFailMessage("%d failures in a window of %d (minimum %d, threshold 100 %%) should open the breaker, but it was %s "
            + "(were some outcomes lost when threads recorded them at once?)", all, all, all, breaker.state()).isEqualTo(State.OPEN);
        assertThat(heard).withFailMessage("the listener should hear CLOSED -> OPEN exactly once, but heard %s", heard)
            .containsExactly(new Transition(State.CLOSED, State.OPEN, clock.instant()));
    }

    // ---- OPEN: leave payments alone ----

    @Test
    @Points(2)
    @DisplayName("While OPEN, calls are refused with CallNotPermitted and never reach payments")
    @Hint({"Read 'The three states' in the lesson's README. What happens to a call while the breaker is OPEN?",
           "An OPEN breaker refuses calls at once, without making them: that is what spares payments.",
           "Last hint: in acquirePermission, when the state is OPEN: throw new CallNotPermitted(name, State.OPEN); call() then never runs the supplier."})
    void openRefusesWithoutCalling() {
        var breaker = openedBreaker();
        int before = callsToPayments();

        for (int i = 0; i < 3; i++) {
            var refused = Expect.thrown(CallNotPermitted.class, () -> breaker.call(payments::methods),
                "the breaker is OPEN, so the call should be refused with CallNotPermitted");
            assertThat(refused.state()).withFailMessage("CallNotPermitted should say the breaker was OPEN, but said %s", refused.state()).isEqualTo(State.OPEN);
            clock.advance(Duration.ofSeconds(5));
        }

        assertThat(callsToPayments() - before).withFailMessage("while OPEN, payments should receive no call at all, but received %d",
            callsToPayments() - before).isZero();
    }

    @Test
    @Points(2)
    @DisplayName("After waitDurationInOpenState on the clock, the next call is a trial that reaches payments (HALF_OPEN)")
    @Hint({"When does an OPEN breaker let a call try again? On a timer, or when a call asks? ('The three states' in the lesson's README.)",
           "Once waitDurationInOpenState has passed since it opened, the next call moves the breaker to HALF_OPEN and goes through as a trial. Time comes from the clock you were given.",
           "Last hint: openedAt = clock.instant() when it opens; in acquirePermission: if (state == State.OPEN && !clock.instant().isBefore(openedAt.plus(config.waitDurationInOpenState()))) move to HALF_OPEN."})
    void halfOpenAfterTheWait() {
        var breaker = openedBreaker();
        paymentsAnswer(up());

        clock.advance(WAIT.minusMillis(1));
        Expect.thrown(CallNotPermitted.class, () -> breaker.call(payments::methods),
            "1 ms before the 30 s wait is over, the breaker should still refuse");
        clock.advance(Duration.ofMillis(1));
        int before = callsToPayments();
        Expect.returns(() -> breaker.call(payments::methods),
            "once the 30 s wait is over (by the clock given to the breaker), the next call should go through as a trial");

        assertThat(callsToPayments() - before).withFailMessage("the trial call should reach payments").isEqualTo(1);
        assertThat(breaker.state()).withFailMessage("after 1 of 2 trial calls the breaker should be HALF_OPEN, but was %s", breaker.state())
            .isEqualTo(State.HALF_OPEN);
    }

    @Test
    @DisplayName("The wait counts from the moment it opened, however many calls were refused meanwhile")
    @Hint({"Does a refused call change anything? ('The three states' in the lesson's README.)",
           "A refused call did not happen: it does not touch the window and does not extend the wait. The wait counts from the moment the breaker opened.",
           "Last hint: set openedAt only in the transition to OPEN, never when refusing a call."})
    void waitCountsFromOpening() {
        var breaker = openedBreaker();
        paymentsAnswer(up());

        for (int second = 10; second < 30; second += 10) {
            clock.advance(Duration.ofSeconds(10));
            Expect.thrown(CallNotPermitted.class, () -> breaker.call(payments::methods), "the breaker is OPEN and its wait is not over");
        }
        clock.advance(Duration.ofSeconds(10));

        Expect.returns(() -> breaker.call(payments::methods),
            "30 s after it opened, the wait is over, whatever calls were refused at 10 s and 20 s: the call should go through as a trial");
    }

    @Test
    @DisplayName("A refusal names the breaker and the state that refused: 'inventory' when OPEN, 'payments' when HALF_OPEN")
    @Hint({"A log line says a call was refused. Which breaker refused it, and in which state?",
           "CallNotPermitted carries the breaker's name and the state that refused, so a log line says which peer's breaker turned the call away, and why.",
           "Last hint: throw new CallNotPermitted(name, State.OPEN) in OPEN, and throw new CallNotPermitted(name, State.HALF_OPEN) when no trial permit is left."})
    void refusalNamesTheBreaker() throws Exception {
        var inventory = new CircuitBreaker("inventory", CONFIG, clock);
        assertThat(inventory.name()).withFailMessage("name() should be the name given to the constructor, 'inventory', but was '%s'", inventory.name())
            .isEqualTo("inventory");
        for (int i = 0; i < 4; i++) attemptWithoutPayments(inventory);
        var refused = Expect.thrown(CallNotPermitted.class, () -> inventory.call(() -> "never made"), "the inventory breaker is OPEN and should refuse");
        assertThat(List.of(refused.breaker(), refused.state().name())).withFailMessage("the refusal should say [inventory, OPEN], but said [%s, %s]",
            refused.breaker(), refused.state()).containsExactly("inventory", "OPEN");

        var paymentsBreaker = openedWithoutPayments(new BreakerConfig(4, 4, 50, WAIT, 1));
        clock.advance(WAIT);
        paymentsAnswer(up());
        try (var trial = new TrialsInFlight(paymentsBreaker, 1)) {
            refused = Expect.thrown(CallNotPermitted.class, () -> paymentsBreaker.call(() -> "never made"),
                "the one trial call is in flight, so a second call should be refused");
            assertThat(List.of(refused.breaker(), refused.state().name())).withFailMessage("the refusal should say [payments, HALF_OPEN], but said [%s, %s]",
                refused.breaker(), refused.state()).containsExactly("payments", "HALF_OPEN");
        }
    }

    // ---- HALF_OPEN: a few trial calls decide ----

    @Test
    @Points(3)
    @DisplayName("HALF_OPEN lets exactly permittedNumberOfCallsInHalfOpenState trial calls through: with 2 in flight, a third is refused")
    @Hint({"Read the first of the three details in 'The three states' (lesson's README). When is a trial permit taken?",
           "HALF_OPEN lets exactly permittedNumberOfCallsInHalfOpenState trial calls through. Permits are taken when a call starts, so two slow trials in flight hold both; a third is refused.",
           "Last hint: on entering HALF_OPEN set trialsLeft = config.permittedNumberOfCallsInHalfOpenState(); in acquirePermission: if (trialsLeft == 0) throw new CallNotPermitted(name, state); trialsLeft--;"})
    void exactlyTheTrialCalls() throws Exception {
        var breaker = openedBreaker();
        paymentsAnswer(up());
        clock.advance(WAIT);
        int before = callsToPayments();

        try (var trials = new TrialsInFlight(breaker, 2)) {
            assertThat(trials.inside()).withFailMessage("with 2 trial calls permitted, both should be let through at the same time, but %d were "
                + "(does the breaker hold a lock while the call runs, or refuse the second trial?)", trials.inside()).isEqualTo(2);

            var third = Expect.thrown(CallNotPermitted.class, () -> breaker.call(payments::methods),
                "2 trial calls are in flight and only 2 are permitted: a third call should be refused");
            assertThat(third.state()).withFailMessage("the third call was refused in HALF_OPEN, but CallNotPermitted said %s", third.state()).isEqualTo(State.HALF_OPEN);
            assertThat(callsToPayments() - before).withFailMessage("the refused third call must not reach payments").isZero();
        }
        assertThat(callsToPayments() - before).withFailMessage("exactly the 2 trial calls should have reached payments, but %d did",
            callsToPayments() - before).isEqualTo(2);
    }

    @Test
    @Points(2)
    @DisplayName("Refused calls are not recorded: two good trials close the breaker, though a third call was turned away meanwhile")
    @Hint({"Read the third detail in 'The three states' (lesson's README). Is a refused call a failure?",
           "A refused call never happened: it is neither a success nor a failure, in any state. Counting it would spoil the trials' verdict.",
           "Last hint: throw CallNotPermitted from acquirePermission, before call() reaches its try block, so onFailure never sees it."})
    void refusedCallsAreNotRecorded() throws Exception {
        var breaker = openedBreaker();
        paymentsAnswer(up());
        clock.advance(WAIT);

        try (var trials = new TrialsInFlight(breaker, 2)) {
            assertThat(trials.inside()).withFailMessage("both trial calls should be let through at the same time, but %d were", trials.inside()).isEqualTo(2);
            try {
                breaker.call(payments::methods);
            } catch (CallNotPermitted expected) {
                // turned away, as it should be: the previous test is about that
            }
        }

        assertThat(breaker.state()).withFailMessage("both trial calls succeeded, so the breaker should be CLOSED, but was %s "
            + "(was the refused call counted as a failure?)", breaker.state()).isEqualTo(State.CLOSED);
    }

    @Test
    @Points(2)
    @DisplayName("When the trial calls succeed it closes, but only after all of them: one good trial out of 2 is no verdict yet")
    @Hint({"Is one good trial out of two a verdict? ('The three states' in the lesson's README, HALF_OPEN.)",
           "The decision waits for every trial call. Only when all of them are in does HALF_OPEN judge their rate: below the threshold, CLOSED.",
           "Last hint: give HALF_OPEN a window of its own with permittedNumberOfCallsInHalfOpenState slots; when it is full and the rate is below the threshold, move to CLOSED."})
    void closesAfterAllTrialsSucceed() {
        var breaker = openedBreaker();
        paymentsAnswer(up());
        clock.advance(WAIT);

        attempt(breaker);
        assertThat(breaker.state()).withFailMessage("after 1 of 2 trial calls the breaker should still be HALF_OPEN, waiting for the second, but was %s",
            breaker.state()).isEqualTo(State.HALF_OPEN);
        var second = attempt(breaker);
        assertThat(second).withFailMessage("the second trial call should reach payments, but it was %s", second).isEqualTo("ok");
        assertThat(breaker.state()).withFailMessage("both trial calls succeeded: the breaker should be CLOSED, but was %s", breaker.state()).isEqualTo(State.CLOSED);
        assertThat(attempts(breaker, 3)).withFailMessage("a CLOSED breaker should let every call through").containsExactly("ok", "ok", "ok");
    }

    @Test
    @Points(2)
    @DisplayName("When the trial calls fail it opens again, and the wait starts over from then")
    @Hint({"When the trials fail, what happens to the wait? ('The three states' in the lesson's README, HALF_OPEN.)",
           "The trials' failure rate is judged like the window's: at or above the threshold means OPEN again, and the wait starts over from then.",
           "Last hint: when the trials' window is full and the rate >= failureRateThreshold, move to OPEN with openedAt = clock.instant()."})
    void reopensWhenTrialsFail() {
        var breaker = openedBreaker();
        clock.advance(WAIT);
        paymentsAnswerInTurn(down(), up());

        var trials = attempts(breaker, 2);
        assertThat(trials).withFailMessage("both trial calls should reach payments, but they were %s", trials).containsExactly("failed", "ok");
        assertThat(breaker.state()).withFailMessage("1 of 2 trial calls failed, 50 %%: the breaker should be OPEN again, but was %s", breaker.state())
            .isEqualTo(State.OPEN);

        paymentsAnswer(up());
        clock.advance(WAIT.minusMillis(1));
        Expect.thrown(CallNotPermitted.class, () -> breaker.call(payments::methods),
            "the breaker reopened just now: the wait starts over, so 1 ms short of another 30 s it should still refuse");
        clock.advance(Duration.ofMillis(1));
        Expect.returns(() -> breaker.call(payments::methods), "30 s after it reopened, a trial call should go through");
    }

    @Test
    @DisplayName("Closed again, it starts with an empty window: old failures do not count against payments")
    @Hint({"Once payments has proven healthy, do the old failures still count?",
           "Closed again, the breaker starts with an empty window. The failures that opened it are history.",
           "Last hint: on the transition to CLOSED: window = new window of config.slidingWindowSize() (Resilience4j does the same)."})
    void closedStartsAfresh() {
        var breaker = openedBreaker();
        clock.advance(WAIT);
        paymentsAnswer(up());
        attempts(breaker, 2);
        assertThat(breaker.state()).withFailMessage("two good trial calls should close the breaker, but it was %s", breaker.state()).isEqualTo(State.CLOSED);

        paymentsAnswerInTurn(down(), up(), up());
        var outcomes = attempts(breaker, 3);

        assertThat(breaker.state()).withFailMessage("after closing, %s are 3 calls in a new window, below minimumNumberOfCalls (4): it should be CLOSED, "
            + "but was %s (are the failures from before it opened still in the window?)", outcomes, breaker.state()).isEqualTo(State.CLOSED);
    }

    @Test
    @Points(2)
    @DisplayName("The trial calls are judged by their rate, all together: with 4 trials, 1 failure (25 %) closes it and 2 failures (50 %) open it, after the 4th")
    @Hint({"Is one failed trial a verdict by itself?",
           "HALF_OPEN waits for all its trials, then compares their failure rate with the threshold: with 4 trials, 1 failure (25 %) closes it, 2 (50 %) open it.",
           "Last hint: in HALF_OPEN: window.record(failure); if (window.isFull()) move to rate >= threshold ? State.OPEN : State.CLOSED; with a new window of the trials' size on entering HALF_OPEN."})
    void trialsJudgedByTheirRate() {
        var fourTrials = new BreakerConfig(4, 4, 50, WAIT, 4);
        var oneFails = openedBreaker(fourTrials);
        clock.advance(WAIT);
        paymentsAnswerInTurn(down(), up());
        expectTrials(oneFails, List.of("failed", "ok", "ok", "ok"), "CLOSED");

        var twoFail = openedBreaker(fourTrials);
        clock.advance(WAIT);
        paymentsAnswerInTurn(down(), down(), up());
        expectTrials(twoFail, List.of("failed", "failed", "ok", "ok"), "OPEN");
    }

    @Test
    @Points(3)
    @DisplayName("Thread-safe: 8 checkouts asking together when the wait is over get exactly 2 trial calls, and the listener hears one OPEN -> HALF_OPEN")
    @Hint({"Several threads find the wait over at the same moment. How many trial permits do they take?",
           "Checking the wait, moving to HALF_OPEN and taking a permit must be one atomic step, or two threads take the same permit and the listener hears the move twice.",
           "Last hint: private synchronized void acquirePermission(), and call() runs call.get() outside it; onSuccess and onFailure synchronized too."})
    void trialPermitsUnderRace() throws Exception {
        var threads = Executors.newFixedThreadPool(8);
        try {
            for (int round = 1; round <= 30; round++) {
                var breaker = openedWithoutPayments(CONFIG);
                List<Transition> heard = Collections.synchronizedList(new ArrayList<>());
                breaker.onStateChange(heard::add);
                clock.advance(WAIT);
                var startTogether = new CyclicBarrier(8);
                var decided = new CountDownLatch(8);
                var release = new CountDownLatch(1);
                var entered = new AtomicInteger();
                List<Future<String>> calls = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    calls.add(threads.submit(() -> {
                        startTogether.await(5, TimeUnit.SECONDS);
                        try {
                            return breaker.call(() -> {
                                entered.incrementAndGet();
                                decided.countDown();
                                await(release);
                                return "ok";
                            });
                        } catch (CallNotPermitted refused) {
                            decided.countDown();
                            return "refused";
                        }
                    }));
                }
                boolean allDecided = decided.await(5, TimeUnit.SECONDS);
                int inside = entered.get();
                release.countDown();
                for (var call : calls) call.get(5, TimeUnit.SECONDS);

                assertThat(allDecided).withFailMessage("round %d: every one of the 8 calls should be let through or refused at once, "
                    + "but some were still waiting after 5 s (is the lock held while a call runs?)", round).isTrue();
                assertThat(inside).withFailMessage("round %d: 8 calls asked together once the wait was over, and exactly 2 trial calls should have been "
                    + "let through, but %d were (is taking a trial permit a check-then-act outside the lock?)", round, inside).isEqualTo(2);
                assertThat(heard.stream().filter(t -> t.to() == State.HALF_OPEN).count()).withFailMessage(
                    "round %d: the breaker should move to HALF_OPEN once, but the listener heard %s", round, heard).isEqualTo(1);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    // ---- events ----

    @Test
    @Points(2)
    @DisplayName("Every change of state reaches each listener in order, with the time from the breaker's clock")
    @Hint({"Read 'Watching it: events and a timeline' in the lesson's README. Where does your breaker change state?",
           "Every change of state is an event that each listener hears, in order, with the time from the breaker's own clock.",
           "Last hint: one private transitionTo(State to) that sets the state and calls listeners.forEach(l -> l.accept(new Transition(from, to, clock.instant()))); every change goes through it."})
    void eventsInOrder() {
        var breaker = breaker(CONFIG);
        List<Transition> heard = new ArrayList<>();
        List<Transition> heardToo = new ArrayList<>();
        breaker.onStateChange(heard::add);
        breaker.onStateChange(heardToo::add);
        var t0 = clock.instant();

        paymentsAnswer(down());
        attempts(breaker, 4);                          // opens at t0
        clock.advance(WAIT);
        paymentsAnswerInTurn(down(), up());
        attempt(breaker);                              // half-open at t0 + 30 s, trial fails
        clock.advance(Duration.ofSeconds(1));
        attempt(breaker);                              // trial succeeds: 50 %, open again at t0 + 31 s
        clock.advance(WAIT);
        paymentsAnswer(up());
        attempt(breaker);                              // half-open at t0 + 61 s
        clock.advance(Duration.ofSeconds(1));
        attempt(breaker);                              // closed at t0 + 62 s

        var expected = List.of(
            new Transition(State.CLOSED, State.OPEN, t0),
            new Transition(State.OPEN, State.HALF_OPEN, t0.plusSeconds(30)),
            new Transition(State.HALF_OPEN, State.OPEN, t0.plusSeconds(31)),
            new Transition(State.OPEN, State.HALF_OPEN, t0.plusSeconds(61)),
            new Transition(State.HALF_OPEN, State.CLOSED, t0.plusSeconds(62)));
        assertThat(heard).withFailMessage("the listener should hear, in order:%n  %s%nbut heard:%n  %s",
            String.join("\n  ", expected.stream().map(Transition::toString).toList()),
            String.join("\n  ", heard.stream().map(Transition::toString).toList())).isEqualTo(expected);
        assertThat(heardToo).withFailMessage("every listener should hear every transition, the second one too").isEqualTo(expected);
    }

    // ---- the fallback ----

    @Test
    @DisplayName("While payments answers, its answer is served LIVE")
    @Hint({"Read 'Fallbacks: the last good value, or a default' in the lesson's README. What does the fallback do while payments answers?",
           "While payments answers, its answer is served as it is, marked LIVE. Remember it: it is the last good value for later.",
           "Last hint: T value = breaker.call(call); lastGood.set(value); return new Reply<>(value, Reply.Source.LIVE); with an AtomicReference<T> lastGood field."})
    void servesLive() {
        var methods = new Fallback<>(breaker(CONFIG), CARD_ONLY);
        paymentsUp("card", "paypal", "klarna");

        var reply = Expect.returns(() -> methods.get(payments::methods), "get should return payments' answer while payments is up");

        assertThat(reply).withFailMessage("expected payments' answer served LIVE, %s, but got %s",
            new Reply<>(List.of("card", "paypal", "klarna"), Reply.Source.LIVE), reply)
            .isEqualTo(new Reply<>(List.of("card", "paypal", "klarna"), Reply.Source.LIVE));
    }

    @Test
    @Points(2)
    @DisplayName("When payments fails, the last good answer is served (LAST_GOOD), not an error")
    @Hint({"When payments fails, what can the checkout page show instead of an error? ('Fallbacks: the last good value, or a default' in the lesson's README.)",
           "A query can often be answered from the past: serve what payments said last time, marked LAST_GOOD.",
           "Last hint: catch (RuntimeException e) around breaker.call(...): it covers a failed call and a refused one; return new Reply<>(lastGood.get(), Reply.Source.LAST_GOOD)."})
    void lastGoodWhenFailing() {
        var methods = new Fallback<>(breaker(CONFIG), CARD_ONLY);
        paymentsUp("card", "paypal");
        Expect.returns(() -> methods.get(payments::methods), "get should return payments' answer while payments is up");
        paymentsAnswer(down());

        var reply = Expect.returns(() -> methods.get(payments::methods),
            "payments answered 503: get should serve the fallback instead of throwing");

        assertThat(reply).withFailMessage("payments is down, so the last good answer should be served as LAST_GOOD: expected %s, but got %s",
            new Reply<>(List.of("card", "paypal"), Reply.Source.LAST_GOOD), reply)
            .isEqualTo(new Reply<>(List.of("card", "paypal"), Reply.Source.LAST_GOOD));
    }

    @Test
    @DisplayName("When payments never answered, the default is served (DEFAULT)")
    @Hint({"Payments never answered. What is left to serve? ('Fallbacks: the last good value, or a default' in the lesson's README.)",
           "With no good value yet, serve the safe default given to the constructor, and say so: DEFAULT.",
           "Last hint: new Reply<>(defaultValue, Reply.Source.DEFAULT) when the remembered value is still null."})
    void defaultWhenNeverAnswered() {
        var methods = new Fallback<>(breaker(CONFIG), CARD_ONLY);
        paymentsAnswer(down());

        var reply = Expect.returns(() -> methods.get(payments::methods),
            "payments answered 503: get should serve the fallback instead of throwing");

        assertThat(reply).withFailMessage("payments never answered, so the default should be served: expected %s, but got %s",
            new Reply<>(CARD_ONLY, Reply.Source.DEFAULT), reply).isEqualTo(new Reply<>(CARD_ONLY, Reply.Source.DEFAULT));
    }

    @Test
    @Points(2)
    @DisplayName("The fallback goes through the breaker: failures open it, and then the last good answer is served without calling payments")
    @Hint({"Does your fallback call payments through the breaker, or around it? (End of 'Fallbacks: the last good value, or a default' in the lesson's README.)",
           "The fallback must go through the breaker, or the breaker never sees the failures. Once it is OPEN, the last good answer is served without calling payments.",
           "Last hint: every call goes through breaker.call(call); an OPEN breaker throws CallNotPermitted without calling, and your catch serves the last good value."})
    void fallbackBehindTheBreaker() {
        var breaker = breaker(CONFIG);
        var methods = new Fallback<>(breaker, CARD_ONLY);
        paymentsUp("card", "paypal");
        methods.get(payments::methods);
        paymentsAnswer(down());
        for (int i = 0; i < 4; i++) methods.get(payments::methods);
        assertThat(breaker.state()).withFailMessage("one good call, then failures through the fallback should open the breaker (3 of the last 4 calls failed, 75 %%), but it was %s",
            breaker.state()).isEqualTo(State.OPEN);
        paymentsPeer.resetRequests();

        var reply = methods.get(payments::methods);

        assertThat(reply).withFailMessage("with the breaker OPEN, the last good answer should be served: expected %s, but got %s",
            new Reply<>(List.of("card", "paypal"), Reply.Source.LAST_GOOD), reply)
            .isEqualTo(new Reply<>(List.of("card", "paypal"), Reply.Source.LAST_GOOD));
        assertThat(paymentsPeer.getAllServeEvents()).withFailMessage("with the breaker OPEN, payments should not be called, but it received %d calls",
            paymentsPeer.getAllServeEvents().size()).isEmpty();
    }

    @Test
    @Points(2)
    @DisplayName("The fallback remembers the latest answer, not the first: after [card, paypal] then [card, klarna], a failure serves [card, klarna]")
    @Hint({"Which answer is 'the last good one': the first payments gave, or the latest?",
           "Every LIVE answer replaces the one remembered before: the last good value is the most recent one.",
           "Last hint: T value = breaker.call(call); lastGood.set(value); return new Reply<>(value, Reply.Source.LIVE); on every success, not only when there is none yet."})
    void lastGoodIsTheLatest() {
        var methods = new Fallback<>(breaker(CONFIG), CARD_ONLY);
        paymentsUp("card", "paypal");
        methods.get(payments::methods);
        paymentsUp("card", "klarna");
        var second = methods.get(payments::methods);
        assertThat(second).withFailMessage("payments is up with [card, klarna]: expected it LIVE, but got %s", second)
            .isEqualTo(new Reply<>(List.of("card", "klarna"), Reply.Source.LIVE));
        paymentsAnswer(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        var reply = methods.get(payments::methods);

        assertThat(reply).withFailMessage("payments dropped the connection; the last good answer was [card, klarna]: expected %s, but got %s",
            new Reply<>(List.of("card", "klarna"), Reply.Source.LAST_GOOD), reply)
            .isEqualTo(new Reply<>(List.of("card", "klarna"), Reply.Source.LAST_GOOD));
    }

    @Test
    @Points(2)
    @DisplayName("A refused call with no good answer yet gets the default, any failure gets the last good answer, and a recovered payments is LIVE again")
    @Hint({"Is a refused call served differently from a failed one?",
           "Refused and failed are served alike: the last good value if there is one, else the default. When payments recovers, its answers are LIVE again.",
           "Last hint: catch (RuntimeException e) { T last = lastGood.get(); return last != null ? new Reply<>(last, LAST_GOOD) : new Reply<>(defaultValue, DEFAULT); }"})
    void refusedFailedAndRecovered() {
        var breaker = openedWithoutPayments(CONFIG);
        var methods = new Fallback<>(breaker, CARD_ONLY);

        var refused = methods.get(() -> List.of("never", "called"));
        assertThat(refused).withFailMessage("the breaker is OPEN and payments never answered this fallback: expected %s, but got %s",
            new Reply<>(CARD_ONLY, Reply.Source.DEFAULT), refused).isEqualTo(new Reply<>(CARD_ONLY, Reply.Source.DEFAULT));

        clock.advance(WAIT);
        var live = methods.get(() -> List.of("card", "paypal"));
        assertThat(live).withFailMessage("the wait is over and the trial call answered [card, paypal]: expected it LIVE, but got %s", live)
            .isEqualTo(new Reply<>(List.of("card", "paypal"), Reply.Source.LIVE));
        var failed = methods.get(() -> { throw new IllegalStateException("a bug, not payments"); });
        assertThat(failed).withFailMessage("a call that throws any exception should be served the last good answer: expected %s, but got %s",
            new Reply<>(List.of("card", "paypal"), Reply.Source.LAST_GOOD), failed)
            .isEqualTo(new Reply<>(List.of("card", "paypal"), Reply.Source.LAST_GOOD));
    }

    // ---- helpers ----

    private CircuitBreaker breaker(BreakerConfig config) {
        return new CircuitBreaker("payments", config, clock);
    }

    /** A breaker that has just opened after 4 failures in 4 calls. */
    private CircuitBreaker openedBreaker() {
        return openedBreaker(CONFIG);
    }

    /** A breaker with {@code config} that has just opened after failures in every call. */
    private CircuitBreaker openedBreaker(BreakerConfig config) {
        paymentsAnswer(down());
        var breaker = breaker(config);
        var outcomes = attempts(breaker, config.minimumNumberOfCalls());
        assertThat(breaker.state()).withFailMessage("%s should open the breaker, but it was %s", outcomes, breaker.state()).isEqualTo(State.OPEN);
        return breaker;
    }

    /** The same, opened by calls that fail without asking payments: fast enough to do many times over. */
    private CircuitBreaker openedWithoutPayments(BreakerConfig config) {
        var breaker = breaker(config);
        for (int i = 0; i < config.minimumNumberOfCalls(); i++) attemptWithoutPayments(breaker);
        assertThat(breaker.state()).withFailMessage("%d failures in %d calls should open the breaker, but it was %s",
            config.minimumNumberOfCalls(), config.minimumNumberOfCalls(), breaker.state()).isEqualTo(State.OPEN);
        return breaker;
    }

    private static void attemptWithoutPayments(CircuitBreaker breaker) {
        try {
            breaker.call(() -> { throw new Payments.Unavailable("down", null); });
        } catch (Payments.Unavailable | CallNotPermitted expected) {
            // a failure or a refusal, as the caller intends
        }
    }

    /** The trial calls, made one by one: each should have the given outcome, and the state stays HALF_OPEN until the last decides. */
    private void expectTrials(CircuitBreaker breaker, List<String> outcomes, String verdict) {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            seen.add(attempt(breaker));
            String expected = i + 1 < outcomes.size() ? "HALF_OPEN" : verdict;
            assertThat(seen).withFailMessage("trial calls %s should have gone %s", seen, outcomes.subList(0, i + 1)).isEqualTo(outcomes.subList(0, i + 1));
            assertThat(breaker.state().name()).withFailMessage("after trial calls %s of %d, the breaker should be %s, but was %s%s", seen, outcomes.size(),
                expected, breaker.state(), expected.equals("HALF_OPEN") ? " (the verdict waits for all the trial calls)" : "").isEqualTo(expected);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One call through the breaker: "ok", "failed" (payments failed) or "refused" (CallNotPermitted). */
    private String attempt(CircuitBreaker breaker) {
        try {
            breaker.call(payments::methods);
            return "ok";
        } catch (CallNotPermitted e) {
            return "refused";
        } catch (Payments.Unavailable e) {
            return "failed";
        }
    }

    private List<String> attempts(CircuitBreaker breaker, int times) {
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < times; i++) outcomes.add(attempt(breaker));
        return outcomes;
    }

    private static void paymentsUp(String... methods) {
        paymentsPeer.resetAll();
        paymentsPeer.stubFor(get("/payment-methods").willReturn(okJson("{\"methods\": [\"" + String.join("\", \"", methods) + "\"]}")));
    }

    private static ResponseDefinitionBuilder up() {
        return okJson("{\"methods\": [\"card\", \"paypal\"]}");
    }

    private static ResponseDefinitionBuilder down() {
        return aResponse().withStatus(503).withBody("upstream connect error");
    }

    private static void paymentsAnswer(ResponseDefinitionBuilder answer) {
        paymentsPeer.resetAll();
        paymentsPeer.stubFor(get("/payment-methods").willReturn(answer));
    }

    /** Payments gives these answers in turn, then keeps giving the last one (a WireMock scenario: exact, no timing). */
    private static void paymentsAnswerInTurn(ResponseDefinitionBuilder... answers) {
        paymentsPeer.resetAll();
        for (int i = 0; i < answers.length; i++) {
            String state = i == 0 ? Scenario.STARTED : "answer " + i;
            var stub = get("/payment-methods").inScenario("payments").whenScenarioStateIs(state);
            if (i + 1 < answers.length) stub = stub.willSetStateTo("answer " + (i + 1));
            paymentsPeer.stubFor(stub.willReturn(answers[i]));
        }
    }

    private static int callsToPayments() {
        return paymentsPeer.getAllServeEvents().size();
    }

    /**
     * Two (or n) trial calls held in flight at once: each enters the breaker, then waits on a latch before it calls
     * payments. Closing releases them and waits for them to finish. Threads and latches, no sleeping: nothing here
     * waits for time to pass unless the breaker under test blocks a call, and then only 5 s before failing.
     */
    private final class TrialsInFlight implements AutoCloseable {
        private final CountDownLatch settled;
        private final CountDownLatch release = new CountDownLatch(1);
        private final AtomicInteger inside = new AtomicInteger();
        private final ExecutorService threads;
        private final List<Future<?>> calls = new ArrayList<>();

        TrialsInFlight(CircuitBreaker breaker, int n) throws InterruptedException {
            settled = new CountDownLatch(n);
            threads = Executors.newFixedThreadPool(n);
            for (int i = 0; i < n; i++) {
                calls.add(threads.submit(() -> {
                    var entered = new AtomicBoolean();
                    try {
                        return breaker.call(() -> {
                            entered.set(true);
                            inside.incrementAndGet();
                            settled.countDown();
                            awaitRelease();
                            return payments.methods();
                        });
                    } finally {
                        if (!entered.get()) settled.countDown(); // refused: settled without entering
                    }
                }));
            }
            settled.await(5, TimeUnit.SECONDS);
        }

        int inside() { return inside.get(); }

        private void awaitRelease() {
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws Exception {
            release.countDown();
            threads.shutdown();
            try {
                for (Future<?> call : calls) call.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof UnsupportedOperationException todo) throw todo;
                throw new AssertionError("a trial call should have succeeded, but it threw " + e.getCause(), e.getCause());
            } finally {
                threads.shutdownNow();
            }
        }
    }
}
