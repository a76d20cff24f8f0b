package saga;

/** How a saga ended, as run() returns it. */
public sealed interface Outcome {
    /** Every step succeeded: the stock is reserved, the card charged, the parcel booked. */
    record Completed() implements Outcome {}

    /** A step failed, and every step done before it was compensated, last first. */
    record Compensated(String failedStep, String reason) implements Outcome {}

    /**
     * A compensation still failed after all its attempts: the saga stops there, its state says how far it got,
     * and a later run() carries on from that compensation (after a person looked, or when the service is back).
     */
    record Stuck(String compensation, String reason) implements Outcome {}
}
