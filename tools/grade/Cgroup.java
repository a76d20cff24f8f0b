package grade;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A memory cap on the whole of a student's processes, heap or not (Unsafe, native memory, thread stacks, files in
 * a private tmpfs): a control group of their own with a memory limit, made under the grader's own group, so it
 * also nests inside whatever limit the grader itself runs under. Both cgroup versions: v2 (memory.max) where its
 * memory controller can be enabled for our groups, v1 (memory.limit_in_bytes) otherwise. Where neither can be
 * written (not root, a container that mounts them read-only), {@link #find} answers nothing and the sandbox
 * falls back to an address-space limit.
 */
final class Cgroup {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private final Path run;
    private final boolean v2;

    private Cgroup(Path run, boolean v2) {
        this.run = run;
        this.v2 = v2;
    }

    /** A group for this run of the grader, with one limited group per student under it; empty where there is none to be had. */
    static Optional<Cgroup> find(String runName) {
        try {
            List<String> mine = Files.readAllLines(Path.of("/proc/self/cgroup"));
            if (Files.isRegularFile(ROOT.resolve("cgroup.controllers")) && read(ROOT.resolve("cgroup.controllers")).contains("memory")) {
                String own = mine.stream().filter(l -> l.startsWith("0::")).map(l -> l.substring(3)).findFirst().orElse(null);
                if (own != null) return make(ROOT.resolve(own.substring(1)), runName, true);
            }
            Path v1 = ROOT.resolve("memory");
            if (Files.isDirectory(v1)) {
                String own = mine.stream().filter(l -> l.matches("\\d+:([^:]*,)?memory(,[^:]*)?:.*")).map(l -> l.substring(l.indexOf(':', l.indexOf(':') + 1) + 1))
                    .findFirst().orElse(null);
                if (own != null) return make(v1.resolve(own.substring(1)), runName, false);
            }
        } catch (IOException | RuntimeException e) {
            // no control groups to be had here
        }
        return Optional.empty();
    }

    private static Optional<Cgroup> make(Path own, String runName, boolean v2) throws IOException {
        if (!Files.isWritable(own)) return Optional.empty();
        removeStale(own);
        Path run = own.resolve(runName);
        try {
            // v2: a group's children get the memory controller only if the group hands it down; a group with
            // processes of its own (ours, often) cannot, and then there is no cap to be had this way.
            if (v2 && !read(own.resolve("cgroup.subtree_control")).contains("memory")) write(own.resolve("cgroup.subtree_control"), "+memory");
            Files.createDirectories(run);
            if (v2) write(run.resolve("cgroup.subtree_control"), "+memory");
            Cgroup group = new Cgroup(run, v2);
            // Proves that a limit can be set and read back before any student depends on it.
            Path probe = group.create("probe", 64);
            group.remove(probe);
            return Optional.of(group);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(run);
            } catch (IOException ignored) {
                // an empty folder left in the cgroup tree
            }
            return Optional.empty();
        }
    }

    /** The groups of earlier runs that were killed before they could remove theirs (by then empty: their processes are gone). */
    private static void removeStale(Path own) {
        try (var groups = Files.list(own)) {
            for (Path g : groups.filter(p -> p.getFileName().toString().matches("grade-\\d+")).toList()) {
                long pid = Long.parseLong(g.getFileName().toString().substring(6));
                if (ProcessHandle.of(pid).isPresent()) continue;
                try (var students = Files.list(g)) {
                    for (Path s : students.filter(Files::isDirectory).toList()) Files.deleteIfExists(s);
                }
                Files.deleteIfExists(g);
            }
        } catch (IOException | RuntimeException e) {
            // still in use, or not ours: left alone
        }
    }

    String describe() { return (v2 ? "cgroup v2" : "cgroup v1") + " memory limit"; }

    /** A group named {@code name} whose processes may use {@code megabytes} of memory in all, swap and tmpfs included. */
    Path create(String name, long megabytes) throws IOException {
        Path group = run.resolve(name);
        Files.createDirectories(group);
        long bytes = megabytes << 20;
        if (v2) {
            write(group.resolve("memory.max"), Long.toString(bytes));
            if (Files.exists(group.resolve("memory.swap.max"))) write(group.resolve("memory.swap.max"), "0");
            if (Long.parseLong(read(group.resolve("memory.max")).strip()) != bytes) throw new IOException("memory.max did not take");
        } else {
            write(group.resolve("memory.limit_in_bytes"), Long.toString(bytes));
            try {
                write(group.resolve("memory.memsw.limit_in_bytes"), Long.toString(bytes));  // no swap beyond it, where swap is counted
            } catch (IOException noSwapAccounting) {
                // the memory limit alone
            }
            // The kernel rounds to whole pages.
            if (Math.abs(Long.parseLong(read(group.resolve("memory.limit_in_bytes")).strip()) - bytes) > 4096 * 16) throw new IOException("memory.limit_in_bytes did not take");
        }
        return group;
    }

    /** The file a process writes its pid to, to join the group (before it switches to the student's user). */
    static Path procs(Path group) { return group.resolve("cgroup.procs"); }

    /** How many processes of the group the kernel stopped for going over its limit. */
    long outOfMemoryKills(Path group) {
        try {
            String events = read(group.resolve(v2 ? "memory.events" : "memory.oom_control"));
            return events.lines().filter(l -> l.startsWith("oom_kill ")).mapToLong(l -> Long.parseLong(l.substring(9).strip())).sum();
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Stops every process left in the group, then removes it. */
    void remove(Path group) {
        for (int attempt = 0; attempt < 50; attempt++) {
            killAll(group);
            try {
                Files.deleteIfExists(group);
                return;
            } catch (IOException busy) {
                // processes still exiting: their memory is being freed
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    static void killAll(Path group) {
        processes(group).forEach(ProcessHandle::destroyForcibly);
    }

    /** The processes in the group now. */
    static List<ProcessHandle> processes(Path group) {
        try {
            return Arrays.stream(read(procs(group)).split("\\s+")).filter(p -> !p.isBlank())
                .flatMap(p -> ProcessHandle.of(Long.parseLong(p)).stream()).toList();
        } catch (IOException | NumberFormatException e) {
            return List.of();  // the group is gone already
        }
    }

    /** Removes this run's group (every student's is gone by then). */
    void close() {
        try {
            Files.deleteIfExists(run);
        } catch (IOException e) {
            // an empty folder left in the cgroup tree: harmless
        }
    }

    private static String read(Path file) throws IOException { return Files.readString(file, StandardCharsets.US_ASCII); }

    private static void write(Path file, String value) throws IOException { Files.writeString(file, value, StandardCharsets.US_ASCII); }
}
