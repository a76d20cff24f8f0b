package saga;

/**
 * One step of the saga: an action on one service, and the compensation that undoes it once it is done.
 * A compensation is not a rollback: the action happened and others may have seen it (the stock was reserved,
 * the card was charged); the compensation is a new action that makes up for it (release, refund).
 *
 * @param name         what the step does ("reserve", "charge", "ship"): in the saga's state and its Outcome
 * @param action       the step itself
 * @param compensation what undoes it, called only after the action succeeded and a later step failed
 */
public record Step(String name, Call action, Call compensation) {
    /**
     * A call to a service. {@code idempotencyKey} goes out as the Idempotency-Key header: the service does the
     * work once per key, however often the same key arrives, so a call may be sent again safely.
     *
     * @throws StepFailed the service refused (StepFailed.Refused) or did not answer well (StepFailed.Unavailable)
     */
    @FunctionalInterface
    public interface Call {
        void call(Order order, String idempotencyKey);
    }
}
