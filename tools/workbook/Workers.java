package workbook;

import engine.UserError;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The worker processes of watch (see WatchWorkerCommand): the one that checks, and a spare started ahead, so that
 * when a worker must be ended (a save during its check, a test that hangs) the next check does not wait for a JVM
 * to start. Each worker is this JVM's own command line with "watch-worker PORT" instead of "watch".
 */
final class Workers implements AutoCloseable {
    /** One worker: its process, and the line to it. */
    final class Worker {
        final Process process;
        private PrintWriter requests;

        private Worker(Process process) { this.process = process; }

        void send(String request) { requests.println(request); }

        void end() { process.destroyForcibly(); }
    }

    private final ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    private final Path root;
    private final BiConsumer<Worker, String> onVerdict;
    /** A worker's connection, with the reader that has already read its first line (its pid). */
    private record Connection(Socket socket, BufferedReader verdicts) {}

    private final Map<Long, CompletableFuture<Connection>> connecting = new ConcurrentHashMap<>();
    private CompletableFuture<Worker> spare;

    /** @param onVerdict told each verdict a worker gives, and "died" when one ends by itself (System.exit in a test) */
    Workers(Path root, BiConsumer<Worker, String> onVerdict) throws IOException {
        this.root = root;
        this.onVerdict = onVerdict;
        Thread.ofPlatform().daemon().name("watch-workers").start(this::acceptForever);
        spare = start();
    }

    /** A worker ready for requests (the spare), with a new spare starting behind it. */
    Worker take() {
        Worker worker = spare.join();
        spare = start();
        return worker;
    }

    boolean spareReady() { return spare.isDone(); }

    private CompletableFuture<Worker> start() {
        try {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());   // the same heap, GC and start-up cache
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass(), "watch-worker", Integer.toString(server.getLocalPort())));
            Process process = new ProcessBuilder(command).directory(root.toFile()).inheritIO().start();
            Worker worker = new Worker(process);
            var connected = connecting.computeIfAbsent(process.pid(), pid -> new CompletableFuture<>());
            return connected.thenApply(connection -> listen(worker, connection));
        } catch (IOException e) {
            throw new UserError("watch could not start a process for its checks: " + e.getMessage(), 1);
        }
    }

    private Worker listen(Worker worker, Connection connection) {
        try {
            worker.requests = new PrintWriter(new OutputStreamWriter(connection.socket().getOutputStream(), StandardCharsets.UTF_8), true);
            var verdicts = connection.verdicts();
            Thread.ofPlatform().daemon().name("watch-verdicts").start(() -> {
                try {
                    for (String verdict; (verdict = verdicts.readLine()) != null; ) onVerdict.accept(worker, verdict);
                } catch (IOException ended) {
                    // the worker was ended
                }
                onVerdict.accept(worker, "died");
            });
            return worker;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each worker says its pid first; that is how a connection finds the worker that made it. */
    private void acceptForever() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                var verdicts = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                String pid = verdicts.readLine();
                if (pid != null) connecting.computeIfAbsent(Long.parseLong(pid.strip()), p -> new CompletableFuture<>()).complete(new Connection(socket, verdicts));
            } catch (IOException | NumberFormatException e) {
                // closed, or not one of ours: go on
            }
        }
    }

    /** The class JBang runs: the first word of the JVM's command (the JDK's own "sun.java.command"). */
    private static String mainClass() {
        return System.getProperty("sun.java.command", "Workbook").split(" ")[0];
    }

    @Override
    public void close() throws IOException {
        server.close();
        if (spare.isDone() && !spare.isCompletedExceptionally()) spare.join().end();
        ProcessHandle.current().children().forEach(ProcessHandle::destroyForcibly);
    }
}
