package breaker;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
    @Hint({"A new breaker starts CLOSED. In CLOSED, acquirePermission lets every call through, and onSuccess records a success.",
           "Keep a field `private State state = State.CLOSED;` and return it from state(). acquirePermission returns normally when the state is CLOSED.",
           "The README's section 'The three states' walks through CLOSED first."})
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
    @Hint({"call() rethrows the call's exception after onFailure(). onFailure must record the failure, and return normally.",
           "A single failure is far below minimumNumberOfCalls (4 here), so no verdict yet: record it in the window and stay CLOSED.",
           "The README's section 'The three states': no verdict before minimumNumberOfCalls."})
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
    @Hint({"A failure rate of 100 % over 4 calls is not enough when minimumNumberOfCalls is 5: too few calls to judge.",
           "Open only when the window holds at least minimumNumberOfCalls outcomes AND the failure rate is at or above the threshold.",
           "The README's section 'Counting: a window, a rate, a minimum'."})
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
    @Hint({"The threshold is inclusive: a rate at or above failureRateThreshold opens the breaker.",
           "failure rate = failures * 100f / outcomes in the window; compare it with >=, not >.",
           "The README's section 'Counting: a window, a rate, a minimum'."})
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
    @Hint({"A payments that fails every other call never fails twice in a row, yet half of the checkouts fail.",
           "Keep the outcomes (or counts of them) of the window, not a counter of consecutive failures that a success resets.",
           "The README's section 'A breaker in twenty lines' shows why consecutive failures are not enough."})
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
    @Hint({"The window holds only the last slidingWindowSize outcomes. When a new one comes in, the oldest leaves.",
           "A ring buffer of booleans (or a Deque you trim to the size) with a failure count that goes down when a failure leaves.",
           "The README's section 'Counting: a window, a rate, a minimum'."})
    void oldOutcomesLeaveTheWindow() {
        paymentsAnswerInTurn(up(), up(), up(), up(), up(), up(), down(), down());
        var breaker = breaker(CONFIG);

        var outcomes = attempts(breaker, 8);

        assertThat(breaker.state()).withFailMessage("after %s the window of 4 holds [ok, ok, failed, failed], 50 %%: the breaker should be OPEN, "
            + "but was %s (2 failures in all 8 calls would be only 25 %%: does your window forget old calls?)", outcomes, breaker.state())
            .isEqualTo(State.OPEN);
    }

    // ---- OPEN: leave payments alone ----

    @Test
    @Points(2)
    @DisplayName("While OPEN, calls are refused with CallNotPermitted and never reach payments")
    @Hint({"In OPEN, acquirePermission throws new CallNotPermitted(name, State.OPEN), so call() never runs the supplier.",
           "Check the state before the call; the supplier is what sends the request, so not calling it is what spares payments.",
           "The README's section 'The three states'."})
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
    @Hint({"In acquirePermission, an OPEN breaker whose wait is over (now >= openedAt + waitDurationInOpenState) moves to HALF_OPEN and lets the call through.",
           "Remember when it opened: openedAt = clock.instant(). Read the time only from the clock given to the constructor: the test moves that clock, not the system's.",
           "The README's section 'The three states': OPEN to HALF_OPEN."})
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
    @Hint({"A refused call changes nothing: not the window, not the time the breaker opened.",
           "Set openedAt only in the transition to OPEN, never when refusing a call.",
           "The README's section 'The three states'."})
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

    // ---- HALF_OPEN: a few trial calls decide ----

    @Test
    @Points(3)
    @DisplayName("HALF_OPEN lets exactly permittedNumberOfCallsInHalfOpenState trial calls through: with 2 in flight, a third is refused")
    @Hint({"Hand out trial permits in acquirePermission: a counter set to permittedNumberOfCallsInHalfOpenState on entering HALF_OPEN, taken one per call; none left means CallNotPermitted.",
           "The permits are taken when a call starts, not when it ends: two slow trial calls still in flight hold both permits. Keep the bookkeeping synchronized, and the call itself outside the lock.",
           "The README's section 'The three states': HALF_OPEN."})
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
    @Hint({"CallNotPermitted means the call never happened: it is neither a success nor a failure, in any state.",
           "Keep the refusal out of onFailure: throw CallNotPermitted from acquirePermission, before call() gets to its try block.",
           "The README's section 'The three states'."})
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
    @Hint({"In HALF_OPEN, record each trial's outcome and decide only when all permittedNumberOfCallsInHalfOpenState of them are in.",
           "Give HALF_OPEN its own small window of permittedNumberOfCallsInHalfOpenState outcomes; when it is full, a rate below the threshold closes the breaker.",
           "The README's section 'The three states': HALF_OPEN decides."})
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
    @Hint({"The trials' failure rate is judged like the window's: at or above the threshold means OPEN. 1 failure in 2 is 50 %.",
           "Opening again sets openedAt to the time it reopened, so the next trials come a full waitDurationInOpenState later.",
           "The README's section 'The three states': HALF_OPEN decides."})
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
    @Hint({"The failures that opened the breaker are history once the trial calls have proven payments healthy.",
           "On the transition to CLOSED, start a new, empty window (Resilience4j does the same).",
           "The README's section 'The three states'."})
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

    // ---- events ----

    @Test
    @Points(2)
    @DisplayName("Every change of state reaches each listener in order, with the time from the breaker's clock")
    @Hint({"Notify the listeners in the one place where the state changes, with new Transition(from, to, clock.instant()).",
           "Transitions happen in acquirePermission (OPEN to HALF_OPEN) and when recording outcomes (to OPEN, to CLOSED). Take every instant from the injected clock.",
           "The README's section 'Watching it: events and a timeline'."})
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
    @Hint({"Call through the breaker: breaker.call(call). A value that comes back is served as new Reply<>(value, Reply.Source.LIVE).",
           "Remember the value too (an AtomicReference<T> field): it is the last good value for later.",
           "The README's section 'Fallbacks: the last good value, or a default'."})
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
    @Hint({"Catch the call's exception around breaker.call(...) and serve what payments said last time.",
           "catch (RuntimeException e) covers both a failed call (Payments.Unavailable) and a refused one (CallNotPermitted).",
           "The README's section 'Fallbacks: the last good value, or a default'."})
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
    @Hint({"No good value yet: serve the default given to the constructor.",
           "new Reply<>(defaultValue, Reply.Source.DEFAULT) when the remembered value is still null.",
           "The README's section 'Fallbacks: the last good value, or a default'."})
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
    @Hint({"The fallback must not bypass the breaker: every call goes through breaker.call, so the breaker counts the failures and opens.",
           "Once the breaker is OPEN, breaker.call throws CallNotPermitted without calling payments; the fallback serves the last good value.",
           "The README's section 'Fallbacks: the last good value, or a default'."})
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

    // ---- helpers ----

    private CircuitBreaker breaker(BreakerConfig config) {
        return new CircuitBreaker("payments", config, clock);
    }

    /** A breaker that has just opened after 4 failures in 4 calls. */
    private CircuitBreaker openedBreaker() {
        paymentsAnswer(down());
        var breaker = breaker(CONFIG);
        var outcomes = attempts(breaker, 4);
        assertThat(breaker.state()).withFailMessage("4 failures in 4 calls (%s) should open the breaker (50 %% threshold, minimum 4), but it was %s",
            outcomes, breaker.state()).isEqualTo(State.OPEN);
        return breaker;
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
