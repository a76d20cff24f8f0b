package grade;

import com.sun.management.OperatingSystemMXBean;
import engine.Compiler;
import engine.Folders;
import engine.Sources;
import engine.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import kit.Course;

/** Grades a class: stages the course, runs the reference, then every student in child JVMs, and writes OUT. */
final class Grader {
    /** What the reference solution's run found, with the fingerprints of the tests it ran. */
    record ReferenceSet(Map<String, String> fingerprints, Map<String, Model.Reference> references) {}

    /** A student graded; {@code kept}: every exercise's result came from an earlier run into OUT. */
    private record Graded(Model.Student student, boolean kept) {}

    static final String VERSION = "grade-2";  // a new version grades every exercise again on a re-run into the same OUT

    private final Settings settings;
    private final PrintStream out;
    private Path tmp;
    private Sandbox sandbox;
    private Supervisor supervisor;
    private CompileService compileService;
    private List<Exercises.Exercise> exercises;
    private Map<String, Model.Reference> references;
    private final List<String> warnings = new ArrayList<>();

    Grader(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /** Grades the class and writes OUT; exit code 0 whenever the class was graded, whatever the scores. */
    int run() throws IOException, InterruptedException {
        long start = System.nanoTime();
        List<Submissions.Submission> all = settings.oneStudent() != null
            ? List.of(new Submissions.Submission(settings.oneStudent(), settings.submissions(), false))
            : Submissions.list(settings.submissions(), warnings);
        List<Submissions.Submission> mine = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) if (settings.shard().has(i)) mine.add(all.get(i));
        try {
            prepare(mine.size());
            List<String> ids = exercises.stream().map(Exercises.Exercise::id).toList();
            out.println("Grading " + mine.size() + " student" + (mine.size() == 1 ? "" : "s")
                + (settings.shard().isPart() ? " (shard " + settings.shard() + " of " + all.size() + ")" : "")
                + " × " + ids.size() + " exercises (" + String.join(", ", ids) + "), " + settings.jobs() + " at a time; " + sandbox.describe());
            List<Model.Student> students = gradeAll(mine, all);
            Files2.writeAtomically(settings.out().resolve("gradebook.csv"), Reports.gradebook(ids, students));
            Files2.writeAtomically(settings.out().resolve("summary.html"), Reports.summary(ids, students, "Class summary"
                + (settings.shard().isPart() ? " (shard " + settings.shard() + ")" : ""), warnings));
            for (String w : warnings) out.println("warning: " + w);
            if (System.getenv("GRADE_TIMING") != null) {
                System.err.println("[timing] grader itself: " + ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000 + " ms cpu");
            }
            out.println("Graded " + students.size() + " students in " + ProgressLine.duration((System.nanoTime() - start) / 1e9)
                + ": " + settings.out().resolve("gradebook.csv") + ", " + settings.out().resolve("summary.html"));
            return 0;
        } finally {
            if (compileService != null) compileService.close();
            if (sandbox != null) sandbox.close();
            if (System.getenv("GRADE_KEEP_TMP") == null) Folders.deleteTree(tmp);
            else out.println("kept the grader's temp folder: " + tmp);
        }
    }

    /** Stages the course and the sandbox and finds the reference; {@code students} decides whether an archive pays. */
    void prepare(int students) throws IOException, InterruptedException {
        tmp = Files.createTempDirectory("grade-");  // a name no one can guess, mode 700
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));  // children may pass, not list
        Path course = tmp.resolve("course");
        List<Course.Lesson> lessons = Exercises.select(settings.root(), settings.tests(), settings.only());
        if (lessons.isEmpty()) throw new UserError("no exercise with tests found under " + settings.root().resolve("exercises"));
        sandbox = Sandbox.prepare(tmp, settings.isolate(), settings.limits().heapMb());
        keepFromStudents(settings.out());
        keepFromStudents(settings.submissions());
        supervisor = supervisor();
        compileService = new CompileService(sandbox, tmp.resolve("compile"), sandbox.tenant(Sandbox.COMPILER, false), settings.limits().timeout());
        exercises = Exercises.stage(settings.root(), settings.tests(), lessons, course,
            (label, files, staging) -> compileService.compile(label, files, compileService.stagingFolder(staging)), VERSION, warnings);
        // Children pass through work/ to their own folder in it; private/ holds what only root reads (sources, unpacked zips).
        Files.setPosixFilePermissions(Files.createDirectories(tmp.resolve("work")), PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(Files.createDirectories(tmp.resolve("private")), PosixFilePermissions.fromString("rwx------"));
        references = loadReferences();
        if (references == null) references = computeReferences(settings.aot() && students >= 8);
        exercises = exercises.stream().filter(e -> {
            Model.Reference r = references.get(e.id());
            if (r != null && !r.tests().isEmpty()) return true;
            warnings.add(e.id() + ": not graded: neither its solution nor its stub gives a list of tests" + (r == null ? "" : " (" + String.join("; ", r.problems()) + ")"));
            return false;
        }).toList();
        if (exercises.isEmpty()) throw new UserError("no exercise can be graded here: " + String.join("; ", warnings));
    }

    private Supervisor supervisor() {
        Settings.Limits limits = settings.limits();
        return new Supervisor(sandbox, limits.timeout(), limits.testTimeout(), limits.outputLimit());
    }

    List<Exercises.Exercise> exercises() { return exercises; }

    ReferenceSet referenceSet() {
        Map<String, String> fp = new LinkedHashMap<>();
        for (Exercises.Exercise e : exercises) fp.put(e.id(), e.fingerprint());
        return new ReferenceSet(fp, references);
    }

    void cleanUp() {
        if (compileService != null) compileService.close();
        if (sandbox != null) sandbox.close();
        Folders.deleteTree(tmp);
    }

    /**
     * SUBMISSIONS and OUT out of every student's reach: not in the root of their own where the sandbox gives them
     * one, and otherwise (students as other users of this machine) no longer open to others.
     */
    private void keepFromStudents(Path folder) throws IOException {
        if (!sandbox.switchesUser() || sandbox.isolation() == Sandbox.Isolation.FILES) return;
        var mode = Files.getPosixFilePermissions(folder);
        if (mode.stream().noneMatch(p -> p.name().startsWith("OTHERS_"))) return;
        mode.removeIf(p -> p.name().startsWith("OTHERS_"));
        Files.setPosixFilePermissions(folder, mode);
        out.println("Made " + folder + " unreadable to other users (chmod o-rwx): the students' code runs as other users of this machine");
    }

    // ---- the reference: what each exercise's tests are, and what they are worth ----

    private Map<String, Model.Reference> loadReferences() throws IOException {
        if (settings.referenceFile() == null || !Files.exists(settings.referenceFile())) return null;
        ReferenceSet set = Protocol.JSON.readValue(settings.referenceFile().toFile(), ReferenceSet.class);
        for (Exercises.Exercise e : exercises) {
            if (!e.fingerprint().equals(set.fingerprints().get(e.id()))) {
                warnings.add(settings.referenceFile() + " was made for other tests of " + e.id() + ": running the reference again");
                return null;
            }
        }
        return set.references();
    }

    /**
     * Runs each exercise's reference solution (or, without one, its stub) like a student's, in a child JVM.
     * Its tests, with their points and hints, are the list every student is graded against. With {@code train},
     * that run also records the class-data archive that every later child starts from.
     */
    private Map<String, Model.Reference> computeReferences(boolean train) throws IOException, InterruptedException {
        Map<String, Model.Reference> refs = new LinkedHashMap<>();
        List<Exercises.Exercise> pending = new ArrayList<>(exercises);
        Sandbox.Tenant tenant = sandbox.tenant(Sandbox.REFERENCE, false);
        for (boolean solutions : new boolean[] {true, false}) {
            if (pending.isEmpty()) break;
            Map<String, Supervisor.Raw> raws = runReference(solutions, pending, tenant, train && solutions);
            for (Exercises.Exercise e : List.copyOf(pending)) {
                Model.Reference ref = raws.containsKey(e.id()) ? Results.reference(e, raws.get(e.id()), solutions) : null;
                if (ref == null) continue;
                refs.put(e.id(), ref);
                pending.remove(e);
                for (String p : ref.problems()) warnings.add(e.id() + ": " + p);
            }
        }
        sandbox.release(tenant);
        return refs;
    }

    /**
     * Runs the solutions (or the stubs) of the pending exercises as the reference's tenant; with {@code train}, the
     * run records a class-data archive, and the children after it start from it.
     */
    private Map<String, Supervisor.Raw> runReference(boolean solutions, List<Exercises.Exercise> pending, Sandbox.Tenant tenant, boolean train)
            throws IOException, InterruptedException {
        Path mine = Files.createTempDirectory(tmp.resolve("private"), solutions ? "reference-" : "reference-stub-");
        List<String> ids = stageReference(solutions, pending, Files.createDirectories(mine.resolve("src")));
        if (ids.isEmpty()) return Map.of();
        Path archive = null;
        if (train) {  // the training JVM writes the archive in a folder of the reference's own
            Path training = Files.createTempDirectory(tmp.resolve("work"), "training-");
            sandbox.giveTo(training, tenant);
            archive = training.resolve("classes.jsa");
        }
        List<String> jvm = archive == null ? List.of() : Sandbox.trainingOptions(archive);
        out.println("Running the reference " + (solutions ? "solutions" : "stubs") + " (" + String.join(", ", ids) + ")"
            + (jvm.isEmpty() ? "" : ", recording a class-data archive for the children") + "...");
        Map<String, Supervisor.Raw> raws = new ConcurrentHashMap<>();
        runExercises(solutions ? "reference" : "reference-stub", mine, tenant, ids, jvm, null, raw -> raws.put(raw.id(), raw));
        Folders.deleteTree(mine);
        if (archive != null) startChildrenFrom(archive);
        return raws;
    }

    /** Each pending exercise's solution (or stub), without its tests, in {@code src/ID}; answers the ids staged. */
    private List<String> stageReference(boolean solutions, List<Exercises.Exercise> pending, Path src) throws IOException {
        List<String> ids = new ArrayList<>();
        for (Exercises.Exercise e : pending) {
            if (solutions && !Files.isDirectory(e.lesson().solutionDir(settings.root()))) continue;
            Sources s = solutions ? Sources.solution(settings.root(), e.lesson()) : Sources.stub(settings.root(), e.lesson());
            Path dir = Files.createDirectories(src.resolve(e.id()));
            for (var f : s.files().entrySet()) {
                if (!Sources.isTest(f.getKey())) Files.copy(f.getValue(), dir.resolve(f.getKey()));
            }
            ids.add(e.id());
        }
        return ids;
    }

    /** The archive the training run recorded, where every child may read it and none may change it; the children start from it. */
    private void startChildrenFrom(Path archive) throws IOException {
        if (Files.isRegularFile(archive, LinkOption.NOFOLLOW_LINKS) && Files.size(archive) > 0) {
            Path kept = Files.createDirectories(tmp.resolve("archive")).resolve("classes.jsa");
            Files.move(archive, kept, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(kept.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setAttribute(kept, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(kept, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
            sandbox = sandbox.withArchive(kept, Sandbox.archiveIsCds());
            supervisor = supervisor();
        }
        Folders.deleteTree(archive.getParent());
    }

    // ---- one student's exercises: compiled in the compile server, tested in child JVMs ----

    /**
     * Compiles the files in {@code mine/src/ID} of each exercise (the compile server; javac's messages when they
     * do not compile) and runs their tests in child JVMs as the tenant. Each outcome goes to {@code onResult}
     * as soon as it is known. An exercise whose precompiled tests do not link with the student's classes is
     * compiled again with its tests, and run again.
     *
     * <p>{@code mine} is root's alone: the student's code never sees it, so what the grader reads from it and
     * writes into it is what the grader put there. {@code expected}: each exercise's tests (null for the reference).
     */
    void runExercises(String slot, Path mine, Sandbox.Tenant tenant, List<String> ids, List<String> extraJvm,
                      Map<String, Set<String>> expected, Consumer<Supervisor.Raw> onResult)
            throws IOException, InterruptedException {
        Map<String, Double> spent = new LinkedHashMap<>();   // the second run gets what is left of each limit, not a new one
        runOnce(slot, mine, tenant, ids, true, extraJvm, expected, Map.of(), raw -> {
            if (raw.linkage()) spent.put(raw.id(), raw.seconds());
            else onResult.accept(raw);
        });
        if (!spent.isEmpty()) runOnce(slot, mine, tenant, new ArrayList<>(spent.keySet()), false, extraJvm, expected, spent, onResult);
    }

    /** One round: {@code fast}, with the precompiled tests where there are some (and in one javac run where it can). */
    private void runOnce(String slot, Path mine, Sandbox.Tenant tenant, List<String> ids, boolean fast, List<String> extraJvm,
                         Map<String, Set<String>> expected, Map<String, Double> spent, Consumer<Supervisor.Raw> onResult)
            throws IOException, InterruptedException {
        Map<String, Map<String, Path>> own = ownFiles(mine, ids, fast);
        // Each child run gets a new folder, filled by root and then sealed: nothing a child of an earlier run did is in it.
        Path work = sandbox.newWorkFolder(tmp.resolve("work"), "run-");
        try {
            Map<String, ChildMain.Plan> plans = compile(slot, mine, work, ids, own, fast, onResult);
            if (plans.isEmpty()) return;
            String key = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            Path plan = work.resolve("plan.json");
            Files.writeString(plan, Protocol.JSON.writeValueAsString(new ChildMain.Orders(key, plans)));
            if (tenant.trusted()) sandbox.giveTo(work, tenant);
            else sandbox.seal(work, tenant);
            supervisor.run(new Supervisor.Job(tenant, work, plan, key, List.copyOf(plans.keySet()), expected, extraJvm, spent), onResult);
        } finally {
            Folders.deleteTree(work);  // the student's processes are gone: nothing can swap a folder for a link meanwhile
        }
    }

    /** Each exercise's files: the course's, the student's laid over them; {@code fast}: without the tests that are precompiled. */
    private Map<String, Map<String, Path>> ownFiles(Path mine, List<String> ids, boolean fast) {
        Map<String, Map<String, Path>> own = new LinkedHashMap<>();
        for (String id : ids) {
            Exercises.Exercise e = exercise(id);
            Sources sources = Sources.exercise(tmp.resolve("course"), e.lesson()).overlay("submission", mine.resolve("src").resolve(id));
            Map<String, Path> files = new LinkedHashMap<>(sources.files());
            if (fast && e.precompiled() != null) files.keySet().removeIf(Sources::isTest);
            own.put(id, files);
        }
        return own;
    }

    /** Compiles each exercise (all at once where it can) into a plan for the child; one that does not compile goes to {@code onResult}. */
    private Map<String, ChildMain.Plan> compile(String slot, Path mine, Path work, List<String> ids, Map<String, Map<String, Path>> own,
                                                boolean fast, Consumer<Supervisor.Raw> onResult) throws IOException, InterruptedException {
        Map<String, ChildMain.Plan> plans = new LinkedHashMap<>();
        Map<String, Path> batch = fast ? batch(slot, ids, own, mine) : null;
        if (batch != null) {
            for (String id : ids) plans.put(id, plan(work, exercise(id), batch.get(id), null, true));
            return plans;
        }
        for (String id : ids) {
            Exercises.Exercise e = exercise(id);
            boolean precompiled = fast && e.precompiled() != null;
            String folder = slot + "/" + (precompiled ? "own" : "all") + "/";
            long start = System.nanoTime();
            switch (compileService.compile(id + " of " + slot, own.get(id), compileService.stagingFolder(folder + id))) {
                case CompileService.Failed f -> {
                    List<String> errors = f.errors().stream().limit(100).map(m -> Protocol.clip(m.replace(folder, ""), 2_000)).toList();
                    onResult.accept(new Supervisor.Raw(id, Model.Outcome.COMPILE_ERROR, List.of(), null, errors, "", "", (System.nanoTime() - start) / 1e9));
                }
                case CompileService.Compiled c -> plans.put(id, plan(work, e, c.classes(), c, precompiled));
            }
        }
        return plans;
    }

    /**
     * All of a student's exercises in one javac run (javac's start-up is most of the cost of compiling one
     * exercise). Answers each exercise's classes (in {@code mine/compiled/ID}), or null when that cannot be done
     * (an exercise whose tests are compiled with it, two exercises sharing a package) or does not compile: then
     * each is compiled alone, for its own messages.
     */
    private Map<String, Path> batch(String slot, List<String> ids, Map<String, Map<String, Path>> own, Path mine) throws IOException, InterruptedException {
        if (ids.size() < 2 || ids.stream().anyMatch(id -> exercise(id).precompiled() == null)) return null;
        Map<String, Set<String>> packages = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        Map<String, Path> all = new LinkedHashMap<>();
        for (String id : ids) {
            Set<String> mineOnly = new HashSet<>();
            for (var f : own.get(id).entrySet()) {
                mineOnly.add(packageOf(f.getValue()));
                all.put(id + "/" + f.getKey(), f.getValue());
            }
            for (String p : mineOnly) if (!seen.add(p)) return null;
            packages.put(id, mineOnly);
        }
        var result = compileService.compile("exercises of " + slot, all, compileService.stagingFolder(slot + "/batch"));
        if (!(result instanceof CompileService.Compiled c)) return null;
        Map<String, Path> split = new LinkedHashMap<>();
        for (String id : ids) {
            Path dir = mine.resolve("compiled").resolve(id);
            Folders.deleteTree(dir);
            Files.createDirectories(dir);
            for (String p : packages.get(id)) {
                Path from = p.isEmpty() ? c.classes() : c.classes().resolve(p.replace('.', '/'));
                if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) continue;
                Path to = Files.createDirectories(dir.resolve(p.replace('.', '/')));
                try (var files = Files.list(from)) {
                    for (Path f : files.filter(x -> x.toString().endsWith(".class") && Files.isRegularFile(x, LinkOption.NOFOLLOW_LINKS)).toList()) {
                        Files.copy(f, to.resolve(f.getFileName().toString()), LinkOption.NOFOLLOW_LINKS);
                    }
                }
            }
            split.put(id, dir);
        }
        return split;
    }

    /** Read as Latin-1, which never fails: a file that is not UTF-8 is javac's to report, as the student's compile error. */
    private static String packageOf(Path source) throws IOException {
        return Compiler.packageOf(Files.readString(source, StandardCharsets.ISO_8859_1));
    }

    /** The folder a child runs an exercise from: the student's classes, and the precompiled tests when they are used. */
    private ChildMain.Plan plan(Path work, Exercises.Exercise e, Path compiled, CompileService.Compiled c, boolean precompiled) throws IOException {
        Path classes = Files.createDirectories(work.resolve("classes").resolve(e.id()));
        Files2.copyTree(compiled, classes);
        if (precompiled) {
            Files2.copyTree(tmp.resolve("course").resolve("test-classes").resolve(e.id()), classes);
            return new ChildMain.Plan(classes.toString(), e.precompiled().testClasses(), e.precompiled().testOrder(), true);
        }
        return new ChildMain.Plan(classes.toString(), c.testClasses(), c.testOrder(), false);
    }

    private Exercises.Exercise exercise(String id) {
        return exercises.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
    }

    // ---- the students ----

    private List<Model.Student> gradeAll(List<Submissions.Submission> mine, List<Submissions.Submission> all) throws InterruptedException {
        ProgressLine progress = new ProgressLine(out, mine.size());
        ExecutorService pool = Executors.newFixedThreadPool(settings.jobs(), Thread.ofPlatform().name("student-", 0).factory());
        List<Future<Model.Student>> futures = new ArrayList<>();
        for (Submissions.Submission s : mine) {
            int index = all.indexOf(s);
            futures.add(pool.submit(() -> gradeOne(index, s, progress)));
        }
        pool.shutdown();
        List<Model.Student> students = new ArrayList<>();
        try {
            for (Future<Model.Student> f : futures) students.add(f.get());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
            progress.finish();
        }
        return students;
    }

    /** Grades one student and says so on the progress line, whatever happens: a problem of ours is recorded for them. */
    private Model.Student gradeOne(int index, Submissions.Submission s, ProgressLine progress) {
        long start = System.nanoTime();
        Graded graded;
        try {
            graded = gradeStudent(index, s);
        } catch (Exception | Error e) {
            // a problem of ours or of the machine with this student: recorded for them, the class goes on
            graded = new Graded(failedStudent(s, e), false);
            try {
                Reports.student(studentFolder(s.name()), graded.student(), settings.hiddenVisibility());
            } catch (IOException ignored) {
                // the line below still says it
            }
        }
        progress.studentDone(line(graded, (System.nanoTime() - start) / 1e9));
        return graded.student();
    }

    private String line(Graded graded, double seconds) {
        Model.Student s = graded.student();
        StringBuilder sb = new StringBuilder(s.name()).append(": ").append(s.score()).append("/").append(s.maxScore());
        List<String> problems = new ArrayList<>();
        for (Model.Exercise e : s.exercises()) {
            if (e.outcome() != Model.Outcome.GRADED && e.outcome() != Model.Outcome.MISSING) problems.add(e.id().substring(0, 2) + " " + Reports.outcomeText(e.outcome()));
        }
        long missing = s.exercises().stream().filter(e -> e.outcome() == Model.Outcome.MISSING).count();
        if (missing > 0) problems.add(missing + " not submitted");
        if (!problems.isEmpty()) sb.append(" (").append(String.join(", ", problems)).append(")");
        sb.append(graded.kept() ? " · kept from an earlier run" : String.format(Locale.ROOT, " · %.1f s", seconds));
        return sb.toString();
    }

    /** Takes the student's submission, grades what an earlier run into OUT did not, and writes their reports. */
    private Graded gradeStudent(int index, Submissions.Submission s) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Path dir = studentFolder(s.name());
        // The student's sources, unpacked zip and compiled classes: root's alone, never seen by any student's code.
        Path mine = Files.createTempDirectory(tmp.resolve("private"), "student-");
        Sandbox.Tenant tenant = null;
        try {
            Path src = Files.createDirectories(mine.resolve("src"));
            List<Course.Lesson> lessons = exercises.stream().map(Exercises.Exercise::lesson).toList();
            Submissions.Taken taken = Submissions.take(s, lessons, Files.createDirectories(mine.resolve("unpacked")), src);
            Known known = known(taken, dir.resolve(".exercises"));
            boolean kept = known.toGrade().isEmpty() && Files.exists(dir.resolve("grade.json"));
            if (!known.toGrade().isEmpty()) {
                tenant = sandbox.tenant(Sandbox.studentSlot(index), true);
                runExercises("s" + index, mine, tenant, known.toGrade(), List.of(), expectedTests(), raw -> graded(raw, known, dir.resolve(".exercises")));
            }
            List<Model.Exercise> ordered = exercises.stream().map(e -> known.results().get(e.id())).toList();
            Model.Student student = new Model.Student(s.name(), ordered, taken.notes(), (System.nanoTime() - start) / 1e9, sandbox.describe());
            if (!kept || !Files.exists(dir.resolve("results.json"))) Reports.student(dir, student, settings.hiddenVisibility());
            return new Graded(student, kept);
        } finally {
            if (tenant != null) sandbox.release(tenant);
            compileService.forget("s" + index);
            Folders.deleteTree(mine);
        }
    }

    /**
     * What is known of a student's exercises before any runs: each one's key (its tests and the student's files), the
     * results of those not submitted or graded before under the same key (in {@code cache}), and which are to grade.
     */
    private record Known(Map<String, String> keys, Map<String, Model.Exercise> results, List<String> toGrade) {}

    private Known known(Submissions.Taken taken, Path cache) {
        Known known = new Known(new LinkedHashMap<>(), new ConcurrentHashMap<>(), new ArrayList<>());
        for (Exercises.Exercise e : exercises) {
            String digest = taken.digests().get(e.id());
            MessageDigest md = Files2.sha256();
            md.update((e.fingerprint() + ":" + (digest == null ? "missing" : digest)).getBytes(StandardCharsets.UTF_8));
            String key = Files2.hex(md);
            known.keys().put(e.id(), key);
            Model.Exercise result = digest == null
                ? Results.assemble(references.get(e.id()), new Supervisor.Raw(e.id(), Model.Outcome.MISSING, List.of(), null, List.of(), "",
                    "The submission has no folder for this exercise (exercises/" + e.id() + "/).", 0), key)
                : settings.force() ? null : cached(cache.resolve(e.id() + ".json"), key);
            if (result != null) known.results().put(e.id(), result);
            else known.toGrade().add(e.id());
        }
        return known;
    }

    /** An earlier run's result under this key, unless it was the grader's own error; null when there is none. */
    private static Model.Exercise cached(Path file, String key) {
        if (!Files.exists(file)) return null;
        try {
            Model.Exercise old = Protocol.JSON.readValue(file.toFile(), Model.Exercise.class);
            return key.equals(old.key()) && old.outcome() != Model.Outcome.ERROR ? old : null;
        } catch (IOException unreadable) {
            return null;  // grade it again
        }
    }

    /** A child's result, assembled and written to {@code cache} as soon as it is known: a crash of the grader loses nothing already graded. */
    private void graded(Supervisor.Raw raw, Known known, Path cache) {
        Model.Exercise graded = Results.assemble(references.get(raw.id()), raw, known.keys().get(raw.id()));
        known.results().put(raw.id(), graded);
        try {
            Files2.writeAtomically(cache.resolve(raw.id() + ".json"), Protocol.JSON.writeValueAsString(graded));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** OUT/STUDENT, readable by root alone when students run as users of their own. */
    private Path studentFolder(String name) throws IOException {
        Path dir = Files.createDirectories(settings.out().resolve(name));
        if (sandbox.switchesUser()) Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /** Each exercise's tests, as the reference has them: a child's report of any other is dropped. */
    private Map<String, Set<String>> expectedTests() {
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        references.forEach((id, r) -> expected.put(id, r.tests().stream().map(Model.Test::key).collect(Collectors.toSet())));
        return expected;
    }

    private Model.Student failedStudent(Submissions.Submission s, Throwable e) {
        String why = "the grader could not grade this submission: " + e;
        List<Model.Exercise> list = new ArrayList<>();
        for (Exercises.Exercise x : exercises) {
            list.add(Results.assemble(references.get(x.id()), Supervisor.error(x.id(), why), "error"));
        }
        return new Model.Student(s.name(), list, List.of(why), 0, sandbox.describe());
    }
}
