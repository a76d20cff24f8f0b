package timeouts;

/**
 * Payments answered, but not with a charge (a 5xx, anything but 201), or the connection failed or broke.
 * Orders answers it with 502 Bad Gateway.
 */
public final class PaymentsUnavailable extends RuntimeException {
    public PaymentsUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
