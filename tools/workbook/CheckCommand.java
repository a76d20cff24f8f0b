package workbook;

import engine.Tool;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import kit.Course;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check", mixinStandardHelpOptions = true,
         description = "Compiles your exercise and runs its tests (no ID: the first exercise not done yet).")
public final class CheckCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Lesson id: 01, service-boundaries or 01-service-boundaries.")
    String id;

    @Option(names = {"-a", "--all"}, description = "Show every failure's message whole, not only the first one's.")
    boolean all;

    @Override
    public Integer call() {
        Path root = Tool.root();
        Course.Lesson lesson = id == null ? Lessons.firstUnfinished(root, Lessons.state(root)) : Lessons.withExercise(root, id);
        Checker.header(lesson);
        var outcome = new Checker(root).check(lesson);
        Checker.print(lesson, outcome, all, null);
        Checker.record(root, lesson, outcome);
        return Checker.exitCode(outcome);
    }
}
