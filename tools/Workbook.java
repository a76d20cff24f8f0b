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

import engine.Tool;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
        Tool.main(new Workbook(), args);
    }

    @Override
    public Integer call() {
        return Status.show();
    }
}
