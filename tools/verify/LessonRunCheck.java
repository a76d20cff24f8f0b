package verify;

import engine.LessonRun;
import engine.Text;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import kit.Course;
import site.Transcripts;

/** Each written lesson runs straight through ({@code ./jbang SLUG --no-pause}) and exits 0; the site keeps the run. */
record LessonRunCheck(Path root, Recorder recorder) {
    private static final Duration LIMIT = Duration.ofSeconds(90);

    void check(Course.Lesson lesson) {
        if (!lesson.written(root)) return;
        String what = lesson.id() + ": ./jbang " + lesson.slug() + " --no-pause exits 0";
        try {
            LessonRun run = LessonRun.of(root, lesson.slug(), "lesson-" + lesson.number2(), LIMIT);
            if (run.ended().timedOut()) {
                recorder.record(false, what, "still running after " + LIMIT.toSeconds() + " s; output in " + run.out() + " and " + run.err());
                return;
            }
            double seconds = run.ended().seconds();
            boolean ok = run.ended().ok();
            // The site shows this very run as the lesson's transcript, so its build need not run the lesson again.
            if (ok) Transcripts.remember(root, lesson, run.stdout(), seconds, run.events());
            recorder.record(ok, what, ok ? "%.1f s".formatted(seconds)
                : "exit " + run.ended().exitCode() + " after %.1f s; last lines:\n".formatted(seconds) + Text.tail(run.stdout() + "\n" + run.stderr(), 25));
        } catch (IOException e) {
            recorder.record(false, what, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
