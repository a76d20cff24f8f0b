package retries;

/**
 * Payments said no with a 4xx other than 429: the request itself is wrong (400), the card is declined (402), the
 * order is unknown (404). Sending the same request again gets the same answer, so it is never retried.
 */
public final class ChargeRejected extends RuntimeException {
    private final int status;

    public ChargeRejected(int status, String body) {
        super("payments rejected the charge with " + status + ": " + body);
        this.status = status;
    }

    public int status() { return status; }
}
