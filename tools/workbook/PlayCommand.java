package workbook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import kit.Course;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "play", description = "Opens the lesson's JShell playground: its peers running, you at a prompt.")
public final class PlayCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "Lesson id: 01, service-boundaries or 01-service-boundaries.")
    String id;

    @Override
    public Integer call() throws Exception {
        Path root = Lessons.root();
        Course.Lesson lesson = Lessons.byId(id);
        Path playground = root.resolve("lessons").resolve(lesson.id()).resolve("playground.jsh");
        if (!Files.isRegularFile(playground)) throw new UserError(lesson.id() + " has no playground yet");
        // JShell gets this program's own class path: the kit and every library the lessons use.
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        Process p = new ProcessBuilder(jshell.toString(), "--class-path", System.getProperty("java.class.path"),
                "-R-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "--startup", "DEFAULT", playground.toString())
            .directory(root.toFile()).inheritIO().start();
        return p.waitFor();
    }
}
