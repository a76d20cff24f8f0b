package retries;

/** Every attempt failed: payments answered 5xx or 429, or could not be reached, as many times as the policy allows. */
public final class PaymentsUnavailable extends RuntimeException {
    private final int attempts;

    /**
     * @param attempts how many calls were made, the first one included
     * @param last     what went wrong the last time, for example "payments answered 503"
     */
    public PaymentsUnavailable(String orderId, int attempts, String last, Throwable cause) {
        super("gave up charging order " + orderId + " after " + attempts + (attempts == 1 ? " attempt" : " attempts")
            + " (the last: " + last + ")", cause);
        this.attempts = attempts;
    }

    public int attempts() { return attempts; }
}
