package grade;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one student's exercises in child JVMs and watches them. Each exercise has a time limit, and the student as a
 * whole has the sum of them; a child that goes past either is stopped, and one that dies (System.exit, a crash)
 * costs only the exercise it was in: a new child is started for the exercises left. Every exercise's outcome is
 * handed on as soon as it is known.
 *
 * <p>The deadlines are the parent's alone: the clock of an exercise starts when the one before it ends (or the child
 * starts), never when the child says it began. Nothing the child sends is taken unbounded: lines, events, texts;
 * tests that are not in the reference's list are dropped. Events that do not come from the grader's own code (see
 * {@link Protocol}) are dropped too, and the exercise is flagged for review.
 */
final class Supervisor {
    /**
     * What a child reported about one exercise, before it is matched with the reference's list of tests.
     * {@code review}: why the exercise should be looked at by a person (events the grader did not write), or "".
     */
    record Raw(String id, Model.Outcome outcome, List<Model.Test> tests, String runningTest, List<String> compileErrors,
               String output, String note, double seconds, boolean linkage, String review) {
        Raw(String id, Model.Outcome outcome, List<Model.Test> tests, String runningTest, List<String> compileErrors,
            String output, String note, double seconds) {
            this(id, outcome, tests, runningTest, compileErrors, output, note, seconds, false, "");
        }
    }

    /**
     * One student's run: {@code expectedTests} is each exercise's list of test keys (null for the reference, whose
     * list this run is making), {@code key} what the child's events must carry.
     */
    record Job(Sandbox.Tenant tenant, Path work, Path plan, String key, List<String> ids, Map<String, Set<String>> expectedTests,
               List<String> jvmOptions, Map<String, Double> spentSeconds) {
        /**
         * {@code spentSeconds}: what each exercise already used of its time in an earlier child of this student (a
         * run again after its tests did not link), taken off its limit and the student's, so that nothing gets twice.
         */
        Job {
            spentSeconds = Map.copyOf(spentSeconds);
        }

        long spentNanos(String id) { return (long) (spentSeconds.getOrDefault(id, 0.0) * 1e9); }
    }

    /** Something odd the reader saw in the child's output, for the exercise at hand's review flag. */
    private record Suspicious(String why) {}

    private static final Object EOF = new Object();
    private static final int TAIL = 4000;
    /** Events a child may send for the reference, whose list of tests is not known yet: any real exercise has far fewer. */
    private static final int REFERENCE_EVENTS = 20_000;
    private static final boolean TIMING = System.getenv("GRADE_TIMING") != null;

    private final Sandbox sandbox;
    private final int timeoutSeconds;
    private final int testTimeoutSeconds;
    private final int outputLimit;

    Supervisor(Sandbox sandbox, int timeoutSeconds, int testTimeoutSeconds, int outputLimit) {
        this.sandbox = sandbox;
        this.timeoutSeconds = timeoutSeconds;
        this.testTimeoutSeconds = testTimeoutSeconds;
        this.outputLimit = outputLimit;
    }

    /** Runs the job's exercises; each one's outcome goes to {@code onResult} as it comes. */
    void run(Job job, Consumer<Raw> onResult) throws InterruptedException {
        List<String> remaining = new ArrayList<>(job.ids());
        // The student's whole time: every exercise's limit, however the children share it out.
        long studentDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos((long) timeoutSeconds * job.ids().size())
            - job.ids().stream().mapToLong(job::spentNanos).sum();
        int children = 0;
        while (!remaining.isEmpty()) {
            if (++children > job.ids().size() + 2 || System.nanoTime() >= studentDeadline) {
                String why = System.nanoTime() >= studentDeadline
                    ? "not run: the student's time (" + timeoutSeconds + " s per exercise, " + timeoutSeconds * job.ids().size() + " s in all) ran out before it"
                    : "the grader gave up starting JVMs for this student";
                for (String id : remaining) onResult.accept(new Raw(id, Model.Outcome.TIMEOUT, List.of(), null, List.of(), "", why, 0));
                return;
            }
            new Child(job, remaining, studentDeadline, onResult).watch();
        }
    }

    /** One child JVM, from its start to its end: what it reported, for which exercise, and when time is up. */
    private final class Child {
        private final Job job;
        private final List<String> remaining;
        private final long studentDeadline;
        private final Consumer<Raw> onResult;
        private final Tail tail = new Tail();
        private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        private final Set<String> review = new LinkedHashSet<>();
        private final Set<String> reported = new HashSet<>();
        private List<Model.Test> tests = new ArrayList<>();
        private boolean started;
        private String running;
        private long expectedSeq = 1;
        private long exerciseStart = System.nanoTime();
        private long deadline;

        Child(Job job, List<String> remaining, long studentDeadline, Consumer<Raw> onResult) {
            this.job = job;
            this.remaining = remaining;
            this.studentDeadline = studentDeadline;
            this.onResult = onResult;
            this.deadline = exerciseDeadline();
        }

        /** The exercise at hand's limit from its start, less what it used before; never past the student's. */
        private long exerciseDeadline() {
            long spent = remaining.isEmpty() ? 0 : job.spentNanos(current());   // empty once the last exercise is settled
            return Math.min(studentDeadline, exerciseStart + TimeUnit.SECONDS.toNanos(timeoutSeconds) - spent);
        }

        /** The exercise at hand: the parent's own order, the first not settled, whatever the child says. */
        private String current() { return remaining.get(0); }

        void watch() throws InterruptedException {
            List<String> args = new ArrayList<>(List.of(job.plan().toString(), Integer.toString(testTimeoutSeconds), Integer.toString(outputLimit)));
            args.addAll(remaining);
            List<String> jvm = new ArrayList<>(sandbox.childOptions());
            jvm.addAll(job.jvmOptions());
            Process process;
            try {
                process = sandbox.command(job.tenant(), job.work(), ChildMain.class.getName(), jvm, args)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            } catch (IOException e) {
                settle(error(current(), "could not start a JVM: " + e.getMessage()));
                return;
            }
            long oomBefore = sandbox.outOfMemoryKills(job.tenant());
            int budget = eventBudget();
            Thread reader = Thread.ofPlatform().daemon().name("child-reader").start(() -> read(process.getInputStream(), budget));
            process.onExit().thenRun(() -> {
                // A process the student's code started may hold the pipe open after the JVM is gone: do not wait for it.
                try {
                    reader.join(2000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                events.add(EOF);
            });
            boolean anyEvent = false;
            boolean restartAsked = false;
            try {
                while (true) {
                    Object next = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) {  // time is up
                        Sandbox.kill(process);
                        timeUp();
                        return;
                    }
                    if (next == EOF) {
                        int code = waitFor(process);
                        boolean oom = sandbox.outOfMemoryKills(job.tenant()) > oomBefore;
                        if (started) {
                            settle(new Raw(current(), Model.Outcome.CRASHED, tests, running, List.of(), "", crashNote(code, running, tail, oom), seconds(), false, reviewText()));
                        } else if (!restartAsked && !remaining.isEmpty()) {
                            settle(anyEvent
                                ? new Raw(current(), Model.Outcome.CRASHED, List.of(), null, List.of(), "", "before this exercise began, " + crashNote(code, null, tail, oom), seconds(), false, reviewText())
                                : error(current(), "the grading JVM ended before it began (exit code " + code + ")" + tail.describe()));
                        }
                        return;
                    }
                    if (next instanceof Suspicious s) {
                        review.add(s.why());
                        continue;
                    }
                    Protocol.Event e = (Protocol.Event) next;
                    if (e.seq() != expectedSeq) {
                        review.add("grader events out of sequence (written by the student's code, with the key it read from the grader's?)");
                        continue;
                    }
                    expectedSeq++;
                    anyEvent = true;
                    if (remaining.isEmpty()) continue;
                    if (!current().equals(e.exercise())) {
                        review.add("grader events about another exercise (" + Protocol.clip(String.valueOf(e.exercise()), 40) + ") during this one");
                        continue;
                    }
                    switch (e.type()) {
                        case "start" -> {
                            if (started) review.add("a second start of this exercise");
                            started = true;
                        }
                        case "begin" -> running = Protocol.clip(e.testName(), 300);
                        case "test" -> take(e.test());
                        case "done" -> {
                            if (!started) review.add("an end of this exercise before its start");
                            settle(new Raw(current(), e.outcome() == null ? Model.Outcome.GRADED : e.outcome(), tests, running, List.of(),
                                Protocol.clip(e.output(), outputLimit + 200), Protocol.clip(e.note(), Protocol.MAX_TEXT), seconds(), e.linkage(), reviewText()));
                            restartAsked |= e.restart();
                        }
                        default -> review.add("a grader event of an unknown type");
                    }
                }
            } finally {
                if (process.isAlive()) Sandbox.kill(process);
                sandbox.stopProcesses(job.tenant());  // before the work folder is deleted: nothing of theirs runs on
            }
        }

        /** A test the child reported: kept if the reference has it and it was not reported before, bounded. */
        private void take(Model.Test t) {
            running = null;
            if (t == null || t.testClass() == null || t.method() == null || t.name() == null) {
                review.add("a test event without a test");
                return;
            }
            Set<String> expected = job.expectedTests() == null ? null : job.expectedTests().get(current());
            boolean classFailure = t.method().isEmpty();  // a test class that could not start: one, worth nothing
            if (expected != null && !classFailure && !expected.contains(t.key())) {
                review.add("a result for a test the exercise does not have ('" + Protocol.clip(t.name(), 80) + "')");
                return;
            }
            if (!reported.add(t.key())) {
                review.add("a second result for the test '" + Protocol.clip(t.name(), 80) + "'");
                return;
            }
            tests.add(new Model.Test(Protocol.clip(t.testClass(), 300), Protocol.clip(t.method(), 300), Protocol.clip(t.name(), 300), t.status(),
                Protocol.clip(t.message(), Protocol.MAX_TEXT), t.points(), t.score(), job.expectedTests() == null ? t.hints() : List.of(), false));
        }

        /** The exercise at hand has gone past its time, or the student past theirs. */
        private void timeUp() {
            boolean studentTime = System.nanoTime() >= studentDeadline && deadline == studentDeadline;
            String note = !started
                ? "the JVM did not start grading within " + timeoutSeconds + " s"
                : "stopped after " + timeoutSeconds + " s, the time limit of an exercise"
                  + (running != null ? ", in the test '" + running + "'" : "") + " (an endless loop or a deadlock?)";
            if (studentTime) note = "stopped when the student's time (" + timeoutSeconds * job.ids().size() + " s for " + job.ids().size() + " exercises) ran out";
            settle(new Raw(current(), Model.Outcome.TIMEOUT, started ? tests : List.of(), running, List.of(), "", note, seconds(), false, reviewText()));
        }

        /** The exercise at hand is done; the next one's clock starts now. */
        private void settle(Raw raw) {
            remaining.remove(raw.id());
            onResult.accept(raw);
            tests = new ArrayList<>();
            reported.clear();
            review.clear();
            started = false;
            running = null;
            exerciseStart = System.nanoTime();
            deadline = exerciseDeadline();
        }

        private String reviewText() { return Protocol.clip(String.join("; ", review), Protocol.MAX_TEXT); }

        private double seconds() { return (System.nanoTime() - exerciseStart) / 1e9; }

        /** How many events this child may send: a start, a begin and a result per test, an end, per exercise; and some slack. */
        private int eventBudget() {
            if (job.expectedTests() == null) return REFERENCE_EVENTS;
            int n = 64;
            for (String id : remaining) n += 2 * job.expectedTests().getOrDefault(id, Set.of()).size() + 8;
            return n;
        }

        /**
         * Splits the child's output into lines (each bounded), passing on events with the child's key (as many as the
         * budget) and keeping a tail of the rest. Each kind of oddity is passed on once.
         */
        private void read(InputStream in, int budget) {
            Set<String> told = new HashSet<>();
            Consumer<String> suspicious = why -> {
                if (told.add(why)) events.add(new Suspicious(why));
            };
            byte[] buf = new byte[65536];
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean overlong = false;
            int[] taken = {0};
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    int from = 0;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != '\n') continue;
                        if (!overlong) {
                            line.write(buf, from, i - from);
                            lineDone(line.toString(StandardCharsets.UTF_8), budget, taken, suspicious);
                        }
                        line.reset();
                        overlong = false;
                        from = i + 1;
                    }
                    if (!overlong) line.write(buf, from, n - from);
                    if (!overlong && line.size() > Protocol.MAX_LINE) {  // far beyond any event: a flood without newlines
                        String start = line.toString(StandardCharsets.UTF_8);
                        if (start.contains(Protocol.MARKER)) suspicious.accept("a grader event longer than any the grader writes");
                        tail.add(start);
                        line.reset();
                        overlong = true;
                    }
                }
                if (line.size() > 0 && !overlong) lineDone(line.toString(StandardCharsets.UTF_8), budget, taken, suspicious);
            } catch (IOException ignored) {
                // the child is gone
            }
        }

        private void lineDone(String text, int budget, int[] taken, Consumer<String> suspicious) {
            if (!text.contains(Protocol.MARKER)) {
                if (TIMING && text.startsWith("[timing]")) System.err.println(text);
                else if (!text.isEmpty()) tail.add(text + "\n");
                return;
            }
            Protocol.Event e = Protocol.decode(text);
            if (e == null) {
                suspicious.accept("a line that looks like a grader event but is not one");
            } else if (!job.key().equals(e.key())) {
                suspicious.accept("grader events not written by the grader (the student's code printed its own)");
            } else if (taken[0]++ >= budget) {
                suspicious.accept("more grader events than the exercise has tests for");
            } else {
                events.add(e);
            }
        }
    }

    static Raw error(String id, String note) {
        return new Raw(id, Model.Outcome.ERROR, List.of(), null, List.of(), "", note, 0);
    }

    private String crashNote(int code, String running, Tail tail, boolean oom) {
        String during = running != null ? " during the test '" + running + "'" : "";
        String text = tail.text();
        String why;
        if (oom) why = "the code went over its memory limit" + during + " (" + sandbox.memoryMb() + " MB for all its processes, heap or not)";
        else if (text.contains("OutOfMemoryError")) why = "the code ran out of memory" + during + " (the heap is capped for grading)";
        else if (text.contains("A fatal error has been detected")) why = "the JVM crashed" + during;
        else if (code > 128) why = "the JVM was killed by signal " + (code - 128) + during + (code == 137 ? " (out of memory?)" : "");
        else why = "the JVM stopped with exit code " + code + during + ": did the code call System.exit(" + code + ")?";
        return why + tail.describe();
    }

    private static int waitFor(Process p) throws InterruptedException {
        if (!p.waitFor(10, TimeUnit.SECONDS)) Sandbox.kill(p);
        return p.exitValue();
    }

    /** The last few kilobytes of what the child printed outside the protocol (JVM messages, direct writes). */
    static final class Tail {
        private final StringBuilder text = new StringBuilder();

        synchronized void add(String s) {
            text.append(s.length() > TAIL ? s.substring(s.length() - TAIL) : s);
            if (text.length() > TAIL) text.delete(0, text.length() - TAIL);
        }

        synchronized String text() { return text.toString(); }

        String describe() {
            String t = text().strip();
            if (t.isEmpty()) return "";
            List<String> lines = t.lines().toList();
            return "\nLast lines it printed:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        }
    }
}
