package verify;

import engine.Processes;
import engine.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import kit.Course;
import kit.Style;

/** The site builds without a warning or a broken link, and headless Chromium reads it without an error. */
record SiteCheck(Path root, Recorder recorder) {
    /** No Chromium here: the site's browser test exits with it. */
    private static final int NO_BROWSER = 3;

    /** A run of a tool of ours: its exit code when it ended (not {@code ended}: timed out or did not start), and its output (the last lines when it failed). */
    record ToolRun(boolean ended, int exitCode, String output) {
        boolean ok() { return ended && exitCode == 0; }
    }

    /** @param runLessons false: transcripts from earlier builds only (verify --no-lessons) */
    void check(boolean runLessons) {
        Path out = root.resolve("site").resolve("build");
        List<String> build = new ArrayList<>(List.of(Course.wrapper(root), "site", "--out", out.toString()));
        if (!runLessons) build.add("--cached-only");
        ToolRun built = runTool(build, Duration.ofMinutes(15));
        recorder.record(built.ok(), "site: ./jbang site builds every page, with no Asciidoctor warning and no broken link",
            built.ok() ? lastLine(built.output(), "site: built") : built.output());
        if (!built.ok()) return;
        ToolRun tested = runTool(List.of(Course.wrapper(root), "site", "--out", out.toString(), "--test", "--no-build"), Duration.ofMinutes(5));
        if (tested.ended() && tested.exitCode() == NO_BROWSER) {
            System.out.println(Style.yellow("SKIP ") + "site: browser test skipped: no Chromium here (apt-get install chromium)");
            return;
        }
        recorder.record(tested.ok(), "site: headless Chromium loads every page with no console error, and the search finds 'circuit breaker'",
            tested.ok() ? lastLine(tested.output(), "site: browser test passed") + "; screenshots in site/build/screenshots" : tested.output());
    }

    private ToolRun runTool(List<String> command, Duration limit) {
        try {
            Path log = Files.createTempFile("verify-tool", ".log");
            var ended = Processes.run(new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()), limit);
            if (ended.timedOut()) return new ToolRun(false, ended.exitCode(), "still running after " + limit.toSeconds() + " s; output in " + log);
            String output = Files.readString(log).replaceAll("(?m)^WARNING: .*\\R", "");
            Files.deleteIfExists(log);
            return new ToolRun(true, ended.exitCode(), ended.ok() ? output : "exit " + ended.exitCode() + "; last lines:\n" + Text.tail(output, 25));
        } catch (IOException e) {
            return new ToolRun(false, -1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ToolRun(false, -1, "interrupted");
        }
    }

    /** The last line that starts with {@code prefix}, without "site: ". */
    private static String lastLine(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b).orElse("").replaceFirst("^site: ", "");
    }
}
