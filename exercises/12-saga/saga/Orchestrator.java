package saga;

import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import kit.Sleeper;

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
        // store.find(order.id()) tells you whether to begin or to carry on, and from where. Forward: each step not
        // DONE, in order, recorded with store.stepDone once it succeeded. A step that throws StepFailed is not undone:
        // record store.compensating(...), then call the compensations of the DONE steps, last first, retrying
        // StepFailed.Unavailable (COMPENSATION_ATTEMPTS calls, sleeping FIRST_BACKOFF, then twice as long, ...).
        // Every call gets an idempotency key that is the same whenever the same call is made again.
        throw new UnsupportedOperationException("TODO: run the steps in order; on a failure compensate the done ones in reverse, "
            + "retrying; record every move in the SagaStore so a restart carries on");
    }
}
