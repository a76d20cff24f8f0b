package breaker;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A count-based circuit breaker with Resilience4j's semantics. The bookkeeping is synchronized; the call itself
 * runs outside the lock, so concurrent calls never wait for each other.
 */
public final class CircuitBreaker {
    private final String name;
    private final BreakerConfig config;
    private final InstantSource clock;
    private final List<Consumer<Transition>> listeners = new CopyOnWriteArrayList<>();

    private State state = State.CLOSED;
    private OutcomeWindow window;   // CLOSED: the last calls; HALF_OPEN: the trial calls
    private Instant openedAt;       // OPEN: when it opened
    private int trialsLeft;         // HALF_OPEN: trial calls not handed out yet

    public CircuitBreaker(String name, BreakerConfig config, InstantSource clock) {
        this.name = name;
        this.config = config;
        this.clock = clock;
        this.window = new OutcomeWindow(config.slidingWindowSize());
    }

    public String name() { return name; }

    public void onStateChange(Consumer<Transition> listener) { listeners.add(listener); }

    public <T> T call(Supplier<T> call) {
        acquirePermission();
        T result;
        try {
            result = call.get();
        } catch (RuntimeException failure) {
            onFailure();
            throw failure;
        }
        onSuccess();
        return result;
    }

    public synchronized State state() { return state; }

    private synchronized void acquirePermission() {
        if (state == State.OPEN && !clock.instant().isBefore(openedAt.plus(config.waitDurationInOpenState()))) {
            transitionTo(State.HALF_OPEN);
        }
        switch (state) {
            case CLOSED -> { }
            case OPEN -> throw new CallNotPermitted(name, state);
            case HALF_OPEN -> {
                if (trialsLeft == 0) throw new CallNotPermitted(name, state);
                trialsLeft--;
            }
        }
    }

    private synchronized void onSuccess() { record(false); }

    private synchronized void onFailure() { record(true); }

    private void record(boolean failure) {
        switch (state) {
            case CLOSED -> {
                window.record(failure);
                if (window.size() >= config.minimumNumberOfCalls() && failureRateTooHigh()) transitionTo(State.OPEN);
            }
            case HALF_OPEN -> {
                window.record(failure);
                if (window.isFull()) transitionTo(failureRateTooHigh() ? State.OPEN : State.CLOSED);
            }
            case OPEN -> { } // a call let through before the breaker opened: its outcome no longer matters
        }
    }

    private boolean failureRateTooHigh() { return window.failureRate() >= config.failureRateThreshold(); }

    private void transitionTo(State to) {
        Instant now = clock.instant();
        State from = state;
        state = to;
        switch (to) {
            case CLOSED -> window = new OutcomeWindow(config.slidingWindowSize());
            case OPEN -> openedAt = now;
            case HALF_OPEN -> {
                window = new OutcomeWindow(config.permittedNumberOfCallsInHalfOpenState());
                trialsLeft = config.permittedNumberOfCallsInHalfOpenState();
            }
        }
        var transition = new Transition(from, to, now);
        listeners.forEach(listener -> listener.accept(transition)); // under the lock, so listeners hear them in order
    }
}
