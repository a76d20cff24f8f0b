package breaker;

/**
 * What the checkout gets from a call with a fallback: a value, and where it came from, so the page can say
 * "payment methods may be out of date" when they are.
 */
public record Reply<T>(T value, Source source) {
    public enum Source {
        /** Payments answered just now. */
        LIVE,
        /** Payments could not answer (failed, or the breaker turned the call away): the last value it gave. */
        LAST_GOOD,
        /** Payments could not answer and never had: the default. */
        DEFAULT
    }
}
