///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../kit/*.java
//SOURCES engine/*.java
//SOURCES verify/*.java
// verify runs every lesson; the site keeps those runs as its transcripts
//SOURCES site/Transcripts.java site/BuildFailed.java
// The project's own test command: every solution passes, every stub and wrong answer fails, every lesson holds,
// every alias resolves, the kit's own tests pass. Ends with "N passed, N failed".

import java.util.List;
import java.util.concurrent.Callable;
import kit.Course;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import verify.Checks;

@Command(name = "verify", mixinStandardHelpOptions = true,
         description = "Checks the whole project and ends with the line 'N passed, N failed'.")
public class Verify implements Callable<Integer> {
    @Option(names = "--only", split = ",", paramLabel = "ID", description = "Check only these lessons (01, api-gateway, ...).")
    List<String> only = List.of();

    @Option(names = "--no-lessons", description = "Skip running the lessons (exercises, kit and catalog only).")
    boolean noLessons;

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // Our output is UTF-8 (✓, ✗, ·) even where the locale is not set, as in CI and minimal containers.
        System.setOut(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, java.nio.charset.StandardCharsets.UTF_8));
        CommandLine cli = new CommandLine(new Verify());
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("verify: " + e.getMessage());
            return 2;
        });
        int code = cli.execute(args);
        System.out.flush();
        System.exit(code);
    }

    @Override
    public Integer call() {
        for (String id : only) {
            if (Course.find(id).isEmpty()) {
                System.err.println("verify: unknown lesson '" + id + "'. Valid ids: " + Course.validIds());
                return 2;
            }
        }
        return new Checks(Course.root(), only, !noLessons).run() ? 0 : 1;
    }
}
