package breaker;

import java.time.Duration;

/**
 * How a breaker decides, with Resilience4j's names for each setting (so its documentation reads as ours).
 *
 * @param slidingWindowSize the window holds the outcomes of the last this-many calls made while CLOSED
 * @param minimumNumberOfCalls no verdict before the window holds at least this many outcomes (at most the window's size)
 * @param failureRateThreshold in percent: a failure rate equal to it or above opens the breaker
 * @param waitDurationInOpenState how long the breaker stays OPEN before it lets trial calls through
 * @param permittedNumberOfCallsInHalfOpenState how many trial calls HALF_OPEN lets through, and waits for, before it decides
 */
public record BreakerConfig(int slidingWindowSize, int minimumNumberOfCalls, float failureRateThreshold,
                            Duration waitDurationInOpenState, int permittedNumberOfCallsInHalfOpenState) {
    public BreakerConfig {
        if (slidingWindowSize < 1) throw new IllegalArgumentException("slidingWindowSize must be at least 1: " + slidingWindowSize);
        if (minimumNumberOfCalls < 1 || minimumNumberOfCalls > slidingWindowSize) {
            throw new IllegalArgumentException("minimumNumberOfCalls must be between 1 and slidingWindowSize (" + slidingWindowSize + "): " + minimumNumberOfCalls);
        }
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
            throw new IllegalArgumentException("failureRateThreshold is a percentage above 0 and at most 100: " + failureRateThreshold);
        }
        if (waitDurationInOpenState.isNegative()) throw new IllegalArgumentException("waitDurationInOpenState must not be negative: " + waitDurationInOpenState);
        if (permittedNumberOfCallsInHalfOpenState < 1) {
            throw new IllegalArgumentException("permittedNumberOfCallsInHalfOpenState must be at least 1: " + permittedNumberOfCallsInHalfOpenState);
        }
    }
}
