package grade;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one student's exercises in child JVMs and watches them. Each exercise has a time limit; a child that
 * goes past it is stopped, and one that dies (System.exit, a crash) costs only the exercise it was in: a new
 * child is started for the exercises left. Every exercise's outcome is handed on as soon as it is known.
 */
final class Supervisor {
    /** What a child reported about one exercise, before it is matched with the reference's list of tests. */
    record Raw(String id, Model.Outcome outcome, List<Model.Test> tests, String runningTest, List<String> compileErrors,
               String output, String note, double seconds, boolean linkage) {
        Raw(String id, Model.Outcome outcome, List<Model.Test> tests, String runningTest, List<String> compileErrors,
            String output, String note, double seconds) {
            this(id, outcome, tests, runningTest, compileErrors, output, note, seconds, false);
        }
    }

    private static final Object EOF = new Object();
    private static final int TAIL = 4000;
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

    /** Runs the tests of {@code ids} as {@code plan} says; each exercise's outcome goes to {@code onResult} as it comes. */
    void run(Path work, int uid, Path plan, List<String> ids, List<String> extraJvmOptions, Consumer<Raw> onResult) throws InterruptedException {
        List<String> remaining = new ArrayList<>(ids);
        int children = 0;
        while (!remaining.isEmpty()) {
            if (++children > ids.size() + 2) {  // cannot happen: every child settles at least one exercise
                for (String id : remaining) onResult.accept(error(id, "the grader gave up starting JVMs for this student"));
                return;
            }
            runChild(work, uid, plan, remaining, extraJvmOptions, onResult);
        }
    }

    private void runChild(Path work, int uid, Path plan, List<String> remaining, List<String> extraJvmOptions, Consumer<Raw> onResult) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of(plan.toString(), Integer.toString(testTimeoutSeconds), Integer.toString(outputLimit)));
        args.addAll(remaining);
        List<String> jvm = new ArrayList<>(sandbox.childOptions());
        jvm.addAll(extraJvmOptions);
        Process process;
        try {
            process = sandbox.command(uid, work, ChildMain.class.getName(), jvm, args)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            onResult.accept(error(remaining.get(0), "could not start a JVM: " + e.getMessage()));
            remaining.remove(0);
            return;
        }
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Tail tail = new Tail();
        Thread reader = Thread.ofPlatform().daemon().name("child-reader").start(() -> read(process.getInputStream(), events, tail));
        process.onExit().thenRun(() -> {
            // A process the student's code started may hold the pipe open after the JVM is gone: do not wait for it.
            try {
                reader.join(2000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            events.add(EOF);
        });

        String current = null;
        String running = null;
        List<Model.Test> tests = new ArrayList<>();
        long startedAt = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        boolean restartAsked = false;
        boolean anyEvent = false;
        try {
            while (true) {
                Object next = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (next == null) {  // time is up
                    Sandbox.kill(process);
                    String id = current != null ? current : remaining.get(0);
                    String note = current == null
                        ? "the JVM did not start grading within " + timeoutSeconds + " s"
                        : "stopped after " + timeoutSeconds + " s, the time limit of an exercise"
                          + (running != null ? ", in the test '" + running + "'" : "") + " (an endless loop or a deadlock?)";
                    settle(remaining, onResult, new Raw(id, Model.Outcome.TIMEOUT, current != null ? tests : List.of(), running, List.of(), "", note, seconds(startedAt)));
                    return;
                }
                if (next == EOF) {
                    int code = waitFor(process);
                    if (current != null) {
                        settle(remaining, onResult, new Raw(current, Model.Outcome.CRASHED, tests, running, List.of(), "", crashNote(code, running, tail), seconds(startedAt)));
                    } else if (!restartAsked && !remaining.isEmpty()) {
                        settle(remaining, onResult, anyEvent
                            ? new Raw(remaining.get(0), Model.Outcome.CRASHED, List.of(), null, List.of(), "", "before this exercise began, " + crashNote(code, null, tail), seconds(startedAt))
                            : error(remaining.get(0), "the grading JVM ended before it began (exit code " + code + ")" + tail.describe()));
                    }
                    return;
                }
                Protocol.Event e = (Protocol.Event) next;
                anyEvent = true;
                if (e.exercise() == null || !remaining.contains(e.exercise()) && !e.exercise().equals(current)) continue;
                switch (e.type()) {
                    case "start" -> {
                        current = e.exercise();
                        running = null;
                        tests = new ArrayList<>();
                        startedAt = System.nanoTime();
                        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
                    }
                    case "begin" -> running = e.testName();
                    case "test" -> {
                        if (e.test() != null) tests.add(e.test());
                        running = null;
                    }
                    case "reset" -> tests.clear();
                    case "done" -> {
                        if (!e.exercise().equals(current)) continue;
                        settle(remaining, onResult, new Raw(current, e.outcome(), tests, running, e.errors(), e.output(), e.note(), e.seconds(), e.linkage()));
                        current = null;
                        running = null;
                        restartAsked |= e.restart();
                        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
                    }
                    default -> { }
                }
            }
        } finally {
            if (process.isAlive()) Sandbox.kill(process);
            sandbox.sweep(uid);
        }
    }

    private static void settle(List<String> remaining, Consumer<Raw> onResult, Raw raw) {
        remaining.remove(raw.id());
        onResult.accept(raw);
    }

    static Raw error(String id, String note) {
        return new Raw(id, Model.Outcome.ERROR, List.of(), null, List.of(), "", note, 0);
    }

    private static String crashNote(int code, String running, Tail tail) {
        String during = running != null ? " during the test '" + running + "'" : "";
        String text = tail.text();
        String why;
        if (text.contains("OutOfMemoryError")) why = "the code ran out of memory" + during + " (the heap is capped for grading)";
        else if (text.contains("A fatal error has been detected")) why = "the JVM crashed" + during;
        else if (code > 128) why = "the JVM was killed by signal " + (code - 128) + during + (code == 137 ? " (out of memory?)" : "");
        else why = "the JVM stopped with exit code " + code + during + ": did the code call System.exit(" + code + ")?";
        return why + tail.describe();
    }

    private static int waitFor(Process p) throws InterruptedException {
        if (!p.waitFor(10, TimeUnit.SECONDS)) Sandbox.kill(p);
        return p.exitValue();
    }

    private static double seconds(long since) { return (System.nanoTime() - since) / 1e9; }

    /** Splits the child's output into lines (bounded), passing on events and keeping a tail of everything else. */
    private static void read(InputStream in, BlockingQueue<Object> events, Tail tail) {
        byte[] buf = new byte[65536];
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        boolean overlong = false;
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') continue;
                    if (!overlong) line.write(buf, from, i - from);
                    if (!overlong) lineDone(line.toString(StandardCharsets.UTF_8), events, tail);
                    line.reset();
                    overlong = false;
                    from = i + 1;
                }
                if (!overlong) line.write(buf, from, n - from);
                if (line.size() > 8_000_000) {  // far beyond any event: a flood without newlines
                    tail.add(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                    overlong = true;
                }
            }
            if (line.size() > 0 && !overlong) lineDone(line.toString(StandardCharsets.UTF_8), events, tail);
        } catch (IOException ignored) {
            // the child is gone
        }
    }

    private static void lineDone(String line, BlockingQueue<Object> events, Tail tail) {
        Protocol.Event e = Protocol.decode(line);
        if (e != null) events.add(e);
        else if (TIMING && line.startsWith("[timing]")) System.err.println(line);
        else if (!line.isEmpty()) tail.add(line + "\n");
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
