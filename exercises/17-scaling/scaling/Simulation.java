package scaling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shop's services, tick by tick, on a simulated clock: no wall-clock time, the same numbers on every run.
 * Each service has a queue in front of a pool of identical replicas, its own pool (a bulkhead, lesson 09), so
 * payments' queue never slows catalog down. In every tick:
 * <ol>
 *   <li>the load profile's requests join the queue;</li>
 *   <li>the replicas serve what they can: {@code replicas * perReplicaPerTick}; the rest waits;</li>
 *   <li>the autoscaler sees every pool's metrics and decides;</li>
 *   <li>the decisions take effect: from the next tick, the pools have the replicas the autoscaler asked for.</li>
 * </ol>
 */
public final class Simulation {
    public static final int TICK_MILLIS = 10_000;

    /** One service as it starts: its name, what one replica serves per tick, its own time per request, its replicas. */
    public record Service(String name, int perReplicaPerTick, int serviceMillis, int replicas) {}

    /** One service in one tick: what arrived, who served it, what was left waiting, and what the autoscaler decided. */
    public record Sample(int tick, String service, int arrivals, int replicas, int queueDepth, int latencyMillis, Decision decision) {}

    /** The shop of the flash sale: catalog is quick and has room to spare, payments waits on the card processor. */
    public static List<Service> flashSaleShop() {
        return List.of(new Service("catalog", 100, 80, 3), new Service("payments", 50, 250, 2));
    }

    /** The policies the shop runs with, by service. */
    public static Map<String, ScalingPolicy> flashSalePolicies() {
        return Map.of("catalog", ScalingPolicy.catalog(), "payments", ScalingPolicy.payments());
    }

    /** Runs {@code ticks} ticks of the load on these services, asking the autoscaler at the end of each. */
    public static History run(List<Service> services, LoadProfile load, Autoscaler autoscaler, int ticks) {
        Map<String, Pool> pools = new LinkedHashMap<>();
        for (Service s : services) pools.put(s.name(), new Pool(s, s.replicas()));
        List<Sample> samples = new ArrayList<>();
        for (int tick = 0; tick < ticks; tick++) {
            List<PoolMetrics> metrics = new ArrayList<>();
            Map<String, Integer> arrived = new LinkedHashMap<>();
            for (Pool pool : pools.values()) {
                int arrivals = load.arrivals(pool.service.name(), tick);
                arrived.put(pool.service.name(), arrivals);
                metrics.add(pool.serve(arrivals));
            }
            List<Decision> decisions = autoscaler.decide(tick, List.copyOf(metrics));
            if (decisions == null || decisions.size() != metrics.size())
                throw new IllegalStateException("the autoscaler should decide once for each of the " + metrics.size()
                    + " pools at tick " + tick + ", but gave " + decisions);
            for (int i = 0; i < metrics.size(); i++) {
                PoolMetrics m = metrics.get(i);
                Decision d = decisions.get(i);
                if (d == null || !d.service().equals(m.service()))
                    throw new IllegalStateException("decision " + i + " at tick " + tick + " should be for " + m.service() + ", but was " + d);
                samples.add(new Sample(tick, m.service(), arrived.get(m.service()), m.replicas(), m.queueDepth(), m.latencyMillis(), d));
                pools.get(m.service()).replicas = d.replicas();
            }
        }
        return new History(samples);
    }

    /** One service's pool while the simulation runs. */
    private static final class Pool {
        final Service service;
        int replicas;
        int queue;

        Pool(Service service, int replicas) {
            this.service = service;
            this.replicas = replicas;
        }

        PoolMetrics serve(int arrivals) {
            if (replicas < 1) throw new IllegalStateException("the autoscaler left " + service.name() + " with " + replicas + " replicas");
            int capacity = replicas * service.perReplicaPerTick();
            queue = Math.max(0, queue + arrivals - capacity);
            // The queue drains at the pool's capacity, so a request arriving now first waits for it to go.
            int waitMillis = (int) Math.ceil((double) queue * TICK_MILLIS / capacity);
            return new PoolMetrics(service.name(), replicas, queue, waitMillis + service.serviceMillis());
        }
    }

    /** Every sample of a run, with the questions the tests and the lesson ask of it. */
    public record History(List<Sample> samples) {
        public List<Sample> of(String service) {
            return samples.stream().filter(s -> s.service().equals(service)).toList();
        }

        /** The replicas that served each tick, tick 0 first. */
        public List<Integer> replicas(String service) {
            return of(service).stream().map(Sample::replicas).toList();
        }

        /** The ticks at which the service was scaled out. */
        public List<Integer> scaleOutTicks(String service) {
            return of(service).stream().filter(s -> s.decision() instanceof Decision.ScaleOut).map(Sample::tick).toList();
        }

        /** The ticks at which the service was scaled in. */
        public List<Integer> scaleInTicks(String service) {
            return of(service).stream().filter(s -> s.decision() instanceof Decision.ScaleIn).map(Sample::tick).toList();
        }
    }
}
