package scaling;

/**
 * How one service's pool may be scaled.
 *
 * @param minReplicas     never fewer: enough to survive losing one, and to serve a quiet night
 * @param maxReplicas     never more: what the budget, the database's connections and the card processor allow
 * @param scaleOutStep    replicas added by one scale-out (scale-in removes one at a time: out fast, in slowly)
 * @param cooldownTicks   after a scaling action, the ticks to wait before the next one for this service, so new
 *                        replicas can start, take traffic and show up in the metrics before anyone judges again
 * @param queuePerReplica watermarks on the queue per replica
 * @param latencyMillis   watermarks on the latency, in milliseconds
 */
public record ScalingPolicy(int minReplicas, int maxReplicas, int scaleOutStep, int cooldownTicks,
                            Watermarks queuePerReplica, Watermarks latencyMillis) {
    public ScalingPolicy {
        if (minReplicas < 1 || maxReplicas < minReplicas)
            throw new IllegalArgumentException("need 1 <= min <= max, was min " + minReplicas + ", max " + maxReplicas);
        if (scaleOutStep < 1 || cooldownTicks < 0) throw new IllegalArgumentException("step must be positive and cooldown not negative");
    }

    /** Payments: 2 replicas on a calm day, at most 10; a checkout should answer within 2 s. */
    public static ScalingPolicy payments() {
        return new ScalingPolicy(2, 10, 2, 3, new Watermarks(2, 10), new Watermarks(500, 2000));
    }

    /** Catalog: 3 replicas at least (lesson 05), at most 6; a product page should answer within 300 ms. */
    public static ScalingPolicy catalog() {
        return new ScalingPolicy(3, 6, 1, 3, new Watermarks(2, 10), new Watermarks(120, 300));
    }
}
