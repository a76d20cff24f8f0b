package eventsourcing;

/**
 * Given: a writer decided on version {@code expectedVersion} of a stream, and the stream is at {@code actualVersion}
 * now: someone else appended in between. Nothing was written. The writer may load the stream again, decide again
 * on what is there now, and retry.
 */
public final class ConcurrencyConflict extends RuntimeException {
    private final String streamId;
    private final int expectedVersion;
    private final int actualVersion;

    public ConcurrencyConflict(String streamId, int expectedVersion, int actualVersion) {
        super("stream " + streamId + " is at version " + actualVersion + ", not " + expectedVersion + " as the writer expected");
        this.streamId = streamId;
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }

    public String streamId() { return streamId; }

    public int expectedVersion() { return expectedVersion; }

    public int actualVersion() { return actualVersion; }
}
