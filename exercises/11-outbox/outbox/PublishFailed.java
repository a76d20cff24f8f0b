package outbox;

/** Payments did not confirm the message (it answered an error, or not at all): it may or may not have it. */
public final class PublishFailed extends RuntimeException {
    public PublishFailed(String detail, Throwable cause) {
        super("payments did not confirm the message: " + detail, cause);
    }
}
