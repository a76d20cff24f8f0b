package verify;

import engine.Compiler;
import engine.Folders;
import engine.Processes;
import engine.TestRunner;
import ide.MavenBuild;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import kit.Course;
import kit.SourceFiles;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The Maven build that IDEs import (pom.xml, ide/, .run/, .vscode/): its files are what kit/src/kit/Deps.java and
 * the lessons make, and, where mvn is installed, it compiles the kit, every lesson and every exercise, and one
 * exercise's tests end under it on the stub as they end in workbook check: the same display names, and each one
 * passing, failing with the TODO message, or failing otherwise, alike.
 * One Maven run does all of it (test-compile everywhere, the tests of one exercise only): Maven's start costs more
 * than a second run's work.
 */
record IdeBuildCheck(Path root, Recorder recorder) {
    private static final Duration MAVEN_LIMIT = Duration.ofMinutes(10);

    void check(Course.Lesson exercise, TestRunner.Report stub) {
        List<Path> stale = new MavenBuild(root).stale();
        recorder.record(stale.isEmpty(), "ide: pom.xml, ide/, .run/ and .vscode/launch.json are what kit/src/kit/Deps.java and the lessons make",
            stale.isEmpty() ? "" : "differ: " + String.join(", ", stale.stream().map(Path::toString).toList()) + "; write them with ./jbang workbook ide");
        if (exercise == null || stub == null) return;
        String mvn = mvn();
        if (mvn == null) {
            System.out.println("SKIP ide: mvn is not installed here, so the Maven build was not compiled");
            return;
        }
        try {
            maven(mvn, exercise, stub);
        } catch (IOException | InterruptedException | RuntimeException e) {
            recorder.record(false, "ide: the Maven build runs", e.toString());
        }
    }

    private void maven(String mvn, Course.Lesson exercise, TestRunner.Report stub) throws IOException, InterruptedException {
        String pkg = testPackage(exercise);
        Path log = Files.createDirectories(root.resolve(".workbook-cache")).resolve("verify-maven.log");
        Path reports = root.resolve("ide/exercises").resolve(exercise.id()).resolve("target/surefire-reports");
        Folders.deleteTree(reports);
        // Failing tests are what a stub is for: the build goes on, and the reports are read below.
        ProcessBuilder pb = new ProcessBuilder(mvn, "-B", "-q", "test", "-Dtest=" + pkg + ".**",
            "-Dsurefire.failIfNoSpecifiedTests=false", "-Dmaven.test.failure.ignore=true")
            .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));   // a JDK 21+, as this JVM is
        var ended = Processes.run(pb, MAVEN_LIMIT);
        boolean compiled = ended.ok();
        recorder.record(compiled, "ide: the Maven build compiles the kit, every lesson and every exercise with its tests",
            compiled ? "%.0f s (mvn test-compile, and the tests of %s)".formatted(ended.seconds(), exercise.number2())
                     : (ended.timedOut() ? "mvn ran over " + MAVEN_LIMIT.toMinutes() + " minutes" : "mvn exited " + ended.exitCode()) + "; its output: " + root.relativize(log));
        if (!compiled) return;

        Map<String, Outcome> inCheck = new TreeMap<>();
        stub.results().forEach(r -> inCheck.put(r.displayName(), Outcome.of(r.passed(), r.message())));
        Map<String, Outcome> underMaven = readReports(reports);
        boolean todoSomewhere = inCheck.containsValue(Outcome.FAILS_WITH_TODO);
        boolean ok = underMaven.equals(inCheck) && todoSomewhere;
        String detail = underMaven.size() + " tests under Maven, " + inCheck.size() + " in workbook check; "
            + Collections.frequency(underMaven.values(), Outcome.FAILS_WITH_TODO) + " fail with the TODO message";
        if (!todoSomewhere) detail += "; no test fails with the TODO message in workbook check: is the stub a stub?";
        List<String> differ = new ArrayList<>();
        Set<String> names = new TreeSet<>(inCheck.keySet());
        names.addAll(underMaven.keySet());
        for (String name : names) {
            Outcome check = inCheck.get(name), maven = underMaven.get(name);
            if (check != maven) differ.add("\"" + name + "\": " + describe(check) + " in workbook check, " + describe(maven) + " under Maven");
        }
        if (!differ.isEmpty()) detail += "; " + String.join("; ", differ);
        recorder.record(ok, "ide: under Maven, exercise " + exercise.number2() + "'s tests end on the stub as workbook check ends them (the same names, the same TODO failures)", detail);
    }

    /** How one test ends on the stub. A test of code the stub already gives may pass; the rest fail, most with the TODO. */
    enum Outcome {
        PASSES, FAILS_WITH_TODO, FAILS;

        static Outcome of(boolean passed, String message) {
            return passed ? PASSES : message != null && message.contains("TODO") ? FAILS_WITH_TODO : FAILS;
        }
    }

    private static String describe(Outcome outcome) {
        return outcome == null ? "absent" : outcome.name().toLowerCase().replace('_', ' ');
    }

    /** Each test case of the surefire reports: its name (the display name, as the pom asks) and how it ended. */
    private static Map<String, Outcome> readReports(Path reports) throws IOException {
        Map<String, Outcome> outcomes = new TreeMap<>();
        if (!Files.isDirectory(reports)) return outcomes;
        try (Stream<Path> files = Files.list(reports)) {
            for (Path xml : files.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList()) {
                NodeList cases;
                try {
                    cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile()).getElementsByTagName("testcase");
                } catch (ParserConfigurationException | SAXException e) {
                    throw new IOException(xml + " is not a readable report: " + e.getMessage(), e);
                }
                for (int i = 0; i < cases.getLength(); i++) {
                    Element c = (Element) cases.item(i);
                    outcomes.put(c.getAttribute("name"), outcomeOf(c));
                }
            }
        }
        return outcomes;
    }

    private static Outcome outcomeOf(Element testcase) {
        boolean failed = false;
        for (String kind : List.of("error", "failure")) {
            NodeList outcomes = testcase.getElementsByTagName(kind);
            for (int i = 0; i < outcomes.getLength(); i++) {
                failed = true;
                if (((Element) outcomes.item(i)).getAttribute("message").contains("TODO")) return Outcome.FAILS_WITH_TODO;
            }
        }
        return failed ? Outcome.FAILS : Outcome.PASSES;
    }

    /** The package of the exercise's tests, for surefire's -Dtest. */
    private String testPackage(Course.Lesson exercise) throws IOException {
        for (Path f : SourceFiles.in(exercise.exerciseDir(root))) {
            if (f.getFileName().toString().endsWith("Test.java")) return Compiler.packageOf(Files.readString(f));
        }
        throw new IOException("exercise " + exercise.id() + " has no tests");
    }

    /** mvn (mvn.cmd on Windows) from the PATH, or null. */
    private static String mvn() {
        String name = Course.onWindows() ? "mvn.cmd" : "mvn";
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name).toString();
        }
        return null;
    }
}
