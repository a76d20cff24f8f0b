///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../kit/src/kit/*.java
//SOURCES engine/*.java
//SOURCES verify/*.java
//SOURCES ide/*.java
// verify runs every lesson; the site keeps those runs as its transcripts
//SOURCES site/Transcripts.java site/BuildFailed.java
// The project's own test command: every solution passes, every stub and wrong answer fails, every lesson holds,
// every alias resolves, the kit's own tests pass. Ends with "N passed, N failed".

import engine.Tool;
import engine.UserError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import kit.Course;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import verify.Checks;

@Command(name = "verify", mixinStandardHelpOptions = true,
         description = "Checks the whole project and ends with the line 'N passed, N failed'.")
public class Verify implements Callable<Integer> {
    @Option(names = "--only", split = ",", paramLabel = "ID", description = "Check only these lessons (01, api-gateway, ...).")
    List<String> only = List.of();

    @Option(names = "--no-lessons", description = "Skip running the lessons (exercises, kit and catalog only).")
    boolean noLessons;

    @Option(names = "--mutation", description = "Instead of the usual checks, run mutation testing (PIT) on the reference "
        + "solutions of the given exercises (all without IDs): each passes at 95 %% of its non-equivalent mutants killed, "
        + "and its summary is written to solutions/NN-slug/mutation.properties.")
    boolean mutation;

    @Parameters(paramLabel = "ID", arity = "0..*", description = "With --mutation: the exercises to test (01, api-gateway, ...).")
    List<String> ids = new ArrayList<>();

    public static void main(String[] args) {
        Tool.main(new Verify(), args);
    }

    @Override
    public Integer call() {
        if (!ids.isEmpty() && !mutation) {
            throw new UserError("exercise ids without --mutation; to check a few lessons, use --only " + String.join(",", ids));
        }
        List<String> chosen = new ArrayList<>(only);
        chosen.addAll(ids);
        for (String id : chosen) {
            if (Course.find(id).isEmpty()) throw new UserError("unknown lesson '" + id + "'. Valid ids: " + Course.validIds());
        }
        Checks checks = new Checks(Tool.root(), chosen, !noLessons);
        return (mutation ? checks.runMutation() : checks.run()) ? 0 : 1;
    }
}
