package verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engine.Compiler;
import engine.LessonRun;
import engine.MutationSummary;
import engine.Processes;
import engine.Sources;
import engine.TestRunner;
import engine.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    /** The first exercise checked, and its stub's report: the Maven build's test run is compared with it. */
    private Course.Lesson firstExercise;
    private TestRunner.Report firstStub;

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
        new IdeBuildCheck(root, this).check(firstExercise, firstStub);
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
        var sources = new Sources("kit tests", new java.util.LinkedHashMap<>()).withTests(dir);
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
        namedAsTheCourseNamesThem(lessons, aliases);
    }

    /**
     * kit/src/kit/Course.java names each lesson (number, title, pattern, level); jbang-catalog.json's descriptions and the
     * course table in README.adoc say the same words, so that they cannot drift apart unseen.
     */
    private void namedAsTheCourseNamesThem(List<Course.Lesson> lessons, JsonNode aliases) {
        String readme;
        try {
            readme = Files.readString(root.resolve("README.adoc")).replace("\r\n", "\n");
        } catch (IOException e) {
            record(false, "README.adoc is readable", e.getMessage());
            return;
        }
        List<String> differ = new ArrayList<>();
        for (Course.Lesson l : lessons) {
            String description = "Lesson %s · %s · %s".formatted(l.number2(), l.pattern(), l.title());
            String said = aliases.path(l.slug()).path("description").asText();
            if (!said.equals(description)) differ.add("jbang-catalog.json's " + l.slug() + " says \"" + said + "\", not \"" + description + "\"");
            String row = "| %s | `%s` | %s | %d".formatted(l.number2(), l.slug(), l.title(), l.level());
            if (!readme.lines().anyMatch(row::equals)) differ.add("README.adoc's course table has no row \"" + row + "\"");
            String byline = "%s · level %d · run it with `./jbang %s`".formatted(l.part().title, l.level(), l.slug());
            if (!lessonReadme(l).contains(byline)) differ.add("lessons/" + l.id() + "/README.adoc does not say \"" + byline + "\"");
        }
        record(differ.isEmpty(), "catalog: jbang-catalog.json, README.adoc's course table and each lesson's README name each lesson as kit/src/kit/Course.java does",
            differ.isEmpty() ? lessons.size() + " lessons" : String.join("\n", differ));
    }

    private String lessonReadme(Course.Lesson lesson) {
        try {
            return Files.readString(lesson.lessonDir(root).resolve("README.adoc")).replace("\r\n", "\n");
        } catch (IOException e) {
            return "";
        }
    }

    // ---- exercises: solution passes, stub fails, wrong answers fail ----

    private void exercise(Course.Lesson lesson) {
        String id = lesson.id();
        if (!lesson.hasExercise(root)) {
            record(false, id + ": has an exercise folder", "exercises/" + id + " is missing");
            return;
        }
        taskNamesALessonStep(lesson);
        var solution = compileAndRun(Sources.solution(root, lesson));
        if (solution != null) {
            record(solution.allPassed(), id + ": the solution passes every test",
                solution.passed() + "/" + solution.results().size() + failures(solution));
            describedAndHinted(id, solution);
            hintsGrowExplicit(id, solution);
        }
        var stub = compileAndRun(Sources.stub(root, lesson));
        if (stub != null && firstStub == null) {
            firstExercise = lesson;
            firstStub = stub;
        }
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
            var wrong = compileAndRunUntilFirstFailure(sources);
            if (wrong == null) continue;
            var caughtBy = wrong.firstFailure();
            record(caughtBy.isPresent(), id + ": the tests reject wrong/" + variant,
                caughtBy.map(r -> "caught by: " + r.displayName()).orElse("every test passed on a wrong answer"));
        }
        mutationSummary(lesson);
    }

    // ---- lesson and exercise agree: the task says which step of the lesson it builds on ----

    /** {@code story.step("...")}, the title a lesson prints as "Step N. ..."; group 1 is the title as a Java string literal's body. */
    private static final Pattern STEP = Pattern.compile("story\\.step\\(\"((?:[^\"\\\\]|\\\\.)*)\"\\)");

    /**
     * The exercise's README has a paragraph "From the lesson: ..." that names, word for word, a step its lesson prints
     * (not the --mine step, which runs the learner's code). Renaming the step without the task, or the other way
     * round, fails here instead of drifting apart unseen.
     */
    private void taskNamesALessonStep(Course.Lesson lesson) {
        String id = lesson.id();
        String what = id + ": the exercise's README says which step of the lesson it builds on (\"From the lesson: ...\")";
        try {
            List<String> steps = stepTitles(Files.readString(lesson.lessonDir(root).resolve("Lesson.java")));
            String task = Files.readString(lesson.exerciseDir(root).resolve("README.adoc")).replace("\r\n", "\n");
            int from = task.indexOf("From the lesson:");
            int end = from < 0 ? -1 : task.indexOf("\n\n", from);
            String paragraph = from < 0 ? "" : task.substring(from, end < 0 ? task.length() : end).replaceAll("\\s+", " ");
            long named = steps.stream().filter(paragraph::contains).count();
            record(named > 0, what, from < 0 ? "exercises/" + id + "/README.adoc has no paragraph \"From the lesson: ...\""
                : named > 0 ? "names " + named + " of its " + steps.size() + " steps"
                : "it names none of the lesson's steps, which are now: \"" + String.join("\", \"", steps) + "\"");
        } catch (IOException e) {
            record(false, what, e.toString());
        }
    }

    static List<String> stepTitles(String lessonSource) {
        List<String> titles = new ArrayList<>();
        Matcher m = STEP.matcher(lessonSource);
        while (m.find()) {
            String title = m.group(1).replaceAll("\\\\(.)", "$1");
            if (!title.contains("(--mine)")) titles.add(title);
        }
        return titles;
    }

    /** The committed mutation score was measured on these very tests and this solution (else: run it again). */
    private void mutationSummary(Course.Lesson lesson) {
        String id = lesson.id();
        Path dir = lesson.solutionDir(root);
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

    /** How the last level of a test's hints begins; no earlier level may. */
    static final String LAST_HINT = "Last hint: ";

    /**
     * Every test's hints go from a nudge, to the concept, to near-code: at least two levels, and exactly the last
     * one starts with "Last hint: ", so the learner knows when the hints have run out.
     */
    private void hintsGrowExplicit(String id, TestRunner.Report report) {
        List<String> wrong = report.results().stream()
            .map(r -> hintLadderProblem(r.hints()).map(problem -> simpleName(r.testClass()) + "." + r.method() + "(): " + problem))
            .flatMap(Optional::stream).toList();
        record(wrong.isEmpty(), id + ": every test has at least two hint levels, and only the last starts with \"" + LAST_HINT + "\"",
            wrong.isEmpty() ? report.results().size() + " tests" : String.join("\n", wrong));
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** What is wrong with one test's hint levels, if anything. */
    static Optional<String> hintLadderProblem(List<String> hints) {
        if (hints.size() < 2) {
            return Optional.of(hints.size() + " hint level" + (hints.size() == 1 ? "" : "s")
                + "; it needs at least two (a nudge, then \"" + LAST_HINT + "...\")");
        }
        List<String> problems = new ArrayList<>();
        for (int level = 0; level < hints.size() - 1; level++) {
            if (hints.get(level).regionMatches(true, 0, LAST_HINT.strip(), 0, LAST_HINT.strip().length())) {
                problems.add("level " + (level + 1) + " of " + hints.size() + " starts with \"" + LAST_HINT.strip() + "\" but is not the last");
            }
        }
        if (!hints.getLast().startsWith(LAST_HINT)) {
            problems.add("its last level (" + hints.size() + " of " + hints.size() + ") does not start with \"" + LAST_HINT + "\"");
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    private TestRunner.Report compileAndRun(Sources sources) {
        var compiled = compiled(sources);
        return compiled == null ? null : runner.run(compiled);
    }

    /** A wrong answer needs one failing test to be rejected: the tests after it are not run (about half the time). */
    private TestRunner.Report compileAndRunUntilFirstFailure(Sources sources) {
        var compiled = compiled(sources);
        return compiled == null ? null : runner.runUntilFirstFailure(compiled);
    }

    private Compiler.Compiled compiled(Sources sources) {
        var compiled = compiler.compile(sources);
        if (compiled instanceof Compiler.Failed f) {
            record(false, sources.label() + " compiles", String.join("\n", f.errors()));
            return null;
        }
        return (Compiler.Compiled) compiled;
    }

    private static String failures(TestRunner.Report report) {
        StringBuilder sb = new StringBuilder();
        report.results().stream().filter(r -> !r.passed()).forEach(r -> sb.append("\n").append(r.displayName()).append(": ").append(r.message()));
        return sb.toString();
    }

    // ---- the grader: a class with hostile students, graded into a temp folder ----

    private void grader(List<Course.Lesson> lessons) {
        new GraderCheck(root, this).run(lessons);
    }

    // ---- lessons: each runs straight through and exits 0 ----

    private void lessonRuns(Course.Lesson lesson) {
        if (!lesson.written(root)) return;
        String what = lesson.id() + ": ./jbang " + lesson.slug() + " --no-pause exits 0";
        try {
            LessonRun run = LessonRun.of(root, lesson.slug(), "lesson-" + lesson.number2(), LESSON_LIMIT);
            if (run.ended().timedOut()) {
                record(false, what, "still running after " + LESSON_LIMIT.toSeconds() + " s; output in " + run.out() + " and " + run.err());
                return;
            }
            double seconds = run.ended().seconds();
            boolean ok = run.ended().ok();
            // The site shows this very run as the lesson's transcript, so its build need not run the lesson again.
            if (ok) Transcripts.remember(root, lesson, run.stdout(), seconds, run.events());
            record(ok, what, ok ? "%.1f s".formatted(seconds)
                : "exit " + run.ended().exitCode() + " after %.1f s; last lines:\n".formatted(seconds) + Text.tail(run.stdout() + "\n" + run.stderr(), 25));
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
            var ended = Processes.run(new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()), limit);
            if (ended.timedOut()) return new String[] {"timeout", "still running after " + limit.toSeconds() + " s; output in " + log};
            String output = Files.readString(log).replaceAll("(?m)^WARNING: .*\\R", "");
            Files.deleteIfExists(log);
            return new String[] {Integer.toString(ended.exitCode()), ended.ok() ? output : "exit " + ended.exitCode() + "; last lines:\n" + Text.tail(output, 25)};
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
}
