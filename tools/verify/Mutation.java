package verify;

import engine.Compiler;
import engine.Folders;
import engine.MutationSummary;
import engine.Processes;
import engine.Sources;
import engine.Text;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import kit.Course;
import kit.Style;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code ./jbang verify --mutation}: how well each exercise's tests tell its reference solution from a slightly
 * wrong one. PIT makes small changes (mutants) to the solution's classes, never to the kit or the given code, and
 * runs the exercise's tests against each; a mutant that every test still passes is a wrong answer the tests miss,
 * unless it means the same as the solution (an equivalent mutant, listed with a reason in
 * {@code solutions/NN-slug/equivalent-mutants.txt}). An exercise passes at 95 % of its non-equivalent mutants
 * killed, with at most 5 % of its mutants declared equivalent.
 */
public final class Mutation {
    public static final double TARGET = 95.0;
    public static final double MAX_EQUIVALENT_SHARE = 5.0;
    static final String MUTATORS = "STRONGER";
    private static final Duration LIMIT = Duration.ofMinutes(20);
    /** One line of equivalent-mutants.txt: {@code TokenBucket.java:42 ConditionalsBoundaryMutator: why it means the same}. */
    private static final Pattern EQUIVALENT = Pattern.compile("^(\\S+\\.java):(\\d+)\\s+(\\w+)\\s*:\\s*(\\S.*)$");

    /** One mutant as PIT's mutations.xml reports it. */
    record Mutant(String file, int line, String mutator, String method, String description, String status, boolean detected) {
        String where() { return file + ":" + line + " " + mutator; }

        boolean covered() { return !status.equals("NO_COVERAGE"); }
    }

    /** An entry of equivalent-mutants.txt. */
    record Equivalent(String file, int line, String mutator, String why) {
        boolean matches(Mutant m) { return m.file.equals(file) && m.line == line && m.mutator.equals(mutator); }

        String where() { return file + ":" + line + " " + mutator; }
    }

    private final Path root;
    private final Compiler compiler;
    private final Recorder recorder;

    Mutation(Path root, Compiler compiler, Recorder recorder) {
        this.root = root;
        this.compiler = compiler;
        this.recorder = recorder;
    }

    /** Runs PIT on one exercise, prints what survived, records PASS or FAIL and writes the summary. */
    void run(Course.Lesson lesson) {
        String id = lesson.id();
        Path solutionDir = lesson.solutionDir(root);
        Sources sources = Sources.solution(root, lesson);
        List<String> targets = targetClasses(solutionDir);
        if (targets.isEmpty()) {
            recorder.record(false, id + ": mutation testing", "solutions/" + id + " holds no .java file to mutate");
            return;
        }
        if (!(compiler.compile(sources) instanceof Compiler.Compiled compiled)) {
            recorder.record(false, id + ": mutation testing", "the solution does not compile: run ./jbang verify --only " + lesson.number2());
            return;
        }
        List<Equivalent> equivalents;
        try {
            equivalents = equivalents(solutionDir);
        } catch (IllegalArgumentException e) {
            recorder.record(false, id + ": " + MutationSummary.EQUIVALENTS + " reads", e.getMessage());
            return;
        }
        Path reportDir = root.resolve(".workbook-cache").resolve("mutation").resolve(id);
        long start = System.nanoTime();
        List<Mutant> mutants;
        try {
            mutants = pit(sources, compiled, targets, reportDir);
        } catch (PitFailed e) {
            recorder.record(false, id + ": PIT runs on the solution", e.getMessage());
            return;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        report(lesson, sources, mutants, equivalents, reportDir, seconds);
    }

    private void report(Course.Lesson lesson, Sources sources, List<Mutant> mutants, List<Equivalent> equivalents,
                        Path reportDir, double seconds) {
        String id = lesson.id();
        List<Mutant> killed = mutants.stream().filter(Mutant::detected).toList();
        List<Mutant> equivalent = mutants.stream().filter(m -> !m.detected() && m.covered())
            .filter(m -> equivalents.stream().anyMatch(e -> e.matches(m))).toList();
        List<Mutant> survived = mutants.stream().filter(m -> !m.detected() && m.covered() && !equivalent.contains(m)).toList();
        List<Mutant> uncovered = mutants.stream().filter(m -> !m.covered()).toList();
        List<Equivalent> stale = equivalents.stream().filter(e -> equivalent.stream().noneMatch(e::matches)).toList();
        int counted = mutants.size() - equivalent.size();
        double score = counted == 0 ? 0 : 100.0 * killed.size() / counted;
        double equivalentShare = mutants.isEmpty() ? 0 : 100.0 * equivalent.size() / mutants.size();

        System.out.printf(Locale.ROOT, "%s  %d mutants, %d killed, %d survived, %d no coverage, %d equivalent: %.1f %% (%.0f s)%n",
            Style.bold(id), mutants.size(), killed.size(), survived.size(), uncovered.size(), equivalent.size(), score, seconds);
        for (Mutant m : survived) System.out.println("    survived     " + describe(m));
        for (Mutant m : uncovered) System.out.println("    no coverage  " + describe(m));
        for (Equivalent e : stale) System.out.println("    stale entry  " + e.where() + " (PIT kills it or no longer makes it): " + e.why());

        new MutationSummary(Math.floor(score * 10) / 10, mutants.size(), killed.size(), survived.size(), uncovered.size(),
            equivalent.size(), LocalDate.now(), MUTATORS, MutationSummary.hashOf(sources.files(), lesson.solutionDir(root)))
            .write(lesson.solutionDir(root));

        boolean ok = !mutants.isEmpty() && score >= TARGET && equivalentShare <= MAX_EQUIVALENT_SHARE && stale.isEmpty();
        List<String> why = new ArrayList<>();
        if (score < TARGET) why.add("%.1f %% killed, under %.0f %%".formatted(score, TARGET));
        if (equivalentShare > MAX_EQUIVALENT_SHARE) why.add("%d of %d mutants declared equivalent, over %.0f %%".formatted(equivalent.size(), mutants.size(), MAX_EQUIVALENT_SHARE));
        if (!stale.isEmpty()) why.add(stale.size() + " stale entries in " + MutationSummary.EQUIVALENTS);
        recorder.record(ok, id + ": the tests kill %.0f %% of the solution's non-equivalent mutants".formatted(TARGET),
            (ok ? "%.1f %%".formatted(score) : String.join("; ", why)) + ", report in " + root.relativize(reportDir.resolve("index.html")));
    }

    private static String describe(Mutant m) {
        return m.where() + " in " + m.method() + ": " + m.description();
    }

    /** The classes the solution's own files define (with their nested classes): only these are mutated. */
    private static List<String> targetClasses(Path solutionDir) {
        List<String> targets = new ArrayList<>();
        try (var files = Files.list(solutionDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".java")).sorted().toList()) {
                String name = Compiler.className(f.getFileName().toString(), Files.readString(f));
                targets.add(name);
                targets.add(name + "$*");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return targets;
    }

    static List<Equivalent> equivalents(Path solutionDir) {
        Path file = solutionDir.resolve(MutationSummary.EQUIVALENTS);
        if (!Files.isRegularFile(file)) return List.of();
        List<Equivalent> entries = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                Matcher m = EQUIVALENT.matcher(line);
                if (!m.matches()) {
                    throw new IllegalArgumentException("line " + (i + 1) + " is not 'File.java:LINE MutatorName: why it means the same': " + line);
                }
                entries.add(new Equivalent(m.group(1), Integer.parseInt(m.group(2)), m.group(3), m.group(4)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    private static final class PitFailed extends Exception {
        PitFailed(String message) { super(message); }
    }

    /** Runs PIT in a JVM of its own (it forks its own test JVMs too) and reads its mutations.xml. */
    private List<Mutant> pit(Sources sources, Compiler.Compiled compiled, List<String> targets, Path reportDir) throws PitFailed {
        try {
            Folders.deleteTree(reportDir);
            Path sourceDir = packagedSources(sources, reportDir.resolve("sources"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = compiled.classes() + File.pathSeparator + System.getProperty("java.class.path");
            List<String> command = List.of(java, "-cp", classPath, "org.pitest.mutationtest.commandline.MutationCoverageReport",
                "--reportDir", reportDir.toString(),
                "--targetClasses", String.join(",", targets),
                "--targetTests", String.join(",", compiled.testClasses()),
                "--sourceDirs", sourceDir.toString(),
                "--mutators", MUTATORS,
                "--outputFormats", "XML,HTML",
                "--timestampedReports=false",
                "--threads", Integer.toString(Runtime.getRuntime().availableProcessors()),
                "--jvmArgs", "-XX:TieredStopAtLevel=1,-Xshare:auto");
            Path log = reportDir.resolve("pit.log");
            var ended = Processes.run(new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()), LIMIT);
            if (ended.timedOut()) {
                throw new PitFailed("PIT still running after " + LIMIT.toMinutes() + " min; its log: " + root.relativize(log));
            }
            Path xml = reportDir.resolve("mutations.xml");
            if (ended.exitCode() != 0 || !Files.isRegularFile(xml)) {
                throw new PitFailed("PIT exited with " + ended.exitCode() + "; the end of its log (" + root.relativize(log) + "):\n" + Text.tail(Files.readString(log), 20));
            }
            return mutants(xml);
        } catch (IOException e) {
            throw new PitFailed("PIT could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PitFailed("interrupted");
        }
    }

    /** PIT finds a class's source by its package path; the exercise's files are flat, so they are laid out that way. */
    private static Path packagedSources(Sources sources, Path into) throws IOException {
        for (var file : sources.files().entrySet()) {
            String text = Files.readString(file.getValue());
            Path dir = into.resolve(Compiler.packageOf(text).replace('.', File.separatorChar));
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(file.getKey()), text);
        }
        return into;
    }

    private static List<Mutant> mutants(Path xml) throws PitFailed {
        try {
            var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
            NodeList nodes = doc.getElementsByTagName("mutation");
            List<Mutant> mutants = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                Element e = (Element) nodes.item(i);
                String mutator = text(e, "mutator");
                mutants.add(new Mutant(text(e, "sourceFile"), Integer.parseInt(text(e, "lineNumber")),
                    mutator.substring(mutator.lastIndexOf('.') + 1), text(e, "mutatedMethod"), text(e, "description"),
                    e.getAttribute("status"), Boolean.parseBoolean(e.getAttribute("detected"))));
            }
            return mutants;
        } catch (Exception e) {
            throw new PitFailed("cannot read PIT's " + xml + ": " + e.getMessage());
        }
    }

    private static String text(Element e, String tag) {
        NodeList found = e.getElementsByTagName(tag);
        return found.getLength() == 0 ? "" : found.item(0).getTextContent();
    }
}
