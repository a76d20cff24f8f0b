package workbook;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import kit.Course;
import kit.Progress;
import kit.Style;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "hint", description = "The next hint for the first failing test; each call is a little more explicit.")
public final class HintCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Lesson id (no ID: the first exercise not done yet).")
    String id;

    @Override
    public Integer call() {
        Path root = Lessons.root();
        Progress.State state = Lessons.state(root);
        Course.Lesson lesson = id == null ? Lessons.firstUnfinished(root, state) : Lessons.withExercise(root, id);
        var outcome = new Checker(root).check(lesson);
        if (outcome instanceof Checker.DoesNotCompile d) {
            System.out.println(Style.yellow("Your code does not compile yet; fix this first:"));
            System.out.println("  " + d.errors().get(0).replace("\n", "\n  "));
            return 1;
        }
        var report = ((Checker.Tested) outcome).report();
        var failing = report.firstFailure().orElse(null);
        if (failing == null) {
            System.out.println(Style.green("All tests of " + lesson.id() + " pass: no hint needed."));
            return 0;
        }
        if (failing.hints().isEmpty()) {
            System.out.println("No hints for \"" + failing.displayName() + "\". Its message: " + failing.message());
            return 0;
        }
        Progress.Entry entry = new Progress(root).entry(state, lesson.id());
        int seen = entry.hintLevels.getOrDefault(failing.method(), 0);
        int level = Math.min(seen, failing.hints().size() - 1);
        System.out.println(Style.bold("Failing: ") + failing.displayName());
        System.out.println(Style.dim("  " + Lessons.firstLine(failing.message())));
        System.out.println(Style.bold("Hint " + (level + 1) + " of " + failing.hints().size() + ": ") + failing.hints().get(level));
        if (level + 1 < failing.hints().size()) System.out.println(Style.dim("Still stuck? Ask again for a more explicit one."));
        entry.hintLevels.put(failing.method(), level + 1);
        entry.hintsUsed++;
        Lessons.save(root, state);
        return 0;
    }
}
