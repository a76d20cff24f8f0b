package workbook;

import engine.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import kit.Course;
import kit.Progress;

/** Finding lessons and progress, with the errors a learner can act on. */
final class Lessons {
    private Lessons() {}

    static Course.Lesson byId(String id) {
        return Course.find(id).orElseThrow(() -> new UserError("unknown lesson '" + id + "'. Valid ids: " + Course.validIds()));
    }

    /** A lesson whose exercise folder exists; otherwise one line that says how to get it back. */
    static Course.Lesson withExercise(Path root, String id) {
        Course.Lesson lesson = byId(id);
        if (lesson.hasExercise(root)) return lesson;
        if (lesson.written(root) || Files.isDirectory(lesson.solutionDir(root))) {
            throw new UserError("exercises/" + lesson.id() + "/ is missing. Get it back with: ./jbang workbook reset " + lesson.number2());
        }
        throw new UserError(lesson.id() + " is not written yet (coming soon). See the course map: ./jbang workbook");
    }

    /** The first written exercise that is not done, in course order. */
    static Course.Lesson firstUnfinished(Path root, Progress.State state) {
        return Course.LESSONS.stream()
            .filter(l -> l.hasExercise(root))
            .filter(l -> !state.lessons.containsKey(l.id()) || !state.lessons.get(l.id()).done)
            .findFirst()
            .orElseThrow(() -> new UserError("every exercise written so far is done. New lessons arrive with git pull.", 0));
    }

    static Progress.State state(Path root) {
        try {
            return new Progress(root).load();
        } catch (IOException e) {
            throw new UserError("cannot read your progress in " + Progress.FILE + " (" + firstLine(e.getMessage())
                + "). Move it aside to start afresh: mv " + Progress.FILE + " " + Progress.FILE + ".bak");
        }
    }

    static void save(Path root, Progress.State state) {
        try {
            new Progress(root).save(state);
        } catch (IOException e) {
            System.err.println("workbook: could not save your progress (" + e.getMessage() + ")");
        }
    }

    static String firstLine(String s) {
        if (s == null) return "";
        String line = s.lines().findFirst().orElse("");
        return line.length() > 110 ? line.substring(0, 109) + "…" : line;
    }
}
