package site;

/** The site cannot be built as it should be; the message says why, in one or a few lines. */
public final class BuildFailed extends RuntimeException {
    public BuildFailed(String message) { super(message); }
}
