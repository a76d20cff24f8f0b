package bulkhead;

/**
 * Thrown instead of making a call, when the bulkhead had no place for it within its maxWaitDuration.
 * The call never ran, and the peer never heard of it.
 */
public final class BulkheadFull extends RuntimeException {
    private final String bulkhead;

    public BulkheadFull(String bulkhead) {
        // No stack trace: a full bulkhead is an everyday answer under load, not a bug, and it must stay cheap.
        super("Bulkhead '" + bulkhead + "' is full and does not permit further calls", null, false, false);
        this.bulkhead = bulkhead;
    }

    /** The name of the bulkhead that was full: the dependency it guards, for example "shipping". */
    public String bulkhead() { return bulkhead; }
}
