package grade;

import engine.Compiler;
import engine.Folders;
import engine.Sources;
import engine.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import kit.Course;

/** Grades a class: stages the course, runs the reference, then every student in child JVMs, and writes OUT. */
final class Grader {
    /** Everything a run is told. {@code oneStudent}: SUBMISSIONS is a single student's submission, of that name. */
    record Settings(Path root, Path submissions, Path out, int jobs, int timeout, int testTimeout, Path tests, List<String> only,
                    int shard, int shards, boolean force, int heapMb, boolean isolate, boolean aot, Path referenceFile,
                    String hiddenVisibility, int outputLimit, String oneStudent) {}

    /** What the reference solution's run found, with the fingerprints of the tests it ran. */
    record ReferenceSet(Map<String, String> fingerprints, Map<String, Model.Reference> references) {}

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
        for (int i = 0; i < all.size(); i++) if (i % settings.shards() == settings.shard() - 1) mine.add(all.get(i));
        try {
            prepare(mine.size());
            List<String> ids = exercises.stream().map(Exercises.Exercise::id).toList();
            out.println("Grading " + mine.size() + " student" + (mine.size() == 1 ? "" : "s")
                + (settings.shards() > 1 ? " (shard " + settings.shard() + "/" + settings.shards() + " of " + all.size() + ")" : "")
                + " × " + ids.size() + " exercises (" + String.join(", ", ids) + "), " + settings.jobs() + " at a time; " + sandbox.describe());
            List<Model.Student> students = gradeAll(mine, all);
            Files2.writeAtomically(settings.out().resolve("gradebook.csv"), Reports.gradebook(ids, students));
            Files2.writeAtomically(settings.out().resolve("summary.html"), Reports.summary(ids, students, "Class summary"
                + (settings.shards() > 1 ? " (shard " + settings.shard() + "/" + settings.shards() + ")" : ""), warnings));
            for (String w : warnings) out.println("warning: " + w);
            if (System.getenv("GRADE_TIMING") != null) {
                System.err.println("[timing] grader itself: " + ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000 + " ms cpu");
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
        sandbox = Sandbox.prepare(tmp, settings.isolate(), settings.heapMb());
        keepFromStudents(settings.out());
        keepFromStudents(settings.submissions());
        supervisor = new Supervisor(sandbox, settings.timeout(), settings.testTimeout(), settings.outputLimit());
        compileService = new CompileService(sandbox, tmp.resolve("compile"), sandbox.tenant(Sandbox.COMPILER, false), settings.timeout());
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
        Path archive = null;
        for (boolean solutions : new boolean[] {true, false}) {
            if (pending.isEmpty()) break;
            Path mine = Files.createTempDirectory(tmp.resolve("private"), solutions ? "reference-" : "reference-stub-");
            Path src = Files.createDirectories(mine.resolve("src"));
            List<String> ids = new ArrayList<>();
            for (Exercises.Exercise e : pending) {
                boolean hasSolution = Files.isDirectory(e.lesson().solutionDir(settings.root()));
                if (solutions && !hasSolution) continue;
                Sources s = solutions ? Sources.solution(settings.root(), e.lesson()) : Sources.stub(settings.root(), e.lesson());
                Path dir = Files.createDirectories(src.resolve(e.id()));
                for (var f : s.files().entrySet()) {
                    if (!Sources.isTest(f.getKey())) Files.copy(f.getValue(), dir.resolve(f.getKey()));
                }
                ids.add(e.id());
            }
            if (ids.isEmpty()) continue;
            List<String> jvm = List.of();
            if (train && solutions) {  // the training JVM writes the archive in a folder of the reference's own
                Path training = Files.createTempDirectory(tmp.resolve("work"), "training-");
                sandbox.giveTo(training, tenant);
                archive = training.resolve("classes.jsa");
                jvm = Sandbox.trainingOptions(archive);
            }
            out.println("Running the reference " + (solutions ? "solutions" : "stubs") + " (" + String.join(", ", ids) + ")"
                + (jvm.isEmpty() ? "" : ", recording a class-data archive for the children") + "...");
            Map<String, Supervisor.Raw> raws = new ConcurrentHashMap<>();
            runExercises(solutions ? "reference" : "reference-stub", mine, tenant, ids, jvm, null, raw -> raws.put(raw.id(), raw));
            Folders.deleteTree(mine);
            for (Exercises.Exercise e : List.copyOf(pending)) {
                Supervisor.Raw raw = raws.get(e.id());
                if (raw == null) continue;
                List<String> problems = new ArrayList<>();
                String what = solutions ? "the reference solution" : "the stub";
                if (raw.outcome() != Model.Outcome.GRADED) {
                    problems.add(what + ": " + Reports.outcomeText(raw.outcome()) + (raw.note().isEmpty() ? "" : ": " + raw.note().lines().findFirst().orElse(""))
                        + (raw.compileErrors().isEmpty() ? "" : ": " + raw.compileErrors().get(0).lines().findFirst().orElse("")));
                }
                List<Model.Test> tests = new ArrayList<>();
                for (Model.Test t : raw.tests()) {
                    if (t.method().isEmpty()) {
                        problems.add(what + ": " + t.name() + ": " + t.message().lines().findFirst().orElse(""));
                        continue;
                    }
                    if (solutions && !t.passed()) problems.add("the reference solution fails '" + t.name() + "': " + t.message().lines().findFirst().orElse(""));
                    tests.add(new Model.Test(t.testClass(), t.method(), t.name(), Model.Status.PASSED, "", t.points(), t.points(), t.hints(), isHidden(e, t)));
                }
                if (tests.isEmpty() && solutions) continue;  // try the stub
                if (e.precompiled() != null) {  // in the order they are written, as the workbook shows them
                    List<String> order = e.precompiled().testOrder();
                    tests.sort(Compiler.inWrittenOrder(order, Model.Test::method));
                }
                refs.put(e.id(), new Model.Reference(e.id(), tests, problems));
                pending.remove(e);
                for (String p : problems) warnings.add(e.id() + ": " + p);
            }
            if (!jvm.isEmpty() && Files.isRegularFile(archive, LinkOption.NOFOLLOW_LINKS) && Files.size(archive) > 0) {
                Path kept = Files.createDirectories(tmp.resolve("archive")).resolve("classes.jsa");
                Files.move(archive, kept, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(kept.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-r--r--"));
                Files.setAttribute(kept, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(kept, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
                sandbox = sandbox.withArchive(kept, Sandbox.archiveIsCds());
                supervisor = new Supervisor(sandbox, settings.timeout(), settings.testTimeout(), settings.outputLimit());
            }
            if (archive != null) Folders.deleteTree(archive.getParent());
        }
        sandbox.release(tenant);
        return refs;
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
                      Map<String, java.util.Set<String>> expected, java.util.function.Consumer<Supervisor.Raw> onResult)
            throws IOException, InterruptedException {
        Map<String, Double> spent = new LinkedHashMap<>();   // the second run gets what is left of each limit, not a new one
        runOnce(slot, mine, tenant, ids, true, extraJvm, expected, Map.of(), raw -> {
            if (raw.linkage()) spent.put(raw.id(), raw.seconds());
            else onResult.accept(raw);
        });
        if (!spent.isEmpty()) runOnce(slot, mine, tenant, new ArrayList<>(spent.keySet()), false, extraJvm, expected, spent, onResult);
    }

    private void runOnce(String slot, Path mine, Sandbox.Tenant tenant, List<String> ids, boolean fast, List<String> extraJvm,
                         Map<String, java.util.Set<String>> expected, Map<String, Double> spent,
                         java.util.function.Consumer<Supervisor.Raw> onResult)
            throws IOException, InterruptedException {
        Map<String, Map<String, Path>> own = new LinkedHashMap<>();
        for (String id : ids) {
            Exercises.Exercise e = exercise(id);
            Sources sources = Sources.exercise(tmp.resolve("course"), e.lesson()).overlay("submission", mine.resolve("src").resolve(id));
            Map<String, Path> files = new LinkedHashMap<>(sources.files());
            if (fast && e.precompiled() != null) files.keySet().removeIf(Sources::isTest);
            own.put(id, files);
        }
        // Each child run gets a new folder, filled by root and then sealed: nothing a child of an earlier run did is in it.
        Path work = sandbox.newWorkFolder(tmp.resolve("work"), "run-");
        try {
            Map<String, ChildMain.Plan> plans = new LinkedHashMap<>();
            List<String> single = new ArrayList<>(ids);
            if (fast) {
                Map<String, Path> batch = batch(slot, ids, own, mine);
                if (batch != null) {
                    for (String id : ids) plans.put(id, plan(work, exercise(id), batch.get(id), null, true));
                    single.clear();
                }
            }
            for (String id : single) {
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
            if (plans.isEmpty()) return;
            String key = java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(16));
            Path plan = work.resolve("plan.json");
            Files.writeString(plan, Protocol.JSON.writeValueAsString(new ChildMain.Orders(key, plans)));
            if (tenant.trusted()) sandbox.giveTo(work, tenant);
            else sandbox.seal(work, tenant);
            supervisor.run(new Supervisor.Job(tenant, work, plan, key, List.copyOf(plans.keySet()), expected, extraJvm, spent), onResult);
        } finally {
            Folders.deleteTree(work);  // the student's processes are gone: nothing can swap a folder for a link meanwhile
        }
    }

    /**
     * All of a student's exercises in one javac run (javac's start-up is most of the cost of compiling one
     * exercise). Answers each exercise's classes (in {@code mine/compiled/ID}), or null when that cannot be done
     * (an exercise whose tests are compiled with it, two exercises sharing a package) or does not compile: then
     * each is compiled alone, for its own messages.
     */
    private Map<String, Path> batch(String slot, List<String> ids, Map<String, Map<String, Path>> own, Path mine) throws IOException, InterruptedException {
        if (ids.size() < 2 || ids.stream().anyMatch(id -> exercise(id).precompiled() == null)) return null;
        Map<String, java.util.Set<String>> packages = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        Map<String, Path> all = new LinkedHashMap<>();
        for (String id : ids) {
            java.util.Set<String> mineOnly = new java.util.HashSet<>();
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

    private static boolean isHidden(Exercises.Exercise e, Model.Test t) {
        String cls = t.testClass();
        String simple = cls.substring(cls.lastIndexOf('.') + 1);
        if (simple.contains("$")) simple = simple.substring(0, simple.indexOf('$'));
        return e.hidden().contains(simple + ".java");
    }

    // ---- the students ----

    private List<Model.Student> gradeAll(List<Submissions.Submission> mine, List<Submissions.Submission> all) throws InterruptedException {
        ProgressLine progress = new ProgressLine(out, mine.size());
        ExecutorService pool = Executors.newFixedThreadPool(settings.jobs(), Thread.ofPlatform().name("student-", 0).factory());
        List<Future<Model.Student>> futures = new ArrayList<>();
        for (Submissions.Submission s : mine) {
            int index = all.indexOf(s);
            futures.add(pool.submit(() -> {
                long start = System.nanoTime();
                Model.Student student;
                boolean[] kept = {true};
                try {
                    student = gradeStudent(index, s, kept);
                } catch (Exception | Error e) {
                    // a problem of ours or of the machine with this student: recorded for them, the class goes on
                    student = failedStudent(s, e);
                    try {
                        Reports.student(studentFolder(s.name()), student, settings.hiddenVisibility());
                    } catch (IOException ignored) {
                        // the line below still says it
                    }
                }
                progress.studentDone(line(student, kept[0], (System.nanoTime() - start) / 1e9));
                return student;
            }));
        }
        pool.shutdown();
        List<Model.Student> students = new ArrayList<>();
        try {
            for (Future<Model.Student> f : futures) students.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
            progress.finish();
        }
        return students;
    }

    private String line(Model.Student s, boolean kept, double seconds) {
        StringBuilder sb = new StringBuilder(s.name()).append(": ").append(s.score()).append("/").append(s.maxScore());
        List<String> problems = new ArrayList<>();
        for (Model.Exercise e : s.exercises()) {
            if (e.outcome() != Model.Outcome.GRADED && e.outcome() != Model.Outcome.MISSING) problems.add(e.id().substring(0, 2) + " " + Reports.outcomeText(e.outcome()));
        }
        long missing = s.exercises().stream().filter(e -> e.outcome() == Model.Outcome.MISSING).count();
        if (missing > 0) problems.add(missing + " not submitted");
        if (!problems.isEmpty()) sb.append(" (").append(String.join(", ", problems)).append(")");
        sb.append(kept ? " · kept from an earlier run" : String.format(java.util.Locale.ROOT, " · %.1f s", seconds));
        return sb.toString();
    }

    private Model.Student gradeStudent(int index, Submissions.Submission s, boolean[] kept) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Path dir = studentFolder(s.name());
        Path cache = dir.resolve(".exercises");
        // The student's sources, unpacked zip and compiled classes: root's alone, never seen by any student's code.
        Path mine = Files.createTempDirectory(tmp.resolve("private"), "student-");
        Sandbox.Tenant tenant = null;
        try {
            Path src = Files.createDirectories(mine.resolve("src"));
            List<Course.Lesson> lessons = exercises.stream().map(Exercises.Exercise::lesson).toList();
            Submissions.Taken taken = Submissions.take(s, lessons, Files.createDirectories(mine.resolve("unpacked")), src);
            Map<String, Model.Exercise> results = new ConcurrentHashMap<>();
            Map<String, String> keys = new LinkedHashMap<>();
            List<String> toGrade = new ArrayList<>();
            for (Exercises.Exercise e : exercises) {
                String digest = taken.digests().get(e.id());
                MessageDigest md = Files2.sha256();
                md.update((e.fingerprint() + ":" + (digest == null ? "missing" : digest)).getBytes(StandardCharsets.UTF_8));
                String key = Files2.hex(md);
                keys.put(e.id(), key);
                if (digest == null) {
                    results.put(e.id(), assemble(e, new Supervisor.Raw(e.id(), Model.Outcome.MISSING, List.of(), null, List.of(), "",
                        "The submission has no folder for this exercise (exercises/" + e.id() + "/).", 0), key));
                    continue;
                }
                Path cached = cache.resolve(e.id() + ".json");
                if (!settings.force() && Files.exists(cached)) {
                    try {
                        Model.Exercise old = Protocol.JSON.readValue(cached.toFile(), Model.Exercise.class);
                        if (key.equals(old.key()) && old.outcome() != Model.Outcome.ERROR) {
                            results.put(e.id(), old);
                            continue;
                        }
                    } catch (IOException unreadable) {
                        // grade it again
                    }
                }
                toGrade.add(e.id());
            }
            kept[0] = toGrade.isEmpty() && Files.exists(dir.resolve("grade.json"));
            if (!toGrade.isEmpty()) {
                tenant = sandbox.tenant(Sandbox.studentSlot(index), true);
                runExercises("s" + index, mine, tenant, toGrade, List.of(), expectedTests(), raw -> {
                    Exercises.Exercise e = exercises.stream().filter(x -> x.id().equals(raw.id())).findFirst().orElseThrow();
                    Model.Exercise graded = assemble(e, raw, keys.get(raw.id()));
                    results.put(raw.id(), graded);
                    try {
                        // As soon as it is known: a crash of the grader loses nothing already graded.
                        Files2.writeAtomically(cache.resolve(raw.id() + ".json"), Protocol.JSON.writeValueAsString(graded));
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                });
            }
            List<Model.Exercise> ordered = exercises.stream().map(e -> results.get(e.id())).toList();
            Model.Student student = new Model.Student(s.name(), ordered, taken.notes(), (System.nanoTime() - start) / 1e9, sandbox.describe());
            if (!kept[0] || !Files.exists(dir.resolve("results.json"))) Reports.student(dir, student, settings.hiddenVisibility());
            return student;
        } finally {
            if (tenant != null) sandbox.release(tenant);
            compileService.forget("s" + index);
            Folders.deleteTree(mine);
        }
    }

    /** OUT/STUDENT, readable by root alone when students run as users of their own. */
    private Path studentFolder(String name) throws IOException {
        Path dir = Files.createDirectories(settings.out().resolve(name));
        if (sandbox.switchesUser()) Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /** Each exercise's tests, as the reference has them: a child's report of any other is dropped. */
    private Map<String, java.util.Set<String>> expectedTests() {
        Map<String, java.util.Set<String>> expected = new LinkedHashMap<>();
        references.forEach((id, r) -> expected.put(id, r.tests().stream().map(Model.Test::key).collect(java.util.stream.Collectors.toSet())));
        return expected;
    }

    private Model.Student failedStudent(Submissions.Submission s, Throwable e) {
        String why = "the grader could not grade this submission: " + e;
        List<Model.Exercise> list = new ArrayList<>();
        for (Exercises.Exercise x : exercises) {
            list.add(assemble(x, Supervisor.error(x.id(), why), "error"));
        }
        return new Model.Student(s.name(), list, List.of(why), 0, sandbox.describe());
    }

    /** Matches what a child reported with the reference's list of tests: every test is there, with its points. */
    Model.Exercise assemble(Exercises.Exercise e, Supervisor.Raw raw, String key) {
        Model.Reference ref = references.get(e.id());
        Map<String, Model.Test> reported = new LinkedHashMap<>();
        Model.Test classFailure = null;
        for (Model.Test t : raw.tests()) {
            if (t.method().isEmpty()) classFailure = t;
            else reported.putIfAbsent(t.key(), t);
        }
        String note = raw.note() == null ? "" : raw.note();
        String firstLine = note.lines().findFirst().orElse("");
        String notRun = switch (raw.outcome()) {
            case MISSING -> "not run: the exercise was not submitted";
            case COMPILE_ERROR -> "not run: the code does not compile (javac's messages are above the tests)";
            case GRADED -> note.isEmpty()
                ? "not run" + (classFailure != null ? ": " + classFailure.name() + ": " + classFailure.message().lines().findFirst().orElse("") : "")
                : "not run: " + firstLine;
            default -> "not run: " + firstLine;
        };
        List<Model.Test> tests = new ArrayList<>();
        for (Model.Test r : ref.tests()) {
            Model.Test t = reported.remove(r.key());
            if (t != null) {
                tests.add(new Model.Test(r.testClass(), r.method(), r.name(), t.status(), t.message(), r.points(),
                    t.passed() ? r.points() : 0, r.hints(), r.hidden()));
            } else if (r.name().equals(raw.runningTest()) && (raw.outcome() == Model.Outcome.TIMEOUT || raw.outcome() == Model.Outcome.CRASHED)) {
                tests.add(r.with(Model.Status.FAILED, note));
            } else {
                tests.add(r.with(Model.Status.NOT_RUN, notRun));
            }
        }
        if (classFailure != null) tests.add(new Model.Test(classFailure.testClass(), "", classFailure.name(), Model.Status.FAILED, classFailure.message(), 0, 0, List.of(), false));
        // A test the reference does not have is dropped (the supervisor already drops them for students).
        int score = tests.stream().mapToInt(Model.Test::score).sum();
        return new Model.Exercise(e.id(), raw.outcome(), note, tests, raw.compileErrors(), raw.output(), raw.seconds(), score, ref.maxScore(), key, raw.review());
    }
}
