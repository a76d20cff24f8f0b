package breaker;

import java.time.Instant;

/**
 * One change of state, as the breaker tells its listeners: from, to, and when, by the breaker's clock.
 * Dashboards and alerts are built on these: "payments' breaker opened at 09:00:04".
 */
public record Transition(State from, State to, Instant at) {
    @Override
    public String toString() { return from + " -> " + to + " at " + at; }
}
