package breaker;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** Serves the last good value, or a default, when the call through the breaker fails or is refused. */
public final class Fallback<T> {
    private final CircuitBreaker breaker;
    private final T defaultValue;
    private final AtomicReference<T> lastGood = new AtomicReference<>();

    public Fallback(CircuitBreaker breaker, T defaultValue) {
        this.breaker = breaker;
        this.defaultValue = defaultValue;
    }

    public Reply<T> get(Supplier<T> call) {
        try {
            T value = breaker.call(call);
            lastGood.set(value);
            return new Reply<>(value, Reply.Source.LIVE);
        } catch (RuntimeException failedOrRefused) {
            T last = lastGood.get();
            return last != null ? new Reply<>(last, Reply.Source.LAST_GOOD) : new Reply<>(defaultValue, Reply.Source.DEFAULT);
        }
    }
}
