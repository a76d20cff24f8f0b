package discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Passive health: what the client has seen of each instance, by id. Nobody probes the instances; their answers
 * to real requests are the evidence. Not thread-safe on its own: DiscoveryClient holds its lock around every use.
 */
final class Health {
    private final int maxFailures;
    private final Duration coolDown;
    private final Map<String, Integer> failuresInARow = new HashMap<>();
    private final Map<String, Instant> ejectedUntil = new HashMap<>();

    Health(int maxFailures, Duration coolDown) {
        this.maxFailures = maxFailures;
        this.coolDown = coolDown;
    }

    /** May this instance get requests now? An instance whose cool-down is over is admitted again, with a clean slate. */
    boolean admitted(String id, Instant now) {
        Instant until = ejectedUntil.get(id);
        if (until == null) return true;
        if (now.isBefore(until)) return false;
        ejectedUntil.remove(id);
        failuresInARow.remove(id);
        return true;
    }

    /** It answered: whatever went wrong before, it is working now. */
    void succeeded(String id) {
        failuresInARow.remove(id);
    }

    /** A 5xx or no answer. The maxFailures-th in a row ejects it for the cool-down. */
    void failed(String id, Instant now) {
        int failures = failuresInARow.merge(id, 1, Integer::sum);
        if (failures >= maxFailures) {
            ejectedUntil.put(id, now.plus(coolDown));
            failuresInARow.remove(id);
        }
    }

    Set<String> ejected(Instant now) {
        Set<String> out = new TreeSet<>();
        ejectedUntil.forEach((id, until) -> {
            if (now.isBefore(until)) out.add(id);
        });
        return out;
    }
}
