package kit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The live view of a run (--view): one page on a free loopback port that draws the services as boxes and each call
 * as an arrow, the pattern's state, the step and its narration. Events reach the page by server-sent events in
 * batches, every {@value #BATCH_MS} ms, so that a thousand calls a second cost the page a few dozen updates. A page
 * opened late gets what happened so far first. The page's Next button releases the same wait as Enter; with
 * --serve, its buttons apply the faults the lesson offers.
 *
 * It runs on the JDK's own HTTP server, not on Javalin: lessons without a service of their own then load no Jetty
 * for the view, which keeps its cost to a run within a few per cent.
 */
public final class View implements AutoCloseable {
    static final int BATCH_MS = 75;
    /** A page opened late gets at most this many past calls; every other event is kept. */
    private static final int PAST_CALLS = 2_000;

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Events.Stamped> pending = new ConcurrentLinkedQueue<>();
    private final List<String> past = new ArrayList<>();
    private int pastCalls;
    private final List<LinkedBlockingQueue<String>> pages = new CopyOnWriteArrayList<>();
    private final Path files;
    private final ScheduledExecutorService flusher;
    private final Consumer<Events.Stamped> sink = pending::add;

    private View(Runnable next, Consumer<String> fault) throws IOException {
        files = folder();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("view-", 0).factory()));
        server.createContext("/", this::file);
        server.createContext("/events", this::events);
        server.createContext("/next", ex -> post(ex, next::run));
        server.createContext("/fault", ex -> post(ex, () -> fault.accept(query(ex))));
        server.start();
        flusher = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("view-batches").unstarted(r));
        flusher.scheduleWithFixedDelay(this::flush, BATCH_MS, BATCH_MS, TimeUnit.MILLISECONDS);
        Events.subscribe(sink);
    }

    /** Starts the view; {@code next} is what the Next button does, {@code fault} what a fault's button does. */
    public static View start(Runnable next, Consumer<String> fault) {
        try {
            return new View(next, fault);
        } catch (IOException e) {
            throw new IllegalStateException("could not start the live view: " + e.getMessage(), e);
        }
    }

    public String url() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/"; }

    /** Sends what is left to the pages: the run is about to end. */
    void finish() { flush(); }

    /** Stops listening and serving (a lesson's view ends with its process; tests stop theirs). */
    @Override
    public void close() {
        Events.unsubscribe(sink);
        flusher.shutdownNow();
        server.stop(0);
    }

    private synchronized void flush() {
        if (pending.isEmpty()) return;
        StringBuilder batch = new StringBuilder("[");
        for (Events.Stamped s; (s = pending.poll()) != null; ) {
            String json = Events.json(s);
            if (batch.length() > 1) batch.append(',');
            batch.append(json);
            boolean call = s.event() instanceof Event.Exchange;
            if (!call || pastCalls++ < PAST_CALLS) past.add(json);
        }
        String message = "data: " + batch.append(']') + "\n\n";
        for (var page : pages) page.offer(message);
    }

    private void events(HttpExchange ex) throws IOException {
        var queue = new LinkedBlockingQueue<String>();
        synchronized (this) {
            queue.add("data: [" + String.join(",", past) + "]\n\n");
            pages.add(queue);
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            while (true) {
                String message = queue.poll(15, TimeUnit.SECONDS);
                out.write((message == null ? ": still here\n\n" : message).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException | InterruptedException gone) {
            // the page was closed
        } finally {
            pages.remove(queue);
        }
    }

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
        "css", "text/css; charset=utf-8");

    private void file(HttpExchange ex) throws IOException {
        String name = ex.getRequestURI().getPath().substring(1);
        if (name.isEmpty()) name = "view.html";
        String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
        Path file = files.resolve(name).normalize();
        if (type == null || !file.getParent().equals(files) || !Files.isRegularFile(file)) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        byte[] body = Files.readAllBytes(file);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void post(HttpExchange ex, Runnable action) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            ex.sendResponseHeaders(405, -1);
        } else {
            action.run();
            ex.sendResponseHeaders(204, -1);
        }
        ex.close();
    }

    private static String query(HttpExchange ex) {
        String q = ex.getRequestURI().getRawQuery();
        return q == null ? "" : URLDecoder.decode(q.startsWith("name=") ? q.substring(5) : q, StandardCharsets.UTF_8);
    }

    /** kit/view in the workbook, found from the working folder, or else from the lesson's own source (JBang says where). */
    private static Path folder() {
        try {
            return Course.root().resolve("kit").resolve("view");
        } catch (IllegalStateException outside) {
            String source = System.getProperty("jbang.source");
            if (source == null) throw outside;
            return Path.of(source).toAbsolutePath().getParent().resolve("../../kit/view").normalize();
        }
    }
}
