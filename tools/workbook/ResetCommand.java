package workbook;

import engine.Tool;
import engine.UserError;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import kit.Course;
import kit.Progress;
import kit.Style;
import kit.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "reset", mixinStandardHelpOptions = true, description = "Restores an exercise to its original stub, after asking; your files are kept in .workbook-backup/.")
public final class ResetCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "Lesson id: 01, service-boundaries or 01-service-boundaries.")
    String id;

    @Option(names = {"-y", "--yes"}, description = "Do not ask.")
    boolean yes;

    @Override
    public Integer call() throws Exception {
        Path root = Tool.root();
        Course.Lesson lesson = Lessons.byId(id);
        String folder = "exercises/" + lesson.id();
        String source = originalVersion(root);
        if (git(root, "ls-tree", "--name-only", source, folder + "/").isBlank()) {
            throw new UserError("git knows no original of " + folder + " (at " + source + "): is this a clone of the workbook?");
        }
        Path dir = root.resolve(folder);
        if (!yes) {
            if (!Terminal.interactive()) throw new UserError("reset asks before it replaces your files; without a terminal, add --yes");
            System.out.print("Replace " + folder + "/ with the original stub? Your files are kept in .workbook-backup/ first. [y/N] ");
            System.out.flush();
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (answer == null || !answer.trim().toLowerCase().startsWith("y")) {
                System.out.println("Nothing changed.");
                return 1;
            }
        }
        Path backup = backUp(root, dir, lesson);
        git(root, "restore", "--source", source, "--worktree", "--", folder);
        Progress.State state = Lessons.state(root);
        Progress.Entry entry = new Progress(root).entry(state, lesson.id());
        entry.testsPassed = 0;
        entry.done = false;
        Lessons.save(root, state);
        System.out.println(Style.green(folder + "/ is back to the original stub.")
            + (backup == null ? "" : " Your files are in " + root.relativize(backup) + "/"));
        return 0;
    }

    /** The course as it was published: the upstream branch when there is one, so a learner's own commits don't count. */
    private static String originalVersion(Path root) {
        try {
            return git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}").strip();
        } catch (UserError | IOException | InterruptedException noUpstream) {
            return "HEAD";
        }
    }

    /** Moves the learner's files aside; nothing they wrote is ever deleted. */
    private static Path backUp(Path root, Path dir, Course.Lesson lesson) throws IOException {
        if (!Files.isDirectory(dir)) return null;
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path backup = root.resolve(".workbook-backup").resolve(lesson.id() + "-" + stamp);
        Files.createDirectories(backup);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) Files.move(f, backup.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return backup;
    }

    private static String git(Path root, String... args) throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of("git", "-C", root.toString()));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UserError("reset needs git, which was not found: " + e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new UserError("git " + String.join(" ", args) + " failed: " + Lessons.firstLine(out));
        return out;
    }
}
