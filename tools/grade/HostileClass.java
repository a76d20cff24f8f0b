package grade;

import engine.Sources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import kit.Course;

/**
 * {@code grade sample-class DIR --attacks}: a class in which the grader is attacked. Honest students hand in the
 * reference solution, each file marked with a canary of theirs (one of them is named like a spreadsheet formula);
 * one student per {@link Attacks} kind hands in the solution with that attack in the first exercise; and a few
 * submissions attack the grader's input: a folder named after one of its own files, a file that is not UTF-8 (in
 * the last exercise), and a zip bomb (whose files lie in no exercise's folder: it costs no JVM). verify grades it on
 * every run and checks that the grader held.
 */
final class HostileClass {
    /** Not a student: a folder of this name would take the place of the grader's own file in OUT. */
    static final String RESERVED = "gradebook.csv";
    static final String FORMULA = "=1+2";
    static final String LATIN1 = "latin1";
    static final String BOMB = "bomb";

    private HostileClass() {}

    static void write(Path root, List<Course.Lesson> lessons, Path dir, int honest) throws IOException {
        Course.Lesson target = lessons.get(0);
        Random random = new Random();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= honest; i++) names.add("honest-" + i);
        names.add(FORMULA);
        for (String name : names) {
            String canary = "// " + Attacks.CANARY + name + ": " + HexFormat.of().toHexDigits(random.nextLong()) + "\n";
            // The honest hand in package folders (as the course lays out its exercises), the others flat (as older clones do).
            for (Course.Lesson l : lessons) write(dir.resolve(name), l, mark(solution(root, l), canary), true);
        }
        for (String kind : Attacks.KINDS) {
            for (Course.Lesson l : lessons) {
                Map<String, String> files = solution(root, l);
                if (l.equals(target)) SampleClassCommand.insert(files, "\n" + Attacks.code(kind, l.id()));
                write(dir.resolve("attack-" + kind), l, files, false);
            }
        }
        for (String name : List.of(RESERVED, LATIN1)) {
            for (Course.Lesson l : lessons) write(dir.resolve(name), l, solution(root, l), false);
        }
        Course.Lesson last = lessons.getLast();
        Path latin1 = last.exerciseDir(dir.resolve(LATIN1)).resolve(mostUsed(solution(root, last)));
        byte[] comment = "// café, written in Latin-1\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] text = Files.readAllBytes(latin1);
        byte[] both = new byte[comment.length + text.length];
        System.arraycopy(comment, 0, both, 0, comment.length);
        System.arraycopy(text, 0, both, comment.length, text.length);
        Files.write(latin1, both);
        bomb(dir.resolve(BOMB + ".zip"));
        System.out.println("Wrote a hostile class to " + dir + ": " + (honest + 1) + " honest students (" + String.join(", ", names) + ", marked with canaries), "
            + String.join(", ", Attacks.KINDS.stream().map(k -> "attack-" + k).toList()) + " (in " + target.id() + "), "
            + RESERVED + ", " + LATIN1 + " (in " + last.id() + ") and " + BOMB + ".zip");
    }

    /**
     * A zip that inflates far beyond what it weighs: 30 entries of 900 kB (under the limit per file, over the limit
     * of the whole: the grader stops at 20 MB), then 6,000 empty ones (over the limit of entries).
     */
    private static void bomb(Path zip) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        String slash = "/".repeat(900_000);
        for (int i = 0; i < 30; i++) entries.put("bomb/Bomb" + i + ".java", slash);
        for (int i = 0; i < 6_000; i++) entries.put("bomb/Empty" + i + ".java", "");
        SampleClassCommand.zip(zip, entries);
    }

    /** The solution's own files (not the tests), by name. */
    private static Map<String, String> solution(Path root, Course.Lesson lesson) throws IOException {
        Map<String, String> texts = new LinkedHashMap<>();
        for (var f : Sources.solution(root, lesson).files().entrySet()) {
            texts.put(f.getKey(), Files.readString(f.getValue()));
        }
        return texts;
    }

    private static Map<String, String> mark(Map<String, String> files, String canary) {
        files.replaceAll((name, text) -> Sources.isTest(name) ? text : canary + text);
        return files;
    }

    /** The file hostile code goes into, found as {@link SampleClassCommand#insert} finds it. */
    private static String mostUsed(Map<String, String> files) {
        Map<String, String> copy = new LinkedHashMap<>(files);
        SampleClassCommand.insert(copy, "/*here*/");
        return copy.entrySet().stream().filter(e -> e.getValue().contains("/*here*/")).findFirst().orElseThrow().getKey();
    }

    private static void write(Path student, Course.Lesson lesson, Map<String, String> files, boolean inPackageFolders) throws IOException {
        Path folder = Files.createDirectories(lesson.exerciseDir(student));
        for (var f : files.entrySet()) {
            if (Sources.isTest(f.getKey())) continue;
            Path file = folder.resolve((inPackageFolders ? SampleClassCommand.packageFolder(f.getValue()) : "") + f.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, f.getValue());
        }
    }
}
