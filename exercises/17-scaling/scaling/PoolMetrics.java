package scaling;

/**
 * What the autoscaler sees of one service's worker pool at the end of a tick.
 *
 * @param service       the service's name ("payments", "catalog", ...)
 * @param replicas      how many replicas (workers) served this tick
 * @param queueDepth    requests waiting for a worker when the tick ended
 * @param latencyMillis how long a request arriving now would take: its wait in the queue plus its own service time
 */
public record PoolMetrics(String service, int replicas, int queueDepth, int latencyMillis) {
    public PoolMetrics {
        if (replicas < 1) throw new IllegalArgumentException(service + " must have at least one replica, had " + replicas);
        if (queueDepth < 0 || latencyMillis < 0) throw new IllegalArgumentException("queue depth and latency cannot be negative");
    }

    /** The queue shared out over the replicas: 40 waiting for 2 replicas is 20 each, and as bad as 80 for 4. */
    public double queuePerReplica() {
        return (double) queueDepth / replicas;
    }
}
