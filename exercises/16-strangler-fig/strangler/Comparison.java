package strangler;

/** What one shadow request found: the new service's answer compared with legacy's. */
public sealed interface Comparison {
    /** Both answered the same: the same status, and bodies that mean the same. */
    record Same() implements Comparison {}

    /** The answers differ; {@code what} says how, for the team that reads the shadow log. */
    record Different(String what) implements Comparison {}

    /** The new service gave no answer to compare (it was down, too slow, or the shadow could not be sent). */
    record Failed(String why) implements Comparison {}
}
