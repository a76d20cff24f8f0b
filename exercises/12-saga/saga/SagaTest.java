package saga;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.created;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import kit.Database;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Peer;
import kit.Points;
import kit.RecordingSleeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import saga.SagaStore.Status;
import saga.SagaStore.StepState;

@DisplayName("12 · Saga: orchestration with compensation")
class SagaTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Order KEYBOARD = new Order("o-1", "KB-42", 1, 4999);
    private static final Order MOUSE = new Order("o-2", "MS-7", 1, 1999);

    // The calls every saga makes, as the peers' journals show them.
    private static final String RESERVE = "inventory POST /reservations";
    private static final String RELEASE = "inventory POST /reservations/o-1/release";
    private static final String CHARGE = "payments POST /charges";
    private static final String REFUND = "payments POST /charges/o-1/refund";
    private static final String SHIP = "shipping POST /shipments";
    private static final String CANCEL = "shipping POST /shipments/o-1/cancel";

    private static Peer inventory;
    private static Peer payments;
    private static Peer shipping;
    /** Every request any of the three received, in the order they arrived: calls are made one at a time, so this order is exact. */
    private static final List<String> calls = new CopyOnWriteArrayList<>();

    /** The order service's database (in memory); a test crashes the service by closing it, and restarts it by reopening it: what was committed is kept. */
    private Database orders;
    private final ManualClock clock = new ManualClock();
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);

    @BeforeAll
    static void startPeers() {
        var peers = Peer.startAll("inventory", "payments", "shipping");
        inventory = peers.get(0);
        payments = peers.get(1);
        shipping = peers.get(2);
        for (Peer peer : peers) peer.onExchange(e -> calls.add(e.peer() + " " + e.method() + " " + e.url()));
    }

    @AfterAll
    static void stopPeers() {
        inventory.close();
        payments.close();
        shipping.close();
    }

    @BeforeEach
    void everyServiceSaysYes() {
        for (Peer peer : List.of(inventory, payments, shipping)) peer.reset();
        calls.clear();
        inventory.stub(post("/reservations").willReturn(created()));
        inventory.stub(post(urlPathMatching("/reservations/[^/]+/release")).willReturn(ok()));
        payments.stub(post("/charges").willReturn(created()));
        payments.stub(post(urlPathMatching("/charges/[^/]+/refund")).willReturn(ok()));
        shipping.stub(post("/shipments").willReturn(created()));
        shipping.stub(post(urlPathMatching("/shipments/[^/]+/cancel")).willReturn(ok()));
        orders = Database.inMemory("orders");
        orders.run(Schema.SAGAS);
    }

    @AfterEach
    void deleteDatabase() { orders.delete(); }

    // ---- forward, and back ----

    @Test
    @DisplayName("A good day: the stock is reserved, the card charged and shipping booked, in that order, and nothing is undone")
    @Hint({"Read 'An orchestrator' in the lesson's README. In what order do the steps run, and what is written down after each?",
           "The orchestrator runs the steps one by one, in the order of the list, and writes a line in its saga log after each, before it moves on. When all are done, the saga is completed.",
           "Last hint: store.begin(order.id()); for each i: steps.get(i).action().call(order, key); store.stepDone(order.id(), i); then store.finish(order.id(), Status.COMPLETED) and return new Outcome.Completed()."})
    void aGoodDay() {
        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "every service says yes, so the saga should run");

        assertThat(calls).withFailMessage("on a good day the saga should reserve, charge and ship, once each and in that order, "
            + "but the services received %s", calls).containsExactly(RESERVE, CHARGE, SHIP);
        assertThat(outcome).withFailMessage("every step succeeded, so run should return Completed, but returned %s", outcome)
            .isEqualTo(new Outcome.Completed());
    }

    @Test
    @Points(3)
    @DisplayName("Shipping has no courier: the charge is refunded, then the stock released, and the booking that failed is not cancelled")
    @Hint({"Read 'Compensation, last step first' in the lesson's README. Which steps are undone, and in what order?",
           "Undo only the steps that succeeded, last done first: the refund before the release. Shipping's booking failed, so there is no booking to cancel.",
           "Last hint: on StepFailed: store.compensating(order.id(), step.name(), failure.getMessage()); then for i from the failed step - 1 down to 0: steps.get(i).compensation().call(order, key)."})
    void shippingFailsCompensatesInReverse() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409).withBody("no courier for this postcode")));

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "a refused step should end in compensation, not in an exception");

        assertThat(calls).withFailMessage("shipping refused the booking, so the saga should refund the charge and then release the stock "
            + "(the reverse of the order they were made) and cancel nothing, but the services received %s", calls)
            .containsExactly(RESERVE, CHARGE, SHIP, REFUND, RELEASE);
        assertCompensated(outcome, ShopSteps.SHIP, "the ship step failed");
    }

    @Test
    @Points(2)
    @DisplayName("Payments declines the card (402): only the reservation is released; there is no charge to refund and nothing is shipped")
    @Hint({"Was a declined card ever charged? ('Compensation, last step first' in the lesson's README.)",
           "Compensate only the steps that succeeded. Refunding a charge that never happened sends money for nothing.",
           "Last hint: compensate the steps recorded DONE (saga.step(i) == StepState.DONE), not every step up to and including the failed one."})
    void paymentDeclinedReleasesTheStockOnly() {
        payments.stub(post("/charges").willReturn(aResponse().withStatus(402).withBody("card declined")));

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "a declined card should end in compensation, not in an exception");

        assertThat(calls).withFailMessage("the card was declined, so the saga should release the stock, refund nothing (no charge was made) "
            + "and never book shipping, but the services received %s", calls).containsExactly(RESERVE, CHARGE, RELEASE);
        assertThat(outcome).withFailMessage("payments declined the card, so run should return Compensated with the charge step and payments' message, "
            + "but returned %s", outcome).isEqualTo(new Outcome.Compensated(ShopSteps.CHARGE, "payments answered 402 to /charges"));
    }

    @Test
    @DisplayName("Inventory is out of stock (409): nothing was done, so nothing is undone and nobody else is called")
    @Hint({"When the first step fails, which steps are done?",
           "No step is done, so nothing is compensated, and the later steps must not run: the saga turns back at its first failure.",
           "Last hint: stop the forward loop at the first StepFailed: catch it, record store.compensating(...), and go to the compensations (here: none)."})
    void outOfStockUndoesNothing() {
        inventory.stub(post("/reservations").willReturn(aResponse().withStatus(409).withBody("out of stock")));

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "an out-of-stock order should end in an Outcome, not in an exception");

        assertThat(calls).withFailMessage("inventory had no stock, so the saga should stop after that one call, but the services received %s", calls)
            .containsExactly(RESERVE);
        assertCompensated(outcome, ShopSteps.RESERVE, "the reserve step failed");
    }

    @Test
    @Points(2)
    @DisplayName("A forward step that gets no real answer (503, a dropped connection) is not retried: it failed, and what was done before it is undone")
    @Hint({"Which calls are retried in a saga: the steps, or the compensations? ('A compensation must not give up' in the lesson's README.)",
           "Only compensations are retried. A step that fails, refused or unavailable, is a failed step: the saga has its reason to turn back, at once.",
           "Last hint: catch (StepFailed failure) around the action: store.compensating(order.id(), step.name(), failure.getMessage()); then compensate, and return Compensated(step.name(), failure.getMessage()); no sleeper here."})
    void unavailableForwardStepIsNotRetried() {
        shipping.stub(post("/shipments").willReturn(serviceUnavailable()));
        payments.stub(post("/charges").withHeader("Idempotency-Key", containing("o-2")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        var orchestrator = orchestrator();

        Outcome shipFailed = Expect.returns(() -> orchestrator.run(KEYBOARD), "shipping answering 503 should end in compensation, not in an exception");
        var callsOfTheFirst = List.copyOf(calls);
        calls.clear();
        Outcome chargeFailed = Expect.returns(() -> orchestrator.run(MOUSE), "payments dropping the connection should end in compensation, not in an exception");

        assertThat(callsOfTheFirst).withFailMessage("shipping answered 503 to the booking: the saga should not book again but refund and release, "
            + "but the services received %s", callsOfTheFirst).containsExactly(RESERVE, CHARGE, SHIP, REFUND, RELEASE);
        assertThat(shipFailed).withFailMessage("run should return Compensated with the ship step and shipping's message, but returned %s", shipFailed)
            .isEqualTo(new Outcome.Compensated(ShopSteps.SHIP, "shipping answered 503 to /shipments"));
        assertThat(calls).withFailMessage("payments dropped the connection on o-2's charge: the saga should not charge again but release o-2's stock, "
            + "but the services received %s", calls).containsExactly(RESERVE, CHARGE, "inventory POST /reservations/o-2/release");
        assertThat(chargeFailed).withFailMessage("o-2's charge failed, so run should return Compensated with failedStep \"charge\", but returned %s", chargeFailed)
            .isInstanceOfSatisfying(Outcome.Compensated.class, c -> assertThat(c.failedStep()).isEqualTo(ShopSteps.CHARGE));
        assertThat(sleeper.sleeps()).withFailMessage("no compensation failed, so the saga should never have waited, but it waited %s", sleeper.sleeps()).isEmpty();
    }

    // ---- compensations that fail ----

    @Test
    @Points(3)
    @DisplayName("A refund that meets a 503 and a dropped connection is tried again, with a wait before each retry, until payments takes it")
    @Hint({"Read 'A compensation must not give up' in the lesson's README. Is a 503 an answer?",
           "A failed compensation has nowhere to turn: it must happen in the end. A 503 or no answer (StepFailed.Unavailable) means try again, waiting longer each time.",
           "Last hint: retry the compensation up to COMPENSATION_ATTEMPTS calls, with sleeper.sleep(FIRST_BACKOFF), then twice as long, before each retry."})
    void refundRetried() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        payments.answerInTurn(post("/charges/o-1/refund"), serviceUnavailable(), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), ok());

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "a refund that fails twice and then works should not end the saga in an exception");

        assertThat(calls).withFailMessage("the refund failed twice (503, then a dropped connection) and worked the third time; the saga should "
            + "try it three times and then release the stock, but the services received %s", calls)
            .containsExactly(RESERVE, CHARGE, SHIP, REFUND, REFUND, REFUND, RELEASE);
        assertThat(sleeper.sleeps()).withFailMessage("the saga should wait (through the sleeper) before each of the two retries, "
            + "so as not to hammer payments while it is down, but it waited %s", sleeper.sleeps())
            .hasSize(2).allSatisfy(wait -> assertThat(wait).isPositive());
        assertThat(outcome).withFailMessage("every done step was undone in the end, so run should return Compensated, but returned %s", outcome)
            .isInstanceOf(Outcome.Compensated.class);
    }

    @Test
    @Points(3)
    @DisplayName("A refund that keeps failing leaves the saga Stuck before the release, and a later run, once payments is back, finishes it")
    @Hint({"A refund still fails after four calls. Should the saga skip ahead and release the stock? ('A compensation must not give up' in the lesson's README.)",
           "A compensation that keeps failing leaves the saga stuck where it is: still COMPENSATING in its log. A later run() carries on from there; steps are never called again.",
           "Last hint: after COMPENSATION_ATTEMPTS failed calls return new Outcome.Stuck(step.name(), failure.getMessage()); in run(), a saga whose status is COMPENSATING goes straight to the compensations of the steps still DONE, last first."})
    void stuckThenFinishedLater() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        payments.stub(post("/charges/o-1/refund").willReturn(serviceUnavailable()));

        Outcome stuck = Expect.returns(() -> orchestrator().run(KEYBOARD), "a refund that keeps failing should end in Stuck, not in an exception");

        assertThat(calls).withFailMessage("the refund should be tried %d times in all and then the saga should stop, keeping the stock reserved "
            + "until the money is back, but the services received %s", Orchestrator.COMPENSATION_ATTEMPTS, calls)
            .containsExactly(RESERVE, CHARGE, SHIP, REFUND, REFUND, REFUND, REFUND);
        assertThat(stuck).withFailMessage("the refund never worked, so run should return Stuck with compensation \"charge\" and payments' last "
            + "message, but returned %s", stuck).isEqualTo(new Outcome.Stuck(ShopSteps.CHARGE, "payments answered 503 to /charges/o-1/refund"));
        assertThat(sleeper.sleeps()).withFailMessage("the saga should wait 100, 200 and 400 ms before the three retries and not at all after the "
            + "last failure (nothing follows it), but it waited %s", sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));

        payments.stub(post("/charges/o-1/refund").willReturn(ok()));
        calls.clear();
        Outcome later = Expect.returns(() -> orchestrator().run(KEYBOARD), "running the stuck saga again, with payments back, should work");

        assertThat(calls).withFailMessage("run again, the stuck saga should refund and then release, and call no step again, "
            + "but the services received %s", calls).containsExactly(REFUND, RELEASE);
        assertCompensated(later, ShopSteps.SHIP, "the saga finished its compensations");
    }

    @Test
    @Points(3)
    @DisplayName("A refund that works at its fourth and last attempt (503, 500, 502, then 200) is Compensated, after waits of 100, 200 and 400 ms, all with one key")
    @Hint({"Is a yes on the fourth call of four a success? How long are the three waits before it?",
           "COMPENSATION_ATTEMPTS counts every call, the first included. The waits double: FIRST_BACKOFF, then twice, then four times. Every attempt carries the same key.",
           "Last hint: Duration wait = FIRST_BACKOFF; for (attempt = 1; ; attempt++) { try { call; return; } catch (Unavailable e) { if (attempt == COMPENSATION_ATTEMPTS) throw e; } sleeper.sleep(wait); wait = wait.multipliedBy(2); }"})
    void refundWorksAtTheLastAttempt() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        payments.answerInTurn(post("/charges/o-1/refund"), serviceUnavailable(), aResponse().withStatus(500), aResponse().withStatus(502), ok());

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "a refund that works at its fourth attempt should not end in an exception");

        assertThat(calls).withFailMessage("the refund failed three times (503, 500, 502) and worked the fourth, the last allowed; the saga should then "
            + "release the stock, but the services received %s", calls).containsExactly(RESERVE, CHARGE, SHIP, REFUND, REFUND, REFUND, REFUND, RELEASE);
        assertThat(sleeper.sleeps()).withFailMessage("before the 2nd, 3rd and 4th attempts the saga should wait 100, 200 and 400 ms (FIRST_BACKOFF, "
            + "doubling each time), but it waited %s", sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
        assertCompensated(outcome, ShopSteps.SHIP, "the refund worked at its last attempt, so everything was undone");
        var refundKeys = keys(payments).subList(1, 5);
        assertThat(refundKeys).withFailMessage("the four attempts of the refund are one call, so they should carry one Idempotency-Key, "
            + "but they carried %s", refundKeys).doesNotContainNull().containsOnly(refundKeys.get(0));
        assertThat(refundKeys.get(0)).withFailMessage("the refund's key should differ from the charge's (%s): it is another call", keys(payments).get(0))
            .isNotEqualTo(keys(payments).get(0));
    }

    @Test
    @Points(2)
    @DisplayName("A refund that payments refuses (409) is not retried: the saga is Stuck at once, keeps the stock reserved, and a later run refunds and releases")
    @Hint({"Payments answers 409 to the refund. Will asking again get another answer?",
           "A 4xx is payments' answer, not a missing one: asking again gets the same no. Only StepFailed.Unavailable is worth a retry; a refusal makes the saga Stuck at once, with no wait.",
           "Last hint: catch only StepFailed.Unavailable in the retry loop; let StepFailed.Refused pass straight out to where you return new Outcome.Stuck(step.name(), failure.getMessage())."})
    void refusedRefundIsStuckAtOnce() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        payments.stub(post("/charges/o-1/refund").willReturn(aResponse().withStatus(409)));

        Outcome stuck = Expect.returns(() -> orchestrator().run(KEYBOARD), "a refused refund should end in Stuck, not in an exception");
        var callsWhileRefused = List.copyOf(calls);
        var sleepsWhileRefused = sleeper.sleeps();
        payments.stub(post("/charges/o-1/refund").willReturn(ok()));
        calls.clear();
        Outcome later = Expect.returns(() -> orchestrator().run(KEYBOARD), "running the stuck saga again, once payments takes the refund, should work");

        assertThat(callsWhileRefused).withFailMessage("payments refused the refund (409): the saga should ask once, not again, and not release the stock "
            + "before the money is back, but the services received %s", callsWhileRefused).containsExactly(RESERVE, CHARGE, SHIP, REFUND);
        assertThat(sleepsWhileRefused).withFailMessage("a refusal is not retried, so the saga should not wait, but it waited %s", sleepsWhileRefused).isEmpty();
        assertThat(stuck).withFailMessage("run should return Stuck with the charge's compensation and payments' message, but returned %s", stuck)
            .isEqualTo(new Outcome.Stuck(ShopSteps.CHARGE, "payments answered 409 to /charges/o-1/refund"));
        assertThat(calls).withFailMessage("run again, the saga should refund and release, but the services received %s", calls).containsExactly(REFUND, RELEASE);
        assertCompensated(later, ShopSteps.SHIP, "the saga finished its compensations");
    }

    @Test
    @Points(2)
    @DisplayName("The second compensation is retried too, with its own waits from 100 ms again: the release meets a 504 and a dropped connection, then works")
    @Hint({"Do the refund's retries use up the release's?",
           "Every compensation gets its full attempts and its own backoff, from FIRST_BACKOFF again.",
           "Last hint: one retry helper of your own, called once per compensation, with its attempt counter and its Duration wait as local variables inside it."})
    void releaseRetriedWithItsOwnBackoff() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        payments.answerInTurn(post("/charges/o-1/refund"), serviceUnavailable(), ok());
        inventory.answerInTurn(post("/reservations/o-1/release"), aResponse().withStatus(504), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), ok());

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "compensations that fail and then work should not end in an exception");

        assertThat(calls).withFailMessage("the refund should go twice (503, then 200) and the release three times (504, dropped, then 200), "
            + "but the services received %s", calls).containsExactly(RESERVE, CHARGE, SHIP, REFUND, REFUND, RELEASE, RELEASE, RELEASE);
        assertThat(sleeper.sleeps()).withFailMessage("the refund's one retry waits 100 ms; the release's two retries wait 100 and 200 ms, their own "
            + "backoff from the start, but the saga waited %s", sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(200));
        assertCompensated(outcome, ShopSteps.SHIP, "both compensations worked in the end");
    }

    @Test
    @Points(2)
    @DisplayName("A release that keeps failing leaves the saga Stuck at the release; a later run releases, and does not refund again")
    @Hint({"The refund worked before the saga got stuck at the release. Should a later run refund again?",
           "A compensation that worked is written down. A later run does only the compensations still DONE, so nothing is undone twice.",
           "Last hint: store.stepCompensated(order.id(), i) after each compensation that worked; in the compensations: if (saga.step(i) != StepState.DONE) continue;"})
    void stuckAtTheReleaseThenFinishedLater() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        inventory.stub(post("/reservations/o-1/release").willReturn(serviceUnavailable()));

        Outcome stuck = Expect.returns(() -> orchestrator().run(KEYBOARD), "a release that keeps failing should end in Stuck, not in an exception");
        var callsWhileDown = List.copyOf(calls);
        inventory.stub(post("/reservations/o-1/release").willReturn(ok()));
        calls.clear();
        restart();
        Outcome later = Expect.returns(() -> orchestrator().run(KEYBOARD), "running the stuck saga again, with inventory back, should work");

        assertThat(callsWhileDown).withFailMessage("the refund worked and the release failed 4 times, so the services should have received the "
            + "refund once and the release 4 times, but received %s", callsWhileDown).containsExactly(RESERVE, CHARGE, SHIP, REFUND, RELEASE, RELEASE, RELEASE, RELEASE);
        assertThat(stuck).withFailMessage("run should return Stuck with the reserve step's compensation and inventory's message, but returned %s", stuck)
            .isEqualTo(new Outcome.Stuck(ShopSteps.RESERVE, "inventory answered 503 to /reservations/o-1/release"));
        assertThat(calls).withFailMessage("after the restart the saga should only release (the refund is done and recorded), but the services "
            + "received %s", calls).containsExactly(RELEASE);
        assertCompensated(later, ShopSteps.SHIP, "the saga finished its compensations");
    }

    // ---- crashes and restarts ----

    @Test
    @Points(3)
    @DisplayName("The order service dies while calling shipping, before the request left: after the restart, shipping is booked and nothing is repeated")
    @Hint({"Read 'The orchestrator dies' in the lesson's README. After a crash, what is left that knows how far the saga got?",
           "Only the database survives. A step is recorded DONE after its call succeeded, never before. After the restart, run() skips the DONE steps and carries on with the first that is not.",
           "Last hint: in run(), saga = store.find(order.id()); for a RUNNING saga, skip each i where saga.step(i) != null and call the rest; store.stepDone after each call returned."})
    void crashBeforeShippingResumes() {
        crash(() -> orchestrator(dyingIn(ShopSteps.SHIP, false)).run(KEYBOARD));
        restart();

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "after the restart, run should carry on with the saga");

        assertThat(calls).withFailMessage("the process died as it was about to book shipping; after the restart the saga should book it, "
            + "without reserving or charging again, but the services received %s", calls).containsExactly(RESERVE, CHARGE, SHIP);
        assertThat(outcome).withFailMessage("the saga finished after the restart, so run should return Completed, but returned %s", outcome)
            .isEqualTo(new Outcome.Completed());
    }

    @Test
    @Points(3)
    @DisplayName("The order service dies after payments charged and before it wrote that down: the charge goes again, with the same idempotency key")
    @Hint({"The crash came between payments' yes and the saga's note of it. Does the restarted saga know whether the charge happened? ('The orchestrator dies' and 'Idempotency keys' in the lesson's README.)",
           "It does not, so the charge goes again. That is safe only when it carries the same Idempotency-Key as the first time: a stable key, derived from the order and the step, never a new random one.",
           "Last hint: the key is a function of the order, the step and the direction only: order.id() + \"/\" + step.name() + \"/do\"."})
    void crashAfterChargeRepeatsWithTheSameKey() {
        crash(() -> orchestrator(dyingIn(ShopSteps.CHARGE, true)).run(KEYBOARD));
        restart();

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "after the restart, run should carry on with the saga");

        assertThat(calls).withFailMessage("the charge was made but not recorded; after the restart the saga should charge again "
            + "(payments deduplicates it), then ship, and never reserve again, but the services received %s", calls)
            .containsExactly(RESERVE, CHARGE, CHARGE, SHIP);
        List<String> keys = keys(payments);
        assertThat(keys).withFailMessage("both charges should carry the same Idempotency-Key, so payments makes the charge once, "
            + "but they carried %s", keys).hasSize(2).doesNotContainNull().containsOnly(keys.get(0));
        assertThat(outcome).isEqualTo(new Outcome.Completed());
    }

    @Test
    @Points(3)
    @DisplayName("The order service dies in the middle of the compensations: after the restart it refunds and releases, and calls no step again")
    @Hint({"The saga was COMPENSATING when it died. What should run() do after the restart? ('The orchestrator dies' in the lesson's README.)",
           "It goes on undoing, not forward again. The log says COMPENSATING and which steps are still DONE.",
           "Last hint: store.compensating(...) before the first compensation, store.stepCompensated(...) after each; in run(), case COMPENSATING -> the compensations of the steps still DONE, last first."})
    void crashDuringCompensationResumes() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        crash(() -> orchestrator(dyingIn("refund", false)).run(KEYBOARD));
        restart();

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "after the restart, run should carry on with the compensations");

        assertThat(calls).withFailMessage("the process died as it was about to refund; after the restart the saga should refund and then release, "
            + "and never reserve, charge or ship again, but the services received %s", calls)
            .containsExactly(RESERVE, CHARGE, SHIP, REFUND, RELEASE);
        assertCompensated(outcome, ShopSteps.SHIP, "shipping failed and everything was undone");
    }

    @Test
    @Points(2)
    @DisplayName("The order service dies after shipping booked and before it wrote that down: shipping goes again with the same key, and the saga completes")
    @Hint({"Shipping's yes was lost in the crash. What is asked again after the restart, and with which key?",
           "As with the charge: the last step goes again, with the same key, and shipping answers with the booking it already made. Then the saga completes.",
           "Last hint: store.stepDone after each call that returned; after the restart the first step not DONE goes again with the key order.id() + \"/\" + step.name() + \"/do\", as before."})
    void crashAfterShippingBookedRepeatsIt() {
        crash(() -> orchestrator(dyingIn(ShopSteps.SHIP, true)).run(KEYBOARD));
        restart();

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "after the restart, run should carry on with the saga");

        assertThat(calls).withFailMessage("shipping booked but the saga did not write it down; after the restart it should book again and nothing "
            + "else, but the services received %s", calls).containsExactly(RESERVE, CHARGE, SHIP, SHIP);
        var keys = keys(shipping);
        assertThat(keys).withFailMessage("both bookings should carry the same Idempotency-Key, but they carried %s", keys).hasSize(2).doesNotContainNull().containsOnly(keys.get(0));
        assertThat(outcome).withFailMessage("the saga completed after the restart, but run returned %s", outcome).isEqualTo(new Outcome.Completed());
    }

    @Test
    @Points(2)
    @DisplayName("The order service dies after payments refunded and before it wrote that down: the refund goes again with the same key, then the release")
    @Hint({"The refund worked, and the crash came before it was written down. Is the refund skipped, or repeated?",
           "A compensation is written down after it worked, exactly like a step. A crash between the two repeats it, with the same key; it never skips it.",
           "Last hint: the key order.id() + \"/\" + step.name() + \"/undo\" for compensations, the same on every attempt and after a restart; store.stepCompensated(order.id(), i) after the call."})
    void crashAfterRefundRepeatsItWithTheSameKey() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        crash(() -> orchestrator(dyingIn("refund", true)).run(KEYBOARD));
        restart();

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "after the restart, run should carry on with the compensations");

        assertThat(calls).withFailMessage("payments refunded but the saga did not write it down; after the restart it should refund again and "
            + "release, but the services received %s", calls).containsExactly(RESERVE, CHARGE, SHIP, REFUND, REFUND, RELEASE);
        var refundKeys = keys(payments).subList(1, 3);
        assertThat(refundKeys).withFailMessage("both refunds should carry the same Idempotency-Key, but they carried %s", refundKeys)
            .doesNotContainNull().containsOnly(refundKeys.get(0));
        assertCompensated(outcome, ShopSteps.SHIP, "the saga finished its compensations");
    }

    @Test
    @DisplayName("The order service dies after the last compensation and before the saga was closed: after the restart it ends Compensated")
    @Hint({"The release worked, but neither it nor the end of the saga was written down. What happens after the restart?",
           "The release goes again (same key), then the saga finishes COMPENSATED, naming the step that failed and why, as the log has them.",
           "Last hint: after the last compensation, store.finish(order.id(), Status.COMPENSATED) and return new Outcome.Compensated(saga.failedStep(), saga.reason()), from the saga store.find gave."})
    void crashAfterTheLastCompensationFinishesLater() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409).withBody("no courier")));
        crash(() -> orchestrator(dyingIn("release", true)).run(KEYBOARD));
        restart();

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "after the restart, run should finish the compensations");

        assertThat(calls).withFailMessage("the release worked but was not written down; after the restart the saga should release again and "
            + "nothing else, but the services received %s", calls).containsExactly(RESERVE, CHARGE, SHIP, REFUND, RELEASE, RELEASE);
        assertThat(outcome).withFailMessage("run should return Compensated with shipping's failure, as recorded before the crash, but returned %s", outcome)
            .isEqualTo(new Outcome.Compensated(ShopSteps.SHIP, "shipping answered 409 to /shipments"));
    }

    @Test
    @DisplayName("A saga that has finished is not run again: asking twice for the same order calls nobody the second time")
    @Hint({"The checkout asks again for an order whose saga has ended. Does anyone need to be called?",
           "The database knows the saga ended: run() answers from it, and calls nobody.",
           "Last hint: in run(), a saga whose status is COMPENSATED returns new Outcome.Compensated(saga.failedStep(), saga.reason()) at once."})
    void finishedSagaIsNotRunAgain() {
        payments.stub(post("/charges").willReturn(aResponse().withStatus(402)));
        Outcome first = Expect.returns(() -> orchestrator().run(KEYBOARD), "a declined card should end in compensation");
        restart();
        calls.clear();

        Outcome again = Expect.returns(() -> orchestrator().run(KEYBOARD), "asking again for a finished saga should work");

        assertThat(calls).withFailMessage("the saga of o-1 had already ended, so asking again should call nobody, but the services received %s", calls).isEmpty();
        assertThat(again).withFailMessage("asked again, run should return the same outcome as the first time (%s), but returned %s", first, again).isEqualTo(first);
    }

    @Test
    @DisplayName("A saga that completed is not run again: asked again after a restart, it answers Completed and calls nobody")
    @Hint({"Is Completed as final as Compensated?",
           "A completed saga is final: asked again, even after a restart, run() answers from the database and calls no step.",
           "Last hint: switch (saga.status()) { case COMPLETED -> new Outcome.Completed(); case COMPENSATED -> new Outcome.Compensated(saga.failedStep(), saga.reason()); ... }"})
    void completedSagaIsNotRunAgain() {
        Expect.returns(() -> orchestrator().run(KEYBOARD), "every service says yes, so the saga should run");
        restart();
        calls.clear();

        Outcome again = Expect.returns(() -> orchestrator().run(KEYBOARD), "asking again for a completed saga should work");

        assertThat(calls).withFailMessage("the saga of o-1 had completed, so asking again should call nobody, but the services received %s", calls).isEmpty();
        assertThat(again).withFailMessage("asked again, run should return Completed, but returned %s", again).isEqualTo(new Outcome.Completed());
    }

    @Test
    @Points(2)
    @DisplayName("The database says how each saga ended: COMPLETED with every step done, COMPENSATED with its failure, COMPENSATING while Stuck")
    @Hint({"What does support read to see how a saga ended, and what does a restart carry on from?",
           "The saga's table. The end is a move to write down too; a Stuck saga is left COMPENSATING, so a later run can finish it.",
           "Last hint: forward ends with store.finish(order.id(), Status.COMPLETED); the compensations end with store.finish(order.id(), Status.COMPENSATED) before returning Compensated."})
    void theDatabaseSaysHowItEnded() {
        var store = new SagaStore(orders.dataSource());
        Expect.returns(() -> orchestrator().run(KEYBOARD), "every service says yes, so o-1's saga should run");
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        Expect.returns(() -> orchestrator().run(MOUSE), "o-2's refused booking should end in compensation");
        payments.stub(post("/charges/o-3/refund").willReturn(serviceUnavailable()));
        Expect.returns(() -> orchestrator().run(new Order("o-3", "CB-1", 1, 899)), "o-3's refund that keeps failing should end in Stuck");

        var completed = new SagaStore.Saga("o-1", Status.COMPLETED, Map.of(0, StepState.DONE, 1, StepState.DONE, 2, StepState.DONE), null, null);
        var compensated = new SagaStore.Saga("o-2", Status.COMPENSATED, Map.of(0, StepState.COMPENSATED, 1, StepState.COMPENSATED),
            ShopSteps.SHIP, "shipping answered 409 to /shipments");
        var stuck = new SagaStore.Saga("o-3", Status.COMPENSATING, Map.of(0, StepState.DONE, 1, StepState.DONE), ShopSteps.SHIP, "shipping answered 409 to /shipments");
        for (var expected : List.of(completed, compensated, stuck)) {
            var recorded = store.find(expected.orderId()).orElse(null);
            assertThat(recorded).withFailMessage("the database should hold %s's saga as%n  %s%nbut holds%n  %s", expected.orderId(), expected, recorded).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("When the wait before a retry is interrupted, the saga stops there, Stuck, and the thread keeps its interrupt")
    @Hint({"What does an interrupt during the wait before a retry ask for?",
           "An interrupt asks the thread to stop: no more retries, the saga is Stuck, and whoever interrupted must still see the flag.",
           "Last hint: catch (InterruptedException e) { Thread.currentThread().interrupt(); throw new StepFailed.Unavailable(\"interrupted while waiting to retry\", e); }"})
    void interruptedWaitStopsTheSaga() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        payments.stub(post("/charges/o-1/refund").willReturn(serviceUnavailable()));
        var steps = ShopSteps.checkout(HTTP, inventory.uri(), payments.uri(), shipping.uri());
        var interrupted = new Orchestrator(orders.dataSource(), steps, wait -> { throw new InterruptedException("shutting down"); });

        Outcome outcome;
        boolean flagKept;
        try {
            outcome = Expect.returns(() -> interrupted.run(KEYBOARD), "an interrupted wait should end the run in an Outcome, not in an exception");
        } finally {
            flagKept = Thread.interrupted(); // read and clear it, so the next test starts clean
        }

        assertThat(calls).withFailMessage("the refund failed once and the wait before its retry was interrupted: no retry, no release, "
            + "but the services received %s", calls).containsExactly(RESERVE, CHARGE, SHIP, REFUND);
        assertThat(outcome).withFailMessage("run should return Stuck at the charge's compensation, but returned %s", outcome)
            .isInstanceOfSatisfying(Outcome.Stuck.class, s -> assertThat(s.compensation()).isEqualTo(ShopSteps.CHARGE));
        assertThat(flagKept).withFailMessage("the thread was interrupted during the wait; it should still be flagged interrupted when run returns, "
            + "but the flag was cleared: call Thread.currentThread().interrupt() when you catch InterruptedException").isTrue();
    }

    // ---- idempotency keys ----

    @Test
    @Points(2)
    @DisplayName("Every call carries an Idempotency-Key, one of its own: each step and each compensation of each order has a different key")
    @Hint({"Read 'Idempotency keys' in the lesson's README. Can two different calls share a key?",
           "A key says 'this call'. It is stable (the same for every repeat of one call) and distinct: the refund's key is not the charge's, and o-4's is not o-5's.",
           "Last hint: build the key from the order id, the step's name and the direction: order.id() + \"/\" + step.name() + \"/\" + (\"do\" or \"undo\"), for example o-1/charge/undo."})
    void everyCallHasItsOwnKey() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        Expect.returns(() -> orchestrator().run(KEYBOARD), "the first order should end in compensation");
        shipping.stub(post("/shipments").willReturn(created()));
        Expect.returns(() -> orchestrator().run(new Order("o-2", "KB-42", 1, 4999)), "the second order should complete");

        var keys = new ArrayList<String>();
        for (Peer peer : List.of(inventory, payments, shipping)) keys.addAll(keys(peer));
        assertThat(keys).withFailMessage("all %d calls should carry an Idempotency-Key header, but the keys were %s", calls.size(), keys)
            .hasSize(calls.size()).doesNotContainNull().noneMatch(String::isBlank);
        assertThat(keys).withFailMessage("each of the %d calls (o-1: 3 steps and 2 compensations, o-2: 3 steps) should have a key of its own, "
            + "but the keys were %s", calls.size(), keys).doesNotHaveDuplicates();
    }

    // ---- helpers ----

    /** The saga ended with every done step undone, because of the failure of {@code failedStep}. */
    private static void assertCompensated(Outcome outcome, String failedStep, String why) {
        assertThat(outcome).withFailMessage("%s, so run should return Compensated with failedStep \"%s\", but returned %s", why, failedStep, outcome)
            .isInstanceOfSatisfying(Outcome.Compensated.class, c -> assertThat(c.failedStep()).withFailMessage(
                "%s, so run should return Compensated with failedStep \"%s\", but returned %s", why, failedStep, outcome).isEqualTo(failedStep));
    }

    private Orchestrator orchestrator() { return orchestrator(UnaryOperator.identity()); }

    private Orchestrator orchestrator(UnaryOperator<Step> change) {
        var steps = ShopSteps.checkout(HTTP, inventory.uri(), payments.uri(), shipping.uri()).stream().map(change).toList();
        return new Orchestrator(orders.dataSource(), steps, sleeper);
    }

    /**
     * The checkout's steps, with one call (a step's name, "refund" or "release" for a compensation) where the process
     * dies: the database goes down, either before the request leaves or after the service has answered yes.
     */
    private UnaryOperator<Step> dyingIn(String call, boolean afterTheAnswer) {
        return step -> {
            if (step.name().equals(call)) return new Step(step.name(), dies(step.action(), afterTheAnswer), step.compensation());
            if (call.equals("refund") && step.name().equals(ShopSteps.CHARGE)) return new Step(step.name(), step.action(), dies(step.compensation(), afterTheAnswer));
            if (call.equals("release") && step.name().equals(ShopSteps.RESERVE)) return new Step(step.name(), step.action(), dies(step.compensation(), afterTheAnswer));
            return step;
        };
    }

    private Step.Call dies(Step.Call call, boolean afterTheAnswer) {
        return (order, key) -> {
            if (afterTheAnswer) call.call(order, key);
            orders.close();
            throw new Crashed();
        };
    }

    /** Runs the saga until the process dies in it. */
    private static void crash(Runnable saga) {
        try {
            saga.run();
        } catch (Crashed expected) {
            return;
        } catch (RuntimeException e) {
            if (e instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
            if (hasCrashed(e)) return; // the crash, wrapped on its way out
            throw new AssertionError("the saga should have stopped only because the process died, but it threw " + e, e);
        }
        throw new AssertionError("the process died in the middle of the saga, so run should not have returned normally: "
            + "did it catch the crash and go on without its database?");
    }

    private static boolean hasCrashed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof Crashed || t instanceof java.sql.SQLException) return true;
        return false;
    }

    /** The order service comes back: the same database, a new process (new objects, empty memory). */
    private void restart() {
        orders.close();
        orders = orders.reopen();
    }

    /** The Idempotency-Key of every request a peer received, oldest first (WireMock lists the newest first). */
    private static List<String> keys(Peer peer) {
        var events = new ArrayList<>(peer.server().getAllServeEvents());
        Collections.reverse(events);
        return events.stream().map(ServeEvent::getRequest).map(r -> r.getHeader("Idempotency-Key")).toList();
    }

    private static final class Crashed extends RuntimeException {
        Crashed() { super("the process died", null, false, false); }
    }
}
