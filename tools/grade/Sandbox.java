package grade;

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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How a student's code is started: a JVM of its own with a capped heap, bounded output, a clean environment and,
 * where the machine allows it, as a user id of its own (when the grader runs as root), with no network but
 * loopback and in a process namespace of its own (so nothing it starts outlives it).
 *
 * <p>An unprivileged child cannot read what only root can (the Maven repository under /root is mode 700), so
 * the class path is hard-linked (or copied) once per run into a folder it can read.
 */
final class Sandbox {
    /** Above the ranges systems hand out (regular users, containers' sub-ids); one id per student. */
    static final int UID_BASE = 1_900_000_000;

    private final boolean root;
    private final boolean switchUser;
    private final boolean namespaces;
    private final Path java;
    private final List<Path> classpath;
    private final int heapMb;
    private final Path aotCache;
    private final boolean aotIsCds;
    private final int salt = (int) (ProcessHandle.current().pid() % 20_000) * 10_000;

    private Sandbox(boolean root, boolean switchUser, boolean namespaces, Path java, List<Path> classpath, int heapMb,
                    Path aotCache, boolean aotIsCds) {
        this.root = root;
        this.switchUser = switchUser;
        this.namespaces = namespaces;
        this.java = java;
        this.classpath = classpath;
        this.heapMb = heapMb;
        this.aotCache = aotCache;
        this.aotIsCds = aotIsCds;
    }

    /**
     * Finds out what this machine allows and stages the class path (and, if it is not readable by others,
     * the JDK) under {@code tmp}. {@code isolate} false runs children as this user with no namespaces.
     */
    static Sandbox prepare(Path tmp, boolean isolate, int heapMb) throws IOException {
        boolean root = "root".equals(System.getProperty("user.name")) || uid() == 0;
        boolean switchUser = isolate && root && executable("setpriv");
        boolean namespaces = isolate && root && executable("unshare") && executable("ip") && probeNamespaces();
        Path javaHome = Path.of(System.getProperty("java.home"));
        List<Path> cp = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) cp.add(Path.of(entry).toAbsolutePath());
        }
        if (switchUser) {
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
            cp = staged;
            if (!readableByOthers(javaHome.resolve("bin").resolve("java")) || !readableByOthers(javaHome.resolve("lib").resolve("modules"))) {
                Path jdk = tmp.resolve("jdk");
                linkTree(javaHome, jdk);
                javaHome = jdk;
            }
        }
        return new Sandbox(root, switchUser, namespaces, javaHome.resolve("bin").resolve("java"), cp, heapMb, null, false);
    }

    /** The same sandbox, with children starting from a class-data archive made by a training run. */
    Sandbox withArchive(Path archive, boolean cds) {
        return new Sandbox(root, switchUser, namespaces, java, classpath, heapMb, archive, cds);
    }

    /** Options that make a training run write the archive that {@link #withArchive} uses. */
    static List<String> trainingOptions(Path archive) {
        if (Runtime.version().feature() >= 25) return List.of("-XX:AOTCacheOutput=" + archive);
        return List.of("-XX:ArchiveClassesAtExit=" + archive);
    }

    static boolean archiveIsCds() { return Runtime.version().feature() < 25; }

    /** The uid a student's code runs as, or -1 when it runs as the grader's own user. */
    int uidFor(int studentIndex) {
        return switchUser ? UID_BASE + salt + (studentIndex % 10_000) : -1;
    }

    String describe() {
        List<String> parts = new ArrayList<>();
        parts.add("one JVM per student, heap " + heapMb + " MB");
        parts.add(switchUser ? "a user id of its own per student" : (root ? "as root (setpriv not found)" : "as " + System.getProperty("user.name")));
        parts.add(namespaces ? "loopback-only network and a process namespace" : "the machine's network");
        if (aotCache != null) parts.add("started from " + (aotIsCds ? "a CDS archive" : "an AOT cache"));
        return String.join(", ", parts);
    }

    boolean switchesUser() { return switchUser; }

    boolean hasNamespaces() { return namespaces; }

    /** Gives the folder (recursively) to {@code uid}, mode 700, so that no other student's code can read it. */
    void giveTo(Path dir, int uid) throws IOException {
        if (uid < 0) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
            }
        }
        Files.setPosixFilePermissions(dir, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
    }

    /** The JVM options of a grading child: capped memory, C1 only (short-lived), and the archive when there is one. */
    List<String> childOptions() {
        List<String> o = new ArrayList<>(List.of("-Xmx" + heapMb + "m", "-Xss1m", "-XX:MaxMetaspaceSize=384m", "-XX:MaxDirectMemorySize=128m",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        if (aotCache != null) o.add((aotIsCds ? "-XX:SharedArchiveFile=" : "-XX:AOTCache=") + aotCache);
        String extra = System.getenv("GRADE_CHILD_OPTIONS");  // for tuning the children: more JVM options
        if (extra != null && !extra.isBlank()) o.addAll(List.of(extra.trim().split("\\s+")));
        return o;
    }

    /** The command that starts {@code mainClass} of this program in a sandboxed JVM working in {@code work}. */
    ProcessBuilder command(int uid, Path work, String mainClass, List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>();
        if (namespaces) cmd.addAll(List.of("unshare", "--net", "--pid", "--fork", "--kill-child"));
        // Limits are set before the switch of user and hold for the student's code: no core dumps, files of at
        // most 256 MB and, for a user id of its own, at most 2000 threads and processes.
        String limits = "ulimit -c 0; ulimit -f 524288; " + (uid >= 0 ? "ulimit -u 2000 2>/dev/null || ulimit -p 2000; " : "");
        cmd.addAll(List.of("/bin/sh", "-c", (namespaces ? "ip link set lo up || exit 97; " : "") + limits + "exec \"$@\"", "sandbox"));
        if (uid >= 0) cmd.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--no-new-privs", "--"));
        cmd.add(java.toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=error:stderr", "-XX:ErrorFile=" + work.resolve("hs_err.log"),
            "-Djava.io.tmpdir=" + work.resolve("tmp"), "-Duser.home=" + work,
            "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Djava.awt.headless=true",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()));
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.clear();  // the grader's environment may hold secrets; the student's code gets none of it
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", work.toString());
        env.put("TMPDIR", work.resolve("tmp").toString());
        env.put("LANG", "C.UTF-8");
        if (System.getenv("GRADE_TIMING") != null) env.put("GRADE_TIMING", "1");
        return pb;
    }

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
     */
    void sweep(int uid) {
        if (uid < 0 || namespaces) return;
        String name = Integer.toString(uid);
        ProcessHandle.allProcesses()
            .filter(ph -> ph.info().user().map(name::equals).orElse(false))
            .forEach(ProcessHandle::destroyForcibly);
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

    /** True when a network and process namespace of our own can be made here (not in every container). */
    private static boolean probeNamespaces() {
        try {
            Process p = new ProcessBuilder("unshare", "--net", "--pid", "--fork", "--kill-child", "sh", "-c", "ip link set lo up")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
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
