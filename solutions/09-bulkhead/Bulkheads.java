package bulkhead;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One bulkhead per dependency, made on first use. computeIfAbsent on a ConcurrentHashMap makes it once, even
 * when two requests ask for a new dependency at the same moment: two bulkheads for one peer would double its places.
 */
public final class Bulkheads {
    private final BulkheadConfig defaults;
    private final Map<String, BulkheadConfig> configs = new ConcurrentHashMap<>();
    private final Map<String, Bulkhead> bulkheads = new ConcurrentHashMap<>();

    public Bulkheads(BulkheadConfig defaults) {
        this.defaults = defaults;
    }

    public Bulkheads configure(String dependency, BulkheadConfig config) {
        configs.put(dependency, config);
        return this;
    }

    public Bulkhead bulkhead(String dependency) {
        return bulkheads.computeIfAbsent(dependency, name -> new Bulkhead(name, configs.getOrDefault(name, defaults)));
    }

    public Map<String, Integer> inUse() {
        Map<String, Integer> inUse = new TreeMap<>();
        bulkheads.forEach((dependency, bulkhead) -> inUse.put(dependency, bulkhead.inUse()));
        return inUse;
    }
}
