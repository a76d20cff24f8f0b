package bulkhead;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's bulkheads, one per dependency: shipping's calls fill shipping's places and nobody else's. A
 * dependency gets the default config unless it was given one of its own with {@link #configure}.
 */
public final class Bulkheads {
    private final BulkheadConfig defaults;
    private final Map<String, BulkheadConfig> configs = new ConcurrentHashMap<>();
    /** Every bulkhead handed out so far, by dependency. {@link #inUse()} reads it. */
    private final Map<String, Bulkhead> bulkheads = new ConcurrentHashMap<>();

    public Bulkheads(BulkheadConfig defaults) {
        this.defaults = defaults;
    }

    /** Gives one dependency a config of its own (say, fewer places for a slow one), before its bulkhead is first used. */
    public Bulkheads configure(String dependency, BulkheadConfig config) {
        configs.put(dependency, config);
        return this;
    }

    /**
     * The bulkhead of this dependency: made on first use, with the dependency's own config or else the defaults,
     * and the very same one ever after, whoever asks and on whichever thread.
     */
    public Bulkhead bulkhead(String dependency) {
        throw new UnsupportedOperationException("TODO: return this dependency's one bulkhead, made on first use with its config (or the defaults) and kept in `bulkheads`");
    }

    /** Permits in use per dependency, in name order: what the gateway's /bulkheads page shows. */
    public Map<String, Integer> inUse() {
        Map<String, Integer> inUse = new TreeMap<>();
        bulkheads.forEach((dependency, bulkhead) -> inUse.put(dependency, bulkhead.inUse()));
        return inUse;
    }
}
