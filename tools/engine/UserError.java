package engine;

/**
 * A mistake the user can fix (a learner's unknown lesson id, an instructor's missing folder): printed as one line,
 * "TOOL: message", never as a stack trace, and the tool exits with {@link #exitCode()} (2 unless said otherwise).
 * Exit code 0 is news rather than a mistake: the message goes to the standard output, without the tool's name.
 */
public class UserError extends RuntimeException {
    private final int exitCode;

    public UserError(String message) { this(message, 2); }

    public UserError(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
