package grade;

import com.sun.management.OperatingSystemMXBean;
import engine.Compiler;
import engine.TestRunner;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The grading child: a JVM of its own for one student's code. It runs the tests of the exercises it is given one
 * by one, each in a fresh class loader, and tells its parent about every test as it finishes (see
 * {@link Protocol}), so that if the student's code ends this JVM (System.exit, memory, a crash) nothing already
 * known is lost. It compiles nothing: the compile server did that (see {@link CompileServerMain}).
 *
 * <p>Arguments: PLAN TEST_TIMEOUT_SECONDS OUTPUT_LIMIT_BYTES ID..., where PLAN (JSON) gives for each exercise
 * the folder of its classes and its test classes.
 */
public final class ChildMain {
    /** One exercise to run: its classes (the student's, with the tests'), and whether the tests were precompiled. */
    public record Plan(String classes, List<String> testClasses, List<String> testOrder, boolean precompiled) {}

    /** What the parent writes for a child: the key its events carry (see {@link Protocol}), and each exercise's plan. */
    public record Orders(String key, Map<String, Plan> exercises) {}

    /**
     * Tests compiled once for the whole class ran against the student's classes: had the student changed the API
     * the tests use, that shows as a linkage error, and the parent grades the exercise again with the tests
     * compiled together with the student's code, so the student sees javac's own message.
     */
    static final Pattern LINKAGE = Pattern.compile(
        "NoSuchMethodError|NoSuchFieldError|IncompatibleClassChangeError|AbstractMethodError|NoClassDefFoundError|IllegalAccessError|VerifyError|InstantiationError|ClassFormatError");
    /** GRADE_TIMING=1: where a child's time goes, on its standard error. */
    private static final boolean TIMING = System.getenv("GRADE_TIMING") != null;
    private static final PrintStream PROTOCOL = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    private static final PrintStream TIMINGS = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    /** Not this class's monitor, which any code can take to block the reporting (the parent's deadlines hold anyway). */
    private static final ReentrantLock EMITTING = new ReentrantLock();
    private static String key = "";
    private static long sequence;

    private final TestRunner runner;
    private final BoundedOutput captured;

    private ChildMain(String testTimeout, int outputLimit) {
        this.runner = new TestRunner(testTimeout);
        this.captured = new BoundedOutput(outputLimit);
    }

    public static void main(String[] args) throws IOException {
        if (TIMING) TIMINGS.println("[timing] started, cpu " + cpu() + " ms");
        Orders orders = Protocol.JSON.readValue(Path.of(args[0]).toFile(), Orders.class);
        key = orders.key();
        Map<String, Plan> plans = orders.exercises();
        ChildMain child = new ChildMain(args[1] + " s", Integer.parseInt(args[2]));
        // Whatever the student's code prints is kept, bounded, for the feedback; it never reaches the protocol.
        PrintStream capturing = new PrintStream(child.captured, true, StandardCharsets.UTF_8);
        System.setOut(capturing);
        System.setErr(capturing);
        System.setIn(new ByteArrayInputStream(new byte[0]));
        for (String id : Arrays.asList(args).subList(3, args.length)) {
            if (!child.grade(id, plans.get(id))) break;
        }
        PROTOCOL.flush();
        if (TIMING) System.exit(0);  // lets a flight recording (-XX:StartFlightRecording) be written
        // halt, not exit: threads the student's code started must not keep this JVM alive, nor shutdown hooks run.
        Runtime.getRuntime().halt(0);
    }

    /** Runs one exercise's tests; false when this JVM should not be trusted with more. */
    private boolean grade(String id, Plan plan) {
        emit(Protocol.Event.start(id));
        captured.reset();
        long start = System.nanoTime();
        Model.Outcome outcome = Model.Outcome.GRADED;
        String note = null;
        boolean restart = false;
        boolean linkage = false;
        try {
            var compiled = new Compiler.Compiled(Path.of(plan.classes()), plan.testClasses(), plan.testOrder());
            var report = runner.run(compiled, listener(id, start));
            linkage = plan.precompiled() && report.results().stream().anyMatch(r -> !r.passed() && LINKAGE.matcher(r.message()).find());
        } catch (Throwable t) {
            // An OutOfMemoryError or StackOverflowError that JUnit lets through, or a broken class path.
            restart = true;
            outcome = Model.Outcome.CRASHED;
            note = Protocol.clip(describe(t), Protocol.MAX_TEXT);
        }
        if (TIMING) TIMINGS.println("[timing] " + id + " " + (System.nanoTime() - start) / 1_000_000 + " ms, cpu " + cpu() + " ms");
        emit(Protocol.Event.done(id, outcome, captured.text(), note, (System.nanoTime() - start) / 1e9, restart, linkage));
        return !restart;
    }

    /**
     * Streams each test to the parent. A test that never finished leaves its thread running (Java cannot stop a
     * thread), so this JVM reports the exercise as far as it got and ends at once: the parent starts a fresh one
     * for the exercises left, and marks this exercise's remaining tests as not run.
     */
    private TestRunner.Listener listener(String id, long start) {
        return new TestRunner.Listener() {
            @Override
            public void started(String displayName) { emit(Protocol.Event.begin(id, Protocol.clip(displayName, 300))); }

            @Override
            public void finished(TestRunner.Result r) {
                emit(Protocol.Event.test(id, toTest(r)));
                if (r.message().startsWith("Took too long")) {
                    emit(Protocol.Event.done(id, Model.Outcome.GRADED, captured.text(),
                        "the test '" + r.displayName() + "' never finished (an endless loop or a deadlock?), so the tests after it were not run",
                        (System.nanoTime() - start) / 1e9, true, false));
                    PROTOCOL.flush();
                    Runtime.getRuntime().halt(0);
                }
            }
        };
    }

    static Model.Test toTest(TestRunner.Result r) {
        Model.Status status = r.passed() ? Model.Status.PASSED : Model.Status.FAILED;
        return new Model.Test(r.testClass(), r.method(), Protocol.clip(r.displayName(), 300), status, Protocol.clip(r.message(), Protocol.MAX_TEXT), r.points(),
            r.passed() ? r.points() : 0, r.hints(), false);
    }

    private static String describe(Throwable t) {
        if (t instanceof OutOfMemoryError) return "the code ran out of memory (" + t.getMessage() + "; the heap is capped for grading)";
        if (t instanceof StackOverflowError) return "the stack overflowed (endless recursion?)";
        return t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static long cpu() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
    }

    private static void emit(Protocol.Event event) {
        EMITTING.lock();
        try {
            PROTOCOL.print(Protocol.encode(event.signed(key, ++sequence)));
            PROTOCOL.flush();
        } finally {
            EMITTING.unlock();
        }
    }
}
