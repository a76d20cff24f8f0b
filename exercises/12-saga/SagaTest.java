package saga;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
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

@DisplayName("12 · Saga: orchestration with compensation")
class SagaTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Order KEYBOARD = new Order("o-1", "KB-42", 1, 4999);

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

    /** The order service's database; a test crashes the service by closing it, and restarts it by reopening its files. */
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
        orders = Database.start("orders");
        orders.run(Schema.SAGAS);
    }

    @AfterEach
    void deleteDatabase() { orders.delete(); }

    // ---- forward, and back ----

    @Test
    @DisplayName("A good day: the stock is reserved, the card charged and shipping booked, in that order, and nothing is undone")
    @Hint({"Call each step's action once, in the order of the list, and return Outcome.Completed.",
           "Begin the saga with store.begin, call steps.get(i).action() for i = 0, 1, 2, record store.stepDone after each, then store.finish(COMPLETED).",
           "The README's section 'An orchestrator'."})
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
    @Hint({"Undo the steps that were done, last done first: payments before inventory. Shipping's booking failed, so there is no booking to cancel.",
           "On StepFailed, record store.compensating(order, step, reason), then walk i from the failed step - 1 down to 0 and call steps.get(i).compensation().",
           "The README's section 'Compensation, last step first'."})
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
    @Hint({"The step that failed did nothing: a declined card was never charged. Compensate only the steps that succeeded.",
           "Compensate the steps recorded DONE, not every step up to and including the failed one.",
           "The README's section 'Compensation, last step first'."})
    void paymentDeclinedReleasesTheStockOnly() {
        payments.stub(post("/charges").willReturn(aResponse().withStatus(402).withBody("card declined")));

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "a declined card should end in compensation, not in an exception");

        assertThat(calls).withFailMessage("the card was declined, so the saga should release the stock, refund nothing (no charge was made) "
            + "and never book shipping, but the services received %s", calls).containsExactly(RESERVE, CHARGE, RELEASE);
        assertCompensated(outcome, ShopSteps.CHARGE, "the charge step failed");
    }

    @Test
    @DisplayName("Inventory is out of stock (409): nothing was done, so nothing is undone and nobody else is called")
    @Hint({"When the first step fails, no step is done: there is nothing to compensate, and the later steps must not run.",
           "Stop the forward loop at the first StepFailed.",
           "The README's section 'Compensation, last step first'."})
    void outOfStockUndoesNothing() {
        inventory.stub(post("/reservations").willReturn(aResponse().withStatus(409).withBody("out of stock")));

        Outcome outcome = Expect.returns(() -> orchestrator().run(KEYBOARD), "an out-of-stock order should end in an Outcome, not in an exception");

        assertThat(calls).withFailMessage("inventory had no stock, so the saga should stop after that one call, but the services received %s", calls)
            .containsExactly(RESERVE);
        assertCompensated(outcome, ShopSteps.RESERVE, "the reserve step failed");
    }

    // ---- compensations that fail ----

    @Test
    @Points(3)
    @DisplayName("A refund that meets a 503 and a dropped connection is tried again, with a wait before each retry, until payments takes it")
    @Hint({"A compensation must happen in the end: a 503 or no answer is StepFailed.Unavailable, and means try again, not give up.",
           "Retry the compensation up to COMPENSATION_ATTEMPTS calls, sleeping through the sleeper (FIRST_BACKOFF, then twice as long) before each retry.",
           "The README's section 'A compensation must not give up'."})
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
    @Hint({"After COMPENSATION_ATTEMPTS failed calls, stop and return Outcome.Stuck; the saga stays COMPENSATING in the database, so the next run() carries on.",
           "On run(), a saga whose status is COMPENSATING goes straight to its compensations: the ones still DONE, last first. Steps are never called again.",
           "The README's section 'A compensation must not give up'."})
    void stuckThenFinishedLater() {
        shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409)));
        payments.stub(post("/charges/o-1/refund").willReturn(serviceUnavailable()));

        Outcome stuck = Expect.returns(() -> orchestrator().run(KEYBOARD), "a refund that keeps failing should end in Stuck, not in an exception");

        assertThat(calls).withFailMessage("the refund should be tried %d times in all and then the saga should stop, keeping the stock reserved "
            + "until the money is back, but the services received %s", Orchestrator.COMPENSATION_ATTEMPTS, calls)
            .containsExactly(RESERVE, CHARGE, SHIP, REFUND, REFUND, REFUND, REFUND);
        assertThat(stuck).withFailMessage("the refund never worked, so run should return Stuck with compensation \"charge\", but returned %s", stuck)
            .isInstanceOfSatisfying(Outcome.Stuck.class, s -> assertThat(s.compensation()).isEqualTo(ShopSteps.CHARGE));

        payments.stub(post("/charges/o-1/refund").willReturn(ok()));
        calls.clear();
        Outcome later = Expect.returns(() -> orchestrator().run(KEYBOARD), "running the stuck saga again, with payments back, should work");

        assertThat(calls).withFailMessage("run again, the stuck saga should refund and then release, and call no step again, "
            + "but the services received %s", calls).containsExactly(REFUND, RELEASE);
        assertCompensated(later, ShopSteps.SHIP, "the saga finished its compensations");
    }

    // ---- crashes and restarts ----

    @Test
    @Points(3)
    @DisplayName("The order service dies while calling shipping, before the request left: after the restart, shipping is booked and nothing is repeated")
    @Hint({"Only the database survives the crash. What did the saga write down before it called shipping?",
           "Record a step DONE after its call succeeded, never before; on run() after the restart, skip the DONE steps and carry on with the first that is not.",
           "The README's section 'The orchestrator dies'."})
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
    @Hint({"The crash came between payments' yes and the saga's note of it: after the restart nobody knows whether the charge happened, so it is sent again.",
           "Sent again is safe when it carries the same Idempotency-Key as the first time: derive the key from the order and the step, not from a random number.",
           "The README's sections 'The orchestrator dies' and 'Idempotency keys'."})
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
    @Hint({"The saga was COMPENSATING when it died. After the restart, run() must go on undoing, not start forward again.",
           "Record store.compensating before the first compensation and store.stepCompensated after each one; on run(), a COMPENSATING saga calls the compensations of the steps still DONE, last first.",
           "The README's section 'The orchestrator dies'."})
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
    @DisplayName("A saga that has finished is not run again: asking twice for the same order calls nobody the second time")
    @Hint({"The checkout may ask again (a retry, a double click). The database knows the saga ended: answer from it.",
           "On run(), a saga whose status is COMPLETED or COMPENSATED returns its Outcome at once, with its failed step and reason from the store.",
           "The README's section 'The orchestrator dies'."})
    void finishedSagaIsNotRunAgain() {
        payments.stub(post("/charges").willReturn(aResponse().withStatus(402)));
        Outcome first = Expect.returns(() -> orchestrator().run(KEYBOARD), "a declined card should end in compensation");
        restart();
        calls.clear();

        Outcome again = Expect.returns(() -> orchestrator().run(KEYBOARD), "asking again for a finished saga should work");

        assertThat(calls).withFailMessage("the saga of o-1 had already ended, so asking again should call nobody, but the services received %s", calls).isEmpty();
        assertThat(again).withFailMessage("asked again, run should return the same outcome as the first time (%s), but returned %s", first, again).isEqualTo(first);
    }

    // ---- idempotency keys ----

    @Test
    @Points(2)
    @DisplayName("Every call carries an Idempotency-Key, one of its own: each step and each compensation of each order has a different key")
    @Hint({"A key says \"this call\": two different calls must never share one, or a service would take the second for a repeat of the first and skip it.",
           "Build the key from the order id, the step's name and whether it is the step or its compensation, for example o-1/charge/undo.",
           "The README's section 'Idempotency keys'."})
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
     * The checkout's steps, with one call (a step's name, or "refund" for the charge's compensation) where the process
     * dies: the database goes down, either before the request leaves or after the service has answered yes.
     */
    private UnaryOperator<Step> dyingIn(String call, boolean afterTheAnswer) {
        return step -> {
            if (step.name().equals(call)) return new Step(step.name(), dies(step.action(), afterTheAnswer), step.compensation());
            if (call.equals("refund") && step.name().equals(ShopSteps.CHARGE)) return new Step(step.name(), step.action(), dies(step.compensation(), afterTheAnswer));
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

    /** The order service comes back: the same files, a new process (new objects, empty memory). */
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
