package workbook;

import engine.Compiler;
import engine.Folders;
import engine.Sources;
import engine.TestRunner;
import engine.Tool;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import kit.Course;
import picocli.CommandLine.Command;

/**
 * The training run behind fast checks, started once by the ./jbang wrapper (never by hand): it compiles every
 * exercise's reference solution in a temporary folder and runs its tests, so that the JVM that records the
 * start-up cache (an AOT cache on JDK 25, JEP 514/515) sees every class a check can need: javac, JUnit, Javalin,
 * WireMock, Jetty, H2, the broker. The learner's files and progress are not touched.
 */
@Command(name = "train", mixinStandardHelpOptions = true, hidden = true, description = "Records what checks load, for the start-up cache (run by ./jbang).")
public final class TrainCommand implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
        Path root = Tool.root();
        Path scratch = Files.createTempDirectory("workbook-train-");
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
        int exercises = 0;
        try {
            System.setOut(silent);  // the tests' own output (servers, logs) is not the learner's business
            System.setErr(silent);
            Compiler compiler = new Compiler(scratch, root);
            TestRunner runner = new TestRunner();
            for (Course.Lesson lesson : Course.LESSONS) {
                if (!lesson.hasExercise(root)) continue;
                Sources sources = Files.isDirectory(lesson.solutionDir(root)) ? Sources.solution(root, lesson) : Sources.stub(root, lesson);
                if (compiler.compile(sources) instanceof Compiler.Compiled compiled) runner.run(compiled);
                exercises++;
            }
        } catch (RuntimeException e) {
            // A cache recorded from part of the course is still a cache: say so, and let the wrapper keep it.
            err.println("[workbook] the training run stopped early: " + e);
        } finally {
            System.setOut(out);
            System.setErr(err);
            Folders.deleteTree(scratch);
        }
        err.println("[workbook] ran the tests of " + exercises + " exercises for the start-up cache");
        return 0;
    }
}
