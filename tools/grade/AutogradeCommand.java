package grade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engine.Folders;
import engine.Tool;
import engine.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code grade autograde}: what a Gradescope bundle's run_autograder runs. It grades AUTOGRADER/submission as one
 * student with the bundle's tests and reference, and writes AUTOGRADER/results/results.json, whatever happens:
 * if grading itself fails, that file says so (with a score of 0) rather than leaving Gradescope without one.
 */
@Command(name = "autograde", hidden = true, description = "Grades a Gradescope submission (run by the bundle's run_autograder).")
public final class AutogradeCommand implements Callable<Integer> {
    @Option(names = "--autograder", paramLabel = "DIR", description = "Gradescope's folder (default: $AUTOGRADER_ROOT or /autograder).")
    Path autograder;

    @Override
    public Integer call() throws Exception {
        Path ag = autograder != null ? autograder
            : Path.of(System.getenv().getOrDefault("AUTOGRADER_ROOT", "/autograder"));
        Path results = Files.createDirectories(ag.resolve("results")).resolve("results.json");
        Path out = Files.createTempDirectory("autograde-");
        try {
            Path root = Tool.root();
            JsonNode config = Protocol.JSON.readTree(root.resolve("gradescope.json").toFile());
            List<String> only = new ArrayList<>();
            config.path("only").forEach(n -> only.add(n.asText()));
            Path submission = ag.resolve("submission");
            if (!Files.isDirectory(submission)) throw new UserError("no submission folder at " + submission);
            Path hidden = root.resolve("hidden-tests");
            Settings s = Settings.of(root, submission, out)
                .limits(new Settings.Limits(config.path("timeout").asInt(60), config.path("testTimeout").asInt(10), config.path("heap").asInt(512)))
                .tests(Files.isDirectory(hidden) ? hidden : null)
                .only(only)
                .force(true)
                .aot(false)
                .referenceFile(root.resolve("reference.json"))
                .hiddenVisibility(config.path("hiddenVisibility").asText("after_published"))
                .oneStudent("submission")
                .build();
            new Grader(s, System.out).run();
            Files.copy(out.resolve("submission").resolve("results.json"), results, StandardCopyOption.REPLACE_EXISTING);
            System.out.println("Wrote " + results);
        } catch (Exception | Error e) {
            ObjectNode failed = Protocol.JSON.createObjectNode();
            failed.put("score", 0);
            failed.put("output", "The autograder could not grade this submission: " + (e instanceof UserError ? e.getMessage() : e.toString())
                + "\nPlease tell your instructor.");
            failed.putArray("tests");
            Files2.writeAtomically(results, Protocol.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(failed));
            System.err.println("grade autograde: " + e);
        } finally {
            Folders.deleteTree(out);
        }
        return 0;
    }
}
