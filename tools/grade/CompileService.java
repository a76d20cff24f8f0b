package grade;

import engine.Folders;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The parent's side of the compile server: hands it one compilation at a time and waits for the answer, within
 * a time limit. A server that goes past it (javac stuck on absurd code) or dies is stopped and started afresh;
 * the compilation it was on is reported as not compiled, with the reason.
 */
final class CompileService implements AutoCloseable {
    /** What a compilation gave. */
    sealed interface Result permits Compiled, Failed {}

    record Compiled(Path classes, List<String> testClasses, List<String> testOrder) implements Result {}

    record Failed(List<String> errors) implements Result {}

    private final Sandbox sandbox;
    private final Path dir;
    private final Sandbox.Tenant tenant;
    private final int timeoutSeconds;
    private Process process;
    private OutputStream requests;
    private BlockingQueue<CompileServerMain.Response> answers;
    private long next;
    private Supervisor.Tail said = new Supervisor.Tail();
    /** What the reader passes on when the server's output ends. */
    private static final CompileServerMain.Response GONE = new CompileServerMain.Response(-1, false, null, List.of(), List.of(), List.of());

    /** @param dir the server's own folder: its cache, and the sources staged for it */
    CompileService(Sandbox sandbox, Path dir, Sandbox.Tenant tenant, int timeoutSeconds) throws IOException {
        this.sandbox = sandbox;
        this.dir = dir;
        this.tenant = tenant;
        this.timeoutSeconds = timeoutSeconds;
        Files.createDirectories(dir.resolve("cache"));
        Files.createDirectories(dir.resolve("src"));
        Files.createDirectories(dir.resolve("tmp"));
        sandbox.giveTo(dir, tenant);
    }

    /** A folder the server can read, for one student's (or the reference's) copy of the files to compile. */
    Path stagingFolder(String name) throws IOException {
        Path p = Files.createDirectories(dir.resolve("src").resolve(name));
        sandbox.giveTo(p, tenant);
        return p;
    }

    /** Deletes the copies of a student's files staged for the server (under {@code src/SLOT}), once they are graded. */
    void forget(String slot) {
        Folders.deleteTree(dir.resolve("src").resolve(slot));
    }

    /** Copies the files into the server's staging folder (it cannot read the students' own) and compiles them. */
    synchronized Result compile(String label, Map<String, Path> files, Path staging) throws IOException, InterruptedException {
        Map<String, String> paths = new LinkedHashMap<>();
        for (var f : files.entrySet()) {
            Path copy = staging.resolve(f.getKey());
            Files.createDirectories(copy.getParent());
            if (!f.getValue().equals(copy)) Files.copy(f.getValue(), copy, StandardCopyOption.REPLACE_EXISTING);
            paths.put(f.getKey(), copy.toString());
        }
        sandbox.giveTo(staging, tenant);
        if (process == null || !process.isAlive()) start();
        long id = ++next;
        try {
            requests.write((Protocol.JSON.writeValueAsString(new CompileServerMain.Request(id, label, paths)) + "\n").getBytes(StandardCharsets.UTF_8));
            requests.flush();
        } catch (IOException e) {
            stop();
            return new Failed(List.of("the compile server stopped (" + e.getMessage() + "); compile again to retry"));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            CompileServerMain.Response r = answers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (r == null || r == GONE) {
                boolean died = r == GONE || !process.isAlive();
                stop();
                return new Failed(List.of(died ? "javac stopped (out of memory?) while compiling this code" + said.describe()
                    : "javac did not finish compiling this code within " + timeoutSeconds + " s"));
            }
            if (r.id() != id) continue;
            return r.ok() ? new Compiled(Path.of(r.classes()), r.testClasses(), r.testOrder()) : new Failed(r.errors());
        }
    }

    private void start() throws IOException {
        // Long-lived, so the full JIT pays off; no archive (it was recorded for the test runners).
        ProcessBuilder pb = sandbox.command(tenant, dir, CompileServerMain.class.getName(), List.of("-Xmx1g", "-XX:+UseSerialGC", "-Xss8m"),
            List.of(dir.resolve("cache").toString(), dir.resolve("src").toString()));
        process = pb.redirectErrorStream(true).start();
        requests = process.getOutputStream();
        answers = new LinkedBlockingQueue<>();
        said = new Supervisor.Tail();
        Supervisor.Tail tail = said;
        BlockingQueue<CompileServerMain.Response> mine = answers;
        Process p = process;
        Thread.ofPlatform().daemon().name("compile-server-reader").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    int at = line.indexOf(Protocol.MARKER);
                    if (at < 0 && line.startsWith("[timing]") && System.getenv("GRADE_TIMING") != null) System.err.println(line);
                    if (at < 0) {
                        tail.add(line + "\n");  // the JVM's own messages, should it not start
                        continue;
                    }
                    mine.add(Protocol.JSON.readValue(line.substring(at + Protocol.MARKER.length()), CompileServerMain.Response.class));
                }
            } catch (IOException ignored) {
                // the server is gone
            }
            mine.add(GONE);  // the waiting side need not wait out its time limit
        });
    }

    private void stop() {
        if (process != null) Sandbox.kill(process);
        process = null;
    }

    @Override
    public synchronized void close() {
        if (process != null && System.getenv("GRADE_TIMING") != null) {
            System.err.println("[timing] compile server: " + process.info().totalCpuDuration().map(d -> d.toMillis() + " ms cpu").orElse("?"));
        }
        if (process != null) {
            try {
                requests.close();
                if (!process.waitFor(5, TimeUnit.SECONDS)) stop();
            } catch (IOException | InterruptedException e) {
                stop();
            }
        }
        process = null;
    }
}
