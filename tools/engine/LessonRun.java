package engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import kit.Course;

/**
 * A lesson run straight through, as verify and the site run it: {@code ./jbang SCRIPT --no-pause --record FILE} from
 * the course's root, no input (so it does not pause), no colours, within a time limit. What it printed and recorded
 * (its events, one JSON object a line, which the site replays; null when it wrote none) is read and its files
 * deleted; a run that timed out keeps its output ({@code out}, {@code err}) for a look and has read nothing.
 */
public record LessonRun(Processes.Ended ended, String stdout, String stderr, String events, Path out, Path err) {

    /** @param script the lesson's alias ("circuit-breaker") or its file; @param prefix of the temp files' names */
    public static LessonRun of(Path root, String script, String prefix, Duration limit) throws IOException, InterruptedException {
        Path out = Files.createTempFile(prefix, ".out");
        Path err = Files.createTempFile(prefix, ".err");
        Path recording = Files.createTempFile(prefix, ".jsonl");
        recording.toFile().deleteOnExit();
        ProcessBuilder run = new ProcessBuilder(Course.wrapper(root), script, "--no-pause", "--record", recording.toString())
            .directory(root.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
        run.environment().put("NO_COLOR", "1");
        Processes.Ended ended = Processes.run(run, limit);
        if (ended.timedOut()) return new LessonRun(ended, "", "", null, out, err);
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        String events = Files.size(recording) > 0 ? Files.readString(recording, StandardCharsets.UTF_8) : null;
        for (Path f : List.of(out, err, recording)) Files.deleteIfExists(f);
        return new LessonRun(ended, stdout, stderr, events, out, err);
    }
}
