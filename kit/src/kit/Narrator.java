package kit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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

    private Narrator(Flags flags, String lessonId) {
        this.flags = flags;
        this.lessonId = lessonId;
        this.pausing = !flags.noPause && Terminal.interactive();
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
        Course.Lesson lesson = Course.find(id).orElseThrow();
        narrator.out.println();
        narrator.out.println(Style.bold("Lesson " + lesson.number2() + " · " + lesson.title()));
        narrator.out.println(Style.dim("Part " + lesson.part().title.substring(5) + " · level " + lesson.level()
            + (narrator.pausing ? " · Enter moves to the next step" : "")));
        return narrator;
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
        out.println();
        out.println(Style.cyan(Style.bold("Step " + steps + ". " + title)));
    }

    /** One line of what just happened. */
    public void say(String text) { out.println(indent + text); }

    /** A value the pattern holds now, for example {@code state("breaker", "CLOSED -> OPEN")}. */
    public void state(String what, Object value) {
        out.println(indent + Style.yellow("» " + what + ": " + value));
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
    public void malformedBodiesAre400(io.javalin.config.JavalinConfig config) {
        config.routes.exception(com.fasterxml.jackson.core.JsonProcessingException.class, (e, ctx) -> {
            String problem = "malformed JSON body: " + e.getOriginalMessage();
            ctx.status(400).contentType("application/json")
                .result(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("problem", problem).toString());
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
        out.println(Style.dim("Press Enter (or Ctrl-C) to stop."));
        waitForEnter();
    }

    /** Ends the lesson: a summary line, then the process exits (0 only when every check held). */
    public void end() {
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
        waitForEnter();
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
