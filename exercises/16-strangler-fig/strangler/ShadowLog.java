package strangler;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Where the facade writes what each shadow request found, for the team to read before they send real users to
 * the new service. Safe to write from any thread: shadow requests finish in the background, in any order.
 */
public final class ShadowLog {
    /** One shadow request: which route and path, for which user (null when anonymous), and what the comparison found. */
    public record Entry(String route, String path, String userId, Comparison result) {
        @Override
        public String toString() {
            String found = switch (result) {
                case Comparison.Same same -> "same";
                case Comparison.Different(String what) -> "DIFFERENT: " + what;
                case Comparison.Failed(String why) -> "failed: " + why;
            };
            return "shadow " + route + " " + path + (userId == null ? "" : " (user " + userId + ")") + ": " + found;
        }
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();

    public void record(Entry entry) {
        entries.add(entry);
        listeners.forEach(l -> l.accept(entry));
    }

    /** Every entry so far, oldest first. */
    public List<Entry> entries() { return List.copyOf(entries); }

    /** The entries whose answers differed. */
    public List<Entry> differences() {
        return entries.stream().filter(e -> e.result() instanceof Comparison.Different).toList();
    }

    /** Called with each entry as it is written: a dashboard, an alert, or a lesson printing it. */
    public void onRecord(Consumer<Entry> listener) { listeners.add(listener); }

    public void clear() { entries.clear(); }
}
