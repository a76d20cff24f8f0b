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

/*
 * Lesson 04 · API composition (reference solution)
 *
 * One virtual thread per part, each making its plain blocking call. The composer waits for the parts in turn,
 * the required profile first, each only for what is left of one shared deadline, and stops the calls that are still
 * running when it is done.
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
        // Not try-with-resources: close() waits for every call to end, and a late service may take minutes.
        ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Map<Part, Future<JsonNode>> pending = new EnumMap<>(Part.class);
            for (Part part : Part.values()) pending.put(part, calls.submit(() -> peers.fetch(part, customerId)));

            Map<Part, JsonNode> parts = new EnumMap<>(Part.class);
            List<Part> degraded = new ArrayList<>();
            // Part lists the required profile first: if it is missing, the rest is not worth waiting for.
            for (Part part : Part.values()) {
                Arrival arrival = await(pending.get(part), deadlineAt);
                if (arrival.value() != null) parts.put(part, arrival.value());
                else if (part.required()) throw new RequiredPartMissing(part, arrival.problem());
                else degraded.add(part);
            }
            return new HomeScreen(parts, degraded);
        } finally {
            calls.shutdownNow(); // interrupts the calls still waiting: nobody will read their answers
        }
    }

    /** A part's value, or why there is none. */
    private record Arrival(JsonNode value, String problem) {}

    private static Arrival await(Future<JsonNode> call, long deadlineAt) {
        try {
            return new Arrival(call.get(Math.max(0, deadlineAt - System.nanoTime()), TimeUnit.NANOSECONDS), null);
        } catch (TimeoutException late) {
            return new Arrival(null, "no answer by the deadline");
        } catch (ExecutionException failed) {
            return new Arrival(null, failed.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Arrival(null, "interrupted");
        }
    }
}
