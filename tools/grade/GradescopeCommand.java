package grade;

import engine.Folders;
import engine.Tool;
import engine.UserError;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import kit.Course;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code grade gradescope --out DIR}: a Gradescope autograder bundle. DIR/autograder.zip holds setup.sh and
 * run_autograder at its top and this course (kit, tools, the exercises' stubs and tests, hidden tests, and the
 * reference's list of tests and points: no solutions) under workbook/. run_autograder runs this same grader on
 * /autograder/submission and writes /autograder/results/results.json.
 */
@Command(name = "gradescope", mixinStandardHelpOptions = true,
         description = {"Builds a Gradescope autograder bundle (DIR/autograder.zip: setup.sh, run_autograder, the course without solutions).",
                        "Upload autograder.zip as a Gradescope programming assignment's autograder."})
public final class GradescopeCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the bundle is written.")
    Path out;

    @Option(names = "--tests", paramLabel = "DIR", description = "Hidden tests (DIR/ID/*Test.java), shipped in the bundle.")
    Path tests;

    @Option(names = "--only", split = ",", paramLabel = "IDS", description = "The exercises of this assignment (default: every exercise with tests).")
    List<String> only = List.of();

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Time limit of one exercise (default ${DEFAULT-VALUE}).")
    int timeout = 60;

    @Option(names = "--test-timeout", paramLabel = "SECONDS", description = "Time limit of one test (default ${DEFAULT-VALUE}).")
    int testTimeout = 10;

    @Option(names = "--heap", paramLabel = "MB", description = "Heap cap of the student's JVM (default ${DEFAULT-VALUE}).")
    int heapMb = 512;

    @Option(names = "--hidden-visibility", paramLabel = "WHEN", description = "Gradescope visibility of hidden tests (default ${DEFAULT-VALUE}).")
    String hiddenVisibility = "after_published";

    static final String SETUP = """
        #!/usr/bin/env bash
        # Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu): it installs a JDK and
        # Maven when they are missing, then fetches JBang and the course's libraries and builds the grader, so
        # that grading a submission needs no network.
        set -euo pipefail
        source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
        workbook="$source_dir/workbook"
        chmod +x "$workbook/jbang"
        if ! command -v mvn >/dev/null 2>&1 || ! "$workbook/jbang" version >/dev/null 2>&1; then
          export DEBIAN_FRONTEND=noninteractive
          apt-get update
          apt-get install -y --no-install-recommends openjdk-21-jdk-headless maven util-linux iproute2
        fi
        cd "$workbook"
        ./jbang grade --version
        """;

    static final String RUN = """
        #!/usr/bin/env bash
        # Gradescope runs this for every submission: it grades /autograder/submission with the course's grader and
        # writes /autograder/results/results.json. AUTOGRADER_ROOT moves /autograder (to try the bundle locally).
        set -uo pipefail
        ag=${AUTOGRADER_ROOT:-/autograder}
        cd "$ag/source/workbook" || exit 1
        ./jbang grade autograde --autograder "$ag"
        """;

    @Override
    public Integer call() throws Exception {
        Path root = Tool.root();
        Path dir = Cli.writable(out);
        Path bundle = dir.resolve("bundle");
        Folders.deleteTree(bundle);
        Path wb = Files.createDirectories(bundle.resolve("workbook"));
        for (String f : List.of("jbang", "jbang.cmd", "jbang-catalog.json")) {
            if (Files.exists(root.resolve(f))) Files.copy(root.resolve(f), wb.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        }
        copyTree(root.resolve("kit"), wb.resolve("kit"));
        copyTree(root.resolve("tools"), wb.resolve("tools"));

        Path testsDir = tests == null ? null : tests.toAbsolutePath().normalize();
        if (testsDir != null && !Files.isDirectory(testsDir)) throw new UserError("--tests " + tests + " is not a folder");
        Path tmpOut = Files.createTempDirectory("grade-bundle-");
        Settings s = Settings.of(root, root, tmpOut)
            .limits(new Settings.Limits(timeout, testTimeout, heapMb))
            .tests(testsDir)
            .only(only)
            .aot(false)
            .hiddenVisibility(hiddenVisibility)
            .build();
        Grader grader = new Grader(s, System.out);
        List<Course.Lesson> lessons;
        try {
            grader.prepare(1);
            lessons = grader.exercises().stream().map(Exercises.Exercise::lesson).toList();
            Files.writeString(wb.resolve("reference.json"), Protocol.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(grader.referenceSet()));
        } finally {
            grader.cleanUp();
            Folders.deleteTree(tmpOut);
        }
        for (Course.Lesson lesson : lessons) {
            copyTree(lesson.exerciseDir(root), lesson.exerciseDir(wb));
            if (testsDir != null) {
                Path hidden = Exercises.testsFolder(testsDir, lesson);
                for (Path f : Files2.javaFiles(hidden)) {
                    Path target = Files.createDirectories(wb.resolve("hidden-tests").resolve(lesson.id())).resolve(f.getFileName().toString());
                    Files.copy(f, target);
                }
            }
        }
        Map<String, Object> config = new LinkedHashMap<>();
        List<String> ids = lessons.stream().map(Course.Lesson::id).toList();
        config.put("only", ids);
        config.put("timeout", timeout);
        config.put("testTimeout", testTimeout);
        config.put("heap", heapMb);
        config.put("hiddenVisibility", hiddenVisibility);
        Files.writeString(wb.resolve("gradescope.json"), Protocol.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        script(bundle.resolve("setup.sh"), SETUP);
        script(bundle.resolve("run_autograder"), RUN);

        Path zip = dir.resolve("autograder.zip");
        Files.deleteIfExists(zip);
        // zipfs with POSIX attributes, so setup.sh, run_autograder and jbang stay executable once unpacked.
        try (var fs = FileSystems.newFileSystem(zip, Map.of("create", "true", "enablePosixFileAttributes", "true"));
             Stream<Path> walk = Files.walk(bundle)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                Path target = fs.getPath(bundle.relativize(p).toString().replace('\\', '/'));
                if (target.getParent() != null) Files.createDirectories(target.getParent());
                Files.copy(p, target);
                Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(p));
            }
        }
        System.out.println("Gradescope bundle for " + String.join(", ", ids) + ": " + zip + " (unpacked in " + bundle + ")");
        System.out.println("Upload autograder.zip as the autograder of a Gradescope programming assignment (Ubuntu base image).");
        return 0;
    }

    private static void script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Copies a folder of the course, leaving out build output and caches. */
    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) return;
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                String rel = from.relativize(p).toString();
                if (rel.contains(".workbook-cache") || rel.endsWith(".class") || rel.contains("/target/") || rel.startsWith("target")) continue;
                Path target = to.resolve(rel);
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
