package engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import kit.Course;
import kit.SourceFiles;

/**
 * The Java files that make up one version of an exercise: the learner's folder, with other folders laid over it
 * file by file. The reference solution is the exercise with solutions/ID laid over it; a wrong answer is the
 * solution with solutions/ID/wrong/VARIANT laid over that. Tests always come from the exercise folder (or an
 * instructor's folder), never from an overlay. An exercise's files are found at any depth (flat, or in package
 * folders as IDEs want them: see {@link SourceFiles}) and keyed by name, so an overlay's file replaces the stub's
 * file of the same name wherever that lives. Overlays (solutions/ID, wrong/VARIANT) are flat folders.
 */
public record Sources(String label, Map<String, Path> files) {

    public static Sources exercise(Path root, Course.Lesson lesson) {
        return new Sources("exercise " + lesson.id(), SourceFiles.byName(lesson.exerciseDir(root)));
    }

    /** The exercise as shipped: the stub and its tests. */
    public static Sources stub(Path root, Course.Lesson lesson) {
        return exercise(root, lesson).relabel("stub of " + lesson.id());
    }

    public static Sources solution(Path root, Course.Lesson lesson) {
        return exercise(root, lesson).overlay("solution of " + lesson.id(), lesson.solutionDir(root));
    }

    public static Sources wrong(Path root, Course.Lesson lesson, String variant) {
        return solution(root, lesson).overlay("wrong/" + variant + " of " + lesson.id(),
            lesson.solutionDir(root).resolve("wrong").resolve(variant));
    }

    public static List<String> wrongVariants(Path root, Course.Lesson lesson) {
        Path dir = lesson.solutionDir(root).resolve("wrong");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Lays the .java files of {@code dir} over these, replacing files of the same name. A file {@code X.java.diff}
     * (a unified diff, as {@code diff -u} writes it) changes X.java instead of replacing it: a wrong answer is
     * best shown as the few lines it gets wrong.
     */
    public Sources overlay(String newLabel, Path dir) {
        Map<String, Path> merged = new LinkedHashMap<>(files);
        flatJavaFiles(dir).forEach((name, path) -> {
            if (!isTest(name)) merged.put(name, path);
        });
        patches(dir).forEach((name, diff) -> {
            Path original = merged.get(name);
            if (original == null) throw new IllegalStateException(diff + " changes " + name + ", which is not there to change");
            merged.put(name, Patches.apply(original, diff));
        });
        return new Sources(newLabel, merged);
    }

    private static Map<String, Path> patches(Path dir) {
        Map<String, Path> found = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) return found;
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".java.diff")).sorted()
             .forEach(p -> found.put(p.getFileName().toString().replaceFirst("\\.diff$", ""), p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** Replaces or adds test files, for an instructor's own (hidden) tests. */
    public Sources withTests(Path dir) {
        Map<String, Path> merged = new LinkedHashMap<>(files);
        SourceFiles.byName(dir).forEach((name, path) -> {
            if (isTest(name)) merged.put(name, path);
        });
        return new Sources(label, merged);
    }

    public Sources relabel(String newLabel) { return new Sources(newLabel, files); }

    public List<Path> paths() { return new ArrayList<>(files.values()); }

    public List<String> testFileNames() {
        return files.keySet().stream().filter(Sources::isTest).sorted().toList();
    }

    public static boolean isTest(String fileName) { return fileName.endsWith("Test.java"); }

    /** The .java files directly in an overlay's folder: solutions/ID holds wrong/ beneath, which is not the solution. */
    private static Map<String, Path> flatJavaFiles(Path dir) {
        Map<String, Path> found = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) return found;
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p))
             .sorted()
             .forEach(p -> found.put(p.getFileName().toString(), p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
