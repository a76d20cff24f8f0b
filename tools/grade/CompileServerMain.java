package grade;

import com.sun.management.OperatingSystemMXBean;
import engine.Compiler;
import engine.Sources;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compile server: one long-lived JVM that compiles every student's code with the engine's {@link Compiler}
 * (javac in-process, warm after the first few students). It never runs a student's code: javac reads the sources
 * with annotation processing off. Requests come one JSON line at a time on standard input, answers go out the
 * same way. Arguments: CACHE DISPLAY_ROOT.
 */
public final class CompileServerMain {
    /** Compile these files (name in the exercise folder to path); {@code label} is for messages only. */
    public record Request(long id, String label, Map<String, String> files) {}

    /** javac's verdict: a folder of classes (with the test classes' names and order), or its messages. */
    public record Response(long id, boolean ok, String classes, List<String> testClasses, List<String> testOrder, List<String> errors) {}

    private CompileServerMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(new PrintStream(PrintStream.nullOutputStream()));
        Compiler compiler = new Compiler(Path.of(args[0]), Path.of(args[1]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            Request r = Protocol.JSON.readValue(line, Request.class);
            Response answer;
            try {
                Map<String, Path> files = new LinkedHashMap<>();
                r.files().forEach((name, path) -> files.put(name, Path.of(path)));
                answer = switch (compiler.compile(new Sources(r.label(), files))) {
                    case Compiler.Compiled c -> new Response(r.id(), true, c.classes().toString(), c.testClasses(), c.testOrder(), List.of());
                    case Compiler.Failed f -> new Response(r.id(), false, null, List.of(), List.of(), f.errors());
                };
            } catch (Throwable t) {  // javac itself failed on this code (a StackOverflowError on absurd nesting, say)
                answer = new Response(r.id(), false, null, List.of(), List.of(), List.of("javac could not compile this code: " + t));
            }
            out.println(Protocol.MARKER + Protocol.JSON.writeValueAsString(answer));
            if (System.getenv("GRADE_TIMING") != null) {
                out.println("[timing] compiled " + r.label() + ", server cpu " + ((OperatingSystemMXBean)
                    ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000 + " ms");
            }
        }
    }
}
