package workbook;

import engine.Tool;
import engine.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import kit.Course;
import kit.Style;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "solution", mixinStandardHelpOptions = true, description = "Shows the reference solution, once your exercise passes (or with --force).")
public final class SolutionCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "Lesson id: 01, service-boundaries or 01-service-boundaries.")
    String id;

    @Option(names = "--force", description = "Show it even though your exercise does not pass yet.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        Path root = Tool.root();
        Course.Lesson lesson = Lessons.byId(id);
        Path dir = lesson.solutionDir(root);
        if (!Files.isDirectory(dir)) throw new UserError("there is no solution for " + lesson.id() + " yet");
        var entry = Lessons.state(root).lessons.get(lesson.id());
        boolean done = entry != null && entry.done;
        if (!done && !force) {
            throw new UserError("exercise " + lesson.number2() + " does not pass yet. Keep at it (./jbang workbook hint "
                + lesson.number2() + "), or look anyway with: ./jbang workbook solution " + lesson.number2() + " --force");
        }
        if (!done) {
            System.out.println(Style.yellow("Your exercise does not pass yet. Reading the answer now skips the part where you learn most;"));
            System.out.println(Style.yellow("a hint (./jbang workbook hint " + lesson.number2() + ") gives away less."));
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                System.out.println();
                System.out.println(Style.bold("── " + root.relativize(file) + " ──"));
                System.out.println(Files.readString(file));
            }
        }
        System.out.println(Style.dim("Wrong answers the tests catch, worth reading too: " + root.relativize(dir.resolve("wrong")) + "/"));
        return 0;
    }
}
