package composition;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Wrong: a part that failed is named in degraded, but a part that was late just goes missing, unexplained. */
public final class HomeComposer {
    private final Peers peers;
    private final Duration deadline;

    public HomeComposer(Peers peers, Duration deadline) {
        this.peers = peers;
        this.deadline = deadline;
    }

    public HomeScreen compose(String customerId) {
        long deadlineAt = System.nanoTime() + deadline.toNanos();
        ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Map<Part, Future<JsonNode>> pending = new EnumMap<>(Part.class);
            for (Part part : Part.values()) pending.put(part, calls.submit(() -> peers.fetch(part, customerId)));
            Map<Part, JsonNode> parts = new EnumMap<>(Part.class);
            List<Part> degraded = new ArrayList<>();
            for (Part part : Part.values()) {
                try {
                    parts.put(part, pending.get(part).get(Math.max(0, deadlineAt - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException late) {
                    if (part.required()) throw new RequiredPartMissing(part, "no answer by the deadline");
                } catch (ExecutionException failed) {
                    if (part.required()) throw new RequiredPartMissing(part, failed.getCause().getMessage());
                    degraded.add(part);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RequiredPartMissing(part, "interrupted");
                }
            }
            return new HomeScreen(parts, degraded);
        } finally {
            calls.shutdownNow();
        }
    }
}
