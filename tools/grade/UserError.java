package grade;

/** Bad input the instructor can fix: printed as one line ("grade: ..."), never as a stack trace, exit code 2. */
public final class UserError extends RuntimeException {
    public UserError(String message) { super(message); }
}
