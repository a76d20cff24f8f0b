package scaling;

import java.util.List;
import java.util.Map;

/*
 * Lesson 17 · Scaling (the capstone)
 *
 * 12:00, the sneaker drop: ten times the usual checkouts. Payments' queue grows and its latency climbs, while
 * catalog is busy but fine. Add payments replicas while it is hot, take them away once it has cooled down, leave
 * catalog alone, and never flap: a pool that grows and shrinks every tick spends its time starting replicas.
 *
 * The simulation (Simulation, LoadProfile) and the policies (ScalingPolicy, Watermarks) are ready; the decision
 * is yours. Check your work with: ./jbang workbook check 17
 */
public final class Autoscaler {
    private final Map<String, ScalingPolicy> policies;

    public Autoscaler(Map<String, ScalingPolicy> policies) {
        this.policies = Map.copyOf(policies);
    }

    /**
     * One decision per pool, in the order of {@code pools}, at the end of tick {@code tick} (ticks only go up).
     * For each service, with its own policy ({@link #policyOf}):
     * <ul>
     *   <li>hot, when its queue per replica or its latency is above the high watermark: scale out by
     *       {@code scaleOutStep}, never past {@code maxReplicas};</li>
     *   <li>cool, when its queue per replica and its latency are both below the low watermark: scale in by one,
     *       never below {@code minReplicas};</li>
     *   <li>neither (between the watermarks), at the limit, or within {@code cooldownTicks} of the service's last
     *       scale-out or scale-in: hold. An action at tick 6 with a cooldown of 3 allows the next at tick 9.</li>
     * </ul>
     */
    public List<Decision> decide(int tick, List<PoolMetrics> pools) {
        throw new UnsupportedOperationException("TODO: decide for each pool: scale out when hot, in when cool, hold between the watermarks, within the limits and after the cooldown");
    }

    /** The policy of one service; the autoscaler is not told about services it has no policy for. */
    private ScalingPolicy policyOf(String service) {
        ScalingPolicy policy = policies.get(service);
        if (policy == null) throw new IllegalArgumentException("no scaling policy for " + service + "; the autoscaler knows " + policies.keySet());
        return policy;
    }
}
