package saga;

import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import kit.Sleeper;
import saga.SagaStore.Saga;
import saga.SagaStore.Status;
import saga.SagaStore.StepState;

/*
 * Lesson 12 · Saga: orchestration with compensation
 *
 * An order reserves a keyboard, charges the card and books shipping: three services, three local transactions,
 * no transaction around them. When shipping fails, the order must not stay half done: the charge is refunded and
 * the stock released, last step first. The orchestrator runs the steps, undoes what was done when one fails, and
 * writes down every move in its database, so that after a crash it carries on where it stopped.
 * Check your work with: ./jbang workbook check 12
 */
public final class Orchestrator {
    /** How often a compensation is tried (the first call included) before the saga is Stuck. */
    public static final int COMPENSATION_ATTEMPTS = 4;
    /** The wait before the second attempt of a compensation; it doubles before each next one. */
    public static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

    private final SagaStore store;
    private final List<Step> steps;
    private final Sleeper sleeper;

    /**
     * @param db      the order service's database, with Schema.SAGAS's tables
     * @param steps   the saga's steps, in the order they run
     * @param sleeper how to wait between attempts: Sleeper.REAL in production, a recording one in tests
     */
    public Orchestrator(DataSource db, List<Step> steps, Sleeper sleeper) {
        this.store = new SagaStore(db);
        this.steps = List.copyOf(steps);
        this.sleeper = sleeper;
    }

    /**
     * Runs the order's saga to its end and says how it ended; or, when the database already has a saga for this
     * order (the process restarted, or the caller asks again), carries on from where it stopped without calling
     * any step or compensation that is recorded as finished.
     */
    public Outcome run(Order order) {
        Saga saga = store.find(order.id()).orElseGet(() -> {
            store.begin(order.id());
            return store.find(order.id()).orElseThrow();
        });
        return switch (saga.status()) {
            case RUNNING -> forward(order, saga);
            case COMPENSATING -> compensate(order, saga);
            case COMPLETED -> new Outcome.Completed();
            case COMPENSATED -> new Outcome.Compensated(saga.failedStep(), saga.reason());
        };
    }

    /** The steps not done yet, in order. A step is recorded done only once its service said yes. */
    private Outcome forward(Order order, Saga saga) {
        for (int i = 0; i < steps.size(); i++) {
            if (saga.step(i) != null) continue; // done before the restart: its service has it already
            Step step = steps.get(i);
            try {
                step.action().call(order, key(order, step, "do"));
            } catch (StepFailed failure) {
                // Nothing to undo for this step: it did not happen. Record the turn before undoing anything.
                store.compensating(order.id(), step.name(), failure.getMessage());
                return compensate(order, store.find(order.id()).orElseThrow());
            }
            store.stepDone(order.id(), i); // a crash just before this line: the step goes again, with the same key
        }
        store.finish(order.id(), Status.COMPLETED);
        return new Outcome.Completed();
    }

    /** The compensations of the done steps, last step first, each retried while its service is unavailable. */
    private Outcome compensate(Order order, Saga saga) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (saga.step(i) != StepState.DONE) continue; // never done, or already compensated before a restart
            Step step = steps.get(i);
            try {
                withRetries(() -> step.compensation().call(order, key(order, step, "undo")));
            } catch (StepFailed failure) {
                // Stop here, in order: the state still says COMPENSATING, and a later run() goes on from this step.
                return new Outcome.Stuck(step.name(), failure.getMessage());
            }
            store.stepCompensated(order.id(), i);
        }
        store.finish(order.id(), Status.COMPENSATED);
        return new Outcome.Compensated(saga.failedStep(), saga.reason());
    }

    /** Calls until the service answers, waiting longer each time; a refusal, or the last failure, is thrown. */
    private void withRetries(Runnable call) {
        Duration wait = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                call.run();
                return;
            } catch (StepFailed.Unavailable failure) {
                if (attempt == COMPENSATION_ATTEMPTS) throw failure;
            }
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepFailed.Unavailable("interrupted while waiting to retry", e);
            }
            wait = wait.multipliedBy(2);
        }
    }

    /** The same key for every attempt of one call, before and after a restart; another key for every other call. */
    private static String key(Order order, Step step, String direction) {
        return order.id() + "/" + step.name() + "/" + direction;
    }
}
