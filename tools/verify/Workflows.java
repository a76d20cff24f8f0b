package verify;

import engine.Processes;
import engine.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import kit.Course;
import kit.Style;

/**
 * The GitHub workflows (CI on three systems and two JDKs, the site's publishing) cannot run here, so verify at least
 * checks them against GitHub's schema with action-validator, from npm (fetched once by npx, then cached by npm).
 * Where there is no npx, or npm cannot fetch it, that is one SKIP line rather than a failure.
 */
record Workflows(Path root, Recorder recorder) {
    /** The validator, pinned: a newer schema may judge the same file differently. */
    static final String VALIDATOR = "@action-validator/cli@0.6.0";

    void check() {
        Path dir = root.resolve(".github").resolve("workflows");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            recorder.record(false, "workflows: .github/workflows can be read", e.toString());
            return;
        }
        for (Path file : files) validate(file);
    }

    private void validate(Path file) {
        String name = root.relativize(file).toString().replace('\\', '/');
        List<String> command = new ArrayList<>(List.of(npx(), "--yes", VALIDATOR, file.toString()));
        try {
            Path log = Files.createTempFile("verify-workflow", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("NO_COLOR", "1");
            var ended = Processes.run(pb, Duration.ofMinutes(3));
            boolean done = !ended.timedOut();
            String said = Files.readString(log);
            Files.deleteIfExists(log);
            if (ended.ok()) {
                recorder.record(true, "workflows: " + name + " is a valid GitHub workflow", "action-validator " + VALIDATOR.substring(VALIDATOR.lastIndexOf('@') + 1));
            } else if (done && said.contains("\"errors\"")) {
                recorder.record(false, "workflows: " + name + " is a valid GitHub workflow", Text.tail(said, 30));
            } else {
                skip(name, done ? "npx could not run " + VALIDATOR + ": " + Text.tail(said, 2) : "npx took over 3 minutes");
            }
        } catch (IOException noNpx) {
            skip(name, "no npx here (it comes with Node.js)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void skip(String name, String why) {
        System.out.println(Style.yellow("SKIP ") + "workflows: " + name + " not validated: " + why);
    }

    private static String npx() {
        return Course.onWindows() ? "npx.cmd" : "npx";
    }
}
