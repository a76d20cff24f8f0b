package breaker;

/** The three states of a circuit breaker, named as Resilience4j names them. */
public enum State {
    /** Calls go through to the peer; their outcomes fill the sliding window. */
    CLOSED,
    /** Calls are turned away at once with CallNotPermitted; the peer is left alone until the wait is over. */
    OPEN,
    /** A few trial calls go through; their outcomes decide between CLOSED and OPEN. Others are turned away. */
    HALF_OPEN
}
