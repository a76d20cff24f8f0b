package verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engine.Compiler;
import engine.Sources;
import engine.TestRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kit.Course;
import kit.Style;

/** Every check verify makes, each printed as one PASS or FAIL line with what it proves. */
public final class Checks {
    private static final int MIN_WRONG_VARIANTS = 3;
    private static final Duration LESSON_LIMIT = Duration.ofSeconds(90);

    private final Path root;
    private final List<String> only;
    private final boolean runLessons;
    private final Compiler compiler;
    private final TestRunner runner = new TestRunner("30 s");
    private int passed;
    private int failed;

    public Checks(Path root, List<String> only, boolean runLessons) {
        this.root = root;
        this.only = only;
        this.runLessons = runLessons;
        this.compiler = new Compiler(root.resolve(".workbook-cache").resolve("verify"), root);
    }

    public boolean run() {
        long start = System.nanoTime();
        kitTests();
        List<Course.Lesson> lessons = Course.LESSONS.stream()
            .filter(l -> l.written(root) || l.hasExercise(root))
            .filter(l -> only.isEmpty() || only.stream().anyMatch(l::answersTo))
            .toList();
        catalog(lessons);
        for (Course.Lesson lesson : lessons) exercise(lesson);
        if (runLessons) for (Course.Lesson lesson : lessons) lessonRuns(lesson);
        System.out.println();
        System.out.printf("verify took %.1f s%n", (System.nanoTime() - start) / 1e9);
        System.out.println(passed + " passed, " + failed + " failed");
        return failed == 0;
    }

    private void record(boolean ok, String what, String detail) {
        if (ok) passed++;
        else failed++;
        System.out.println((ok ? Style.green("PASS ") : Style.red("FAIL ")) + what
            + (detail == null || detail.isEmpty() ? "" : (ok ? Style.dim("  " + detail) : "\n     " + detail.replace("\n", "\n     "))));
    }

    // ---- the kit's own tests ----

    private void kitTests() {
        Path dir = root.resolve("kit").resolve("test");
        var sources = new Sources("kit tests", new java.util.LinkedHashMap<>()).overlay("kit tests", dir).withTests(dir);
        var report = compileAndRun(sources);
        if (report == null) return;
        record(report.allPassed(), "kit: its own tests pass", report.passed() + "/" + report.results().size() + failures(report));
    }

    // ---- the catalog ----

    private void catalog(List<Course.Lesson> lessons) {
        JsonNode aliases;
        try {
            aliases = new ObjectMapper().readTree(root.resolve("jbang-catalog.json").toFile()).path("aliases");
        } catch (IOException e) {
            record(false, "catalog: jbang-catalog.json is valid JSON", e.getMessage());
            return;
        }
        List<String> expected = new ArrayList<>(List.of("workbook", "verify"));
        lessons.stream().filter(l -> l.written(root)).forEach(l -> expected.add(l.slug()));
        for (String alias : expected) {
            JsonNode ref = aliases.path(alias).path("script-ref");
            boolean ok = ref.isTextual() && Files.isRegularFile(root.resolve(ref.asText()));
            record(ok, "catalog: alias '" + alias + "' points at a script that exists", ok ? ref.asText() : "missing or broken: " + aliases.path(alias));
        }
    }

    // ---- exercises: solution passes, stub fails, wrong answers fail ----

    private void exercise(Course.Lesson lesson) {
        String id = lesson.id();
        if (!lesson.hasExercise(root)) {
            record(false, id + ": has an exercise folder", "exercises/" + id + " is missing");
            return;
        }
        var solution = compileAndRun(Sources.solution(root, lesson));
        if (solution != null) {
            record(solution.allPassed(), id + ": the solution passes every test",
                solution.passed() + "/" + solution.results().size() + failures(solution));
            describedAndHinted(id, solution);
        }
        var stub = compileAndRun(Sources.stub(root, lesson));
        if (stub != null) {
            boolean todo = stub.results().stream().filter(r -> !r.passed()).anyMatch(r -> r.message().contains("TODO"));
            record(stub.failed() > 0 && todo, id + ": the stub compiles and fails with its TODO message",
                stub.failed() + "/" + stub.results().size() + " tests fail on the stub");
        }
        List<String> variants = Sources.wrongVariants(root, lesson);
        record(variants.size() >= MIN_WRONG_VARIANTS, id + ": keeps at least " + MIN_WRONG_VARIANTS + " wrong answers", variants.size() + " in solutions/" + id + "/wrong");
        for (String variant : variants) {
            Sources sources;
            try {
                sources = Sources.wrong(root, lesson, variant);
            } catch (IllegalStateException e) { // a .diff that no longer applies to the solution
                record(false, id + ": wrong/" + variant + " applies to the solution", e.getMessage());
                continue;
            }
            var wrong = compileAndRun(sources);
            if (wrong == null) continue;
            String caughtBy = wrong.results().stream().filter(r -> !r.passed()).map(TestRunner.Result::displayName).findFirst().orElse("");
            record(wrong.failed() > 0, id + ": the tests reject wrong/" + variant,
                wrong.failed() > 0 ? "caught by: " + caughtBy : "every test passed on a wrong answer");
        }
    }

    /** Every test has a sentence for a name and at least one hint. */
    private void describedAndHinted(String id, TestRunner.Report report) {
        List<String> bare = report.results().stream()
            .filter(r -> r.hints().isEmpty() || r.displayName().equals(r.method() + "()"))
            .map(TestRunner.Result::method).toList();
        record(bare.isEmpty(), id + ": every test has a @DisplayName and a @Hint", bare.isEmpty() ? report.results().size() + " tests" : "missing on " + bare);
    }

    private TestRunner.Report compileAndRun(Sources sources) {
        var compiled = compiler.compile(sources);
        if (compiled instanceof Compiler.Failed f) {
            record(false, sources.label() + " compiles", String.join("\n", f.errors()));
            return null;
        }
        return runner.run((Compiler.Compiled) compiled);
    }

    private static String failures(TestRunner.Report report) {
        StringBuilder sb = new StringBuilder();
        report.results().stream().filter(r -> !r.passed()).forEach(r -> sb.append("\n").append(r.displayName()).append(": ").append(r.message()));
        return sb.toString();
    }

    // ---- lessons: each runs straight through and exits 0 ----

    private void lessonRuns(Course.Lesson lesson) {
        if (!lesson.written(root)) return;
        String what = lesson.id() + ": ./jbang " + lesson.slug() + " --no-pause exits 0";
        try {
            Path log = Files.createTempFile("lesson-" + lesson.number2(), ".log");
            long start = System.nanoTime();
            Process p = new ProcessBuilder(root.resolve("jbang").toString(), lesson.slug(), "--no-pause")
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
            if (!p.waitFor(LESSON_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                record(false, what, "still running after " + LESSON_LIMIT.toSeconds() + " s; output in " + log);
                return;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String output = Files.readString(log);
            boolean ok = p.exitValue() == 0;
            record(ok, what, ok ? "%.1f s".formatted(seconds) : "exit " + p.exitValue() + " after %.1f s; last lines:\n".formatted(seconds) + tail(output, 25));
            Files.deleteIfExists(log);
        } catch (IOException e) {
            record(false, what, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(String text, int lines) {
        String[] all = text.strip().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }
}
