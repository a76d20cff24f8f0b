package site;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kit.Course;

/**
 * The view of a run, in the browser test's Chromium. Live: lesson 08 runs with --view --serve; the page shows its
 * services, Next moves the narrated run on step by step, a call's arrow appears within 500 ms of the call, the fault
 * buttons break and mend payments, and the breaker's state on the page turns OPEN when calls from outside (as curl
 * makes them) open it; Stop ends the lesson with exit code 0. Replay: every lesson page replays its run, and lesson
 * 12's replay steps through the saga, step by step, as its run printed it.
 */
final class ViewTest {
    private static final long ARROW_LIMIT_MS = 500;
    private static final Pattern VIEW_URL = Pattern.compile("The live view: (http://127\\.0\\.0\\.1:\\d+/)");
    private static final Pattern CHECKOUT_URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+)/checkout");

    private final BrowserTest browser;
    private final Path site;
    private final List<String> problems;

    ViewTest(BrowserTest browser, Path site, List<String> problems) {
        this.browser = browser;
        this.site = site;
        this.problems = problems;
    }

    // ---- live: lesson 08 with --view --serve ----

    void live() throws IOException, InterruptedException {
        Path root = Course.root();
        ProcessBuilder pb = new ProcessBuilder(Course.wrapper(root), "lessons/08-circuit-breaker/Lesson.java", "--view", "--serve")
            .directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("NO_COLOR", "1");
        Process lesson = pb.start();   // stdin stays open and silent: only the page moves the run on
        List<String> printed = new CopyOnWriteArrayList<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(lesson.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) printed.add(line);
            } catch (IOException ignored) {
                // the lesson ended
            }
        });
        try {
            String view = await(printed, VIEW_URL, 180);
            if (view == null) {
                problems.add("live view: lesson 08 --view printed no address within 180 s:\n" + String.join("\n", printed).indent(4));
                return;
            }
            browser.load(view, "live view of lesson 08");
            if (!until("root().dataset.waiting === 'step 1'", 10)) problems.add("live view: lesson 08 does not wait for Next before step 1");
            int clicks = 0;
            String waiting = "step 1";
            while (!waiting.equals("stop") && clicks < 20) {
                click(".wb-next");
                clicks++;
                String after = waiting;
                if (!until("root().dataset.waiting && root().dataset.waiting !== '" + after + "'", 120)) {
                    problems.add("live view: after Next at '" + after + "' the lesson did not reach its next wait within 120 s");
                    return;
                }
                waiting = browser.eval("root().dataset.waiting".replace("root()", ROOT)).asText();
                if (after.equals("step 1")) services();
            }
            System.out.println("site: browser: live view of lesson 08: Next started each of its " + clicks + " steps and --serve");

            String gateway = await(printed, CHECKOUT_URL, 5);
            JsonNode offered = browser.eval("Array.from(document.querySelectorAll('.wb-fault')).map(b => b.textContent)");
            if (!offered.toString().contains("payments: down") || !offered.toString().contains("payments: recovers")) {
                problems.add("live view: with --serve, lesson 08's fault buttons are " + offered + ", not 'payments: down' and 'payments: recovers'");
            }
            String before = state("breaker");
            clickFault("payments: recovers");
            if (!until("Array.from(document.querySelectorAll('.wb-lines li')).some(l => l.textContent.includes('(from the view) payments: recovers'))", 5)) {
                problems.add("live view: the button 'payments: recovers' did not reach the lesson");
            }
            List<Long> delays = new ArrayList<>();
            for (int i = 0; i < 5; i++) delays.add(arrowDelay(gateway));
            long worst = delays.stream().mapToLong(Long::longValue).max().orElse(-1);
            if (delays.contains(-1L) || worst > ARROW_LIMIT_MS) {
                problems.add("live view: a call's arrow appeared " + delays + " ms after the call, not within " + ARROW_LIMIT_MS + " ms");
            }
            System.out.println("site: browser: live view: an arrow appeared " + delays + " ms after each of 5 calls (limit " + ARROW_LIMIT_MS + " ms)");

            burst(gateway, 1000);

            clickFault("payments: down");
            if (!until("!!document.querySelector('.wb-box.broken[data-name=\"payments\"]')", 5)) {
                problems.add("live view: after 'payments: down' the payments box does not show the fault");
            }
            HttpClient http = HttpClient.newHttpClient();
            long opened = 0;
            for (int i = 0; i < 3; i++) {   // as curl would: from outside the page
                http.send(HttpRequest.newBuilder(URI.create(gateway + "/checkout")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
                opened = System.nanoTime();
            }
            boolean open = until("(document.querySelector('tr[data-what=\"breaker\"] td') || {}).textContent === 'OPEN'", 2);
            long shown = (System.nanoTime() - opened) / 1_000_000;
            if (!open || before.equals("OPEN")) {
                problems.add("live view: the breaker's state on the page went from " + before + " to " + state("breaker") + ", not to OPEN, after 3 failed checkouts");
            } else {
                System.out.println("site: browser: live view: the breaker's state went " + before + " -> OPEN on the page " + shown + " ms after the third failed checkout");
            }
            browser.viewport(1100, 620, false);   // the size of kit/view/live-view.png, in README.adoc
            browser.screenshot("view-live.png");
            browser.viewport(1280, 900, false);

            click(".wb-next");   // Stop
            if (!lesson.waitFor(20, TimeUnit.SECONDS)) problems.add("live view: Stop on the page did not end lesson 08 within 20 s");
            else if (lesson.exitValue() != 0) problems.add("live view: lesson 08 exited " + lesson.exitValue() + " after Stop:\n" + tail(printed));
        } finally {
            lesson.descendants().forEach(ProcessHandle::destroy);
            lesson.destroy();
        }
    }

    /**
     * {@code n} checkouts sent from outside as fast as the gateway takes them: every one reaches the page's count, and
     * the page keeps drawing meanwhile (its longest pause between two frames; a second or more is a freeze).
     */
    private void burst(String gateway, int n) throws InterruptedException {
        browser.eval("""
            (() => {
              window.wbGap = 0; window.wbBurst = true;
              let last = performance.now();
              (function frame() {
                const now = performance.now();
                window.wbGap = Math.max(window.wbGap, now - last);
                last = now;
                if (window.wbBurst) requestAnimationFrame(frame);
              })();
            })()""");
        String count = "Number(document.querySelector('.wb-arrow[data-from=\"client\"][data-to=\"gateway\"]').dataset.count)";
        int before = browser.eval(count).asInt();
        HttpClient http = HttpClient.newHttpClient();
        var request = HttpRequest.newBuilder(URI.create(gateway + "/checkout")).POST(HttpRequest.BodyPublishers.noBody()).build();
        var inFlight = new Semaphore(8);
        long start = System.nanoTime();
        try (var customers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                inFlight.acquire();
                customers.submit(() -> {
                    try {
                        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    } finally {
                        inFlight.release();
                    }
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        boolean all = until(count + " >= " + (before + n), 10);
        long gap = Math.round(browser.eval("window.wbBurst = false, window.wbGap").asDouble());
        int counted = browser.eval(count).asInt() - before;
        if (!all) problems.add("live view: " + n + " checkouts in a burst, the page counted " + counted);
        if (gap >= 1000) problems.add("live view: during " + n + " checkouts in a burst the page drew no frame for " + gap + " ms");
        System.out.printf("site: browser: live view: %d checkouts in %.1f s (%.0f a second, each with its call to payments): the page counted %d, "
            + "its longest pause between frames %d ms%n", n, seconds, n / seconds, counted, gap);

        // Faster than this machine's lesson can call: 1,000 calls a second for 3 s, in the batches the lesson sends
        // (every 75 ms), straight into the page.
        JsonNode fed = browser.eval("""
            new Promise(done => {
              const r = document.querySelector('[data-view]');
              const arrow = () => Number(r.querySelector('.wb-arrow[data-from="client"][data-to="gateway"]').dataset.count);
              const before = arrow();
              let gap = 0, last = performance.now(), sent = 0, stop = false;
              (function frame() { const now = performance.now(); gap = Math.max(gap, now - last); last = now; if (!stop) requestAnimationFrame(frame); })();
              const timer = setInterval(() => {
                const batch = [];
                for (let i = 0; i < 75; i++, sent++) batch.push({ type: 'Exchange', from: 'client', to: 'gateway', method: 'POST', path: '/checkout', status: 201, millis: 3, fault: false });
                r.wbApply(batch);
                if (sent >= 3000) {
                  clearInterval(timer);
                  setTimeout(() => { stop = true; done({ counted: arrow() - before, gap: Math.round(gap) }); }, 200);
                }
              }, 75);
            })""");
        int fedCount = fed.path("counted").asInt();
        long fedGap = fed.path("gap").asLong();
        if (fedCount != 3000 || fedGap >= 1000) {
            problems.add("live view: 1,000 calls a second for 3 s: the page counted " + fedCount + " of 3000, longest pause between frames " + fedGap + " ms");
        }
        System.out.println("site: browser: live view: 1,000 calls a second for 3 s fed to the page in 75 ms batches: counted " + fedCount
            + ", longest pause between frames " + fedGap + " ms");
    }

    private void services() {
        for (String box : List.of("gateway", "payments", "client")) {
            if (!until("!!document.querySelector('.wb-box[data-name=\"" + box + "\"]')", 5)) problems.add("live view: no box for " + box + " after step 1");
        }
        for (String arrow : List.of("client\"][data-to=\"gateway", "gateway\"][data-to=\"payments")) {
            if (!until("!!document.querySelector('.wb-arrow[data-from=\"" + arrow + "\"]')", 5)) {
                problems.add("live view: no arrow " + arrow.replace("\"][data-to=\"", " -> ") + " after step 1");
            }
        }
    }

    /** Milliseconds from a call made in the page to its arrow on the page, or -1 when none came within 5 s. */
    private long arrowDelay(String gateway) {
        return browser.eval("""
            new Promise(done => {
              const arrow = () => document.querySelector('.wb-arrow[data-from="client"][data-to="gateway"]');
              const before = Number(arrow().dataset.count);
              const start = performance.now();
              fetch('%s/checkout', { method: 'POST', mode: 'no-cors' });
              (function poll() {
                if (Number(arrow().dataset.count) > before) done(Math.round(performance.now() - start));
                else if (performance.now() - start > 5000) done(-1);
                else setTimeout(poll, 2);
              })();
            })""".formatted(gateway)).asLong();
    }

    // ---- replay: on every lesson page; lesson 12's saga step by step ----

    void replays(List<String> lessonPages) {
        List<String> without = new ArrayList<>();
        for (String page : lessonPages) {
            browser.load(site.resolve(page).toUri().toString(), page + " (replay)");
            int boxes = browser.eval("""
                (() => {
                  const r = document.querySelector('[data-view="replay"]');
                  if (!r) return -1;
                  r.querySelector('.wb-next').click();
                  return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(r.querySelectorAll('.wb-box').length))));
                })()""").asInt();
            if (boxes < 2) without.add(page + (boxes < 0 ? " (no replay)" : " (" + boxes + " boxes after step 1)"));
        }
        if (!without.isEmpty()) problems.add("replay: " + without.size() + " lesson page(s) replay no services: " + without);
        else System.out.println("site: browser: replay: all " + lessonPages.size() + " lesson pages replay their run, services drawn from step 1");

        String page = "12-saga.html";
        browser.load(site.resolve(page).toUri().toString(), page + " (replay)");
        JsonNode titles = browser.eval("Array.from(document.querySelectorAll('.steps > .step > h3')).map(h => h.textContent)");
        List<String> seen = new ArrayList<>();
        List<String> sagaStates = new ArrayList<>();
        for (int i = 0; i < titles.size(); i++) {
            JsonNode at = browser.eval("""
                (() => {
                  const r = document.querySelector('[data-view="replay"]');
                  r.querySelector('.wb-next').click();
                  return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done({
                    step: r.querySelector('.wb-step').textContent,
                    saga: Array.from(r.querySelectorAll('tr[data-what^="saga "]')).map(t => t.dataset.what + ': ' + t.querySelector('td').textContent)
                  }))));
                })()""");
            seen.add(at.path("step").asText());
            at.path("saga").forEach(s -> sagaStates.add(s.asText()));
            if (i == 1) {
                browser.eval("document.querySelector('[data-view]').scrollIntoView()");
                browser.screenshot("view-replay.png");
            }
        }
        List<String> want = new ArrayList<>();
        titles.forEach(t -> want.add(t.asText()));
        boolean same = seen.size() == want.size();
        for (int i = 0; same && i < seen.size(); i++) same = seen.get(i).startsWith(want.get(i));   // the last adds the checks
        if (!same) problems.add("replay of lesson 12: Next step showed " + seen + ", not the run's steps " + want);
        else if (sagaStates.isEmpty()) problems.add("replay of lesson 12: no saga's state shown in any step");
        else System.out.println("site: browser: replay of lesson 12: Next step went through its " + seen.size() + " steps; the saga's state on the way, e.g. " + sagaStates.getFirst());
    }

    // ---- helpers ----

    private static final String ROOT = "document.querySelector('[data-view]')";

    private void click(String selector) {
        browser.eval(ROOT + ".querySelector('" + selector + "').click()");
    }

    private void clickFault(String name) {
        browser.eval("Array.from(document.querySelectorAll('.wb-fault')).find(b => b.textContent === '" + name + "').click()");
    }

    private String state(String what) {
        return browser.eval("(document.querySelector('tr[data-what=\"" + what + "\"] td') || {}).textContent || ''").asText();
    }

    /** Polls a condition in the page (root() is the view) until it holds, for at most {@code seconds}. */
    private boolean until(String condition, int seconds) {
        for (int left = seconds; left > 0; left -= 30) {   // a DevTools call waits 60 s at most
            if (poll(condition, Math.min(30, left))) return true;
        }
        return false;
    }

    private boolean poll(String condition, int seconds) {
        String js = condition.replace("root()", ROOT);
        return browser.eval("""
            new Promise(done => {
              const start = Date.now();
              (function poll() {
                let ok = false;
                try { ok = !!(%s); } catch (e) { ok = false; }
                if (ok || Date.now() - start > %d) done(ok); else setTimeout(poll, 10);
              })();
            })""".formatted(js, seconds * 1000)).asBoolean();
    }

    private static String await(List<String> printed, Pattern pattern, int seconds) throws InterruptedException {
        for (int i = 0; i < seconds * 10; i++) {
            for (String line : printed) {
                Matcher m = pattern.matcher(line);
                if (m.find()) return m.group(1);
            }
            Thread.sleep(100);
        }
        return null;
    }

    private static String tail(List<String> printed) {
        return String.join("\n", printed.subList(Math.max(0, printed.size() - 12), printed.size())).indent(4);
    }
}
