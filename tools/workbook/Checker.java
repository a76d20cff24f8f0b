package workbook;

import engine.Compiler;
import engine.Sources;
import engine.TestRunner;
import java.nio.file.Path;
import java.util.List;
import kit.Course;
import kit.Progress;
import kit.Style;

/** Compiles a learner's exercise in this JVM, runs its tests in a fresh class loader, and tells them how it went. */
final class Checker {
    /** What a check found: code that does not compile, or a test report. */
    sealed interface Outcome permits DoesNotCompile, Tested {}

    record DoesNotCompile(List<String> errors) implements Outcome {}

    record Tested(TestRunner.Report report) implements Outcome {}

    private final Path root;
    private final Compiler compiler;
    private final TestRunner runner = new TestRunner();

    Checker(Path root) {
        this.root = root;
        this.compiler = new Compiler(root.resolve(".workbook-cache").resolve("classes"), root);
    }

    Outcome check(Course.Lesson lesson) {
        long start = System.nanoTime();
        var compiled = compiler.compile(Sources.exercise(root, lesson));
        long compiledAt = System.nanoTime();
        Outcome outcome = switch (compiled) {
            case Compiler.Failed failed -> new DoesNotCompile(failed.errors());
            case Compiler.Compiled c -> new Tested(runner.run(c));
        };
        if (TIMING) System.err.printf("[timing] compile %d ms, tests %d ms%n", (compiledAt - start) / 1_000_000, (System.nanoTime() - compiledAt) / 1_000_000);
        return outcome;
    }

    /** WORKBOOK_TIMING=1 prints where a check's time goes. */
    private static final boolean TIMING = System.getenv("WORKBOOK_TIMING") != null;

    /** Prints the outcome: every test by name, the first failure in full with its first hint. */
    static void print(Course.Lesson lesson, Outcome outcome) {
        System.out.println(Style.bold("Checking " + lesson.id()) + Style.dim(" · " + lesson.title()));
        switch (outcome) {
            case DoesNotCompile d -> {
                System.out.println(Style.red("Your code does not compile yet:"));
                d.errors().forEach(e -> System.out.println("  " + e.replace("\n", "\n  ")));
            }
            case Tested t -> printReport(lesson, t.report());
        }
    }

    private static void printReport(Course.Lesson lesson, TestRunner.Report report) {
        var first = report.firstFailure().orElse(null);
        for (TestRunner.Result r : report.results()) {
            System.out.println("  " + (r.passed() ? Style.green("✓ ") : Style.red("✗ ")) + r.displayName());
            // The first failure in full; the others in one line each, so a stub is not a wall of text.
            if (r == first) System.out.println("      " + r.message().replace("\n", "\n      "));
            else if (!r.passed()) System.out.println(Style.dim("      " + Lessons.firstLine(r.message())));
        }
        System.out.println();
        if (report.allPassed()) {
            System.out.println(Style.green("All " + report.results().size() + " tests pass. Exercise " + lesson.number2() + " is done.")
                + Style.dim(" Compare with the reference: ./jbang workbook solution " + lesson.number2()));
            return;
        }
        System.out.println(Style.yellow(report.passed() + " of " + report.results().size() + " tests pass ("
            + report.points() + " of " + report.maxPoints() + " points)"));
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
