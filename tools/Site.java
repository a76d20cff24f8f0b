///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../kit/src/kit/*.java
//SOURCES site/*.java
// the exercises' mutation scores, shown beside their tests; the helpers the tools share
//SOURCES engine/MutationSummary.java engine/Folders.java engine/Text.java engine/Processes.java engine/LessonRun.java engine/UserError.java engine/Tool.java
// JRuby (inside AsciidoctorJ) starts twice as fast with the C1 compiler, no JRuby JIT and class data sharing.
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djruby.compile.mode=OFF -Djruby.compile.invokedynamic=false --enable-native-access=ALL-UNNAMED -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// The published site: every written lesson as a page (its text, code included from the real sources, the output of
// a real run, the exercise's task and test names), the course map, a patterns index, an instructors' page and a
// search, built with AsciidoctorJ into site/build/. With --test, a headless Chromium then checks it like a reader.

import engine.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import site.BrowserTest;
import site.BuildFailed;
import site.SiteBuilder;

@Command(name = "site", mixinStandardHelpOptions = true,
         description = "Builds the course's web site into site/build/ (or --out DIR); --test checks it in headless Chromium.")
public class Site implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the site (default: site/build).")
    Path out;

    @Option(names = "--test", description = "After building, load every page in headless Chromium: no console errors, "
        + "search works, screenshots in DIR/screenshots. Exit 3 when no Chromium is installed.")
    boolean test;

    @Option(names = "--no-build", description = "With --test: test the site already in DIR, do not build it.")
    boolean noBuild;

    @Option(names = "--view-only", description = "With --test: only the view of a run: each lesson page's replay, and "
        + "lesson 08 live with --view (its Next, fault buttons, arrows within 500 ms, the breaker's state).")
    boolean viewOnly;

    @Option(names = "--cached-only", description = "Do not run lessons: use the transcripts cached by earlier builds, "
        + "and a note where there is none (for quick checks; never publish such a build).")
    boolean cachedOnly;

    public static void main(String[] args) {
        Tool.main(new Site(), args);
    }

    @Override
    public Integer call() throws Exception {
        Path root = Tool.root();
        Path dir = (out != null ? out : root.resolve("site").resolve("build")).toAbsolutePath().normalize();
        if (noBuild && !test) throw new BuildFailed("--no-build only makes sense with --test");
        if (viewOnly && !test) throw new BuildFailed("--view-only only makes sense with --test");
        if (!noBuild) new SiteBuilder(root, dir, cachedOnly).build();
        if (!test) return 0;
        if (!Files.isRegularFile(dir.resolve("index.html"))) throw new BuildFailed("no site in " + dir + " to test: build it first");
        return new BrowserTest(dir, viewOnly).run();
    }
}
