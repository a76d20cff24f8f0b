package breaker;

import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/*
 * Lesson 08 · Circuit breaker
 *
 * Payments is down. Every checkout still asks it which payment methods to offer, waits for its 503, and holds a
 * gateway thread while it waits; soon no thread is left, and the whole shop stops with payments. A breaker
 * in front of payments notices the failures and stops calling for a while: checkouts are answered at once
 * (from a fallback, Fallback.java), payments gets room to recover, and a few trial calls find out when it has.
 *
 * Write the breaker with Resilience4j's rules (the lesson's README has them, with the tests' numbers):
 *  - CLOSED: every call goes through; the last slidingWindowSize outcomes are kept. Once the window holds
 *    minimumNumberOfCalls outcomes, a failure rate at or above failureRateThreshold opens the breaker.
 *  - OPEN: calls are refused with CallNotPermitted, not made and not recorded. The first call that asks when
 *    waitDurationInOpenState has passed on the clock (now >= opened + wait) moves the breaker to HALF_OPEN.
 *  - HALF_OPEN: exactly permittedNumberOfCallsInHalfOpenState trial calls go through, others are refused. When
 *    all of them have finished, their failure rate decides: OPEN again (the wait starts over), or CLOSED with an
 *    empty window.
 * Every change of state goes to the listeners, in order, with the time from the clock. Time comes only from the
 * clock given to the constructor. Check your work with: ./jbang workbook check 08
 */
public final class CircuitBreaker {
    private final String name;
    private final BreakerConfig config;
    private final InstantSource clock;
    private final List<Consumer<Transition>> listeners = new CopyOnWriteArrayList<>();

    // Your state goes here: the current State, the outcomes in the window, when it opened, trial calls left...

    public CircuitBreaker(String name, BreakerConfig config, InstantSource clock) {
        this.name = name;
        this.config = config;
        this.clock = clock;
    }

    public String name() { return name; }

    /** Tells {@code listener} about every change of state from now on, on the thread that caused it. */
    public void onStateChange(Consumer<Transition> listener) { listeners.add(listener); }

    /**
     * Makes the call if the breaker permits it, records how it went, and returns its result or rethrows its
     * exception unchanged. Refused calls throw CallNotPermitted without running {@code call}.
     * Many checkouts share one breaker, each on its own thread. The call itself runs outside any lock: a slow
     * payments must never make one checkout wait for another's call.
     */
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

    /** The state now. An OPEN breaker whose wait is over still says OPEN until a call asks (as Resilience4j does). */
    public State state() {
        throw new UnsupportedOperationException("TODO: return the breaker's current state");
    }

    /**
     * Before a call: returns if the call may go ahead, throws CallNotPermitted if not. This is where an OPEN
     * breaker whose wait is over becomes HALF_OPEN, and where HALF_OPEN hands out its trial calls.
     */
    private void acquirePermission() {
        throw new UnsupportedOperationException("TODO: return if the call may go ahead, else throw CallNotPermitted (OPEN, or no trial call left)");
    }

    /** After a call that returned. */
    private void onSuccess() {
        throw new UnsupportedOperationException("TODO: record a success: in the window (CLOSED) or as a trial call's outcome (HALF_OPEN)");
    }

    /** After a call that threw. */
    private void onFailure() {
        throw new UnsupportedOperationException("TODO: record a failure, then open the breaker if the failure rate says so");
    }

    // One private method that changes the state and tells every listener keeps the transitions in one place.
}
