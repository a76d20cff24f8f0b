package verify;

import engine.Compiler;
import engine.MutationSummary;
import engine.Sources;
import engine.TestRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kit.Course;

/**
 * The tests, run in-process as workbook check runs them: the kit's own pass; for each exercise, its solution passes
 * every test, its stub fails with its TODO message, each wrong answer is caught, every test has a name and a hint,
 * its task names a step of its lesson, and its committed mutation summary is current.
 */
final class ExerciseCheck {
    private static final int MIN_WRONG_VARIANTS = 3;
    /** {@code story.step("...")}, the title a lesson prints as "Step N. ..."; group 1 is the title as a Java string literal's body. */
    private static final Pattern STEP = Pattern.compile("story\\.step\\(\"((?:[^\"\\\\]|\\\\.)*)\"\\)");

    private final Path root;
    private final Compiler compiler;
    private final Recorder recorder;
    private final TestRunner runner = new TestRunner("30 s");
    /** The first exercise checked, and its stub's report: the Maven build's test run is compared with it. */
    private Course.Lesson firstExercise;
    private TestRunner.Report firstStub;

    ExerciseCheck(Path root, Compiler compiler, Recorder recorder) {
        this.root = root;
        this.compiler = compiler;
        this.recorder = recorder;
    }

    Course.Lesson firstExercise() { return firstExercise; }

    TestRunner.Report firstStub() { return firstStub; }

    /** The kit's own tests (kit/test) pass. */
    void kit() {
        var sources = new Sources("kit tests", new LinkedHashMap<>()).withTests(root.resolve("kit").resolve("test"));
        var report = compileAndRun(sources);
        if (report == null) return;
        recorder.record(report.allPassed(), "kit: its own tests pass", report.passed() + "/" + report.results().size() + failures(report));
    }

    void check(Course.Lesson lesson) {
        String id = lesson.id();
        if (!lesson.hasExercise(root)) {
            recorder.record(false, id + ": has an exercise folder", "exercises/" + id + " is missing");
            return;
        }
        taskNamesALessonStep(lesson);
        solutionPasses(lesson);
        stubFails(lesson);
        wrongAnswersFail(lesson);
        mutationSummary(lesson);
    }

    private void solutionPasses(Course.Lesson lesson) {
        var solution = compileAndRun(Sources.solution(root, lesson));
        if (solution == null) return;
        recorder.record(solution.allPassed(), lesson.id() + ": the solution passes every test",
            solution.passed() + "/" + solution.results().size() + failures(solution));
        describedAndHinted(lesson.id(), solution);
        hintsGrowExplicit(lesson.id(), solution);
    }

    private void stubFails(Course.Lesson lesson) {
        var stub = compileAndRun(Sources.stub(root, lesson));
        if (stub == null) return;
        if (firstStub == null) {
            firstExercise = lesson;
            firstStub = stub;
        }
        boolean todo = stub.results().stream().filter(r -> !r.passed()).anyMatch(r -> r.message().contains("TODO"));
        recorder.record(stub.failed() > 0 && todo, lesson.id() + ": the stub compiles and fails with its TODO message",
            stub.failed() + "/" + stub.results().size() + " tests fail on the stub");
    }

    private void wrongAnswersFail(Course.Lesson lesson) {
        String id = lesson.id();
        List<String> variants = Sources.wrongVariants(root, lesson);
        recorder.record(variants.size() >= MIN_WRONG_VARIANTS, id + ": keeps at least " + MIN_WRONG_VARIANTS + " wrong answers", variants.size() + " in solutions/" + id + "/wrong");
        for (String variant : variants) {
            Sources sources;
            try {
                sources = Sources.wrong(root, lesson, variant);
            } catch (IllegalStateException e) { // a .diff that no longer applies to the solution
                recorder.record(false, id + ": wrong/" + variant + " applies to the solution", e.getMessage());
                continue;
            }
            var wrong = compileAndRunUntilFirstFailure(sources);
            if (wrong == null) continue;
            var caughtBy = wrong.firstFailure();
            recorder.record(caughtBy.isPresent(), id + ": the tests reject wrong/" + variant,
                caughtBy.map(r -> "caught by: " + r.displayName()).orElse("every test passed on a wrong answer"));
        }
    }

    // ---- lesson and exercise agree: the task says which step of the lesson it builds on ----

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
            recorder.record(named > 0, what, from < 0 ? "exercises/" + id + "/README.adoc has no paragraph \"From the lesson: ...\""
                : named > 0 ? "names " + named + " of its " + steps.size() + " steps"
                : "it names none of the lesson's steps, which are now: \"" + String.join("\", \"", steps) + "\"");
        } catch (IOException e) {
            recorder.record(false, what, e.toString());
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
            recorder.record(false, what, "missing or unreadable: " + again);
            return;
        }
        boolean fresh = summary.get().hash().equals(MutationSummary.hashOf(Sources.solution(root, lesson).files(), dir));
        recorder.record(fresh, what, fresh
            ? "%.1f %% of %d mutants killed on %s".formatted(summary.get().score(), summary.get().mutants(), summary.get().date())
            : "the tests, the solution or " + MutationSummary.EQUIVALENTS + " changed since the run of " + summary.get().date() + ": " + again);
    }

    /** Every test has a sentence for a name and at least one hint. */
    private void describedAndHinted(String id, TestRunner.Report report) {
        List<String> bare = report.results().stream()
            .filter(r -> r.hints().isEmpty() || r.displayName().equals(r.method() + "()"))
            .map(TestRunner.Result::method).toList();
        recorder.record(bare.isEmpty(), id + ": every test has a @DisplayName and a @Hint", bare.isEmpty() ? report.results().size() + " tests" : "missing on " + bare);
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
        recorder.record(wrong.isEmpty(), id + ": every test has at least two hint levels, and only the last starts with \"" + LAST_HINT + "\"",
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

    // ---- compiling and running, as workbook check does ----

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
            recorder.record(false, sources.label() + " compiles", String.join("\n", f.errors()));
            return null;
        }
        return (Compiler.Compiled) compiled;
    }

    private static String failures(TestRunner.Report report) {
        StringBuilder sb = new StringBuilder();
        report.results().stream().filter(r -> !r.passed()).forEach(r -> sb.append("\n").append(r.displayName()).append(": ").append(r.message()));
        return sb.toString();
    }
}
