package workbook;

import engine.Tool;
import java.nio.file.Path;
import kit.Course;
import kit.Progress;
import kit.Style;

/** The course map: every lesson, where the learner stands with it, and the next thing to do. */
public final class Status {
    private static final int SLUG_WIDTH = Course.LESSONS.stream().mapToInt(l -> l.slug().length()).max().orElse(0) + 1;
    private static final int TITLE_WIDTH = Course.LESSONS.stream().mapToInt(l -> l.title().length()).max().orElse(0) + 1;

    private Status() {}

    public static int show() {
        Path root = Tool.root();
        Progress.State state = Lessons.state(root);
        Course.Part part = null;
        String next = null;
        System.out.println(Style.bold("Microservices Patterns Workbook") + Style.dim("  (./jbang workbook --help for every command)"));
        for (Course.Lesson lesson : Course.LESSONS) {
            if (lesson.part() != part) {
                part = lesson.part();
                System.out.println();
                System.out.println(Style.bold(part.title));
            }
            Progress.Entry entry = state.lessons.getOrDefault(lesson.id(), new Progress.Entry());
            boolean written = lesson.written(root);
            String status;
            if (!written) {
                status = Style.dim("coming soon");
            } else {
                String run = entry.lessonRun ? Style.green("lesson run") : "lesson not run";
                String exercise = entry.done ? Style.green("exercise done")
                    : entry.testsTotal > 0 ? Style.yellow(entry.testsPassed + " of " + entry.testsTotal + " tests pass")
                    : "exercise not started";
                status = run + " · " + exercise + (entry.hintsUsed > 0 ? Style.dim(" · " + entry.hintsUsed + " hints used") : "");
                if (next == null && !entry.lessonRun) next = "run lesson " + lesson.number2() + ": ./jbang " + lesson.slug();
                else if (next == null && !entry.done) next = "edit exercises/" + lesson.id() + "/, then: ./jbang workbook check " + lesson.number2();
            }
            String mark = entry.done ? Style.green("✓") : written ? "•" : Style.dim("·");
            // Padded before it is coloured: a colour's escape codes would count as width and misalign the columns.
            String title = Style.dim(String.format("%-" + TITLE_WIDTH + "s", lesson.title()));
            System.out.printf("  %s %s %-" + SLUG_WIDTH + "s %s %s%n", mark, lesson.number2(), lesson.slug(), title, status);
        }
        System.out.println();
        System.out.println(Style.bold("Next: ") + (next != null ? next : "every lesson written so far is done. New lessons arrive with git pull."));
        System.out.println(Style.dim("A system in trouble? site/where-to-start.adoc goes from what you see to the lessons that help."));
        return 0;
    }
}
