package grade;

import engine.Folders;
import engine.UserError;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How a student's code is started: a JVM of its own with a capped heap, bounded output, a clean environment and,
 * as far as the machine allows (see {@link Isolation}), a user id of its own, namespaces of its own, a read-only
 * view of the machine with private /tmp, /var/tmp and /dev/shm, and a memory limit on all its processes.
 *
 * <p>An unprivileged child cannot read what only root can (the Maven repository under /root is mode 700), so
 * the class path is hard-linked (or copied) once per run into a folder it can read.
 */
final class Sandbox {
    /** How far the machine lets a student's code be shut in; each level has everything of those before it. */
    enum Isolation {
        /** Not root: the code runs as the grader's own user. */
        NONE,
        /** Root with setpriv: a user id of its own per student, no privileges. */
        USER,
        /** And namespaces: loopback-only network, its own processes only (in /proc too), its own IPC. */
        NAMESPACES,
        /** And a mount namespace: the machine read-only, private size-capped /tmp, /var/tmp and /dev/shm, the grader's folders hidden. */
        FILES
    }

    /**
     * One student (or the reference, or the compile server) in the sandbox: a user id and, where there is one, a
     * memory group. {@code trusted}: the grader's own code (the reference solutions, javac), which writes in its folder.
     */
    record Tenant(int uid, Path memoryGroup, boolean trusted) {
        int gid() { return uid; }
    }

    /** Above the ranges systems hand out (regular users, containers' sub-ids); one id per student. */
    static final int UID_BASE = 1_900_000_000;
    static final int COMPILER = 0;
    static final int REFERENCE = 1;
    /** Students per run, each with a user id of their own (a class larger than this is graded in shards). */
    static final int MAX_STUDENTS = 9_990;

    /** The private folders each child gets, with their sizes: generous for tests (H2 files, broker folders), tiny for a hog. */
    private static final Map<String, Integer> PRIVATE_MB = Map.of("/tmp", 256, "/var/tmp", 64, "/dev/shm", 64);
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** What a child sees of the machine, read-only, where it has a root of its own: the system's programs, libraries, settings. */
    private static final List<String> SYSTEM = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc");

    private final Isolation isolation;
    private final Path tmp;
    private final Optional<Cgroup> cgroup;
    private final Path java;
    private final List<Path> classpath;
    private final int heapMb;
    private final Path aotCache;
    private final boolean aotIsCds;

    private Sandbox(Isolation isolation, Path tmp, Optional<Cgroup> cgroup, Path java, List<Path> classpath,
                    int heapMb, Path aotCache, boolean aotIsCds) {
        this.isolation = isolation;
        this.tmp = tmp;
        this.cgroup = cgroup;
        this.java = java;
        this.classpath = classpath;
        this.heapMb = heapMb;
        this.aotCache = aotCache;
        this.aotIsCds = aotIsCds;
    }

    /**
     * Finds out what this machine allows and stages the class path (and, if it is not readable by others, the JDK)
     * under {@code tmp}, the grader's own temp folder. {@code isolate} false runs children as this user with no namespaces.
     */
    private static boolean root() { return "root".equals(System.getProperty("user.name")) || uid() == 0; }

    static Sandbox prepare(Path tmp, boolean isolate, int heapMb) throws IOException {
        boolean root = root();
        Path javaHome = Path.of(System.getProperty("java.home"));
        List<Path> cp = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) cp.add(Path.of(entry).toAbsolutePath());
        }
        if (!isolate || !root || !executable("setpriv")) {
            return new Sandbox(Isolation.NONE, tmp, Optional.empty(), javaHome.resolve("bin").resolve("java"), cp, heapMb, null, false);
        }
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        List<Path> staged = new ArrayList<>();
        int i = 0;
        for (Path entry : cp) {
            if (!Files.exists(entry)) continue;
            Path target = lib.resolve("%03d-%s".formatted(i++, entry.getFileName()));
            if (Files.isDirectory(entry)) {
                Files2.copyTree(entry, target);
                Files2.makeReadable(target);
            } else {
                link(entry, target);
            }
            staged.add(target);
        }
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (!readableByOthers(javaHome.resolve("bin").resolve("java")) || !readableByOthers(javaHome.resolve("lib").resolve("modules"))) {
            Path jdk = tmp.resolve("jdk");
            linkTree(javaHome, jdk);
            javaHome = jdk;
        }
        Path java = javaHome.resolve("bin").resolve("java");
        // Where each child's root of its own is put together (in a mount namespace of its own: they do not meet).
        Files.setPosixFilePermissions(Files.createDirectories(tmp.resolve("mnt")), PosixFilePermissions.fromString("rwxr-xr-x"));
        Sandbox probe = new Sandbox(Isolation.FILES, tmp, Optional.empty(), java, staged, heapMb, null, false);
        // GRADE_ISOLATION=user|namespaces caps the level and GRADE_MEMORY=rlimit leaves out the memory group: to try
        // on this machine what a machine that allows less gets (never more than this one allows).
        Isolation most = Isolation.valueOf(System.getenv().getOrDefault("GRADE_ISOLATION", "files").toUpperCase(Locale.ROOT));
        Isolation level = most == Isolation.FILES && probe.works(Isolation.FILES) ? Isolation.FILES
            : most.compareTo(Isolation.NAMESPACES) >= 0 && probe.works(Isolation.NAMESPACES) ? Isolation.NAMESPACES : Isolation.USER;
        Optional<Cgroup> cgroup = "rlimit".equals(System.getenv("GRADE_MEMORY")) ? Optional.empty() : Cgroup.find("grade-" + ProcessHandle.current().pid());
        return new Sandbox(level, tmp, cgroup, java, staged, heapMb, null, false);
    }

    /** The same sandbox, with children starting from a class-data archive made by a training run. */
    Sandbox withArchive(Path archive, boolean cds) {
        return new Sandbox(isolation, tmp, cgroup, java, classpath, heapMb, archive, cds);
    }

    /** Options that make a training run write the archive that {@link #withArchive} uses. */
    static List<String> trainingOptions(Path archive) {
        if (Runtime.version().feature() >= 25) return List.of("-XX:AOTCacheOutput=" + archive);
        return List.of("-XX:ArchiveClassesAtExit=" + archive);
    }

    static boolean archiveIsCds() { return Runtime.version().feature() < 25; }

    Isolation isolation() { return isolation; }

    boolean switchesUser() { return isolation != Isolation.NONE; }

    String describe() {
        List<String> parts = new ArrayList<>();
        parts.add("one JVM per student, heap " + heapMb + " MB");
        parts.add(cgroup.map(c -> "all its memory " + memoryMb() + " MB (" + c.describe() + ")")
            .orElse(isolation == Isolation.NONE ? "" : "address space " + addressSpaceMb() + " MB"));
        parts.add(switch (isolation) {
            case NONE -> "as " + System.getProperty("user.name") + " itself, with the machine's network"
                + (root() ? " (--no-isolation, or no setpriv here)" : " (grade as root for more)");
            case USER -> "a user id of its own per student, the machine's network";
            case NAMESPACES -> "a user id of its own per student, loopback-only network, its own processes";
            case FILES -> "a user id of its own per student, loopback-only network, its own processes, a root of its own (the system read-only, private /tmp)";
        });
        if (aotCache != null) parts.add("started from " + (aotIsCds ? "a CDS archive" : "an AOT cache"));
        return String.join(", ", parts.stream().filter(p -> !p.isEmpty()).toList());
    }

    // ---- tenants and their folders ----

    /** The tenant of a slot ({@link #COMPILER}, {@link #REFERENCE}, or 2 + a student's index), with a memory group if {@code capped}. */
    Tenant tenant(int slot, boolean capped) throws IOException {
        if (isolation == Isolation.NONE) return new Tenant(-1, null, slot < 2);
        int uid = UID_BASE + UidRange.offset() + slot;   // a range no other grader running now holds
        Path group = capped && cgroup.isPresent() ? cgroup.get().create("u" + uid, memoryMb()) : null;
        return new Tenant(uid, group, slot < 2);
    }

    static int studentSlot(int index) {
        if (index >= MAX_STUDENTS) throw new UserError("more than " + MAX_STUDENTS + " students in one run: grade them in shards (--shard K/N)");
        return 2 + index;
    }

    /** Everything the tenant left running is stopped, its memory group removed, and (without private folders) its files in the shared ones. */
    void release(Tenant t) {
        if (t.uid() < 0) return;
        if (t.memoryGroup() != null) cgroup.orElseThrow().remove(t.memoryGroup());
        sweep(t);
    }

    /** Closes what this run made outside its temp folder. */
    void close() { cgroup.ifPresent(Cgroup::close); }

    /** How many times the kernel stopped the tenant's code for going over its memory limit (so far, in all its children). */
    long outOfMemoryKills(Tenant t) { return t.memoryGroup() == null ? 0 : cgroup.orElseThrow().outOfMemoryKills(t.memoryGroup()); }

    /**
     * A new folder for one child's run, with a name no one can guess, made by root. For a student it stays root's
     * ({@link #seal}): their code can read it but never change it, so nothing in it is ever a link or a file they
     * planted; they write only to their private /tmp (or, without one, to its {@code tmp} folder, which the grader
     * only ever deletes).
     */
    Path newWorkFolder(Path parent, String prefix) throws IOException {
        return Files.createTempDirectory(parent, prefix);  // mode 700
    }

    /** Hands the filled work folder to the student read-only: root's, group-readable by the student's group alone. */
    void seal(Path work, Tenant t) throws IOException {
        if (t.uid() < 0) {
            Files.createDirectories(work.resolve("tmp"));
            return;
        }
        try (Stream<Path> walk = Files.walk(work)) {
            for (Path p : walk.toList()) {
                if (Files.isSymbolicLink(p)) continue;  // none: root made every file in it
                Files.setAttribute(p, "unix:gid", t.gid(), LinkOption.NOFOLLOW_LINKS);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwxr-x---" : "rw-r-----"));
            }
        }
        if (isolation != Isolation.FILES) giveTo(Files.createDirectories(work.resolve("tmp")), t);
    }

    /** Gives the folder (recursively) to the tenant, mode 700: for folders the grader's own children write in. */
    void giveTo(Path dir, Tenant t) throws IOException {
        if (t.uid() < 0) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                Files.setAttribute(p, "unix:uid", t.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", t.gid(), LinkOption.NOFOLLOW_LINKS);
            }
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /** Where a child's java.io.tmpdir is: its private /tmp, or the work folder's own. */
    Path tmpdir(Path work) { return isolation == Isolation.FILES ? Path.of("/tmp") : work.resolve("tmp"); }

    // ---- the command ----

    /**
     * The JVM options of a grading child: capped memory, C1 only (short-lived), and the archive when there is one.
     * A child loads every framework of the course (about 65 MB of classes, 15 MB of compiled code), and each time
     * it passed the default thresholds of metaspace (21 MB, then 35) and of code cache growth (15 % of 48 MB),
     * the JVM ran a full collection: four of them in the recording of one student, 480 ms of the 655 ms spent in
     * GC. Higher thresholds (the caps stay) leave only young collections.
     */
    List<String> childOptions() {
        List<String> o = new ArrayList<>(List.of("-Xmx" + heapMb + "m", "-Xss1m", "-XX:MaxMetaspaceSize=384m", "-XX:MaxDirectMemorySize=128m",
            "-XX:MetaspaceSize=160m", "-XX:SweeperThreshold=50", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        if (Runtime.version().feature() >= 25) {
            // Native code, loaded by the student's classes (all in the unnamed module): refused. Not so sun.misc.Unsafe
            // (--sun-misc-unsafe-memory-access=deny): the broker of exercise 10 (Artemis) needs its objectFieldOffset,
            // and fails to start without it; memory that Unsafe takes outside the heap counts in the memory group.
            o.add("--illegal-native-access=deny");
        }
        if (aotCache != null) o.add((aotIsCds ? "-XX:SharedArchiveFile=" : "-XX:AOTCache=") + aotCache);
        String extra = System.getenv("GRADE_CHILD_OPTIONS");  // for tuning the children: more JVM options
        if (extra != null && !extra.isBlank()) o.addAll(List.of(extra.trim().split("\\s+")));
        return o;
    }

    /** The command that starts {@code mainClass} of this program in a sandboxed JVM working in {@code work}. */
    ProcessBuilder command(Tenant t, Path work, String mainClass, List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>(namespaces(isolation));
        cmd.addAll(List.of("/bin/sh", "-c", setUp(isolation, t, work), "sandbox"));
        if (t.uid() >= 0) {
            cmd.addAll(List.of("setpriv", "--reuid=" + t.uid(), "--regid=" + t.gid(), "--clear-groups", "--no-new-privs",
                "--inh-caps=-all", "--bounding-set=-all", "--"));
        }
        Path tmpdir = tmpdir(work);
        cmd.add(java.toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=error:stderr", "-XX:ErrorFile=" + tmpdir.resolve("hs_err.log"),
            "-Djava.io.tmpdir=" + tmpdir, "-Duser.home=" + tmpdir,
            "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Djava.awt.headless=true",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()));
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();  // the grader's environment may hold secrets; the student's code gets none of it
        env.put("PATH", PATH);  // the set-up needs mount, ip and chroot, often in sbin
        env.put("HOME", tmpdir.toString());
        env.put("TMPDIR", tmpdir.toString());
        env.put("LANG", "C.UTF-8");
        env.put("MALLOC_ARENA_MAX", "2");  // glibc's per-thread arenas: less memory, and far less address space
        if (System.getenv("GRADE_TIMING") != null) env.put("GRADE_TIMING", "1");
        return pb;
    }

    private static List<String> namespaces(Isolation level) {
        return switch (level) {
            case NONE, USER -> List.of();
            case NAMESPACES -> List.of("unshare", "--net", "--pid", "--ipc", "--fork", "--kill-child");
            case FILES -> List.of("unshare", "--net", "--pid", "--ipc", "--mount", "--mount-proc", "--propagation", "private", "--fork", "--kill-child");
        };
    }

    /**
     * What the shell does as root before it becomes the student: the mounts (see {@link #privateFolders}), loopback
     * up, the memory group, and the limits that hold for the student's code: no core dumps, files of at most 256 MB
     * and, for a user id of its own, at most 2000 threads and processes; without a memory group, an address-space limit.
     * Then it runs the command that follows it (in its own root, in {@code work}, where it has one).
     */
    private String setUp(Isolation level, Tenant t, Path work) {
        StringBuilder sh = new StringBuilder("set -e; ");
        if (level == Isolation.FILES) sh.append(newRoot(t.trusted()));
        if (level.compareTo(Isolation.NAMESPACES) >= 0) sh.append("ip link set lo up; ");
        if (t.memoryGroup() != null) sh.append("echo $$ > ").append(quote(Cgroup.procs(t.memoryGroup()))).append("; ");
        sh.append("ulimit -c 0; ulimit -f 524288; ");
        if (t.uid() >= 0) sh.append("ulimit -u 2000 2>/dev/null || ulimit -p 2000; ");
        if (t.memoryGroup() == null && t.uid() >= 0 && !t.trusted()) sh.append("ulimit -v ").append(addressSpaceMb() * 1024L).append("; ");
        if (level == Isolation.FILES) sh.append("exec chroot \"$R\" /bin/sh -c 'cd \"$1\" && shift && exec \"$@\"' sandbox ").append(quote(work)).append(" \"$@\"");
        else sh.append("exec \"$@\"");
        return sh.toString();
    }

    /**
     * In the child's own mount namespace, a new root to run in: the system's programs, libraries and settings
     * (/usr, /bin, /lib, /etc), the JDK and the grader's temp folder, all read-only (the grader's own children,
     * {@code writable}, may write in its temp folder); a fresh /proc of its own processes, a /dev of the harmless
     * devices, and a private tmpfs of capped size on /tmp, /var/tmp and /dev/shm, gone with the child. Nothing else
     * of the machine is there: no home folders, no SUBMISSIONS or OUT, no checkout, no other program's sockets.
     */
    private String newRoot(boolean writable) {
        String r = quote(tmp.resolve("mnt"));
        StringBuilder sh = new StringBuilder();
        sh.append("R=").append(r).append("; mount -n -t tmpfs -o size=1m,mode=755 newroot \"$R\"; ");
        sh.append("for d in ").append(String.join(" ", SYSTEM)).append("; do if [ -L \"$d\" ]; then ln -s \"$(readlink \"$d\")\" \"$R$d\"; ")
          .append("elif [ -d \"$d\" ]; then mkdir -p \"$R$d\"; mount -n --bind \"$d\" \"$R$d\"; mount -n -o remount,bind,ro,nosuid,nodev \"$R$d\"; fi; done; ");
        sh.append("mkdir -p \"$R/proc\" \"$R/dev/shm\"; mount -n -t proc -o nosuid,nodev,noexec proc \"$R/proc\"; ");
        sh.append("for n in null zero full random urandom; do touch \"$R/dev/$n\"; mount -n --bind \"/dev/$n\" \"$R/dev/$n\"; done; ");
        sh.append("ln -s /proc/self/fd \"$R/dev/fd\"; ln -s /proc/self/fd/0 \"$R/dev/stdin\"; ln -s /proc/self/fd/1 \"$R/dev/stdout\"; ln -s /proc/self/fd/2 \"$R/dev/stderr\"; ");
        for (var f : PRIVATE_MB.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            sh.append("mkdir -p \"$R\"").append(quote(Path.of(f.getKey()))).append("; mount -n -t tmpfs -o size=").append(f.getValue())
              .append("m,mode=1777,nosuid,nodev private \"$R\"").append(quote(Path.of(f.getKey()))).append("; ");
        }
        List<Path> needed = new ArrayList<>(List.of(tmp));
        Path javaHome = java.getParent().getParent();
        if (!javaHome.startsWith(tmp) && SYSTEM.stream().noneMatch(d -> javaHome.startsWith(d))) needed.add(javaHome);
        for (Path p : needed) {
            sh.append("mkdir -p \"$R\"").append(quote(p)).append("; mount -n --bind ").append(quote(p)).append(" \"$R\"").append(quote(p)).append("; ");
            if (!writable || !p.equals(tmp)) sh.append("mount -n -o remount,bind,ro,nosuid,nodev \"$R\"").append(quote(p)).append("; ");
        }
        sh.append("mount -n -o remount,ro \"$R\"; ");
        return sh.toString();
    }

    private static String quote(Path p) { return "'" + p.toString().replace("'", "'\\''") + "'"; }

    /** All of a student's processes together: the heap, what the JVM needs beside it, and the private tmpfs folders. */
    long memoryMb() { return heapMb + 1024L; }

    /**
     * Without a memory group, the address space: a JVM reserves far more than it uses (the heap, the class space,
     * the code cache, a stack per thread), so this bounds only the grossest hog.
     */
    private long addressSpaceMb() { return heapMb + 3072L; }

    /** Stops the child and everything it started. */
    static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Without a process namespace, a process the student's code started and detached could outlive its JVM:
     * with a user id of its own per student, every process left under that id is the student's, and is stopped.
     * Without private folders, what that id left in /tmp, /var/tmp and /dev/shm is deleted (never following a link).
     */
    private void sweep(Tenant t) {
        if (isolation == Isolation.FILES) return;  // its processes ended with its namespace, its files with its tmpfs
        stopProcesses(t);
        for (String shared : PRIVATE_MB.keySet()) {
            try (Stream<Path> s = Files.list(Path.of(shared))) {
                for (Path p : s.toList()) {
                    if (Integer.valueOf(t.uid()).equals(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS))) Folders.deleteTree(p);
                }
            } catch (IOException | UnsupportedOperationException e) {
                // not there, or not ours to list
            }
        }
    }

    /**
     * Stops whatever of the tenant's still runs after its JVM ended: without a process namespace, something the code
     * started and detached could. Every process in its memory group, or (without one) under its user id, is killed,
     * round after round until none is left (a fork during a round is caught by the next).
     */
    void stopProcesses(Tenant t) {
        if (t.uid() < 0 || isolation == Isolation.NAMESPACES || isolation == Isolation.FILES) return;  // gone with the namespace
        for (int round = 0; round < 50; round++) {
            List<ProcessHandle> left = t.memoryGroup() != null ? Cgroup.processes(t.memoryGroup())
                : ProcessHandle.allProcesses().filter(ph -> ownedBy(ph, t.uid())).toList();
            if (left.isEmpty()) return;
            left.forEach(ProcessHandle::destroyForcibly);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean ownedBy(ProcessHandle ph, int uid) {
        try {
            return Integer.valueOf(uid).equals(Files.getAttribute(Path.of("/proc", Long.toString(ph.pid())), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    // ---- what the machine allows ----

    private static int uid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i ? i : -1;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    private static boolean executable(String name) {
        for (String dir : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, name))) return true;
        }
        return false;
    }

    /** True when the set-up of this level runs here (not every container allows namespaces, or mounts in them). */
    private boolean works(Isolation level) {
        if (!executable("unshare") || !executable("ip")) return false;
        List<String> cmd = new ArrayList<>(namespaces(level));
        cmd.addAll(List.of("/bin/sh", "-c", setUp(level, new Tenant(-1, null, true), tmp), "sandbox", "true"));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().clear();  // as the children have it
            pb.environment().put("PATH", PATH);
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean readableByOthers(Path file) {
        try {
            if (!Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) return false;
            for (Path d = file.toAbsolutePath().getParent(); d != null; d = d.getParent()) {
                if (!Files.getPosixFilePermissions(d).contains(PosixFilePermission.OTHERS_EXECUTE)) return false;
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * A hard link where the file system allows one (instant, no space), a copy otherwise. A link shares the
     * original's mode, which is never changed: when it is not readable by others, the file is copied instead.
     */
    private static void link(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
            if (Files.getPosixFilePermissions(to).contains(PosixFilePermission.OTHERS_READ)) return;
            Files.delete(to);
        } catch (IOException | UnsupportedOperationException e) {
            // another file system: copy
        }
        boolean exec = Files.isExecutable(from);
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
    }

    private static void linkTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) Files.copy(p, target, LinkOption.NOFOLLOW_LINKS);
                else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else link(p, target);
            }
        }
    }
}
