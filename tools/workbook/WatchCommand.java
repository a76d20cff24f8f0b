package workbook;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import kit.Course;
import kit.Style;
import kit.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Re-checks an exercise each time one of its files is saved. Everything stays in this one JVM, so after the
 * first check the compiler and the test engine are warm and a verdict follows a save in a fraction of a second.
 */
@Command(name = "watch", description = "Re-checks an exercise whenever you save one of its files. Ctrl-C stops.")
public final class WatchCommand implements Callable<Integer> {
    /** Editors write a file in several steps; this long after the last event, the save is complete. */
    private static final long SETTLE_MILLIS = 40;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Lesson id to check first (no ID: the first exercise not done yet).")
    String id;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path root = Lessons.root();
        Checker checker = new Checker(root);
        Course.Lesson first = id == null ? Lessons.firstUnfinished(root, Lessons.state(root)) : Lessons.withExercise(root, id);
        checkAndShow(root, checker, first);
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            Map<WatchKey, Course.Lesson> keys = new HashMap<>();
            for (Course.Lesson lesson : Course.LESSONS) {
                if (!lesson.hasExercise(root)) continue;
                Path dir = root.resolve("exercises").resolve(lesson.id());
                keys.put(dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY), lesson);
            }
            while (true) {
                Set<Course.Lesson> changed = new LinkedHashSet<>();
                collect(watcher.take(), keys, changed);
                for (WatchKey more; (more = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null; ) collect(more, keys, changed);
                for (Course.Lesson lesson : changed) checkAndShow(root, checker, lesson);
            }
        }
    }

    private static void collect(WatchKey key, Map<WatchKey, Course.Lesson> keys, Set<Course.Lesson> changed) {
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.context() instanceof Path file && file.toString().endsWith(".java") && keys.containsKey(key)) {
                changed.add(keys.get(key));
            }
        }
        key.reset();
    }

    private static void checkAndShow(Path root, Checker checker, Course.Lesson lesson) {
        if (Terminal.interactive()) System.out.print("\u001b[H\u001b[2J"); // clear the screen
        try {
            var outcome = checker.check(lesson);
            Checker.print(lesson, outcome);
            Checker.record(root, lesson, outcome);
        } catch (RuntimeException e) {
            System.out.println(Style.red("The check itself failed: " + e.getMessage()));
        }
        System.out.println(Style.dim("Watching exercises/ for saves · Ctrl-C stops"));
    }

}
