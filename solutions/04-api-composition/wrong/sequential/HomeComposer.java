package composition;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Wrong: asks the services one after another. The deadline is kept, but every answer waits for the one before. */
public final class HomeComposer {
    private final Peers peers;
    private final Duration deadline;

    public HomeComposer(Peers peers, Duration deadline) {
        this.peers = peers;
        this.deadline = deadline;
    }

    public HomeScreen compose(String customerId) {
        long deadlineAt = System.nanoTime() + deadline.toNanos();
        Map<Part, JsonNode> parts = new EnumMap<>(Part.class);
        List<Part> degraded = new ArrayList<>();
        for (Part part : Part.values()) {
            JsonNode value = null;
            String problem = "no answer by the deadline";
            if (System.nanoTime() < deadlineAt) {
                try {
                    value = peers.fetch(part, customerId);
                } catch (PartUnavailable e) {
                    problem = e.getMessage();
                }
            }
            if (value != null) parts.put(part, value);
            else if (part.required()) throw new RequiredPartMissing(part, problem);
            else degraded.add(part);
        }
        return new HomeScreen(parts, degraded);
    }
}
