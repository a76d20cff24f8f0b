package kit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The learner's progress, kept in {@code .workbook-state.json} at the repository root (ignored by git, so pulling
 * new lessons never touches it). Written atomically: a crash mid-write leaves the previous state.
 */
public final class Progress {
    public static final String FILE = ".workbook-state.json";

    /** What we know about one lesson: run or not, the last check of its exercise, hints seen. */
    public static final class Entry {
        public boolean lessonRun;
        public int testsPassed;
        public int testsTotal;
        public boolean done;
        public int hintsUsed;
        public String lastChecked;
        /** Per test method: how many of its hints the learner has seen. */
        public Map<String, Integer> hintLevels = new TreeMap<>();
    }

    public static final class State {
        public int version = 1;
        public Map<String, Entry> lessons = new TreeMap<>();
    }

    private static final ObjectMapper JSON = new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;

    public Progress(Path root) { this.file = root.resolve(FILE); }

    public Path file() { return file; }

    /** Reads the state; a missing file is a fresh start. An unreadable one is an error the caller reports. */
    public State load() throws IOException {
        if (!Files.exists(file)) return new State();
        State state = JSON.readValue(file.toFile(), State.class);
        if (state.lessons == null) state.lessons = new TreeMap<>();
        state.lessons.values().forEach(e -> { if (e.hintLevels == null) e.hintLevels = new TreeMap<>(); });
        return state;
    }

    public Entry entry(State state, String lessonId) {
        return state.lessons.computeIfAbsent(lessonId, k -> new Entry());
    }

    public void save(State state) throws IOException {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), state);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Notes that a lesson ran to its end; never fails the lesson if the state cannot be written. */
    public static void lessonRan(String lessonId) {
        try {
            Progress progress = new Progress(Course.root());
            State state = progress.load();
            progress.entry(state, lessonId).lessonRun = true;
            progress.save(state);
        } catch (IOException | RuntimeException ignored) {
            // progress is a convenience; the lesson itself succeeded
        }
    }

    public static String now() { return Instant.now().toString(); }
}
