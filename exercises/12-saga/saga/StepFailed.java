package saga;

/**
 * A call to a service that did not succeed, in two kinds that a saga treats differently:
 * {@link Refused} is the service's answer (a declined card, no stock): asking again gets the same no.
 * {@link Unavailable} is no real answer (503, a dropped connection): the next attempt may well work.
 */
public abstract sealed class StepFailed extends RuntimeException permits StepFailed.Refused, StepFailed.Unavailable {
    private StepFailed(String message, Throwable cause) {
        super(message, cause);
    }

    /** The service said no, with a 4xx: 402 card declined, 409 out of stock or no courier. Not worth a retry. */
    public static final class Refused extends StepFailed {
        public Refused(String message) {
            super(message, null);
        }
    }

    /** The service did not answer with a yes or a no: a 5xx, or no answer at all. Worth another try, later. */
    public static final class Unavailable extends StepFailed {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
