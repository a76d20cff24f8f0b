package workbook;

import engine.Tool;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import kit.Course;
import kit.Progress;
import kit.SourceFiles;
import kit.Style;
import kit.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Re-checks an exercise each time one of its files is saved. The checks run in a worker process that stays warm
 * between them (a verdict follows a save in a fraction of a second), and that watch ends when the learner saves
 * again during a check, or when a test hangs: the next check starts at once in a spare worker.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
         description = "Re-checks an exercise whenever you save one of its files; h shows a hint, Enter moves on after a pass, q or Ctrl-C stops.")
public final class WatchCommand implements Callable<Integer> {
    /** Editors write a file in several steps; this long after the last event, the save is complete. */
    private static final long SETTLE_MILLIS = 40;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "Lesson id to check first (no ID: the first exercise not done yet).")
    String id;

    /** What watch reacts to, one at a time, in the order they come. */
    private sealed interface Event {}
    private record Saved(Course.Lesson lesson) implements Event {}
    private record Key(int key) implements Event {}
    private record Verdict(Workers.Worker worker, String verdict) implements Event {}

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private Path root;
    private Course.Lesson current;
    private Workers.Worker worker;
    private boolean running;
    private String lastVerdict = "";

    @Override
    public Integer call() throws Exception {
        root = Tool.root();
        current = id == null ? Lessons.firstUnfinished(root, Lessons.state(root)) : Lessons.withExercise(root, id);
        try (Workers workers = new Workers(root, (w, verdict) -> events.add(new Verdict(w, verdict)));
             Keys keys = Keys.listen(key -> events.add(new Key(key)));
             WatchService watcher = FileSystems.getDefault().newWatchService()) {
            Map<WatchKey, Course.Lesson> folders = new HashMap<>();
            for (Course.Lesson lesson : Course.LESSONS) {
                if (!lesson.hasExercise(root)) continue;
                // A watch service sees one folder, not the folders in it: each package folder is registered too.
                for (Path dir : SourceFiles.folders(lesson.exerciseDir(root))) {
                    folders.put(dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY), lesson);
                }
            }
            Thread.ofPlatform().daemon().name("watch-saves").start(() -> reportSaves(watcher, folders));
            freshWorker(workers);
            request("check");
            while (true) {
                switch (events.take()) {
                    case Saved s -> {
                        if (running) {  // the check that runs is of code that has changed since: stop it, check the new one
                            worker.end();
                            freshWorker(workers);
                        }
                        current = s.lesson();
                        request("check");
                    }
                    case Verdict v when v.worker() != worker -> {}   // from a worker that was ended: stale
                    case Verdict v -> {
                        running = false;
                        if (v.verdict().equals("hung") || v.verdict().equals("died")) {
                            if (v.verdict().equals("died")) System.out.println(Style.red("The check ended its process (System.exit in your code?)."));
                            worker.end();   // a hung test still runs in it, and cannot be stopped from inside
                            freshWorker(workers);
                        }
                        lastVerdict = v.verdict();
                        footer();
                    }
                    case Key k when k.key() == 'q' -> { return 0; }
                    case Key k when running -> {}
                    case Key k when k.key() == 'h' -> request("hint");
                    case Key k when k.key() == 'a' -> request("all");
                    case Key k when (k.key() == '\n' || k.key() == '\r') && lastVerdict.equals("passed") && next().isPresent() -> {
                        current = next().get();
                        request("check");
                    }
                    case Key k -> {}
                }
            }
        }
    }

    /** The spare worker becomes the one that checks; when it is still starting, the learner is told why nothing happens. */
    private void freshWorker(Workers workers) {
        if (!workers.spareReady()) System.out.println(Style.dim("  … starting a process for the checks (a few seconds)"));
        worker = workers.take();
    }

    private void request(String what) {
        if (what.equals("check") && Terminal.interactive()) System.out.print("\u001b[H\u001b[2J");   // clear the screen
        running = true;
        worker.send(what + " " + current.id());
    }

    /** Under each verdict: how far the course is done, where to go next, and the keys. */
    private void footer() {
        Progress.State state = Lessons.state(root);
        var withExercise = Course.LESSONS.stream().filter(l -> l.hasExercise(root)).toList();
        long done = withExercise.stream().filter(l -> state.lessons.containsKey(l.id()) && state.lessons.get(l.id()).done).count();
        System.out.println();
        System.out.println(bar(done, withExercise.size()) + " " + done + " of " + withExercise.size() + " exercises done");
        if (lastVerdict.equals("passed")) {
            next().ifPresentOrElse(
                n -> System.out.println(Style.green("Next: exercise " + n.number2() + " · " + n.title())
                    + (Terminal.interactive() ? Style.bold("  Press Enter to move on to it.") : "  (./jbang workbook watch " + n.number2() + ")")),
                () -> System.out.println(Style.green("That was the last exercise written so far.")));
        }
        System.out.println(Style.dim("Watching exercises/ for saves" + (Terminal.interactive() ? " · h hint · a every message whole · q quits" : " · Ctrl-C stops")));
    }

    private static String bar(long done, int total) {
        int width = 20;
        int filled = total == 0 ? 0 : (int) (done * width / total);
        return "[" + Style.green("#".repeat(filled)) + ".".repeat(width - filled) + "]";
    }

    /** The exercise after the current one, in course order. */
    private Optional<Course.Lesson> next() {
        return Course.LESSONS.stream().filter(l -> l.hasExercise(root)).filter(l -> l.number() > current.number()).findFirst();
    }

    /** Tells the event loop of each save of a .java file, once the editor has finished writing it. */
    private void reportSaves(WatchService watcher, Map<WatchKey, Course.Lesson> folders) {
        try {
            while (true) {
                var changed = new LinkedHashSet<Course.Lesson>();
                collect(watcher.take(), folders, changed);
                for (WatchKey more; (more = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null; ) collect(more, folders, changed);
                changed.forEach(lesson -> events.add(new Saved(lesson)));
            }
        } catch (InterruptedException | ClosedWatchServiceException stopped) {
            // watch ends
        }
    }

    private static void collect(WatchKey key, Map<WatchKey, Course.Lesson> folders, Set<Course.Lesson> changed) {
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.context() instanceof Path file && file.toString().endsWith(".java") && folders.containsKey(key)) {
                changed.add(folders.get(key));
            }
        }
        key.reset();
    }
}
