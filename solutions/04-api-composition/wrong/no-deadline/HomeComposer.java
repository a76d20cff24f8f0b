package composition;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Wrong: in parallel, but waits for each part for as long as it takes. The deadline is never used. */
public final class HomeComposer {
    private static final ExecutorService THREADS = Executors.newVirtualThreadPerTaskExecutor();

    private final Peers peers;
    private final Duration deadline;

    public HomeComposer(Peers peers, Duration deadline) {
        this.peers = peers;
        this.deadline = deadline;
    }

    public HomeScreen compose(String customerId) {
        Map<Part, CompletableFuture<JsonNode>> pending = new EnumMap<>(Part.class);
        for (Part part : Part.values()) pending.put(part, CompletableFuture.supplyAsync(() -> peers.fetch(part, customerId), THREADS));
        Map<Part, JsonNode> parts = new EnumMap<>(Part.class);
        List<Part> degraded = new ArrayList<>();
        for (Part part : Part.values()) {
            try {
                parts.put(part, pending.get(part).join());
            } catch (CompletionException failed) {
                if (part.required()) throw new RequiredPartMissing(part, failed.getCause().getMessage());
                degraded.add(part);
            }
        }
        return new HomeScreen(parts, degraded);
    }
}
