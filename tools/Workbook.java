///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../kit/*.java
//SOURCES engine/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// The learner's tool: the course map and progress, and checking an exercise against its tests in seconds.

import engine.Compiler;
import engine.Sources;
import engine.TestRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import kit.Course;
import kit.Progress;
import kit.Style;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "workbook", mixinStandardHelpOptions = true,
         description = "Your course map and progress; checks your exercises.",
         subcommands = {Workbook.Check.class, Workbook.Play.class})
public class Workbook implements Callable<Integer> {

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // Our output is UTF-8 (✓, ✗, ·) even where the locale is not set, as in CI and minimal containers.
        System.setOut(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, java.nio.charset.StandardCharsets.UTF_8));
        CommandLine cli = new CommandLine(new Workbook());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("workbook: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("workbook: " + e.getMessage() + " (try ./jbang workbook --help)");
            return 2;
        });
        int code = cli.execute(args);
        System.out.flush();
        // Exit explicitly: servers started by tests can keep non-daemon threads alive after they stop.
        System.exit(code);
    }

    /** With no command: the course map, where you are, and what to do next. */
    @Override
    public Integer call() throws IOException {
        Path root = Course.root();
        Progress.State state = loadState(root);
        Course.Part part = null;
        String next = null;
        System.out.println(Style.bold("Microservices Patterns Workbook") + Style.dim("  (./jbang workbook --help for commands)"));
        for (Course.Lesson lesson : Course.LESSONS) {
            if (lesson.part() != part) {
                part = lesson.part();
                System.out.println();
                System.out.println(Style.bold(part.title));
            }
            Progress.Entry entry = state.lessons.getOrDefault(lesson.id(), new Progress.Entry());
            String status;
            if (!lesson.written(root)) {
                status = Style.dim("coming soon");
            } else {
                String run = entry.lessonRun ? Style.green("lesson run") : "lesson not run";
                String exercise = entry.done ? Style.green("exercise done")
                    : entry.testsTotal > 0 ? Style.yellow(entry.testsPassed + "/" + entry.testsTotal + " tests")
                    : "exercise not started";
                status = run + " · " + exercise + (entry.hintsUsed > 0 ? Style.dim(" · " + entry.hintsUsed + " hints") : "");
                if (next == null && !entry.lessonRun) next = "run the lesson: ./jbang " + lesson.slug();
                else if (next == null && !entry.done) next = "do the exercise in exercises/" + lesson.id() + "/, then ./jbang workbook check " + lesson.number2();
            }
            String mark = entry.done ? Style.green("✓") : lesson.written(root) ? "•" : Style.dim("·");
            System.out.printf("  %s %s %-22s %-48s %s%n", mark, lesson.number2(), lesson.slug(),
                Style.dim(lesson.title()), status);
        }
        System.out.println();
        System.out.println(Style.bold("Next: ") + (next != null ? next : "every written lesson is done. New lessons arrive with git pull."));
        return 0;
    }

    static Progress.State loadState(Path root) {
        try {
            return new Progress(root).load();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read your progress in " + Progress.FILE + " (" + e.getMessage()
                + "). Move it aside to start afresh: mv " + Progress.FILE + " " + Progress.FILE + ".bak");
        }
    }

    static Course.Lesson lesson(String id) {
        return Course.find(id).orElseThrow(() -> new CommandLine.ParameterException(new CommandLine(new Workbook()),
            "unknown lesson '" + id + "'. Valid ids: " + Course.validIds()));
    }

    @Command(name = "play", description = "Opens the lesson's JShell playground: its peers running, you at a prompt.")
    static final class Play implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID", description = "Lesson id: 01, service-boundaries or 01-service-boundaries.")
        String id;

        @Override
        public Integer call() throws Exception {
            Path root = Course.root();
            Course.Lesson lesson = Course.find(id).orElse(null);
            if (lesson == null) {
                System.err.println("workbook: unknown lesson '" + id + "'. Valid ids: " + Course.validIds());
                return 2;
            }
            Path playground = root.resolve("lessons").resolve(lesson.id()).resolve("playground.jsh");
            if (!Files.isRegularFile(playground)) {
                System.err.println("workbook: " + lesson.id() + " has no playground yet");
                return 2;
            }
            // JShell gets this program's own class path: the kit and every library the lessons use.
            Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
            Process p = new ProcessBuilder(jshell.toString(), "--class-path", System.getProperty("java.class.path"),
                    "-R-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "--startup", "DEFAULT", playground.toString())
                .directory(root.toFile()).inheritIO().start();
            return p.waitFor();
        }
    }

    @Command(name = "check", description = "Compiles your exercise and runs its tests.")
    static final class Check implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID", description = "Lesson id: 01, service-boundaries or 01-service-boundaries.")
        String id;

        @Override
        public Integer call() throws IOException {
            Path root = Course.root();
            Course.Lesson lesson = Course.find(id).orElse(null);
            if (lesson == null) {
                System.err.println("workbook: unknown lesson '" + id + "'. Valid ids: " + Course.validIds());
                return 2;
            }
            if (!lesson.hasExercise(root)) {
                System.err.println("workbook: " + lesson.id() + (lesson.written(root)
                    ? " has no exercise folder (exercises/" + lesson.id() + "/ is missing; git checkout exercises/" + lesson.id() + " restores it)"
                    : " is not written yet (coming soon)"));
                return 2;
            }
            System.out.println(Style.bold("Checking " + lesson.id()) + Style.dim(" · " + lesson.title()));
            var compiler = new Compiler(root.resolve(".workbook-cache").resolve("classes"), root);
            var compiled = compiler.compile(Sources.exercise(root, lesson));
            if (compiled instanceof Compiler.Failed failed) {
                System.out.println(Style.red("Your code does not compile yet:"));
                failed.errors().forEach(e -> System.out.println("  " + e.replace("\n", "\n  ")));
                return 1;
            }
            TestRunner.Report report = new TestRunner().run((Compiler.Compiled) compiled);
            print(report);
            record(root, lesson, report);
            return report.allPassed() ? 0 : 1;
        }

        private static void print(TestRunner.Report report) {
            var first = report.firstFailure().orElse(null);
            for (TestRunner.Result r : report.results()) {
                System.out.println("  " + (r.passed() ? Style.green("✓ ") : Style.red("✗ ")) + r.displayName());
                // The first failure in full; the others in one line each, so a stub is not a wall of text.
                if (r == first) System.out.println("      " + r.message().replace("\n", "\n      "));
                else if (!r.passed()) System.out.println(Style.dim("      " + firstLine(r.message())));
            }
            System.out.println();
            String tally = report.passed() + " of " + report.results().size() + " tests pass ("
                + report.points() + " of " + report.maxPoints() + " points)";
            if (report.allPassed()) {
                System.out.println(Style.green("All " + report.results().size() + " tests pass. Exercise done."));
            } else {
                System.out.println(Style.yellow(tally));
                report.firstFailure().filter(f -> !f.hints().isEmpty())
                    .ifPresent(f -> System.out.println(Style.bold("Hint") + " for \"" + f.displayName() + "\": " + f.hints().get(0)));
            }
        }

        private static String firstLine(String s) {
            String line = s.lines().findFirst().orElse("");
            return line.length() > 110 ? line.substring(0, 109) + "…" : line;
        }

        private static void record(Path root, Course.Lesson lesson, TestRunner.Report report) {
            try {
                Progress progress = new Progress(root);
                Progress.State state = progress.load();
                Progress.Entry entry = progress.entry(state, lesson.id());
                entry.testsPassed = (int) report.passed();
                entry.testsTotal = report.results().size();
                entry.done = entry.done || report.allPassed();
                entry.lastChecked = Progress.now();
                progress.save(state);
            } catch (IOException e) {
                System.err.println("workbook: could not save your progress (" + e.getMessage() + ")");
            }
        }
    }
}
