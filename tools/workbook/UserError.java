package workbook;

/** A mistake the learner can fix: printed as one line ("workbook: ..."), never as a stack trace. */
public final class UserError extends RuntimeException {
    private final int exitCode;

    public UserError(String message) { this(message, 2); }

    public UserError(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
