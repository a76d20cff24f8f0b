package site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import engine.Folders;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kit.Course;

/**
 * Reads the built site the way a reader does, in Debian's Chromium, headless: every page loads from file:// with
 * no console error, no uncaught exception and no failed request; the search finds "circuit breaker"; the site
 * works from a sub-path over HTTP as on a GitHub Pages project site; every page holds its layout at 1280 px and on
 * a 390 px phone, light and dark, and has what a reader needs of it: a lesson's run step by step with a diagram
 * drawn from it, links to the lessons it names, copy buttons that copy (tools/site/layout-checks.js); and
 * screenshots land in DIR/screenshots.
 */
public final class BrowserTest {
    private static final String SUB_PATH = "/microservices-patterns-workbook/";
    private static final String QUERY = "circuit breaker";

    private final Path site;
    private final List<String> problems = new ArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();
    private Cdp cdp;
    private String session;

    private final boolean viewOnly;

    public BrowserTest(Path site, boolean viewOnly) {
        this.site = site;
        this.viewOnly = viewOnly;
    }

    /** The view of a run: replayed on every lesson page, and live with lesson 08 (see ViewTest). */
    private void views(List<String> pages) throws IOException, InterruptedException {
        ViewTest views = new ViewTest(this, site, problems);
        views.replays(pages.stream().filter(p -> p.matches("\\d\\d-.*\\.html")).toList());
        views.live();
    }

    /** The Chromium to use: $CHROMIUM, else chromium (Debian), chromium-browser or google-chrome on the PATH. */
    public static Path chromium() {
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) return Path.of(env);
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return p;
            }
        }
        return null;
    }

    /** 0 when every check held, 1 when one did not, 3 when there is no Chromium to test with. */
    public int run() throws IOException, InterruptedException {
        Path chromium = chromium();
        if (chromium == null) {
            System.out.println("site: browser test skipped: no Chromium found (install it: apt-get install chromium)");
            return 3;
        }
        long start = System.nanoTime();
        Path profile = Files.createTempDirectory("site-chromium-");
        Process browser = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--hide-scrollbars", "about:blank")
            .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try {
            cdp = Cdp.connect(devtools(profile, browser));
            String target = cdp.call(null, "Target.createTarget", Cdp.params().put("url", "about:blank")).path("targetId").asText();
            session = cdp.call(null, "Target.attachToTarget", Cdp.params().put("targetId", target).put("flatten", true)).path("sessionId").asText();
            cdp.onEvent(this::event);
            for (String domain : List.of("Page", "Runtime", "Log")) cdp.call(session, domain + ".enable", null);
            viewport(1280, 900, false);

            List<String> pages = pages();
            if (viewOnly) views(pages);
            else pages(pages);
        } catch (RuntimeException e) {
            problems.add("the browser test stopped: " + e.getMessage());
        } finally {
            if (cdp != null) cdp.close();
            browser.descendants().forEach(ProcessHandle::destroy);
            browser.destroy();
            if (!browser.waitFor(5, TimeUnit.SECONDS)) browser.destroyForcibly();
            Folders.deleteTree(profile);
        }
        if (problems.isEmpty()) {
            System.out.printf("site: browser test passed in %.1f s (Chromium at %s)%n", (System.nanoTime() - start) / 1e9, chromium);
            return 0;
        }
        System.out.println("site: browser test failed:");
        problems.forEach(p -> System.out.println("  " + p));
        return 1;
    }

    /** Every page, as a reader sees it, then the search, the sub-path and the view of a run. */
    private void pages(List<String> pages) throws IOException, InterruptedException {
        HttpServer server = null;
        try {
            for (String page : pages) {
                load(site.resolve(page).toUri().toString(), page);
                layout(page + " at 1280 px");
            }
            System.out.println("site: browser: " + pages.size() + " pages loaded from file://, their layout checked at 1280 px");
            viewport(390, 844, true);
            for (String page : pages) {
                load(site.resolve(page).toUri().toString(), page + " on a phone");
                layout(page + " on a phone (390 px)");
            }
            viewport(1280, 900, false);
            cdp.call(session, "Emulation.setEmulatedMedia", darkMode());
            for (String page : pages) {
                load(site.resolve(page).toUri().toString(), page + " (dark)");
                layout(page + " at 1280 px, dark");
            }
            cdp.call(session, "Emulation.setEmulatedMedia", Cdp.params().set("features", Cdp.JSON.createArrayNode()));
            System.out.println("site: browser: the same pages checked on a 390 px phone and in dark mode");
            searchFinds();
            screenshots(pages);
            server = serve();
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + SUB_PATH;
            for (String page : List.of("index.html", firstLesson(pages), "search.html?q=circuit%20breaker")) {
                load(base + page, "sub-path " + SUB_PATH + page);
            }
            System.out.println("site: browser: the site works under the sub-path " + SUB_PATH);
        } finally {
            if (server != null) server.stop(0);
        }
        views(pages);
    }

    private URI devtools(Path profile, Process browser) throws IOException, InterruptedException {
        Path port = profile.resolve("DevToolsActivePort");
        for (int i = 0; i < 300; i++) {
            if (Files.isRegularFile(port)) {
                List<String> lines = Files.readAllLines(port);
                if (lines.size() >= 2) return URI.create("ws://127.0.0.1:" + lines.get(0).strip() + lines.get(1).strip());
            }
            if (!browser.isAlive()) break;
            Thread.sleep(100);
        }
        String log = Files.exists(profile.resolve("chromium.log")) ? Files.readString(profile.resolve("chromium.log")) : "";
        throw new IllegalStateException("Chromium did not open its DevTools port within 30 s" + (log.isBlank() ? "" : ":\n" + log.strip()));
    }

    private void event(JsonNode msg) {
        if (!session.equals(msg.path("sessionId").asText())) return;
        JsonNode p = msg.path("params");
        switch (msg.path("method").asText()) {
            case "Page.loadEventFired" -> loaded.complete(null);
            case "Runtime.exceptionThrown" -> errors.add("uncaught: " + p.path("exceptionDetails").path("exception").path("description").asText(
                p.path("exceptionDetails").path("text").asText()));
            case "Runtime.consoleAPICalled" -> {
                String type = p.path("type").asText();
                if (type.equals("error") || type.equals("assert")) {
                    StringBuilder sb = new StringBuilder("console." + type + ":");
                    p.path("args").forEach(a -> sb.append(' ').append(a.path("value").asText(a.path("description").asText())));
                    errors.add(sb.toString());
                }
            }
            case "Log.entryAdded" -> {
                JsonNode e = p.path("entry");
                if (e.path("level").asText().equals("error")) errors.add(e.path("source").asText() + ": " + e.path("text").asText() + " " + e.path("url").asText(""));
            }
            default -> { }
        }
    }

    /** Loads a page, waits for its load event and a moment more, and notes every error it logged. */
    void load(String url, String name) {
        errors.clear();
        loaded = new CompletableFuture<>();
        JsonNode nav = cdp.call(session, "Page.navigate", Cdp.params().put("url", url));
        if (nav.hasNonNull("errorText") && !nav.path("errorText").asText().isEmpty()) {
            problems.add(name + ": " + nav.path("errorText").asText());
            return;
        }
        try {
            loaded.get(30, TimeUnit.SECONDS);
            Thread.sleep(150);   // late script errors and failed loads still arrive
        } catch (Exception e) {
            problems.add(name + ": no load event within 30 s");
            return;
        }
        String h1 = eval("(document.querySelector('main h1') || {}).textContent || ''").asText();
        if (h1.isBlank()) problems.add(name + ": no heading: the page did not render");
        errors.forEach(e -> problems.add(name + ": " + e));
    }

    /**
     * What a reader would see go wrong in the page just loaded (tools/site/layout-checks.js): sideways scrolling,
     * anything wider than the text column, code blocks narrower than it, a cramped search page, headings out of
     * order, text under 4.5:1 contrast.
     */
    private void layout(String name) {
        eval(LAYOUT_CHECKS).forEach(problem -> problems.add(name + ": " + problem.asText()));
    }

    private static final String LAYOUT_CHECKS = readChecks();

    private static String readChecks() {
        try {
            return Files.readString(Course.root().resolve("tools").resolve("site").resolve("layout-checks.js"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode eval(String expression) {
        JsonNode r = cdp.call(session, "Runtime.evaluate", Cdp.params().put("expression", expression).put("returnByValue", true).put("awaitPromise", true));
        if (r.has("exceptionDetails")) throw new IllegalStateException("script failed: " + r.path("exceptionDetails").path("text").asText() + " in " + expression);
        return r.path("result").path("value");
    }

    private void searchFinds() {
        load(site.resolve("index.html").toUri().toString(), "index.html (search)");
        JsonNode found = eval("""
            (() => {
              const input = document.getElementById('search-input');
              input.focus();
              input.value = '%s';
              input.dispatchEvent(new Event('input'));
              // the page loads its search index on the first search: wait for the results (at most 5 s)
              return new Promise(done => {
                const started = Date.now();
                (function poll() {
                  const found = Array.from(document.querySelectorAll('#search-results a.result'));
                  if (found.length || Date.now() - started > 5000) done(found.map(a => a.textContent + ' -> ' + a.getAttribute('href')));
                  else setTimeout(poll, 20);
                })();
              });
            })()""".formatted(QUERY));
        List<String> results = new ArrayList<>();
        found.forEach(r -> results.add(r.asText()));
        if (results.isEmpty() || !results.getFirst().toLowerCase().contains(QUERY)) {
            problems.add("search: typing '" + QUERY + "' found " + (results.isEmpty() ? "nothing" : "first: " + results.getFirst()));
        } else {
            System.out.println("site: browser: the search finds '" + QUERY + "': " + results.size() + " results, first " + results.getFirst().replaceAll("\\s+", " "));
        }
        screenshot("search.png");
        load(site.resolve("search.html").toUri() + "?q=" + QUERY.replace(" ", "%20"), "search.html?q=" + QUERY);
        int all = eval("""
            new Promise(done => {
              const started = Date.now();
              (function poll() {
                const n = document.querySelectorAll('#search-page a.result').length;
                if (n || Date.now() - started > 5000) done(n); else setTimeout(poll, 20);
              })();
            })""").asInt();
        if (all == 0) problems.add("search.html?q=" + QUERY + " lists no result");
        layout("search.html?q=" + QUERY);
    }

    private void screenshots(List<String> pages) {
        load(site.resolve("index.html").toUri().toString(), "index.html");
        screenshot("home.png");
        String lesson = firstLesson(pages);
        load(site.resolve(lesson).toUri().toString(), lesson);
        screenshot("lesson.png");
        eval("document.getElementById('run') ? document.getElementById('run').scrollIntoView() : 0");
        screenshot("lesson-transcript.png");
        eval("document.querySelector('figure.run-diagram') ? document.querySelector('figure.run-diagram').scrollIntoView() : 0");
        screenshot("run-diagram.png");
        cdp.call(session, "Emulation.setEmulatedMedia", darkMode());
        load(site.resolve(lesson).toUri().toString(), lesson + " (dark)");
        screenshot("lesson-dark.png");
        eval("document.querySelector('figure.run-diagram') ? document.querySelector('figure.run-diagram').scrollIntoView() : 0");
        screenshot("run-diagram-dark.png");
        load(site.resolve("patterns.html").toUri().toString(), "patterns.html (dark)");
        eval("document.querySelector('figure.diagram') ? document.querySelector('figure.diagram').scrollIntoView() : 0");
        screenshot("diagram-dark.png");
        cdp.call(session, "Emulation.setEmulatedMedia", Cdp.params().set("features", Cdp.JSON.createArrayNode()));
        viewport(390, 844, true);
        load(site.resolve(lesson).toUri().toString(), lesson + " (phone)");
        int overflow = eval("document.documentElement.scrollWidth - window.innerWidth").asInt();
        if (overflow > 1) problems.add(lesson + " on a phone: the page is " + overflow + " px wider than the screen");
        screenshot("lesson-phone.png");
        viewport(1280, 900, false);
        System.out.println("site: browser: screenshots in " + site.resolve("screenshots"));
    }

    private static ObjectNode darkMode() {
        ObjectNode p = Cdp.params();
        p.putArray("features").addObject().put("name", "prefers-color-scheme").put("value", "dark");
        return p;
    }

    void viewport(int width, int height, boolean mobile) {
        cdp.call(session, "Emulation.setDeviceMetricsOverride", Cdp.params().put("width", width).put("height", height)
            .put("deviceScaleFactor", 1).put("mobile", mobile));
    }

    void screenshot(String name) {
        try {
            String png = cdp.call(session, "Page.captureScreenshot", Cdp.params().put("format", "png")).path("data").asText();
            Path dir = Files.createDirectories(site.resolve("screenshots"));
            Files.write(dir.resolve(name), Base64.getDecoder().decode(png));
        } catch (IOException e) {
            problems.add("cannot write screenshot " + name + ": " + e.getMessage());
        }
    }

    private List<String> pages() throws IOException {
        try (Stream<Path> files = Files.list(site)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".html"))
                .sorted(Comparator.comparing((String n) -> !n.equals("index.html")).thenComparing(n -> n)).toList();
        }
    }

    private static String firstLesson(List<String> pages) {
        return pages.stream().filter(p -> p.matches("\\d\\d-.*\\.html")).findFirst().orElse("index.html");
    }

    /** The site under a sub-path, as GitHub Pages serves a project site. */
    private HttpServer serve() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            Path file = path.startsWith(SUB_PATH) ? site.resolve(path.substring(SUB_PATH.length())).normalize() : null;
            if (file != null && Files.isDirectory(file)) file = file.resolve("index.html");
            if (file == null || !file.startsWith(site) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            String name = file.getFileName().toString();
            String type = name.endsWith(".html") ? "text/html; charset=utf-8" : name.endsWith(".css") ? "text/css" : name.endsWith(".js")
                ? "text/javascript" : name.endsWith(".svg") ? "image/svg+xml" : name.endsWith(".png") ? "image/png" : "application/octet-stream";
            byte[] body = Files.readAllBytes(file);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        return server;
    }
}
