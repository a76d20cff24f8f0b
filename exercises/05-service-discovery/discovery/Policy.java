package discovery;

import java.time.Duration;

/**
 * How the discovery client trusts what it knows.
 *
 * @param ttl         how long a list from the registry is used before the registry is asked again
 * @param maxFailures consecutive failures (a 5xx or no answer) after which an instance is ejected
 * @param coolDown    how long an ejected instance gets no requests before it is admitted again
 */
public record Policy(Duration ttl, int maxFailures, Duration coolDown) {
    public Policy {
        if (ttl.isNegative() || coolDown.isNegative()) throw new IllegalArgumentException("durations cannot be negative");
        if (maxFailures < 1) throw new IllegalArgumentException("maxFailures must be at least 1, was " + maxFailures);
    }

    /** What the shop runs with: a list is good for 10 s, two failures in a row eject, 30 s on the bench. */
    public static Policy standard() {
        return new Policy(Duration.ofSeconds(10), 2, Duration.ofSeconds(30));
    }
}
