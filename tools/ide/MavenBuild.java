package ide;

import engine.TestRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import kit.Course;

/**
 * The Maven build that IntelliJ IDEA, VS Code and Eclipse import with no plugin, written from the course itself:
 * library versions from kit/src/kit/Deps.java (the //DEPS lines JBang reads), a lesson's JVM options from its own
 * //JAVA_OPTIONS line, the tests' JUnit settings from {@link TestRunner}. Nothing in it is kept by hand:
 * {@code ./jbang workbook ide} writes it, and verify fails when a committed file differs from what this makes.
 *
 * <p>The module poms live under ide/, not beside the sources: an exercise's source root is its own folder
 * (exercises/11-outbox, holding the package folder outbox/), and m2e (Eclipse, VS Code) imports no project whose
 * source root is the project's own folder (eclipse-m2e/m2e-core#1209); a source root outside it, it links.
 * Build output therefore lands in ide/.../target, never among the learner's files.
 */
public final class MavenBuild {
    static final String GROUP = "workbook";
    /** Build plugins: tools of the build, not libraries of the course, so their versions live here alone. */
    private static final String COMPILER_PLUGIN = "3.14.1";
    private static final String SUREFIRE_PLUGIN = "3.5.4";
    private static final String RESOURCES_PLUGIN = "3.3.1";
    private static final String CLEAN_PLUGIN = "3.4.1";
    private static final Pattern DEPS = Pattern.compile("(?m)^//DEPS\\s+(\\S+)");
    private static final Pattern JAVA_OPTIONS = Pattern.compile("(?m)^//JAVA_OPTIONS\\s+(.*)$");

    /** One //DEPS line: a library (version null when a BOM manages it) or a BOM ({@code @pom}). */
    record Dependency(String group, String artifact, String version, boolean bom) {
        static Dependency parse(String coordinates) {
            boolean bom = coordinates.endsWith("@pom");
            String[] parts = coordinates.replaceFirst("@pom$", "").split(":");
            if (parts.length < 2 || parts.length > 3) throw new IllegalArgumentException("not group:artifact[:version]: //DEPS " + coordinates);
            return new Dependency(parts[0], parts[1], parts.length == 3 ? parts[2] : null, bom);
        }
    }

    private final Path root;

    public MavenBuild(Path root) { this.root = root; }

    /** Every file of the build, by its path relative to the root, with the text it must have. */
    public Map<Path, String> files() {
        List<Dependency> deps = dependencies();
        List<Course.Lesson> lessons = Course.LESSONS.stream().filter(l -> l.written(root)).toList();
        List<Course.Lesson> exercises = Course.LESSONS.stream().filter(l -> l.hasExercise(root)).toList();
        Map<Path, String> files = new LinkedHashMap<>();
        List<String> modules = new ArrayList<>(List.of("ide/kit"));
        lessons.forEach(l -> modules.add("ide/lessons/" + l.id()));
        exercises.forEach(l -> modules.add("ide/exercises/" + l.id()));
        files.put(Path.of("pom.xml"), Poms.root(deps, modules, testJvmOptions(),
            Map.of("compiler", COMPILER_PLUGIN, "surefire", SUREFIRE_PLUGIN, "resources", RESOURCES_PLUGIN, "clean", CLEAN_PLUGIN)));
        files.put(Path.of("ide/kit/pom.xml"), Poms.kit(deps));
        files.put(Path.of("ide/test-resources/junit-platform.properties"), junitProperties());
        for (Course.Lesson l : lessons) {
            files.put(Path.of("ide/lessons/" + l.id() + "/pom.xml"), Poms.lesson(l));
            files.put(Path.of(".run/" + RunConfigurations.name(l) + ".run.xml"), RunConfigurations.intellij(l, jvmOptions(lessonSource(l))));
        }
        files.put(Path.of(".vscode/launch.json"), RunConfigurations.vscode(lessons.stream()
            .collect(Collectors.toMap(l -> l, l -> jvmOptions(lessonSource(l)), (a, b) -> a, LinkedHashMap::new))));
        for (Course.Lesson l : exercises) files.put(Path.of("ide/exercises/" + l.id() + "/pom.xml"), Poms.exercise(l));
        return files;
    }

    /** The files that are missing or differ from what {@link #files()} makes, relative to the root. */
    public List<Path> stale() {
        List<Path> stale = new ArrayList<>();
        files().forEach((path, text) -> {
            Path file = root.resolve(path);
            try {
                if (!Files.isRegularFile(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(text)) stale.add(path);
            } catch (IOException e) {
                stale.add(path);
            }
        });
        return stale;
    }

    /** Writes the files that are stale; returns them. */
    public List<Path> write() {
        List<Path> stale = stale();
        Map<Path, String> files = files();
        try {
            for (Path path : stale) {
                Path file = root.resolve(path);
                Files.createDirectories(file.getParent());
                Files.writeString(file, files.get(path), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return stale;
    }

    List<Dependency> dependencies() {
        Matcher m = DEPS.matcher(read(root.resolve("kit/src/kit/Deps.java")));
        List<Dependency> deps = new ArrayList<>();
        while (m.find()) deps.add(Dependency.parse(m.group(1)));
        return deps;
    }

    private Path lessonSource(Course.Lesson lesson) {
        return lesson.lessonDir(root).resolve("Lesson.java");
    }

    /** What the tests of {@code workbook check} run with: the workbook's own JVM options that matter. */
    private List<String> testJvmOptions() {
        return jvmOptions(root.resolve("tools/Workbook.java"));
    }

    /**
     * The options of a script's //JAVA_OPTIONS line that change what the program does (-D properties and --flags,
     * such as lesson 10's -Dsun.misc.unsafe.memory.access=allow); -XX and -Xlog only tune JBang's start-up.
     */
    static List<String> jvmOptions(Path script) {
        Matcher m = JAVA_OPTIONS.matcher(read(script));
        List<String> options = new ArrayList<>();
        while (m.find()) {
            Arrays.stream(m.group(1).trim().split("\\s+")).filter(o -> o.startsWith("-D") || o.startsWith("--")).forEach(options::add);
        }
        return options;
    }

    private static String junitProperties() {
        StringBuilder text = new StringBuilder("# Written by ./jbang workbook ide from tools/engine/TestRunner.java: tests run from an IDE as workbook check runs them.\n");
        TestRunner.settings(TestRunner.CHECK_TIMEOUT).forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        return text.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
