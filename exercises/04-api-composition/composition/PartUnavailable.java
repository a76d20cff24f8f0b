package composition;

/** A service could not give its part: it answered with an error, the connection broke, or the answer was not JSON. */
public final class PartUnavailable extends RuntimeException {
    private final Part part;

    public PartUnavailable(Part part, String detail, Throwable cause) {
        super(part.peer() + " could not give the " + part.key() + ": " + detail, cause);
        this.part = part;
    }

    public Part part() { return part; }
}
