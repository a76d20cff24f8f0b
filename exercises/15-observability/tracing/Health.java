package tracing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.LinkedHashMap;
import java.util.Map;

/*
 * Lesson 15 · Observability
 *
 * While payments was failing, orders' breaker to payments had long been open, and nobody knew: orders' health
 * check said "UP", because orders itself was running. A health check that names its dependencies and the state of
 * each breaker tells the on-call engineer where to look before anyone greps a log.
 *
 * Write the report here, from the breakers orders keeps in front of its peers.
 * Check your work with: ./jbang workbook check 15
 */
public final class Health {
    /** What GET /health answers, as JSON: {"status": "UP", "dependencies": {"payments": {"breaker": "CLOSED"}, ...}}. */
    public record Report(String status, Map<String, Dependency> dependencies) {}

    /** One peer the service depends on, and the state of the breaker in front of it ("CLOSED", "OPEN", ...). */
    public record Dependency(String breaker) {}

    private final Map<String, CircuitBreaker> breakers;

    /** @param breakers each peer's name, and the breaker in front of it */
    public Health(Map<String, CircuitBreaker> breakers) {
        this.breakers = breakers;
    }

    /**
     * "UP" when every breaker is CLOSED; otherwise "DEGRADED": the service runs, but some of its work cannot be done.
     * Every peer is listed with its breaker's state.
     */
    public Report report() {
        throw new UnsupportedOperationException("TODO: Health.report: list every peer with its breaker's state, and say UP only when every breaker is CLOSED (DEGRADED otherwise)");
    }
}
