package breaker;

/**
 * Thrown instead of making a call, when the breaker is OPEN, or HALF_OPEN with every trial call taken.
 * The peer never saw the call, so it is not an outcome: it is not recorded anywhere.
 */
public final class CallNotPermitted extends RuntimeException {
    private final String breaker;
    private final State state;

    public CallNotPermitted(String breaker, State state) {
        super("CircuitBreaker '" + breaker + "' is " + state + " and does not permit further calls");
        this.breaker = breaker;
        this.state = state;
    }

    /** The name of the breaker that refused, for example "payments". */
    public String breaker() { return breaker; }

    /** The state it was in when it refused: OPEN or HALF_OPEN. */
    public State state() { return state; }
}
