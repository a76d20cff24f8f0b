///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../kit/src/kit/*.java
//SOURCES engine/*.java
//SOURCES workbook/*.java
//SOURCES ide/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:MetaspaceSize=160m -XX:SweeperThreshold=50 -Xlog:cds*=off -Xlog:cds+dynamic=off -Dsun.misc.unsafe.memory.access=allow
// The embedded broker's queues (JCTools, in Artemis) use sun.misc.Unsafe, which JDK 24 and later warn about on first use,
// in the middle of the output. The JDK reads sun.misc.unsafe.memory.access once, at start, so only a JVM option can allow
// it quietly; JDKs before 23 ignore the property. MetaspaceSize and SweeperThreshold: a check loads servers, a database
// or a broker, and the default thresholds (21 MB of classes, code cache growth of 15 % of 48 MB) made the JVM stop for a
// full collection in the middle of it (once in a check of 14, 568 ms at load 24), for memory it would need again at once.
// The learner's tool: the course map and progress; check, hint, watch, reset, solution and play.

import engine.UserError;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;
import workbook.CheckCommand;
import workbook.HintCommand;
import workbook.IdeCommand;
import workbook.PlayCommand;
import workbook.ResetCommand;
import workbook.SolutionCommand;
import workbook.Status;
import workbook.TrainCommand;
import workbook.WatchCommand;
import workbook.WatchWorkerCommand;

@Command(name = "workbook", mixinStandardHelpOptions = true,
         description = "Your course map and progress. With no command: where you are and what to do next.",
         subcommands = {CheckCommand.class, HintCommand.class, WatchCommand.class, WatchWorkerCommand.class, ResetCommand.class,
                        SolutionCommand.class, PlayCommand.class, TrainCommand.class, IdeCommand.class})
public class Workbook implements Callable<Integer> {

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // Our output is UTF-8 (✓, ✗, ·) even where the locale is not set, as in CI and minimal containers.
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8));
        CommandLine cli = new CommandLine(new Workbook());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UserError u) {
                (u.exitCode() == 0 ? System.out : System.err).println((u.exitCode() == 0 ? "" : "workbook: ") + u.getMessage());
                return u.exitCode();
            }
            System.err.println("workbook: " + e);  // a bug of ours: one line still, and a non-zero exit
            return 1;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName(" ");   // "workbook check"
            String problem = e.getMessage();
            if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                problem = "'" + u.getUnmatched().get(0) + "' is not known here. Did you mean " + String.join(" or ", u.getSuggestions()) + "?";
            }
            System.err.println(command + ": " + problem + " (see ./jbang " + command + " --help)");
            return 2;
        });
        int code = cli.execute(args);
        System.out.flush();
        // Exit explicitly: servers started by tests can keep non-daemon threads alive after they stop.
        System.exit(code);
    }

    @Override
    public Integer call() {
        return Status.show();
    }
}
