package workbook;

import engine.Compiler;
import engine.Sources;
import engine.TestRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import kit.Course;
import kit.Progress;
import kit.Style;

/** Compiles a learner's exercise in this JVM, runs its tests in a fresh class loader, and tells them how it went. */
final class Checker {
    /**
     * How long one test may run before the check stops waiting for it and calls it hung: with the JVM's start and
     * the compiler, a learner's endless loop gets its verdict within 15 s. The course's slowest test takes about 1 s.
     */
    static final Duration PATIENCE = Duration.ofSeconds(10);

    /** What a check found: code that does not compile, or a test report. */
    sealed interface Outcome permits DoesNotCompile, Tested {}

    record DoesNotCompile(List<String> errors) implements Outcome {}

    record Tested(TestRunner.Report report) implements Outcome {
        boolean hung() { return report.results().stream().anyMatch(r -> r.status() == TestRunner.Status.HUNG); }
    }

    private final Path root;
    private final Compiler compiler;
    private final TestRunner runner = new TestRunner();

    Checker(Path root) {
        this.root = root;
        this.compiler = new Compiler(root.resolve(".workbook-cache").resolve("classes"), root);
    }

    /** Checks, showing what it is doing on a line of its own that the verdict replaces. */
    Outcome check(Course.Lesson lesson) {
        return check(lesson, new LiveLine());
    }

    /** Checks, showing on {@code live} what it is doing while the learner waits. */
    Outcome check(Course.Lesson lesson, LiveLine live) {
        long start = System.nanoTime();
        live.show("compiling exercises/" + lesson.id() + "/");
        var compiled = compiler.compile(Sources.exercise(root, lesson));
        long compiledAt = System.nanoTime();
        Outcome outcome = switch (compiled) {
            case Compiler.Failed failed -> new DoesNotCompile(failed.errors());
            case Compiler.Compiled c -> new Tested(runner.run(c, new TestRunner.Listener() {
                @Override public void started(String displayName) { live.show(displayName); }
                @Override public void finished(TestRunner.Result result) {}
            }, PATIENCE));
        };
        live.clear();
        if (TIMING) System.err.printf("[timing] compile %d ms, tests %d ms%n", (compiledAt - start) / 1_000_000, (System.nanoTime() - compiledAt) / 1_000_000);
        return outcome;
    }

    /** WORKBOOK_TIMING=1 prints where a check's time goes. */
    private static final boolean TIMING = System.getenv("WORKBOOK_TIMING") != null;

    static void header(Course.Lesson lesson) {
        System.out.println(Style.bold("Checking " + lesson.id()) + Style.dim(" · " + lesson.title()));
    }

    /**
     * Prints the outcome: every test by name, the first failure in full with its first hint, the other failures in
     * a line each unless {@code everyMessage}, the tests after a hung one in one line. {@code wholeMessages} says how
     * to see the messages whole when some were cut, or is null to say it as a command.
     */
    static void print(Course.Lesson lesson, Outcome outcome, boolean everyMessage, String wholeMessages) {
        switch (outcome) {
            case DoesNotCompile d -> {
                System.out.println(Style.red("Your code does not compile yet:"));
                d.errors().forEach(e -> System.out.println("  " + e.replace("\n", "\n  ")));
            }
            case Tested t -> printReport(lesson, t.report(), everyMessage,
                wholeMessages != null ? wholeMessages : "./jbang workbook check " + lesson.number2() + " --all");
        }
    }

    private static void printReport(Course.Lesson lesson, TestRunner.Report report, boolean everyMessage, String wholeMessages) {
        var first = report.firstFailure().orElse(null);
        List<TestRunner.Result> notRun = report.results().stream().filter(r -> r.status() == TestRunner.Status.NOT_RUN).toList();
        boolean cut = false;
        for (TestRunner.Result r : report.results()) {
            if (r.status() == TestRunner.Status.NOT_RUN) continue;
            String mark = r.passed() ? Style.green("✓ ") : r.status() == TestRunner.Status.HUNG ? Style.red("⧗ ") : Style.red("✗ ");
            System.out.println("  " + mark + r.displayName() + (r.status() == TestRunner.Status.HUNG ? Style.red("  (hangs)") : ""));
            // The first failure in full; the others in one line each, so a stub is not a wall of text.
            if (r.passed()) continue;
            if (r == first || everyMessage || r.status() == TestRunner.Status.HUNG) {
                System.out.println("      " + r.message().replace("\n", "\n      "));
            } else {
                String line = Lessons.firstLine(r.message());
                cut |= !line.equals(r.message().strip());
                System.out.println(Style.dim("      " + line));
            }
        }
        if (!notRun.isEmpty()) {
            System.out.println(Style.dim("  · " + notRun.size() + (notRun.size() == 1 ? " test" : " tests") + " after it not run: "
                + String.join(", ", notRun.stream().map(TestRunner.Result::method).toList())));
        }
        System.out.println();
        if (report.allPassed()) {
            System.out.println(Style.green("All " + report.results().size() + " tests pass. Exercise " + lesson.number2() + " is done.")
                + Style.dim(" Compare with the reference: ./jbang workbook solution " + lesson.number2()));
            return;
        }
        System.out.println(Style.yellow(report.passed() + " of " + report.results().size() + " tests pass ("
            + report.points() + " of " + report.maxPoints() + " points)")
            + (cut ? Style.dim("  · every message whole: " + wholeMessages) : ""));
        if (first != null && !first.hints().isEmpty()) {
            System.out.println(Style.bold("Hint: ") + first.hints().get(0)
                + Style.dim("  (more: ./jbang workbook hint " + lesson.number2() + ")"));
        }
    }

    /** Notes the outcome in the learner's progress. */
    static void record(Path root, Course.Lesson lesson, Outcome outcome) {
        Progress.State state = Lessons.state(root);
        Progress.Entry entry = new Progress(root).entry(state, lesson.id());
        entry.lastChecked = Progress.now();
        if (outcome instanceof Tested t) {
            entry.testsPassed = (int) t.report().passed();
            entry.testsTotal = t.report().results().size();
            entry.done = entry.done || t.report().allPassed();
        }
        Lessons.save(root, state);
    }

    static int exitCode(Outcome outcome) {
        return outcome instanceof Tested t && t.report().allPassed() ? 0 : 1;
    }
}
