package workbook;

import engine.Tool;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import kit.Course;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "hint", mixinStandardHelpOptions = true,
         description = "The next hint for the first failing test: a nudge, then the idea, then near-code; the last one says so.")
public final class HintCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Lesson id (no ID: the first exercise not done yet).")
    String id;

    @Override
    public Integer call() {
        Path root = Tool.root();
        Course.Lesson lesson = id == null ? Lessons.firstUnfinished(root, Lessons.state(root)) : Lessons.withExercise(root, id);
        return Hints.next(root, lesson, new Checker(root).check(lesson));
    }
}
