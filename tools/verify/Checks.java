package verify;

import engine.Compiler;
import java.nio.file.Path;
import java.util.List;
import kit.Course;
import kit.Style;

/**
 * Every check verify makes, each printed as one PASS or FAIL line with what it proves, in this order: the kit's
 * tests, the catalog, the workflows, each exercise, the IDE build, the grader, each lesson's run and the site.
 */
public final class Checks implements Recorder {
    private final Path root;
    private final List<String> only;
    private final boolean runLessons;
    private final Compiler compiler;
    private int passed;
    private int failed;

    public Checks(Path root, List<String> only, boolean runLessons) {
        this.root = root;
        this.only = only;
        this.runLessons = runLessons;
        this.compiler = new Compiler(root.resolve(".workbook-cache").resolve("verify"), root);
    }

    /** {@code verify --mutation}: PIT on each chosen exercise's solution, instead of the usual checks. */
    public boolean runMutation() {
        long start = System.nanoTime();
        Mutation mutation = new Mutation(root, compiler, this);
        chosen().stream().filter(l -> l.hasExercise(root)).forEach(mutation::run);
        return summarise(start);
    }

    public boolean run() {
        long start = System.nanoTime();
        ExerciseCheck exercises = new ExerciseCheck(root, compiler, this);
        exercises.kit();
        List<Course.Lesson> lessons = chosen();
        new CatalogCheck(root, this).check(lessons);
        new Workflows(root, this).check();
        lessons.forEach(exercises::check);
        new IdeBuildCheck(root, this).check(exercises.firstExercise(), exercises.firstStub());
        new GraderCheck(root, this).run(lessons);
        if (runLessons) lessons.forEach(new LessonRunCheck(root, this)::check);
        if (only.isEmpty()) new SiteCheck(root, this).check(runLessons);
        else System.out.println(Style.dim("site: not built with --only (the site is the whole course)"));
        return summarise(start);
    }

    @Override
    public void record(boolean ok, String what, String detail) {
        if (ok) passed++;
        else failed++;
        System.out.println((ok ? Style.green("PASS ") : Style.red("FAIL ")) + what
            + (detail == null || detail.isEmpty() ? "" : (ok ? Style.dim("  " + detail) : "\n     " + detail.replace("\n", "\n     "))));
    }

    private List<Course.Lesson> chosen() {
        return Course.LESSONS.stream()
            .filter(l -> l.written(root) || l.hasExercise(root))
            .filter(l -> only.isEmpty() || only.stream().anyMatch(l::answersTo))
            .toList();
    }

    private boolean summarise(long start) {
        System.out.println();
        System.out.printf("verify took %.1f s%n", (System.nanoTime() - start) / 1e9);
        System.out.println(passed + " passed, " + failed + " failed");
        return failed == 0;
    }
}
