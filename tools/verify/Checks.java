package verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engine.Compiler;
import engine.MutationSummary;
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
import site.Transcripts;

/** Every check verify makes, each printed as one PASS or FAIL line with what it proves. */
public final class Checks implements Recorder {
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

    /** {@code verify --mutation}: PIT on each chosen exercise's solution, instead of the usual checks. */
    public boolean runMutation() {
        long start = System.nanoTime();
        Mutation mutation = new Mutation(root, compiler, this);
        chosen().stream().filter(l -> l.hasExercise(root)).forEach(mutation::run);
        return summarise(start);
    }

    private List<Course.Lesson> chosen() {
        return Course.LESSONS.stream()
            .filter(l -> l.written(root) || l.hasExercise(root))
            .filter(l -> only.isEmpty() || only.stream().anyMatch(l::answersTo))
            .toList();
    }

    private boolean summarise(long start) {
        System.out.println();
        System.out.printf("verify took %.1f s%n", (System.nanoTime() - start) / 1e9);
        System.out.println(passed + " passed, " + failed + " failed");
        return failed == 0;
    }

    public boolean run() {
        long start = System.nanoTime();
        kitTests();
        List<Course.Lesson> lessons = chosen();
        catalog(lessons);
        new Workflows(root, this).check();
        for (Course.Lesson lesson : lessons) exercise(lesson);
        grader(lessons);
        if (runLessons) for (Course.Lesson lesson : lessons) lessonRuns(lesson);
        site();
        return summarise(start);
    }

    @Override
    public void record(boolean ok, String what, String detail) {
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
        List<String> expected = new ArrayList<>(List.of("workbook", "verify", "site"));
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
        mutationSummary(lesson);
    }

    /** The committed mutation score was measured on these very tests and this solution (else: run it again). */
    private void mutationSummary(Course.Lesson lesson) {
        String id = lesson.id();
        Path dir = Sources.solutionDir(root, lesson);
        String what = id + ": its mutation summary (solutions/" + id + "/" + MutationSummary.FILE + ") was measured on the current tests and solution";
        String again = "run ./jbang verify --mutation " + lesson.number2() + " and commit what it writes";
        var summary = MutationSummary.read(dir);
        if (summary.isEmpty()) {
            record(false, what, "missing or unreadable: " + again);
            return;
        }
        boolean fresh = summary.get().hash().equals(MutationSummary.hashOf(Sources.solution(root, lesson).files(), dir));
        record(fresh, what, fresh
            ? "%.1f %% of %d mutants killed on %s".formatted(summary.get().score(), summary.get().mutants(), summary.get().date())
            : "the tests, the solution or " + MutationSummary.EQUIVALENTS + " changed since the run of " + summary.get().date() + ": " + again);
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

    // ---- the grader: a class of four, one of them hostile, graded into a temp folder ----

    /**
     * Runs {@code ./jbang grade} on a made-up class for the first exercise that has a solution and wrong answers:
     * a solved student, the stub, a wrong answer handed in as a zip with entries that try to escape the unpack
     * folder, and one whose code calls System.exit. Checks gradebook.csv, results.json and the hostile cases.
     */
    private void grader(List<Course.Lesson> lessons) {
        Course.Lesson lesson = lessons.stream()
            .filter(l -> l.hasExercise(root) && Files.isDirectory(Sources.solutionDir(root, l)) && !Sources.wrongVariants(root, l).isEmpty())
            .findFirst().orElse(null);
        if (lesson == null) return;
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            // The grader isolates students with Unix processes, users and limits (sh, setpriv, ulimit, namespaces).
            System.out.println(Style.yellow("SKIP ") + "grade: the grader runs on Linux and macOS (on Windows, in WSL)");
            return;
        }
        String id = lesson.id();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("verify-grade");
            Path subs = Files.createDirectories(dir.resolve("submissions"));
            writeSubmission(Sources.solution(root, lesson), subs.resolve("solved").resolve("exercises").resolve(id), null);
            writeSubmission(Sources.stub(root, lesson), subs.resolve("stub").resolve(id), null);
            writeSubmission(Sources.solution(root, lesson), subs.resolve("hostile").resolve("exercises").resolve(id), "static { System.exit(3); }");
            Path wrong = writeSubmission(Sources.wrong(root, lesson, Sources.wrongVariants(root, lesson).get(0)), dir.resolve("wrong").resolve(id), null);
            try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(subs.resolve("wrong.zip")))) {
                for (Path f : Files.list(wrong).sorted().toList()) {
                    zip.putNextEntry(new java.util.zip.ZipEntry("my-workbook/exercises/" + id + "/" + f.getFileName()));
                    zip.write(Files.readAllBytes(f));
                }
                zip.putNextEntry(new java.util.zip.ZipEntry("../escaped.java"));
                zip.write("class Escaped {}".getBytes());
            }
            Path out = dir.resolve("out");
            List<String> command = List.of(Course.wrapper(root), "grade", subs.toString(), "--out", out.toString(),
                "--only", id, "--jobs", "2", "--no-aot");
            Path log = dir.resolve("grade.log");
            Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();   // no input, as from /dev/null (NUL on Windows)
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            String said = tail(Files.readString(log), 15);
            List<String> book = Files.exists(out.resolve("gradebook.csv")) ? Files.readAllLines(out.resolve("gradebook.csv")) : List.of();
            boolean shape = p.exitValue() == 0 && book.size() == 5 && book.get(0).equals("student," + id + ",total,max");
            record(shape, "grade: ./jbang grade grades a class of four into gradebook.csv (header student," + id + ",total,max)",
                shape ? String.join(" · ", book.subList(1, book.size())) : "exit " + p.exitValue() + ", gradebook " + book + "\n" + said);
            if (!shape) return;
            java.util.Map<String, int[]> rows = new java.util.HashMap<>();
            for (String row : book.subList(1, book.size())) {
                String[] c = row.split(",");
                rows.put(c[0], new int[] {Integer.parseInt(c[2]), Integer.parseInt(c[3])});
            }
            int max = rows.get("solved")[1];
            boolean scores = max > 0 && rows.get("solved")[0] == max && rows.get("stub")[0] < max && rows.get("wrong")[0] < max && rows.get("hostile")[0] == 0;
            record(scores, "grade: the solution gets full marks, the stub and a wrong answer less, System.exit nothing",
                rows.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1]).sorted().toList().toString());
            ObjectMapper json = new ObjectMapper();
            List<String> problems = new ArrayList<>();
            for (String student : rows.keySet()) {
                JsonNode r = json.readTree(out.resolve(student).resolve("results.json").toFile());
                if (!r.path("score").isNumber() || !r.path("tests").isArray() || r.path("tests").isEmpty()) problems.add(student + ": no score or tests");
                for (JsonNode t : r.path("tests")) {
                    for (String field : List.of("name", "score", "max_score", "status", "output")) {
                        if (t.path(field).isMissingNode()) problems.add(student + ": a test without " + field);
                    }
                }
                if (!Files.exists(out.resolve(student).resolve("feedback.html"))) problems.add(student + ": no feedback.html");
                if (!Files.exists(out.resolve(student).resolve("junit").resolve("TEST-" + id + ".xml"))) problems.add(student + ": no JUnit XML");
            }
            String hostile = json.readTree(out.resolve("hostile").resolve("results.json").toFile()).path("output").asText();
            if (!hostile.contains("System.exit")) problems.add("hostile: its results do not say System.exit: " + hostile);
            String notes = Files.readString(out.resolve("wrong").resolve("grade.json"));
            if (!notes.contains("refused zip entry '../escaped.java'")) problems.add("wrong: the zip-slip entry is not noted as refused");
            if (Files.exists(subs.resolve("escaped.java")) || Files.exists(dir.resolve("escaped.java"))) problems.add("a zip entry escaped its folder");
            record(problems.isEmpty(), "grade: each student has Gradescope results.json, feedback.html and JUnit XML; System.exit and a zip slip are reported",
                problems.isEmpty() ? "" : String.join("\n", problems));
        } catch (IOException e) {
            record(false, "grade: ./jbang grade grades a class", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (dir != null) deleteTree(dir);
        }
    }

    /** The non-test files of {@code sources} in {@code into}; with {@code hostile}, that code goes into the class the tests use most. */
    private static Path writeSubmission(Sources sources, Path into, String hostile) throws IOException {
        Files.createDirectories(into);
        String tests = "";
        for (var f : sources.files().entrySet()) if (Sources.isTest(f.getKey())) tests += Files.readString(f.getValue());
        String target = null;
        int most = -1;
        for (var f : sources.files().entrySet()) {
            if (Sources.isTest(f.getKey())) continue;
            String text = Files.readString(f.getValue());
            String cls = f.getKey().replace(".java", "");
            int uses = tests.split("\\b" + cls + "\\b", -1).length - 1;
            if (hostile != null && text.matches("(?s).*\\bclass\\s+" + cls + "\\b.*") && uses > most) {
                most = uses;
                target = f.getKey();
            }
            Files.writeString(into.resolve(f.getKey()), text);
        }
        if (target != null) {
            String text = Files.readString(into.resolve(target));
            var m = java.util.regex.Pattern.compile("\\bclass\\s+" + target.replace(".java", "") + "\\b[^{]*\\{").matcher(text);
            if (m.find()) Files.writeString(into.resolve(target), text.substring(0, m.end()) + "\n    " + hostile + "\n" + text.substring(m.end()));
        }
        return into;
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp folder left behind
        }
    }

    // ---- lessons: each runs straight through and exits 0 ----

    private void lessonRuns(Course.Lesson lesson) {
        if (!lesson.written(root)) return;
        String what = lesson.id() + ": ./jbang " + lesson.slug() + " --no-pause exits 0";
        try {
            Path out = Files.createTempFile("lesson-" + lesson.number2(), ".out");
            Path err = Files.createTempFile("lesson-" + lesson.number2(), ".err");
            long start = System.nanoTime();
            ProcessBuilder run = new ProcessBuilder(Course.wrapper(root), lesson.slug(), "--no-pause")
                .directory(root.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
            run.environment().put("NO_COLOR", "1");
            Process p = run.start();
            p.getOutputStream().close();   // no input, so the lesson does not pause
            if (!p.waitFor(LESSON_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                record(false, what, "still running after " + LESSON_LIMIT.toSeconds() + " s; output in " + out + " and " + err);
                return;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String printed = Files.readString(out);
            boolean ok = p.exitValue() == 0;
            // The site shows this very run as the lesson's transcript, so its build need not run the lesson again.
            if (ok) Transcripts.remember(root, lesson, printed, seconds);
            record(ok, what, ok ? "%.1f s".formatted(seconds)
                : "exit " + p.exitValue() + " after %.1f s; last lines:\n".formatted(seconds) + tail(printed + "\n" + Files.readString(err), 25));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        } catch (IOException e) {
            record(false, what, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the site: builds without a warning or a broken link; headless Chromium reads it without an error ----

    private void site() {
        if (!only.isEmpty()) {
            System.out.println(Style.dim("site: not built with --only (the site is the whole course)"));
            return;
        }
        Path out = root.resolve("site").resolve("build");
        List<String> build = new ArrayList<>(List.of(Course.wrapper(root), "site", "--out", out.toString()));
        if (!runLessons) build.add("--cached-only");   // --no-lessons: transcripts from earlier builds only
        String what = "site: ./jbang site builds every page, with no Asciidoctor warning and no broken link";
        String[] built = runTool(build, Duration.ofMinutes(15));
        record(built[0].equals("0"), what, built[0].equals("0") ? lastLines(built[1], "site: built") : built[1]);
        if (!built[0].equals("0")) return;
        List<String> test = List.of(Course.wrapper(root), "site", "--out", out.toString(), "--test", "--no-build");
        String[] tested = runTool(test, Duration.ofMinutes(5));
        if (tested[0].equals("3")) {
            System.out.println(Style.yellow("SKIP ") + "site: browser test skipped: no Chromium here (apt-get install chromium)");
            return;
        }
        record(tested[0].equals("0"), "site: headless Chromium loads every page with no console error, and the search finds 'circuit breaker'",
            tested[0].equals("0") ? lastLines(tested[1], "site: browser test passed") + "; screenshots in site/build/screenshots" : tested[1]);
    }

    /** Runs a tool of ours; answers {exit code, its output (the last lines when it failed)}. */
    private String[] runTool(List<String> command, Duration limit) {
        try {
            Path log = Files.createTempFile("verify-tool", ".log");
            Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new String[] {"timeout", "still running after " + limit.toSeconds() + " s; output in " + log};
            }
            String output = Files.readString(log).replaceAll("(?m)^WARNING: .*\\R", "");
            Files.deleteIfExists(log);
            return new String[] {Integer.toString(p.exitValue()), p.exitValue() == 0 ? output : "exit " + p.exitValue() + "; last lines:\n" + tail(output, 25)};
        } catch (IOException e) {
            return new String[] {"error", e.toString()};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new String[] {"error", "interrupted"};
        }
    }

    private static String lastLines(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b).orElse("").replaceFirst("^site: ", "");
    }

    static String tail(String text, int lines) {
        String[] all = text.strip().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }
}
