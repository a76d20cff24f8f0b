package workbook;

import engine.Tool;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import kit.Course;
import kit.Style;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The process in which watch runs the learner's code. It stays up between checks, so the compiler and the test
 * engine are warm, and watch can end it when a check must stop at once (a save during the check, a test that
 * hangs). It takes requests from watch over a loopback socket, one a line ("check 01", "all 01", "hint 01"), prints
 * to the terminal itself, and answers each with its verdict: passed, failed or hung.
 */
@Command(name = "watch-worker", hidden = true, mixinStandardHelpOptions = true,
         description = "Runs watch's checks in a process watch can stop (started by watch, never by hand).")
public final class WatchWorkerCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PORT", description = "watch's loopback port.")
    int port;

    private final Map<String, Checker.Outcome> last = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        Path root = Tool.root();
        Checker checker = new Checker(root);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
             var requests = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             var verdicts = new PrintWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8), true)) {
            verdicts.println(ProcessHandle.current().pid());   // who this is: watch may have started more than one
            for (String request; (request = requests.readLine()) != null; ) {
                String[] words = request.split(" ", 2);
                String verdict;
                try {
                    verdict = handle(root, checker, words[0], Lessons.byId(words[1]));
                } catch (RuntimeException e) {
                    System.out.println(Style.red("The check itself failed: " + e.getMessage()));
                    verdict = "failed";
                }
                System.out.flush();   // all of it on the terminal before watch prints what follows
                verdicts.println(verdict);
            }
        }
        return 0;
    }

    private String handle(Path root, Checker checker, String what, Course.Lesson lesson) {
        switch (what) {
            case "check" -> {
                Checker.header(lesson);
                var outcome = checker.check(lesson);
                last.put(lesson.id(), outcome);
                Checker.print(lesson, outcome, false, "press a");
                Checker.record(root, lesson, outcome);
            }
            case "all" -> {
                Checker.header(lesson);
                Checker.print(lesson, last.computeIfAbsent(lesson.id(), id -> checker.check(lesson)), true, null);
            }
            case "hint" -> Hints.next(root, lesson, last.computeIfAbsent(lesson.id(), id -> checker.check(lesson)));
            default -> throw new IllegalArgumentException("unknown request " + what);
        }
        var outcome = last.get(lesson.id());
        if (outcome instanceof Checker.Tested t && t.hung()) return "hung";
        return Checker.exitCode(outcome) == 0 ? "passed" : "failed";
    }
}
