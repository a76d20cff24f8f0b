package workbook;

import engine.Compiler;
import engine.Sources;
import engine.Tool;
import engine.UserError;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import kit.Course;
import kit.Style;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "play", mixinStandardHelpOptions = true,
         description = "Opens the lesson's JShell playground: its peers running, your exercise's classes loaded, you at a prompt.")
public final class PlayCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "Lesson id: 01, service-boundaries or 01-service-boundaries.")
    String id;

    @Override
    public Integer call() throws Exception {
        Path root = Tool.root();
        Course.Lesson lesson = Lessons.byId(id);
        Path playground = lesson.lessonDir(root).resolve("playground.jsh");
        if (!Files.isRegularFile(playground)) throw new UserError(lesson.id() + " has no playground yet");
        // JShell gets this program's own class path (the kit and every library the lessons use), and in front of it
        // the learner's exercise as it stands, so that their own classes can be tried against the running peers.
        String classPath = yourClasses(root, lesson) + System.getProperty("java.class.path");
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        Process p = new ProcessBuilder(jshell.toString(), "--class-path", classPath,
                "-R-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "--startup", "DEFAULT", playground.toString())
            .directory(root.toFile()).inheritIO().start();
        return p.waitFor();
    }

    /** The exercise compiled as it stands, as a class path entry (with its separator), or "" when there is none or it does not compile. */
    private static String yourClasses(Path root, Course.Lesson lesson) {
        if (!lesson.hasExercise(root)) return "";
        String folder = "exercises/" + lesson.id() + "/";
        System.out.println(Style.dim("Compiling " + folder + " for the playground..."));
        return switch (new Compiler(root.resolve(".workbook-cache").resolve("classes"), root).compile(Sources.exercise(root, lesson))) {
            case Compiler.Compiled c -> {
                System.out.println(Style.green("Your code in " + folder + " is on the class path, as it stands now")
                    + Style.dim(" (after you change it, /exit and play again to load the new version)"));
                yield c.classes() + File.pathSeparator;
            }
            case Compiler.Failed f -> {
                System.out.println(Style.yellow("Your code in " + folder + " does not compile yet, so the playground starts without it:"));
                System.out.println("  " + f.errors().get(0).replace("\n", "\n  "));
                yield "";
            }
        };
    }
}
