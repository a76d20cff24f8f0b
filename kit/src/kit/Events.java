package kit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Where a run's {@link Event}s go: to the live view and to a recording, when the lesson runs with --view or
 * --record. Without them nobody listens, and publishing costs one look at an empty list.
 */
public final class Events {
    /** An event and when it happened, in milliseconds since the run started. */
    public record Stamped(long t, Event event) {}

    private static final long START = System.nanoTime();
    private static final List<Consumer<Stamped>> SINKS = new CopyOnWriteArrayList<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Who calls the peers, as the view draws it: the lesson's own service, or the lesson itself. */
    private static volatile String caller;

    private Events() {}

    /** True when someone listens: a lesson's code may skip building an event nobody reads. */
    public static boolean wanted() { return !SINKS.isEmpty(); }

    public static void publish(Event event) {
        if (SINKS.isEmpty()) return;
        Stamped stamped = new Stamped((System.nanoTime() - START) / 1_000_000, event);
        for (Consumer<Stamped> sink : SINKS) sink.accept(stamped);
    }

    static void subscribe(Consumer<Stamped> sink) { SINKS.add(sink); }

    static void unsubscribe(Consumer<Stamped> sink) { SINKS.remove(sink); }

    /** The service whose calls the peers receive; the first one named wins unless {@code force}. */
    static void caller(String name, boolean force) {
        if (force || caller == null) caller = name;
    }

    static String caller() { return caller == null ? "lesson" : caller; }

    /** One line of JSON: {@code {"t":12,"type":"State","what":"breaker","value":"OPEN"}}. */
    public static String json(Stamped s) {
        ObjectNode node = JSON.createObjectNode().put("t", s.t()).put("type", s.event().getClass().getSimpleName());
        node.setAll((ObjectNode) JSON.valueToTree(s.event()));
        return node.toString();
    }
}
