package breaker;

import java.util.function.Supplier;

/*
 * Lesson 08 · Circuit breaker: the fallback
 *
 * A refused call is answered at once, but with what? The checkout page lists the payment methods payments
 * offers. When payments cannot answer, showing the methods it gave last time beats an error page, and when it
 * never answered at all, "card" is a safe default: every shop takes cards, so the customer can still choose it.
 */
public final class Fallback<T> {
    private final CircuitBreaker breaker;
    private final T defaultValue;

    public Fallback(CircuitBreaker breaker, T defaultValue) {
        this.breaker = breaker;
        this.defaultValue = defaultValue;
    }

    /**
     * Makes the call through the breaker, so the breaker sees how it went. A value comes back as LIVE and is
     * remembered. When the call fails, or the breaker refuses it, the last value payments gave comes back as
     * LAST_GOOD, or, if it never gave one, the default as DEFAULT. Many checkouts call this at once.
     */
    public Reply<T> get(Supplier<T> call) {
        throw new UnsupportedOperationException("TODO: call through the breaker; when the call fails or is refused, serve the last good value or the default");
    }
}
