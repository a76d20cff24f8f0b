package timeouts;

/**
 * No answer in time: the call's own timeout or the request's deadline passed first, or there was no time left
 * to start the call at all. Orders answers it with 504 Gateway Timeout.
 */
public final class DeadlineExceeded extends RuntimeException {
    public DeadlineExceeded(String message) {
        super(message);
    }
}
