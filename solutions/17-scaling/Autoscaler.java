package scaling;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, tick by tick, how many replicas each service's pool should have. Each service is judged on its own
 * metrics against its own policy: hot (a signal above its high watermark) scales out by the policy's step up to
 * the max; cool (both signals below their low watermarks) scales in by one down to the min; in between, nothing.
 * After any action the service has a cooldown of its own, in ticks, during which it is left alone.
 */
public final class Autoscaler {
    private final Map<String, ScalingPolicy> policies;
    /** The tick of each service's last scaling action: its cooldown runs from there. */
    private final Map<String, Integer> lastActionAt = new HashMap<>();

    public Autoscaler(Map<String, ScalingPolicy> policies) {
        this.policies = Map.copyOf(policies);
    }

    public List<Decision> decide(int tick, List<PoolMetrics> pools) {
        return pools.stream().map(pool -> decide(tick, pool)).toList();
    }

    /** Each service on its own metrics, policy and cooldown: only what is hot scales. */
    private Decision decide(int tick, PoolMetrics pool) {
        Decision decision = judge(tick, pool, policyOf(pool.service()));
        if (decision.changes()) lastActionAt.put(pool.service(), tick);
        return decision;
    }

    private Decision judge(int tick, PoolMetrics pool, ScalingPolicy policy) {
        String service = pool.service();
        int replicas = pool.replicas();
        // Hot when either signal is over its high watermark; cool only when both are under their low one.
        boolean hot = policy.queuePerReplica().above(pool.queuePerReplica()) || policy.latencyMillis().above(pool.latencyMillis());
        boolean cool = policy.queuePerReplica().below(pool.queuePerReplica()) && policy.latencyMillis().below(pool.latencyMillis());
        if (!hot && !cool) return new Decision.Hold(service, replicas, "between the watermarks");

        Integer last = lastActionAt.get(service);
        if (last != null && tick - last < policy.cooldownTicks())
            return new Decision.Hold(service, replicas, "cooling down after tick " + last);

        if (hot) {
            if (replicas >= policy.maxReplicas()) return new Decision.Hold(service, replicas, "hot, but at its max of " + policy.maxReplicas());
            int to = Math.min(policy.maxReplicas(), replicas + policy.scaleOutStep());
            return new Decision.ScaleOut(service, replicas, to, "hot: " + signals(pool));
        }
        if (replicas <= policy.minReplicas()) return new Decision.Hold(service, replicas, "cool, and at its min of " + policy.minReplicas());
        return new Decision.ScaleIn(service, replicas, replicas - 1, "cool: " + signals(pool));
    }

    private static String signals(PoolMetrics pool) {
        return "%.1f queued per replica, %d ms".formatted(pool.queuePerReplica(), pool.latencyMillis());
    }

    private ScalingPolicy policyOf(String service) {
        ScalingPolicy policy = policies.get(service);
        if (policy == null) throw new IllegalArgumentException("no scaling policy for " + service + "; the autoscaler knows " + policies.keySet());
        return policy;
    }
}
