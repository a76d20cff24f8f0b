package grade;

import engine.Sources;
import engine.UserError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import kit.Course;

/**
 * The exercises a run grades, and the course folder the children read: each exercise's stub with the
 * instructor's tests (this checkout's, plus or overridden by --tests DIR), and those tests compiled once, so a
 * child compiles only the student's own files.
 */
final class Exercises {
    /** One exercise as graded in this run. {@code hidden} names the test files that came from --tests DIR. */
    record Exercise(Course.Lesson lesson, Set<String> hidden, String fingerprint, Precompiled precompiled) {
        String id() { return lesson.id(); }
    }

    /** What a child needs to run precompiled tests: their class names, and test methods in source order. */
    record Precompiled(List<String> testClasses, List<String> testOrder) {}

    private Exercises() {}

    /** The exercises that have tests, in course order, narrowed to {@code only} when given. */
    static List<Course.Lesson> select(Path root, Path testsDir, List<String> only) {
        List<Course.Lesson> withTests = Course.LESSONS.stream()
            .filter(l -> l.hasExercise(root))
            .filter(l -> hasTests(l.exerciseDir(root)) || (testsDir != null && hasTests(testsFolder(testsDir, l))))
            .toList();
        if (only.isEmpty()) return withTests;
        List<Course.Lesson> chosen = new ArrayList<>();
        for (String id : only) {
            Course.Lesson lesson = Course.find(id).orElseThrow(() ->
                new UserError("unknown exercise '" + id + "' in --only. Valid ids: " + Course.validIds()));
            if (!withTests.contains(lesson)) {
                throw new UserError("exercise " + lesson.id() + " has no tests here to grade with. Exercises with tests: "
                    + String.join(", ", withTests.stream().map(Course.Lesson::id).toList()));
            }
            if (!chosen.contains(lesson)) chosen.add(lesson);
        }
        return withTests.stream().filter(chosen::contains).toList();
    }

    /** The folder of hidden tests for an exercise: DIR/ID, or DIR/NN or DIR/slug. */
    static Path testsFolder(Path testsDir, Course.Lesson lesson) {
        for (String name : List.of(lesson.id(), lesson.number2(), lesson.slug())) {
            Path p = testsDir.resolve(name);
            if (Files.isDirectory(p)) return p;
        }
        return testsDir.resolve(lesson.id());
    }

    private static boolean hasTests(Path dir) {
        return Files2.javaFiles(dir).stream().anyMatch(p -> Sources.isTest(p.getFileName().toString()));
    }

    /**
     * Copies each exercise's stub and tests into {@code course/exercises/ID}, with --tests laid over them, compiles
     * the tests once into {@code course/test-classes/ID}.
     */
    /** Compiles a set of files (name to path) in a staging folder of the given name: the compile server. */
    interface CompileFn {
        CompileService.Result compile(String label, Map<String, Path> files, String staging) throws IOException, InterruptedException;
    }

    static List<Exercise> stage(Path root, Path testsDir, List<Course.Lesson> lessons, Path course, CompileFn compiler,
                                String settings, List<String> warnings) throws IOException, InterruptedException {
        List<Exercise> staged = new ArrayList<>();
        for (Course.Lesson lesson : lessons) {
            Path dir = Files.createDirectories(lesson.exerciseDir(course));
            for (Path f : Files2.javaFiles(lesson.exerciseDir(root))) {
                Files.copy(f, dir.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
            Set<String> hidden = new HashSet<>();
            if (testsDir != null) {
                for (Path f : Files2.javaFiles(testsFolder(testsDir, lesson))) {
                    String name = f.getFileName().toString();
                    if (!Sources.isTest(name)) continue;
                    Files.copy(f, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    hidden.add(name);
                }
            }
            MessageDigest md = Files2.sha256();
            md.update(settings.getBytes(StandardCharsets.UTF_8));
            Files2.digest(md, Files2.javaFiles(dir));
            String fingerprint = Files2.hex(md);

            Precompiled pre = precompile(course, lesson, compiler, warnings);
            staged.add(new Exercise(lesson, Set.copyOf(hidden), fingerprint, pre));
        }
        Files2.makeReadable(course);
        return staged;
    }

    /**
     * Compiles the stub alone and the stub with the tests; the class files only the second has are the tests'.
     * Null (the tests are then compiled with each student's code) when that does not work out.
     */
    private static Precompiled precompile(Path course, Course.Lesson lesson, CompileFn compiler, List<String> warnings)
            throws IOException, InterruptedException {
        Sources all = Sources.exercise(course, lesson);
        Map<String, Path> stubOnly = new LinkedHashMap<>(all.files());
        stubOnly.keySet().removeIf(Sources::isTest);
        var withTests = compiler.compile("tests of " + lesson.id(), all.files(), "course/all/" + lesson.id());
        var stub = compiler.compile("stub of " + lesson.id(), stubOnly, "course/own/" + lesson.id());
        if (!(withTests instanceof CompileService.Compiled t) || !(stub instanceof CompileService.Compiled s)) {
            String why = withTests instanceof CompileService.Failed f ? f.errors().get(0) : ((CompileService.Failed) stub).errors().get(0);
            warnings.add(lesson.id() + ": its stub and tests do not compile together, so each student's tests are compiled with their code ("
                + why.lines().findFirst().orElse("") + ")");
            return null;
        }
        Set<String> stubClasses = new HashSet<>();
        try (Stream<Path> walk = Files.walk(s.classes())) {
            walk.filter(p -> p.toString().endsWith(".class")).forEach(p -> stubClasses.add(s.classes().relativize(p).toString()));
        }
        Path out = Files.createDirectories(course.resolve("test-classes").resolve(lesson.id()));
        try (Stream<Path> walk = Files.walk(t.classes())) {
            for (Path p : walk.filter(p -> p.toString().endsWith(".class")).toList()) {
                String rel = t.classes().relativize(p).toString();
                if (stubClasses.contains(rel)) continue;
                Path target = out.resolve(rel);
                Files.createDirectories(target.getParent());
                Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            }
        }
        return new Precompiled(t.testClasses(), t.testOrder());
    }
}
