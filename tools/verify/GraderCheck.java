package verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engine.Folders;
import engine.Processes;
import engine.Sources;
import engine.Text;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import kit.Course;
import kit.Style;

/**
 * The grader under attack, on every verify run: one {@code ./jbang grade} of a class for the first exercise that
 * has a solution and wrong answers. Two students (a wrong answer zipped with a zip-slip entry, System.exit) and
 * the hostile class of {@code grade sample-class --attacks}: two honest students marked with canaries (one named
 * =1+2, a formula), one student per attack (links, a hang, forged events, snooping, memory outside the heap), a
 * reserved name, a Latin-1 file and a zip bomb. Checks that honest students keep full marks, that nothing appears outside
 * OUT and the grader's temp folder, that no other student's file reaches any output, and that the run ends within
 * its bound. What needs root (a user per student, namespaces, a memory group) is checked where the grader had it.
 */
record GraderCheck(Path root, Recorder recorder) {
    /** An exercise's limit in this run: the hang holds a student this long; honest ones need a few seconds (more on a busy machine). */
    private static final int TIMEOUT = 40;
    /** The folders a student could leave files in, on a machine without a root of their own. */
    private static final List<Path> SHARED = Stream.of("/tmp", "/var/tmp", "/dev/shm", "/root").map(Path::of).toList();
    private static final long STUDENT_UIDS = 1_900_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    void run(List<Course.Lesson> lessons) {
        Course.Lesson lesson = lessons.stream()
            .filter(l -> l.hasExercise(root) && Files.isDirectory(l.solutionDir(root)) && !Sources.wrongVariants(root, l).isEmpty())
            .findFirst().orElse(null);
        if (lesson == null) return;
        if (Course.onWindows()) {
            // The grader isolates students with Unix processes, users and limits (sh, setpriv, ulimit, namespaces).
            System.out.println(Style.yellow("SKIP ") + "grade: the grader runs on Linux and macOS (on Windows, in WSL)");
            return;
        }
        String id = lesson.id();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("verify-grade");
            Path subs = Files.createDirectories(dir.resolve("submissions"));
            Path out = dir.resolve("out");
            String made = jbang(dir.resolve("sample.log"), 5, "grade", "sample-class", subs.toString(), "--attacks", "--students", "1", "--only", id);
            if (made == null) return;
            classOfTwo(lesson, subs, dir);
            Set<String> before = shared();
            long start = System.nanoTime();
            String said = jbang(dir.resolve("grade.log"), 10, "grade", subs.toString(), "--out", out.toString(), "--only", id, "--jobs", "2",
                "--no-aot", "--timeout", Integer.toString(TIMEOUT), "--test-timeout", "30");
            double seconds = (System.nanoTime() - start) / 1e9;
            if (said == null) return;
            Map<String, Row> rows = gradebook(out.resolve("gradebook.csv"));
            boolean shape = rows.size() == 11 && Files.readAllLines(out.resolve("gradebook.csv")).get(0).equals("student," + id + ",total,max");
            recorder.record(shape, "grade: ./jbang grade grades a class of 11 (and refuses a 12th named gradebook.csv) into gradebook.csv, header student,"
                + id + ",total,max", "%.0f s".formatted(seconds) + (shape ? "" : ": " + rows.keySet() + "\n" + Text.tail(said, 15)));
            if (!shape) return;
            int max = rows.get("honest-1").max();
            boolean scores = max > 0 && rows.get("honest-1").total() == max && rows.get("'=1+2").total() == max && rows.get("wrong").total() < max && rows.get("hostile").total() == 0;
            recorder.record(scores, "grade: the honest students (the solution) get full marks beside the attackers, a wrong answer less, System.exit nothing",
                new TreeSet<>(rows.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().total() + "/" + e.getValue().max()).toList()).toString());
            reports(rows.keySet(), id, out);
            attacks(id, out, said, seconds);
            isolation(id, out, subs, before);
        } catch (IOException e) {
            recorder.record(false, "grade: ./jbang grade grades a class", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (dir != null) Folders.deleteTree(dir);
        }
    }

    /** Every student has Gradescope results, feedback and JUnit XML; System.exit and a zip slip are reported. */
    private void reports(Set<String> students, String id, Path out) throws IOException {
        List<String> problems = new ArrayList<>();
        for (String cell : students) {
            Path folder = out.resolve(cell.startsWith("'") ? cell.substring(1) : cell);
            JsonNode r = JSON.readTree(folder.resolve("results.json").toFile());
            if (!r.path("score").isNumber() || !r.path("tests").isArray() || r.path("tests").isEmpty()) problems.add(cell + ": no score or tests");
            for (JsonNode t : r.path("tests")) {
                for (String field : List.of("name", "score", "max_score", "status", "output")) {
                    if (t.path(field).isMissingNode()) problems.add(cell + ": a test without " + field);
                }
            }
            if (!Files.exists(folder.resolve("feedback.html"))) problems.add(cell + ": no feedback.html");
            if (!Files.exists(folder.resolve("junit").resolve("TEST-" + id + ".xml"))) problems.add(cell + ": no JUnit XML");
        }
        if (!overview(out, "hostile").contains("System.exit")) problems.add("hostile: its results do not say System.exit");
        if (!Files.readString(out.resolve("wrong").resolve("grade.json")).contains("refused zip entry '../escaped.java'")) problems.add("wrong: the zip-slip entry is not noted as refused");
        recorder.record(problems.isEmpty(), "grade: each student has Gradescope results.json, feedback.html and JUnit XML; System.exit and a zip slip are reported",
            String.join("\n", problems));
    }

    /** What every machine must hold, root or not: the grader's input, its deadlines, the bounds on what a child sends. */
    private void attacks(String id, Path out, String said, double seconds) throws IOException {
        List<String> problems = new ArrayList<>();
        if (!said.contains("'gradebook.csv' was not graded") || !Files.isRegularFile(out.resolve("gradebook.csv"), LinkOption.NOFOLLOW_LINKS)) {
            problems.add("gradebook.csv: the submission of that name was not refused with a warning");
        }
        if (!Files.readString(out.resolve("gradebook.csv")).contains("\n'=1+2,")) problems.add("=1+2: its gradebook cell can be read as a formula");
        JsonNode latin1 = exercise(out, "latin1", id);
        if (!latin1.path("outcome").asText().equals("COMPILE_ERROR") || !latin1.path("compileErrors").toString().contains("unmappable character")) {
            problems.add("latin1: its Latin-1 file is not javac's compile error: " + latin1.path("outcome").asText() + " " + latin1.path("note").asText());
        }
        JsonNode bomb = JSON.readTree(out.resolve("bomb").resolve("grade.json").toFile());
        if (bomb.path("notes").size() != 1 || !bomb.path("notes").get(0).asText().contains("stopped")) problems.add("bomb: not one note that unpacking stopped: " + bomb.path("notes"));
        JsonNode hang = exercise(out, "attack-hang", id);
        if (!hang.path("outcome").asText().equals("TIMEOUT") || hang.path("seconds").asDouble() > TIMEOUT + 15 || hang.path("review").asText().isEmpty()) {
            problems.add("attack-hang: not stopped at " + TIMEOUT + " s and flagged for review, but " + hang.path("outcome").asText() + " after "
                + hang.path("seconds").asInt() + " s, review '" + hang.path("review").asText() + "'");
        }
        // Its forged results (tests named "forged", 1000 points each) must be dropped; its real ones count (the code is right).
        JsonNode forge = exercise(out, "attack-forge", id);
        long forgeBytes = size(out.resolve("attack-forge"));
        if (forge.path("score").asInt() > forge.path("maxScore").asInt() || hasForgedTest(forge.path("tests"))
            || forge.path("review").asText().isEmpty() || forgeBytes > 1_000_000) {
            problems.add("attack-forge: its forged results count, or are not flagged, or fill OUT: " + forge.path("score").asInt() + " points, "
                + forgeBytes + " bytes, review '" + forge.path("review").asText() + "'");
        }
        if (!Files.readString(out.resolve("summary.html")).contains("attack-forge")) problems.add("summary.html does not list attack-forge for review");
        recorder.record(problems.isEmpty(), "grade: the grader's own input holds (a reserved name, a formula, a Latin-1 file, a zip bomb), a hang is stopped at its limit, "
            + "forged events are dropped, bounded and flagged for review", "%.0f s for the whole class; ".formatted(seconds) + String.join("\n", problems));
    }

    /** What needs root, checked as far as the grader had it (its first line says how each student was run). */
    private void isolation(String id, Path out, Path subs, Set<String> before) throws IOException {
        String sandbox = JSON.readTree(out.resolve("honest-1").resolve("grade.json").toFile()).path("sandbox").asText();
        if (!sandbox.contains("a user id of its own")) {
            recorder.record(true, "grade: the isolation needs root (a user per student): its attacks are not checked here", sandbox);
            return;
        }
        List<String> problems = new ArrayList<>();
        String links = exercise(out, "attack-links", id).path("output").asText();
        if (!links.contains("links:") || links.contains("planted")) problems.add("attack-links: it planted links where the grader works: " + links.strip());
        String snoop = exercise(out, "attack-snoop", id).path("output").asText();
        if (!snoop.contains("snoop:")) problems.add("attack-snoop: it did not report: " + snoop);
        // Every canary of the honest students, looked for in every file of OUT but their own folder.
        Map<String, String> canaries = new HashMap<>();
        for (String honest : List.of("honest-1", "=1+2")) {
            try (Stream<Path> files = Files.walk(subs.resolve(honest))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Matcher m = Pattern.compile(Pattern.quote("canary-of-" + honest + ": ") + "\\w+").matcher(Files.readString(f));
                    if (m.find()) canaries.put(honest, m.group());
                }
            }
        }
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                canaries.forEach((honest, canary) -> {
                    if (text.contains(canary) && !out.relativize(f).startsWith(honest)) problems.add(out.relativize(f) + " holds a file of " + honest);
                });
            }
        }
        if (canaries.size() != 2) problems.add("the honest students' canaries were not found in their own files");
        if (sandbox.contains("a root of its own")) {
            Matcher shm = Pattern.compile("(\\d+) MB in /dev/shm, (\\d+) sockets answered").matcher(snoop);
            if (!shm.find() || Integer.parseInt(shm.group(1)) > 64 || !shm.group(2).equals("0")) problems.add("attack-snoop: /dev/shm not capped, or a socket answered: " + snoop.strip());
        }
        List<String> left = new ArrayList<>();
        for (String entry : shared()) {
            if (!before.contains(entry) && (entry.contains("attack-") || owner(Path.of(entry)) >= STUDENT_UIDS)) left.add(entry);
        }
        if (!left.isEmpty()) problems.add("left behind by students outside OUT and the grader's temp folder: " + left);
        JsonNode offheap = exercise(out, "attack-offheap", id);
        String offText = offheap.path("output").asText() + offheap.path("note").asText();
        if (offText.contains("3000 MB with FFM") || offText.contains("3000 MB with Unsafe")) problems.add("attack-offheap: 3 GB outside the heap: " + offText.strip());
        recorder.record(problems.isEmpty(), "grade: as root, no student reaches another's files, the grader's folders or the machine's shared ones, "
            + "links planted after the tests ran are refused, memory outside the heap is capped", sandbox + (problems.isEmpty() ? "" : "\n" + String.join("\n", problems)));
    }

    // ---- the class ----

    /** Beside the hostile class: a wrong answer zipped with a zip-slip entry, System.exit. */
    private void classOfTwo(Course.Lesson lesson, Path subs, Path dir) throws IOException {
        String id = lesson.id();
        writeSubmission(Sources.solution(root, lesson), lesson.exerciseDir(subs.resolve("hostile")), "static { System.exit(3); }");
        Path wrong = writeSubmission(Sources.wrong(root, lesson, Sources.wrongVariants(root, lesson).get(0)), dir.resolve("wrong").resolve(id), null);
        try (var zip = new ZipOutputStream(Files.newOutputStream(subs.resolve("wrong.zip")))) {
            for (Path f : Files.list(wrong).sorted().toList()) {
                zip.putNextEntry(new ZipEntry("my-workbook/exercises/" + id + "/" + f.getFileName()));
                zip.write(Files.readAllBytes(f));
            }
            zip.putNextEntry(new ZipEntry("../escaped.java"));
            zip.write("class Escaped {}".getBytes());
        }
    }

    /**
     * The non-test files of {@code sources} in {@code into}; with {@code hostile}, that code goes into every class and
     * record of the exercise, so that the first test to touch any of them meets it (in one class only, the tests
     * that never load that class earn their points before it runs: 1 to 4 of them on exercises 04, 08 and 09).
     */
    private static Path writeSubmission(Sources sources, Path into, String hostile) throws IOException {
        Files.createDirectories(into);
        for (var f : sources.files().entrySet()) {
            if (Sources.isTest(f.getKey())) continue;
            String text = Files.readString(f.getValue());
            String type = f.getKey().replace(".java", "");
            var opening = Pattern.compile("\\b(class|record)\\s+" + type + "\\b[^{]*\\{").matcher(text);
            if (hostile != null && opening.find()) text = text.substring(0, opening.end()) + "\n    " + hostile + "\n" + text.substring(opening.end());
            Files.writeString(into.resolve(f.getKey()), text);
        }
        return into;
    }

    // ---- helpers ----

    /** Runs ./jbang with these arguments, its output in {@code log}; its output, or null (recorded as a failure) when it failed. */
    private String jbang(Path log, int minutes, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Course.wrapper(root)));
        command.addAll(List.of(args));
        var ended = Processes.run(new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()),
            Duration.ofMinutes(minutes));
        String said = Files.readString(log);
        if (ended.exitCode() == 0) return said;
        recorder.record(false, "grade: ./jbang " + String.join(" ", args).replace(root + "/", ""), "exit " + ended.exitCode() + "\n" + Text.tail(said, 15));
        return null;
    }

    /** A student's row of gradebook.csv: their total and the maximum. */
    private record Row(int total, int max) {}

    /** Each row of gradebook.csv, by the cell of the student's name. */
    private static Map<String, Row> gradebook(Path csv) throws IOException {
        Map<String, Row> rows = new HashMap<>();
        if (!Files.exists(csv)) return rows;
        List<String> lines = Files.readAllLines(csv);
        for (String row : lines.subList(1, lines.size())) {
            String[] c = row.split(",");
            rows.put(c[0], new Row(Integer.parseInt(c[c.length - 2]), Integer.parseInt(c[c.length - 1])));
        }
        return rows;
    }

    private JsonNode exercise(Path out, String student, String id) throws IOException {
        for (JsonNode e : JSON.readTree(out.resolve(student).resolve("grade.json").toFile()).path("exercises")) {
            if (e.path("id").asText().equals(id)) return e;
        }
        return JSON.createObjectNode();
    }

    private String overview(Path out, String student) throws IOException {
        return JSON.readTree(out.resolve(student).resolve("results.json").toFile()).path("output").asText();
    }

    /** The entries of the machine's shared folders (other programs come and go: only students' entries count). */
    private static Set<String> shared() {
        Set<String> entries = new TreeSet<>();
        for (Path dir : SHARED) {
            try (Stream<Path> s = Files.list(dir)) {
                s.forEach(p -> entries.add(p.toString()));
            } catch (IOException e) {
                // not there, or not readable
            }
        }
        return entries;
    }

    private static long owner(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue() & 0xffffffffL;
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /**
     * Whether a forged result got in: the attack's tests are class "Forged", named "forged ...". Matched on those fields,
     * not on the text: an exercise's own hints may say "a forged token" (exercise 02's do).
     */
    private static boolean hasForgedTest(JsonNode tests) {
        for (JsonNode test : tests) {
            if (test.path("testClass").asText().equals("Forged") || test.path("name").asText().startsWith("forged")) return true;
        }
        return false;
    }
}
