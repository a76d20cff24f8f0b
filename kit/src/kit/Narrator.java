package kit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.JavalinConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Tells a lesson's story: a title, numbered steps, the requests the peers saw, the pattern's state, and the
 * checks that prove the scenario behaved as the text says. It pauses between steps on a terminal, runs straight
 * through with --no-pause or when stdin is not a terminal, keeps the system up with --serve, and ends the
 * process with exit code 0 only when every check held.
 */
public final class Narrator {
    static {
        // Libraries log at INFO by default; a lesson's output is the narration, so only warnings get through.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    /** The command-line flags every lesson accepts. */
    @Command(name = "lesson", mixinStandardHelpOptions = true,
             description = "Runs the lesson's story with real HTTP against simulated peers.")
    static final class Flags implements Callable<Integer> {
        @Option(names = "--no-pause", description = "Run straight through without waiting for Enter.")
        boolean noPause;

        @Option(names = "--serve", description = "Keep the system up at the end and print URLs to try with curl.")
        boolean serve;

        @Option(names = "--mine", description = "Use your own exercise code in the scenario, where the lesson supports it.")
        boolean mine;

        @Option(names = "--view", description = "Watch the run in a browser: the services, every call, the pattern's state; "
            + "Next on the page moves on as Enter does.")
        boolean view;

        @Option(names = "--record", paramLabel = "FILE", description = "Write what happens (the events the view draws) to FILE, one JSON object a line.")
        Path record;

        @Override public Integer call() { return 0; }
    }

    private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    private final Flags flags;
    private final boolean pausing;
    private final List<String> failedChecks = new ArrayList<>();
    private int steps;
    private int checks;
    private String indent = "  ";

    private final String lessonId;
    /** The live view (--view), or null. */
    private View view;
    /** What --record writes at the end, or null. */
    private Queue<Events.Stamped> recording;
    /** The faults the view offers with --serve, by name ("payments: down"). */
    private final Map<String, Runnable> faults = new ConcurrentHashMap<>();
    /** Released by Enter or by the view's Next button. */
    private volatile CompletableFuture<Void> next;

    private Narrator(Flags flags, String lessonId) {
        this.flags = flags;
        this.lessonId = lessonId;
        // With --view the page can answer as well: its Next button moves on as Enter does.
        this.pausing = !flags.noPause && (flags.view || Terminal.interactive());
    }

    /** Reads the flags and prints the lesson's title. Bad flags end the process with one line and exit code 2. */
    public static Narrator begin(String lessonId, String[] args) {
        String id = Course.find(lessonId).orElseThrow().id();
        Flags flags = new Flags();
        CommandLine cli = new CommandLine(flags);
        try {
            var parsed = cli.parseArgs(args);
            if (CommandLine.printHelpIfRequested(parsed)) System.exit(0);
        } catch (CommandLine.ParameterException e) {
            System.err.println(lessonId + ": " + e.getMessage() + " (try --help)");
            System.exit(2);
        }
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            System.err.println("The lesson stopped with an error: " + e);
            Runtime.getRuntime().halt(1);
        });
        Narrator narrator = new Narrator(flags, id);
        if (flags.record != null) narrator.recordTo(flags.record);
        if (flags.view) narrator.view = View.start(narrator::moveOn, narrator::applyFault);
        Course.Lesson lesson = Course.find(id).orElseThrow();
        Events.publish(new Event.Lesson(lesson.number2(), lesson.title()));
        narrator.out.println();
        narrator.out.println(Style.bold("Lesson " + lesson.number2() + " · " + lesson.title()));
        narrator.out.println(Style.dim("Part " + lesson.part().title.substring(5) + " · level " + lesson.level()
            + (narrator.pausing ? " · Enter moves to the next step" : "")));
        if (flags.view) narrator.openView();
        return narrator;
    }

    private void recordTo(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder) || Files.isDirectory(file)) {
            System.err.println(lessonId + ": --record " + file + ": " + (Files.isDirectory(file) ? "is a folder" : "no folder " + folder));
            System.exit(2);
        }
        recording = new ConcurrentLinkedQueue<>();
        Events.subscribe(recording::add);
    }

    private void openView() {
        out.println(Style.dim("The live view: ") + view.url() + Style.dim(pausing ? " (its Next button moves on as Enter does)" : ""));
        Thread.ofPlatform().daemon().name("enter").start(() -> {
            try {
                while (STDIN.readLine() != null) moveOn();
            } catch (IOException closed) {
                // the page's Next button still works
            }
        });
        if (pausing) {
            out.print(Style.dim("  [Enter] or Next on the page: step 1 "));
            out.flush();
            waitForNext("step 1");
        }
    }

    private void moveOn() {
        var waiting = next;
        if (waiting != null) waiting.complete(null);
    }

    private void waitForNext(String what) {
        var waiting = new CompletableFuture<Void>();
        next = waiting;
        Events.publish(new Event.Waiting(what));
        waiting.join();
        next = null;
    }

    private boolean mineConsulted;

    /** True when the learner asked for their own exercise code (--mine). Lessons that support it ask before step 1. */
    public boolean mine() {
        mineConsulted = true;
        return flags.mine;
    }

    public boolean serving() { return flags.serve; }

    /** A paragraph of the story, wrapped as written. */
    public void tell(String text) {
        Events.publish(new Event.Say(text.strip(), true));
        out.println();
        for (String line : text.strip().split("\n")) out.println(indent + line.strip());
    }

    /** Starts the next numbered step, pausing first when a person is reading. */
    public void step(String title) {
        if (steps > 0) pause();
        if (steps == 0 && flags.mine && !mineConsulted) {
            out.println(indent + Style.yellow("(--mine: this lesson has no part that runs your exercise code; it runs as usual)"));
        }
        steps++;
        Events.publish(new Event.Step(steps, title));
        out.println();
        out.println(Style.cyan(Style.bold("Step " + steps + ". " + title)));
    }

    /** One line of what just happened. */
    public void say(String text) {
        Events.publish(new Event.Say(text, false));
        out.println(indent + text);
    }

    /** A value the pattern holds now, for example {@code state("breaker", "CLOSED -> OPEN")}. */
    public void state(String what, Object value) {
        Events.publish(new Event.State(what, String.valueOf(value)));
        out.println(indent + Style.yellow("» " + what + ": " + value));
    }

    /** A state for the live view only, where printing it would crowd the terminal: {@code show("breaker", "OPEN")}. */
    public void show(String what, Object value) {
        Events.publish(new Event.State(what, String.valueOf(value)));
    }

    /** Prints every request these peers serve, as it happens, prefixed by who asked. */
    public void listen(Peer... peers) {
        for (Peer peer : peers) peer.onExchange(this::exchange);
    }

    private void exchange(Peer.Exchange e) {
        String outcome = e.fault() ? Style.red("fault") : colourStatus(e.status());
        out.println(indent + Style.dim("→ ") + "%-13s %-6s %-34s %s %s".formatted(
            e.peer(), e.method(), shorten(e.url(), 34), outcome, Style.dim(e.millis() >= 0 ? e.millis() + " ms" : "")));
    }

    private static String colourStatus(int status) {
        String s = Integer.toString(status);
        return status >= 500 ? Style.red(s) : status >= 400 ? Style.yellow(s) : Style.green(s);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /**
     * States what the text promised and whether it happened. A failed check does not stop the story, but the
     * lesson then exits non-zero, so `verify` notices when a lesson no longer behaves as it says.
     */
    public boolean check(boolean held, String claim) {
        checks++;
        Events.publish(new Event.Check(held, claim));
        if (held) {
            out.println(indent + Style.green("✓ " + claim));
        } else {
            failedChecks.add(claim);
            out.println(indent + Style.red("✗ " + claim + "  (this should have happened and did not)"));
        }
        return held;
    }

    /**
     * With --serve, learners try the services with curl, and a typo in a JSON body is the client's mistake: the
     * service answers 400 with the problem in one line, and the story says so in one line, instead of a 500 and a
     * stack trace in the middle of the narration. Call it in the service's Javalin.create.
     */
    public void malformedBodiesAre400(JavalinConfig config) {
        config.routes.exception(JsonProcessingException.class, (e, ctx) -> {
            String problem = "malformed JSON body: " + e.getOriginalMessage();
            ctx.status(400).contentType("application/json")
                .result(new ObjectMapper().createObjectNode().put("problem", problem).toString());
            say(Style.yellow("← 400 to " + ctx.method() + " " + ctx.path() + ": " + problem));
        });
    }

    /**
     * With --serve, prints the URLs to try and keeps the system up until Enter or Ctrl-C.
     * Without it, does nothing.
     */
    public void serve(String... tryThis) {
        if (!flags.serve) return;
        out.println();
        out.println(Style.bold("The system is up. Try it from another terminal:"));
        for (String line : tryThis) out.println(indent + line);
        if (view != null) {
            Events.publish(new Event.Faults(List.copyOf(new TreeSet<>(faults.keySet()))));
            out.println(Style.dim("Press Enter, Stop on the page or Ctrl-C to stop."));
            waitForNext("stop");
        } else {
            out.println(Style.dim("Press Enter (or Ctrl-C) to stop."));
            waitForEnter();
        }
    }

    /**
     * Offers a fault on the view's buttons with --serve: {@code story.fault("payments", "down", () -> paymentsAnswers(down()))}.
     * The button runs it, as the lesson's own steps do, and the view shows it on its service.
     */
    public void fault(String service, String name, Runnable apply) { offer(service, name, true, apply); }

    /** Offers the way back from a fault on the view's buttons: {@code story.repair("payments", "recovers", ...)}. */
    public void repair(String service, String name, Runnable apply) { offer(service, name, false, apply); }

    private void offer(String service, String name, boolean broken, Runnable apply) {
        faults.put(service + ": " + name, () -> {
            apply.run();
            Events.publish(new Event.Fault(service, name, broken));
            say(Style.yellow("(from the view) " + service + ": " + name));
        });
    }

    private void applyFault(String name) {
        Runnable fault = faults.get(name);
        if (fault != null) fault.run();
    }

    /**
     * Shows the calls a lesson's own Javalin service answers on the view, as a box named {@code name} (calls from
     * the lesson to it, and its calls to the peers). Call it in the service's Javalin.create: it prints nothing.
     */
    public void watch(JavalinConfig config, String name) {
        Events.publish(new Event.Service(name, "service"));
        Events.caller(name, false);
        config.requestLogger.http((ctx, millis) -> {
            if (Events.wanted()) {
                Events.publish(new Event.Exchange("client", name, ctx.method().name(), ctx.path(), ctx.statusCode(), Math.round(millis), false));
            }
        });
    }

    /** Names the service whose calls to the peers the lesson makes, for the view, where it has no Javalin service of its own. */
    public void caller(String name) {
        Events.publish(new Event.Service(name, "service"));
        Events.caller(name, true);
    }

    /** Ends the lesson: a summary line, then the process exits (0 only when every check held). */
    public void end() {
        Events.publish(new Event.End(checks, failedChecks.size()));
        if (view != null) {
            view.finish();
            if (pausing && !flags.serve) {
                out.println();
                out.print(Style.dim("  [Enter] or Next on the page: end the lesson and close the view "));
                out.flush();
                waitForNext("end");
            }
        }
        if (recording != null) writeRecording();
        out.println();
        if (failedChecks.isEmpty()) {
            Progress.lessonRan(lessonId);
            out.println(Style.green("All " + checks + " checks held.") + " Next: the exercise, with ./jbang workbook check");
        } else {
            out.println(Style.red(failedChecks.size() + " of " + checks + " checks did not hold:"));
            failedChecks.forEach(c -> out.println(indent + "- " + c));
        }
        out.flush();
        // Exit explicitly: embedded servers keep non-daemon threads alive for seconds after they stop.
        System.exit(failedChecks.isEmpty() ? 0 : 1);
    }

    private void pause() {
        if (!pausing) return;
        out.print(Style.dim("  [Enter] next step "));
        out.flush();
        if (view != null) waitForNext("step " + (steps + 1));
        else waitForEnter();
    }

    private void writeRecording() {
        var lines = recording.stream().map(Events::json).toList();
        try {
            Files.write(flags.record, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println(lessonId + ": could not write the recording to " + flags.record + ": " + e.getMessage());
        }
    }

    private static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    private static void waitForEnter() {
        try {
            STDIN.readLine();
        } catch (IOException ignored) {
            // stdin closed: nothing to wait for
        }
    }
}
