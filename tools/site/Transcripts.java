package site;

import com.fasterxml.jackson.databind.ObjectMapper;
import engine.LessonRun;
import engine.Text;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kit.Course;

/**
 * The output of a real run of each lesson ({@code ./jbang lessons/ID/Lesson.java --no-pause}), captured while the
 * site is built. A run is cached under .workbook-cache/site/transcripts by the hash of everything the run depends
 * on (the lesson's Java sources and the kit), so a site rebuilt after a change of text runs no lesson at all.
 * Lessons run one at a time, in the background, while the pages are converted: they measure latencies, and two at
 * once on a small machine would disturb each other's timings.
 */
public final class Transcripts {
    /**
     * What one run printed. {@code output} is null when there is none: nothing cached with --cached-only, or the run
     * failed, and then {@code problem} says why.
     */
    record Transcript(String lessonId, String output, double seconds, String capturedOn, boolean cached, String problem, String events) {
        Transcript(String lessonId, String output, double seconds, String capturedOn, boolean cached, String problem) {
            this(lessonId, output, seconds, capturedOn, cached, problem, null);
        }
    }

    private static final Duration LIMIT = Duration.ofSeconds(180);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Path cache;
    private final boolean cachedOnly;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lesson-runs");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, CompletableFuture<Transcript>> runs = new LinkedHashMap<>();

    Transcripts(Path root, boolean cachedOnly) {
        this.root = root;
        this.cache = root.resolve(".workbook-cache").resolve("site").resolve("transcripts");
        this.cachedOnly = cachedOnly;
    }

    /** Starts capturing every lesson's transcript (cached ones answer at once). */
    void start(List<Course.Lesson> lessons) {
        for (Course.Lesson lesson : lessons) {
            runs.put(lesson.id(), CompletableFuture.supplyAsync(() -> capture(lesson), runner));
        }
    }

    Transcript get(Course.Lesson lesson) {
        try {
            return runs.get(lesson.id()).join();
        } catch (CompletionException e) {
            return new Transcript(lesson.id(), null, 0, null, false, lesson.id() + ": " + e.getCause().getMessage());
        }
    }

    private Transcript capture(Course.Lesson lesson) {
        String hash = hash(lesson);
        Path file = cache.resolve(lesson.id() + "-" + hash + ".json");
        try {
            if (Files.isRegularFile(file)) {
                Transcript t = JSON.readValue(file.toFile(), Transcript.class);
                return new Transcript(t.lessonId(), t.output(), t.seconds(), t.capturedOn(), true, null, t.events());
            }
        } catch (IOException unreadable) {
            // run it again below
        }
        if (cachedOnly) return new Transcript(lesson.id(), null, 0, null, false, null);
        Transcript fresh;
        try {
            fresh = run(lesson);
        } catch (BuildFailed failed) {
            return new Transcript(lesson.id(), null, 0, null, false, failed.getMessage());
        }
        store(lesson, hash, fresh);
        return fresh;
    }

    /**
     * Keeps a run of a lesson that exited 0, made by someone else: verify runs every lesson anyway, so the site
     * built after it runs none. {@code stdout} is what the lesson printed on its standard output, {@code events} what
     * it recorded with --record (the events the site replays; null for none).
     */
    public static void remember(Path root, Course.Lesson lesson, String stdout, double seconds, String events) {
        Transcripts transcripts = new Transcripts(root, false);
        transcripts.store(lesson, transcripts.hash(lesson), new Transcript(lesson.id(), stripAnsi(stdout).strip(),
            Math.round(seconds * 10) / 10.0, LocalDate.now().toString(), false, null, events));
        transcripts.shutdown();
    }

    private void store(Course.Lesson lesson, String hash, Transcript fresh) {
        Path file = cache.resolve(lesson.id() + "-" + hash + ".json");
        try {
            Files.createDirectories(cache);
            try (Stream<Path> old = Files.list(cache)) {   // earlier runs of this lesson are stale now
                old.filter(p -> p.getFileName().toString().startsWith(lesson.id() + "-")).forEach(p -> p.toFile().delete());
            }
            Path tmp = cache.resolve(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), fresh);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("site: could not cache the transcript of " + lesson.id() + ": " + e.getMessage());
        }
    }

    private Transcript run(Course.Lesson lesson) {
        String script = "lessons/" + lesson.id() + "/Lesson.java";
        System.out.println("site: running " + lesson.id() + " for its transcript (./jbang " + script + " --no-pause)");
        try {
            LessonRun run = LessonRun.of(root, script, "site-" + lesson.number2(), LIMIT);
            if (run.ended().timedOut()) {
                throw new BuildFailed(lesson.id() + ": the lesson was still running after " + LIMIT.toSeconds() + " s; no transcript");
            }
            double seconds = run.ended().seconds();
            String output = stripAnsi(run.stdout());
            String errors = run.stderr();
            if (run.ended().exitCode() != 0) {
                // The lesson's own lines say which claim did not hold; the JVM's and JBang's chatter says nothing.
                List<String> failedChecks = output.lines().map(String::strip).filter(l -> l.startsWith("✗")).toList();
                String said = errors.lines().filter(l -> !l.startsWith("WARNING: ") && !l.startsWith("[jbang] ")
                    && !l.matches("^\\[[0-9.]+s]\\[\\w+]\\[cds.*") && !l.isBlank()).collect(Collectors.joining("\n"));
                String why = failedChecks.isEmpty() ? Text.tail(output + (said.isEmpty() ? "" : "\n" + said), 12) : String.join("\n", failedChecks);
                throw new BuildFailed(lesson.id() + ": ./jbang " + script + " --no-pause exited " + run.ended().exitCode()
                    + ", so its output is not what its text promises (the site shows only runs that held):\n"
                    + why.indent(4).stripTrailing());
            }
            return new Transcript(lesson.id(), output.strip(), Math.round(seconds * 10) / 10.0, LocalDate.now().toString(), false, null, run.events());
        } catch (IOException e) {
            throw new BuildFailed(lesson.id() + ": could not run the lesson: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailed("interrupted");
        }
    }

    /** Everything the run depends on: the lesson's Java sources and the kit (not its text). */
    private String hash(Course.Lesson lesson) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            List<Path> files;
            try (Stream<Path> lessonFiles = Files.walk(lesson.lessonDir(root));
                 Stream<Path> kitFiles = Files.walk(root.resolve("kit"))) {
                files = Stream.concat(lessonFiles, kitFiles)
                    .filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p))
                    .sorted().toList();
            }
            for (Path f : files) {
                sha.update(root.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new BuildFailed(lesson.id() + ": cannot hash its sources: " + e.getMessage());
        }
    }

    static String stripAnsi(String s) { return s.replaceAll("\u001B\\[[0-9;]*[A-Za-z]", ""); }

    void shutdown() { runner.shutdownNow(); }
}
