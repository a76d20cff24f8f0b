package workbook;

import java.nio.file.Path;
import kit.Course;
import kit.Progress;
import kit.Style;

/**
 * The hints of the first failing test, one level more explicit each time they are asked for. Only a level not seen
 * before counts as a hint used; asking again after the last level repeats it and says that it is the last.
 */
final class Hints {
    private Hints() {}

    static int next(Path root, Course.Lesson lesson, Checker.Outcome outcome) {
        if (outcome instanceof Checker.DoesNotCompile d) {
            System.out.println(Style.yellow("Your code does not compile yet; fix this first:"));
            System.out.println("  " + d.errors().get(0).replace("\n", "\n  "));
            return 1;
        }
        var failing = ((Checker.Tested) outcome).report().firstFailure().orElse(null);
        if (failing == null) {
            System.out.println(Style.green("All tests of " + lesson.id() + " pass: no hint needed."));
            return 0;
        }
        if (failing.hints().isEmpty()) {
            System.out.println("No hints for \"" + failing.displayName() + "\". Its message: " + failing.message());
            return 0;
        }
        Progress.State state = Lessons.state(root);
        Progress.Entry entry = new Progress(root).entry(state, lesson.id());
        int seen = entry.hintLevels.getOrDefault(failing.method(), 0);
        int count = failing.hints().size();
        int level = Math.min(seen, count - 1);
        boolean last = level == count - 1;
        System.out.println(Style.bold("Failing: ") + failing.displayName());
        System.out.println(Style.dim("  " + Lessons.firstLine(failing.message())));
        // The header already says which level is the last, so the text's own "Last hint: " is not printed twice.
        String text = failing.hints().get(level).replaceFirst("^Last hint: ", "");
        System.out.println(Style.bold("Hint " + (level + 1) + " of " + count + (last ? ", the last" : "") + ": ") + text);
        if (!last) {
            System.out.println(Style.dim("Still stuck? Ask again for a more explicit one."));
        } else if (seen >= count) {
            System.out.println(Style.dim("That was already the last hint for this test. The lesson's README and a run of the lesson (./jbang "
                + lesson.slug() + ") show the idea at work; the reference, once you pass or with --force: ./jbang workbook solution " + lesson.number2()));
        }
        if (seen < count) {  // a level seen again is not one more hint used
            entry.hintLevels.put(failing.method(), level + 1);
            entry.hintsUsed++;
            Lessons.save(root, state);
        }
        return 0;
    }
}
