package grade;

import engine.Compiler;
import engine.Sources;
import engine.Tool;
import engine.UserError;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import kit.Course;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grade sample-class DIR}: a made-up class to try the grader on (and to benchmark it). Each student's
 * exercises are the reference solution, the stub, one of the wrong answers, or missing; some students are
 * hostile in one exercise (a compile error, System.exit, an endless loop, an output flood, a memory hog);
 * some hand in zips, one of them with entries that try to land outside the unpack folder. Deterministic for a seed.
 */
@Command(name = "sample-class", mixinStandardHelpOptions = true,
         description = "Writes a made-up class of submissions (solutions, stubs, wrong answers, hostile code, zips) to try the grader on.")
public final class SampleClassCommand implements Callable<Integer> {
    /** The hostile kinds, each put into one exercise of a few students. */
    static final List<String> HOSTILE = List.of("compile-error", "system-exit", "endless-loop", "output-flood", "memory-hog");

    @Parameters(index = "0", paramLabel = "DIR", description = "Where the submissions are written (one folder or zip per student).")
    Path dir;

    @Option(names = "--students", paramLabel = "N", description = "How many students (default ${DEFAULT-VALUE}).")
    int students = 100;

    @Option(names = "--hostile", paramLabel = "N", description = "How many students of each hostile kind (default ${DEFAULT-VALUE}).")
    int hostilePerKind = 2;

    @Option(names = "--seed", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed = 9;

    @Option(names = "--only", split = ",", paramLabel = "IDS", description = "Only these exercises (default: every exercise with tests).")
    List<String> only = List.of();

    @Option(names = "--attacks", description = {"Instead, a hostile class: --students honest students (the reference solution), and one student per attack on the grader",
        "(links, a hang, forged events, snooping, memory outside the heap, a reserved name, a formula, a Latin-1 file, a zip bomb)."})
    boolean attacks;

    @Override
    public Integer call() throws IOException {
        Path root = Tool.root();
        List<Course.Lesson> lessons = Exercises.select(root, null, only).stream()
            .filter(l -> Files.isDirectory(l.solutionDir(root))).toList();
        if (lessons.isEmpty()) throw new UserError("no exercise with a solution to make submissions from");
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new UserError(dir + " exists and is not a folder");
        Files.createDirectories(dir);
        if (attacks) {
            HostileClass.write(root, lessons, dir, students);
            return 0;
        }
        Random random = new Random(seed);
        // Which students are hostile, and how: spread over the class, each in one exercise.
        Map<Integer, String> hostile = new LinkedHashMap<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < students; i++) order.add(i);
        Collections.shuffle(order, random);
        int k = 0;
        for (String kind : HOSTILE) for (int j = 0; j < hostilePerKind && k < order.size(); j++) hostile.put(order.get(k++), kind);
        int zipSlip = students > 3 ? order.get(order.size() - 1) : -1;
        Map<String, Integer> tally = new LinkedHashMap<>();
        for (int i = 0; i < students; i++) {
            String name = "student-%03d".formatted(i + 1);
            Map<String, String> files = new LinkedHashMap<>();  // path in the submission -> text
            String hostileKind = hostile.get(i);
            Course.Lesson hostileIn = hostileKind == null ? null : lessons.get(random.nextInt(lessons.size()));
            for (Course.Lesson lesson : lessons) {
                String variant;
                Sources sources;
                double roll = random.nextDouble();
                List<String> wrongs = Sources.wrongVariants(root, lesson);
                if (lesson.equals(hostileIn)) {
                    variant = hostileKind;
                    sources = Sources.solution(root, lesson);
                } else if (roll < 0.45) {
                    variant = "solution";
                    sources = Sources.solution(root, lesson);
                } else if (roll < 0.80 && !wrongs.isEmpty()) {
                    String w = wrongs.get(random.nextInt(wrongs.size()));
                    variant = "wrong";
                    sources = Sources.wrong(root, lesson, w);
                } else if (roll < 0.95) {
                    variant = "stub";
                    sources = Sources.stub(root, lesson);
                } else {
                    tally.merge("missing", 1, Integer::sum);
                    continue;
                }
                tally.merge(variant, 1, Integer::sum);
                Map<String, String> texts = new LinkedHashMap<>();
                for (var f : sources.files().entrySet()) {
                    // Students hand in their copy of the tests too; the grader must ignore them. No two students'
                    // files are the same, as in a real class (so no compilation is shared between them).
                    String text = Files.readString(f.getValue());
                    texts.put(f.getKey(), Sources.isTest(f.getKey()) ? text : "// " + name + "\n" + text);
                }
                if (lesson.equals(hostileIn)) sabotage(texts, hostileKind);
                for (var t : texts.entrySet()) files.put("exercises/" + lesson.id() + "/" + packageFolder(t.getValue()) + t.getKey(), t.getValue());
            }
            int layout = i % 5;
            if (i == zipSlip || layout == 4) {
                Map<String, String> entries = new LinkedHashMap<>();
                files.forEach((p, t) -> entries.put("workbook-main/" + flat(p), t));   // as zips from before package folders are
                if (i == zipSlip) {
                    entries.put("../../escaped-by-zip-slip.java", "class Escaped {}");
                    entries.put("/tmp/absolute-zip-entry.java", "class Absolute {}");
                }
                zip(dir.resolve(name + ".zip"), entries);
            } else {
                Path base = dir.resolve(name);
                for (var f : files.entrySet()) {
                    String p = layout == 3 ? f.getKey().substring("exercises/".length()) : f.getKey();
                    Path target = base.resolve(p);
                    Files.createDirectories(target.getParent());
                    Files.writeString(target, f.getValue());
                }
                Files.createDirectories(base);
            }
        }
        System.out.println("Wrote " + students + " submissions to " + dir + " over " + lessons.size() + " exercises: " + tally
            + (zipSlip >= 0 ? "; one zip with zip-slip entries (student-%03d)".formatted(zipSlip + 1) : ""));
        List<String> names = new ArrayList<>();
        hostile.forEach((i, kind) -> names.add("student-%03d (%s)".formatted(i + 1, kind)));
        System.out.println("hostile students: " + String.join(" ", names.stream().sorted().toList()));
        return 0;
    }

    /** "outbox/" for a file of package outbox: the folder the course (and an IDE) keeps it in; "" in the default package. */
    static String packageFolder(String source) {
        String pkg = Compiler.packageOf(source);
        return pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/";
    }

    /** exercises/ID/outbox/Relay.java -> exercises/ID/Relay.java: the flat layout of older clones. */
    private static String flat(String path) {
        return path.replaceFirst("^(exercises/[^/]+/).*/", "$1");
    }

    /** Puts hostile code into the class the exercise's tests use most, in a static initializer. */
    static void sabotage(Map<String, String> texts, String kind) {
        String code = switch (kind) {
            case "compile-error" -> "\n    int broken = \"not a number\";\n";
            case "system-exit" -> "\n    static { System.exit(3); }\n";
            case "endless-loop" -> "\n    static { long spins = 0; while (!Boolean.getBoolean(\"never\")) spins++; }\n";
            case "output-flood" -> "\n    static { for (int i = 0; i < 2_000_000; i++) System.out.println(\"flooding the output, line \" + i); }\n";
            case "memory-hog" -> "\n    static { java.util.List<long[]> hog = new java.util.ArrayList<>(); while (!Boolean.getBoolean(\"never\")) hog.add(new long[1 << 20]); }\n";
            default -> throw new IllegalArgumentException(kind);
        };
        insert(texts, code);
    }

    /** Puts {@code code} (class members) into the class the exercise's tests use most, right after its opening brace. */
    static void insert(Map<String, String> texts, String code) {
        String tests = String.join("\n", texts.entrySet().stream().filter(e -> Sources.isTest(e.getKey())).map(Map.Entry::getValue).toList());
        String best = null;
        int bestCount = -1;
        Matcher bestMatch = null;
        for (var e : texts.entrySet()) {
            if (Sources.isTest(e.getKey())) continue;
            String cls = e.getKey().substring(0, e.getKey().length() - 5);
            Matcher m = Pattern.compile("(?m)^(public\\s+)?(final\\s+)?(abstract\\s+)?(final\\s+)?class\\s+" + cls + "\\b[^{]*\\{").matcher(e.getValue());
            if (!m.find()) continue;
            int count = tests.split("\\b" + cls + "\\b", -1).length - 1;
            if (count > bestCount) {
                best = e.getKey();
                bestCount = count;
                bestMatch = m;
            }
        }
        if (best == null) throw new IllegalStateException("no class to put hostile code in");
        String text = texts.get(best);
        texts.put(best, text.substring(0, bestMatch.end()) + code + text.substring(bestMatch.end()));
    }

    static void zip(Path file, Map<String, String> entries) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            for (var e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
    }
}
