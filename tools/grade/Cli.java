package grade;

import engine.Tool;
import engine.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./jbang grade}: the instructor's grader. */
@Command(name = "grade", mixinStandardHelpOptions = true, version = Grader.VERSION,
         description = {"Grades a class: every student's exercises, each student in JVMs of their own, into a gradebook,",
                        "Gradescope results, feedback pages and JUnit XML. Exit 0 whenever the class was graded, whatever the scores."},
         subcommands = {MergeCommand.class, GradescopeCommand.class, SampleClassCommand.class, AutogradeCommand.class})
public final class Cli implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SUBMISSIONS",
                description = "A folder with one subfolder or .zip per student (named by it); exercises under exercises/, at the top, or in one root folder.")
    Path submissions;

    @Option(names = "--out", paramLabel = "OUT", description = "Where the gradebook, summary and per-student results go (created; a re-run resumes).")
    Path out;

    // Two per core: a student's tests spend much of their time waiting (a broker starting, a deadline running out),
    // and a second student fills that time. 20 students on 2 cores: 215 s at 2 at a time, 166 s at 4.
    @Option(names = "--jobs", paramLabel = "N", description = "Students graded at a time (default: twice the number of cores, ${DEFAULT-VALUE}).")
    int jobs = 2 * Runtime.getRuntime().availableProcessors();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Time limit of one exercise of one student (default ${DEFAULT-VALUE}).")
    int timeout = 60;

    @Option(names = "--test-timeout", paramLabel = "SECONDS", description = "Time limit of one test (default ${DEFAULT-VALUE}); a test past it ends its exercise.")
    int testTimeout = 10;

    @Option(names = "--tests", paramLabel = "DIR", description = "Instructor's tests (DIR/ID/*Test.java) added to or replacing this checkout's; they count as hidden tests.")
    Path tests;

    @Option(names = "--only", split = ",", paramLabel = "IDS", description = "Grade only these exercises (01, api-gateway, 02-api-gateway, ...).")
    List<String> only = List.of();

    @Option(names = "--shard", paramLabel = "K/N", description = "Grade every Nth student, starting with the Kth (for a CI matrix); join with: grade merge.")
    String shard;

    @Option(names = "--force", description = "Grade every student again, even those an earlier run into OUT already graded.")
    boolean force;

    @Option(names = "--heap", paramLabel = "MB", description = "Heap cap of a student's JVM (default ${DEFAULT-VALUE}).")
    int heapMb = 512;

    @Option(names = "--hidden-visibility", paramLabel = "WHEN", description = "Gradescope visibility of tests from --tests (default ${DEFAULT-VALUE}).")
    String hiddenVisibility = "after_published";

    @Option(names = "--no-isolation", description = "Run students' code as this user, with the machine's network (for debugging the grader only).")
    boolean noIsolation;

    @Option(names = "--no-aot", description = "Do not record a class-data archive to start the children from.")
    boolean noAot;

    @Option(names = "--reference", hidden = true, paramLabel = "FILE", description = "A reference (tests, points) recorded earlier, as in a Gradescope bundle.")
    Path reference;

    @Option(names = "--one-student", hidden = true, paramLabel = "NAME", description = "SUBMISSIONS is one student's submission, graded under NAME.")
    String oneStudent;

    public static void main(String[] args) {
        // Stopping the grader (Ctrl-C, SIGTERM) stops the students' JVMs and the compile server with it, instead of
        // leaving them to run to their limits unwatched. (A SIGKILL cannot be caught: see README, isolation.)
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
        Tool.main(new Cli(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (submissions == null) throw new UserError("missing SUBMISSIONS: a folder with one subfolder or .zip per student (see ./jbang grade --help)");
        if (out == null) throw new UserError("missing --out OUT: where the gradebook and the students' results go");
        if (!Files.exists(submissions)) throw new UserError("SUBMISSIONS folder " + submissions + " does not exist");
        if (!Files.isDirectory(submissions)) throw new UserError("SUBMISSIONS " + submissions + " is not a folder");
        if (!Files.isReadable(submissions)) throw new UserError("SUBMISSIONS folder " + submissions + " cannot be read");
        if (jobs < 1) throw new UserError("--jobs must be 1 or more, not " + jobs);
        if (timeout < 1 || testTimeout < 1) throw new UserError("--timeout and --test-timeout must be 1 second or more");
        if (heapMb < 64) throw new UserError("--heap must be at least 64 (MB)");
        if (tests != null && !Files.isDirectory(tests)) throw new UserError("--tests " + tests + " is not a folder");
        Settings.Shard part = parseShard(shard);
        Path root = Tool.root();
        Exercises.select(root, tests, only);  // an unknown id in --only is told before anything is written
        Path outDir = writable(out);
        Settings s = Settings.of(root, submissions.toAbsolutePath().normalize(), outDir)
            .jobs(jobs)
            .limits(new Settings.Limits(timeout, Math.min(testTimeout, timeout), heapMb))
            .tests(tests == null ? null : tests.toAbsolutePath().normalize())
            .only(only)
            .shard(part)
            .force(force)
            .isolate(!noIsolation)
            .aot(!noAot)
            .referenceFile(reference)
            .hiddenVisibility(hiddenVisibility)
            .oneStudent(oneStudent)
            .build();
        return new Grader(s, System.out).run();
    }

    static Settings.Shard parseShard(String shard) {
        if (shard == null) return Settings.Shard.ALL;
        Matcher m = Pattern.compile("(\\d{1,6})/(\\d{1,6})").matcher(shard.strip());
        if (m.matches()) {
            int k = Integer.parseInt(m.group(1));
            int n = Integer.parseInt(m.group(2));
            if (n >= 1 && k >= 1 && k <= n) return new Settings.Shard(k, n);
        }
        throw new UserError("--shard wants K/N with 1 <= K <= N, like 2/4; not '" + shard + "'");
    }

    /** Creates OUT if needed and proves it can be written to, or says in one line why not. */
    static Path writable(Path out) {
        Path dir = out.toAbsolutePath().normalize();
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) throw new UserError("OUT " + out + " exists and is not a folder");
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", "");
            Files.delete(probe);
            return dir;
        } catch (IOException | SecurityException e) {
            throw new UserError("cannot write to OUT " + out + " (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }
}
