package composition;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Wrong: looks right, and gives up on a late part at the deadline; but the executor is closed by
 * try-with-resources, and ExecutorService.close() waits for every task, the late call included.
 */
public final class HomeComposer {
    private final Peers peers;
    private final Duration deadline;

    public HomeComposer(Peers peers, Duration deadline) {
        this.peers = peers;
        this.deadline = deadline;
    }

    public HomeScreen compose(String customerId) {
        long deadlineAt = System.nanoTime() + deadline.toNanos();
        try (var calls = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<Part, Future<JsonNode>> pending = new EnumMap<>(Part.class);
            for (Part part : Part.values()) pending.put(part, calls.submit(() -> peers.fetch(part, customerId)));
            Map<Part, JsonNode> parts = new EnumMap<>(Part.class);
            List<Part> degraded = new ArrayList<>();
            for (Part part : Part.values()) {
                String problem;
                try {
                    parts.put(part, pending.get(part).get(Math.max(0, deadlineAt - System.nanoTime()), TimeUnit.NANOSECONDS));
                    continue;
                } catch (TimeoutException late) {
                    problem = "no answer by the deadline";
                } catch (ExecutionException failed) {
                    problem = failed.getCause().getMessage();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    problem = "interrupted";
                }
                if (part.required()) throw new RequiredPartMissing(part, problem);
                degraded.add(part);
            }
            return new HomeScreen(parts, degraded);
        }
    }
}
