package composition;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Wrong: in parallel, on time, and degrades well; but it waits for every part (until the deadline) before it
 * looks at any, so a failed profile keeps the customer waiting for parts that will be thrown away.
 */
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
        for (Part part : Part.values()) {
            pending.put(part, CompletableFuture.supplyAsync(() -> peers.fetch(part, customerId), THREADS)
                .exceptionally(failed -> null)
                .completeOnTimeout(null, deadline.toMillis(), TimeUnit.MILLISECONDS));
        }
        CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new)).join();
        Map<Part, JsonNode> parts = new EnumMap<>(Part.class);
        List<Part> degraded = new ArrayList<>();
        for (Part part : Part.values()) {
            JsonNode value = pending.get(part).join();
            if (value != null) parts.put(part, value);
            else if (part.required()) throw new RequiredPartMissing(part, "failed or late");
            else degraded.add(part);
        }
        return new HomeScreen(parts, degraded);
    }
}
