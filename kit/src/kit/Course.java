package kit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The course map: every lesson of the curriculum, written or not. The workbook, the grader, verify and the
 * site all read it from here. A lesson counts as written when its folder under lessons/ exists.
 */
public final class Course {
    public enum Part {
        EDGE("Part I: the edge"),
        RESILIENCE("Part II: resilience"),
        MESSAGING("Part III: asynchronous messaging and data"),
        RUNNING("Part IV: running it");

        public final String title;

        Part(String title) { this.title = title; }
    }

    /** One lesson. {@code id()} is its folder name everywhere: lessons/ID, exercises/ID, solutions/ID. */
    public record Lesson(int number, String slug, String title, Part part, int level, String pattern) {
        public String id() { return "%02d-%s".formatted(number, slug); }

        public String number2() { return "%02d".formatted(number); }

        /** lessons/ID under {@code root}: the lesson's script, README and playground. */
        public Path lessonDir(Path root) { return root.resolve("lessons").resolve(id()); }

        /** exercises/ID under {@code root} (the course, or a student's submission laid out like it): stub and tests. */
        public Path exerciseDir(Path root) { return root.resolve("exercises").resolve(id()); }

        /** solutions/ID under {@code root}: the reference solution, its wrong answers and mutation summary. */
        public Path solutionDir(Path root) { return root.resolve("solutions").resolve(id()); }

        public boolean written(Path root) { return Files.isRegularFile(lessonDir(root).resolve("Lesson.java")); }

        public boolean hasExercise(Path root) { return Files.isDirectory(exerciseDir(root)); }

        /** True for "08", "8", "circuit-breaker" and "08-circuit-breaker". */
        public boolean answersTo(String query) {
            String q = query.trim().toLowerCase();
            return q.equals(id()) || q.equals(slug) || q.equals(number2()) || q.equals(Integer.toString(number));
        }
    }

    public static final List<Lesson> LESSONS = List.of(
        new Lesson(1, "service-boundaries", "Boundaries and synchronous calls", Part.EDGE, 1, "Anti-corruption layer"),
        new Lesson(2, "api-gateway", "Routing and authentication at the gateway", Part.EDGE, 1, "API gateway"),
        new Lesson(3, "rate-limiting", "Token buckets at the gateway", Part.EDGE, 2, "Rate limiting"),
        new Lesson(4, "api-composition", "Aggregation with a deadline", Part.EDGE, 2, "API composition"),
        new Lesson(5, "service-discovery", "Registry and client-side load balancing", Part.EDGE, 2, "Service discovery"),
        new Lesson(6, "timeouts", "Timeouts and deadline propagation", Part.RESILIENCE, 1, "Timeouts"),
        new Lesson(7, "retries", "Exponential backoff, jitter, idempotency", Part.RESILIENCE, 2, "Retries"),
        new Lesson(8, "circuit-breaker", "Circuit breaker with fallback", Part.RESILIENCE, 3, "Circuit breaker"),
        new Lesson(9, "bulkhead", "Isolating dependencies", Part.RESILIENCE, 2, "Bulkhead"),
        new Lesson(10, "messaging", "Queues, topics and offline consumers", Part.MESSAGING, 2, "Messaging"),
        new Lesson(11, "outbox", "Transactional outbox and idempotent consumer", Part.MESSAGING, 3, "Transactional outbox"),
        new Lesson(12, "saga", "Orchestration with compensation, then choreography", Part.MESSAGING, 3, "Saga"),
        new Lesson(13, "event-sourcing", "The diary of every change", Part.MESSAGING, 3, "Event sourcing"),
        new Lesson(14, "cqrs", "Separate read models", Part.MESSAGING, 3, "CQRS"),
        new Lesson(15, "observability", "Following one request through many services", Part.RUNNING, 2, "Distributed tracing"),
        new Lesson(16, "strangler-fig", "Migrating one route at a time", Part.RUNNING, 2, "Strangler fig"),
        new Lesson(17, "scaling", "Scale what is hot (capstone)", Part.RUNNING, 3, "Autoscaling"));

    private Course() {}

    public static Optional<Lesson> find(String query) {
        return LESSONS.stream().filter(l -> l.answersTo(query)).findFirst();
    }

    /** For error messages: "01-service-boundaries, 02-api-gateway, ...". */
    public static String validIds() {
        return LESSONS.stream().map(Lesson::id).collect(Collectors.joining(", "));
    }

    /** The wrapper that runs the course's pinned JBang: {@code jbang} (a bash script), {@code jbang.cmd} on Windows. */
    public static String wrapper(Path root) {
        return root.resolve(onWindows() ? "jbang.cmd" : "jbang").toString();
    }

    /** Windows runs our .cmd twins of the bash scripts, and has no Unix processes, users or limits. */
    public static boolean onWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }

    /** The repository root: the nearest folder, from here upwards, that holds jbang-catalog.json. */
    public static Path root() {
        String override = System.getProperty("workbook.root", System.getenv("WORKBOOK_ROOT"));
        if (override != null && !override.isBlank()) return Path.of(override).toAbsolutePath().normalize();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("jbang-catalog.json")) && Files.isDirectory(p.resolve("kit"))) return p;
        }
        throw new IllegalStateException("cannot find the workbook's folder (the one with jbang-catalog.json): run from inside it");
    }
}
