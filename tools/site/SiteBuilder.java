package site;

import engine.MutationSummary;
import engine.Text;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import kit.Course;

/**
 * Builds the whole site into one folder: converts every page with AsciidoctorJ, puts each into the layout, writes
 * the search index and the theme, then checks every link. Any Asciidoctor warning or broken link fails the build.
 */
public final class SiteBuilder {
    private static final String MARKER = ".workbook-site";
    private static final Pattern LESSON_XREF = Pattern.compile("href=\"(?:\\.\\./)*(?:(lessons|exercises)/)?(\\d\\d-[a-z0-9-]+)/README\\.html(#[^\"]*)?\"");
    /** A link to a lesson's page whose text is the lesson's id: the text becomes the lesson's name, from the course's one list. */
    private static final Pattern LESSON_BY_ID = Pattern.compile("(<a href=\"(\\d\\d-[a-z0-9-]+)\\.html(?:#[^\"]*)?\"[^>]*>)\\2</a>");
    private static final Pattern TRANSCRIPT_MARK = Pattern.compile("<!--transcript:(all|\\d+)-->");

    private final Path root;
    private final Path out;
    private final boolean cachedOnly;
    private final List<Course.Lesson> written;

    public SiteBuilder(Path root, Path out, boolean cachedOnly) {
        this.root = root;
        this.out = out;
        this.cachedOnly = cachedOnly;
        this.written = Course.LESSONS.stream().filter(l -> l.written(root)).toList();
    }

    public void build() throws IOException {
        long start = System.nanoTime();
        Transcripts transcripts = new Transcripts(root, cachedOnly);
        transcripts.start(written);   // lessons run in the background while the pages are converted
        try {
            prepareOut();
            Docs docs = new Docs(root);
            List<Page> pages = new ArrayList<>();
            pages.add(home(docs));
            pages.add(courseMap());
            pages.add(whereToStart(docs));
            Map<Course.Lesson, Docs.Converted> texts = new LinkedHashMap<>();
            Map<Course.Lesson, Docs.Converted> tasks = new LinkedHashMap<>();
            for (Course.Lesson l : written) {
                Path readme = l.lessonDir(root).resolve("README.adoc");
                if (Files.isRegularFile(readme)) texts.put(l, docs.file(readme, Map.of()));
                Path task = l.exerciseDir(root).resolve("README.adoc");
                if (Files.isRegularFile(task)) tasks.put(l, docs.file(task, Map.of("leveloffset", "+1", "idprefix", "_exercise_")));
            }
            Patterns patterns = Patterns.read(root.resolve("site/patterns.tsv"), root.resolve("site/diagrams"));
            Related related = Related.read(root, patterns);
            LessonFacts facts = LessonFacts.read(root.resolve("site/lessons.tsv"));
            List<Page> lessonPages = new ArrayList<>();
            for (Course.Lesson l : written) lessonPages.add(lessonPage(l, texts.get(l), tasks.get(l), transcripts.get(l), related, facts.of(l)));
            pages.addAll(lessonPages);
            pages.add(patterns(docs, patterns, lessonPages));
            pages.add(instructors(docs));
            pages.add(searchPage());
            pages = linkNeighbours(pages).stream().map(p -> p.withContent(LessonMentions.link(p.content(), written,
                Course.LESSONS.stream().filter(l -> p.file().equals(l.id() + ".html")).findFirst().orElse(null)))).toList();

            Map<String, String> titles = new LinkedHashMap<>();
            pages.forEach(p -> titles.put(p.file(), p.title()));
            Layout layout = new Layout(Files.readString(root.resolve("site/theme/page.html")), written, titles);
            SearchIndex index = new SearchIndex();
            for (Page p : pages) {
                Files.writeString(out.resolve(p.file()), layout.render(p), StandardCharsets.UTF_8);
                index.add(p);
            }
            Path assets = Files.createDirectories(out.resolve("assets"));
            for (String asset : List.of("site.css", "site.js", "favicon.svg")) {
                Files.copy(root.resolve("site/theme").resolve(asset), assets.resolve(asset), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(assets.resolve("search-index.js"), index.script(), StandardCharsets.UTF_8);
            for (String asset : List.of("view.js", "view.css")) {   // the run's replay draws with the live view's own page
                Files.copy(root.resolve("kit/view").resolve(asset), assets.resolve(asset), StandardCopyOption.REPLACE_EXISTING);
            }

            List<String> problems = new ArrayList<>();
            written.stream().map(transcripts::get).filter(t -> t.problem() != null).forEach(t -> problems.add("lesson run: " + t.problem()));
            docs.warnings().forEach(w -> problems.add("asciidoctor: " + w));
            Links.Result links = Links.check(out);
            links.broken().forEach(b -> problems.add("broken link: " + b));
            if (!problems.isEmpty()) {
                throw new BuildFailed(problems.size() + " problem(s) in the site built in " + out + ":\n  " + String.join("\n  ", problems));
            }
            long ran = written.stream().map(transcripts::get).filter(t -> t.output() != null && !t.cached()).count();
            long missing = written.stream().map(transcripts::get).filter(t -> t.output() == null).count();
            System.out.printf("site: %d pages (%d lessons written, %d coming), %d search entries, %d links checked, no warnings%n",
                pages.size(), written.size(), Course.LESSONS.size() - written.size(), index.size(), links.checked());
            System.out.printf("site: transcripts: %d run now, %d from the cache%s%n", ran, written.size() - ran - missing,
                missing > 0 ? ", " + missing + " missing (--cached-only)" : "");
            System.out.printf("site: built %s in %.1f s%n", out.resolve("index.html"), (System.nanoTime() - start) / 1e9);
        } finally {
            transcripts.shutdown();
        }
    }

    /** Empties the output folder, but only one that is ours (or empty): --out never wipes a folder of the user's. */
    private void prepareOut() throws IOException {
        if (Files.isDirectory(out)) {
            boolean ours = Files.exists(out.resolve(MARKER));
            try (Stream<Path> entries = Files.list(out)) {
                if (!ours && entries.findAny().isPresent()) {
                    throw new BuildFailed(out + " is not empty and was not built by ./jbang site: choose another --out");
                }
            }
            try (Stream<Path> all = Files.walk(out)) {
                all.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(out)).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve(MARKER), "Built by ./jbang site; the next build empties this folder.\n");
    }

    // ---- the pages ----

    private Page home(Docs docs) {
        Docs.Converted intro = docs.file(root.resolve("site/home.adoc"), Map.of());
        StringBuilder sb = new StringBuilder();
        sb.append("<header class=\"page-head hero\"><h1 id=\"top\">").append(Text.escapeHtml(intro.title())).append("</h1></header>\n");
        sb.append(intro.html());
        sb.append("<div class=\"sect1\"><h2 id=\"the-course\">The course</h2><div class=\"sectionbody\">\n<p>")
            .append(allWritten()
                ? Course.LESSONS.size() + " lessons in four parts, from the edge of the system to running it."
                : written.size() + " of " + Course.LESSONS.size() + " lessons are written; the others are being written and appear here as they land.")
            .append(" The <a href=\"course.html\">course map</a> has the details.</p>\n<div class=\"parts\">\n");
        for (Course.Part part : Course.Part.values()) {
            sb.append("<section class=\"part-card\"><h3>").append(Text.escapeHtml(part.title)).append("</h3><ol>\n");
            for (Course.Lesson l : Course.LESSONS) {
                if (l.part() != part) continue;
                // the number stays outside the link, so that the link's underline starts at the name
                String num = "<span class=\"num\">" + l.number2() + "</span> ";
                sb.append(written.contains(l)
                    ? "<li>" + num + "<a href=\"" + l.id() + ".html\">" + Text.escapeHtml(shortName(l)) + "</a> <span class=\"sub\">" + Text.escapeHtml(l.title()) + "</span></li>\n"
                    : "<li class=\"coming\">" + num + Text.escapeHtml(shortName(l)) + " <span class=\"badge\">coming</span></li>\n");
            }
            sb.append("</ol></section>\n");
        }
        sb.append("</div></div></div>\n");
        return new Page("index.html", "Home", "home", "Learn the patterns that keep a system of services working, by running them.", sb.toString(), null,
            written.isEmpty() ? null : written.getFirst().id() + ".html");
    }

    private boolean allWritten() { return written.size() == Course.LESSONS.size(); }

    private Page courseMap() {
        StringBuilder sb = new StringBuilder();
        sb.append("<header class=\"page-head\"><h1 id=\"top\">Course map</h1><p class=\"lead\">")
            .append(Course.LESSONS.size()).append(" lessons in four parts, each a program that runs the pattern against real HTTP peers, and an exercise checked by tests. ")
            .append(allWritten() ? "" : written.size() + " are written so far; the ones marked <em>coming</em> are being written.")
            .append("</p></header>\n");
        int n = 0;
        for (Course.Part part : Course.Part.values()) {
            n++;
            sb.append("<div class=\"sect1\"><h2 id=\"part-").append(n).append("\">").append(Text.escapeHtml(part.title)).append("</h2><div class=\"sectionbody\">\n")
                .append("<div class=\"table-scroll\"><table class=\"map\"><thead><tr><th>#</th><th>Lesson</th><th>Pattern</th><th>Level</th><th>Exercise</th></tr></thead><tbody>\n");
            for (Course.Lesson l : Course.LESSONS) {
                if (l.part() != part) continue;
                boolean w = written.contains(l);
                List<ExerciseTests.Group> tests = ExerciseTests.of(l.exerciseDir(root));
                int count = tests.stream().mapToInt(g -> g.tests().size()).sum();
                int points = tests.stream().mapToInt(ExerciseTests.Group::points).sum();
                sb.append("<tr id=\"").append(l.id()).append('"').append(w ? "" : " class=\"coming\"").append("><td class=\"num\">").append(l.number2()).append("</td><td>")
                    .append(w ? "<a href=\"" + l.id() + ".html\">" + Text.escapeHtml(shortName(l)) + "</a>" : Text.escapeHtml(shortName(l)) + " <span class=\"badge\">coming</span>")
                    .append("<div class=\"sub\">").append(Text.escapeHtml(l.title())).append(" · <code>./jbang ").append(l.slug()).append("</code></div></td><td>")
                    .append(Text.escapeHtml(l.pattern())).append("</td><td>").append(level(l)).append("</td><td>")
                    .append(count == 0 ? "<span class=\"sub\">—</span>" : count + " tests · " + points + " points").append("</td></tr>\n");
            }
            sb.append("</tbody></table></div></div></div>\n");
        }
        return new Page("course.html", "Course map", "map", "The " + Course.LESSONS.size() + " lessons of the Microservices Patterns Workbook, by part.", sb.toString(), null, null);
    }

    static String level(Course.Lesson l) {
        return "<span class=\"level\" title=\"level " + l.level() + " of 3\" aria-label=\"level " + l.level() + " of 3\">"
            + "●".repeat(l.level()) + "<span class=\"off\" aria-hidden=\"true\">" + "○".repeat(Math.max(0, 3 - l.level())) + "</span></span>";
    }

    private Page lessonPage(Course.Lesson l, Docs.Converted text, Docs.Converted task, Transcripts.Transcript run, Related related,
                            LessonFacts.Facts facts) throws IOException {
        String title = text == null ? shortName(l) + ": " + l.title() : text.title().replaceFirst("^Lesson \\d+\\s*·\\s*", "");
        String body = text == null
            ? "<div class=\"admonitionblock note\"><table><tr><td class=\"icon\"><div class=\"title\">Note</div></td><td class=\"content\">"
              + "The text of this lesson is being written. Its program runs already: below is what it printed.</td></tr></table></div>\n"
            : fixLessonLinks(text.html());
        boolean placedAll = body.contains(TranscriptMacro.MARK.formatted("all"));
        Matcher m = TRANSCRIPT_MARK.matcher(body);
        StringBuilder withRuns = new StringBuilder();
        while (m.find()) {
            String html = run.output() == null ? noRun(run) : TranscriptView.html(run.output(), m.group(1), l.id());
            m.appendReplacement(withRuns, Matcher.quoteReplacement(html));
        }
        m.appendTail(withRuns);
        // A lesson's text with a run places the run's steps beside the words about them (see RunSteps).
        boolean bySteps = text != null && run.output() != null && !placedAll;
        String content = bySteps ? RunSteps.place(withRuns.toString(), run.output(), l, runNote(l, run), facts, Replay.html(run.events(), l)) : withRuns.toString();

        StringBuilder sb = new StringBuilder();
        sb.append("<header class=\"page-head\"><p class=\"eyebrow\">Lesson ").append(l.number2()).append(" of ").append(Course.LESSONS.size())
            .append(" · ").append(Text.escapeHtml(l.pattern())).append(" · <a href=\"#run\">a real run</a> · <a href=\"#exercise\">the exercise</a></p>\n")
            .append("<h1 id=\"top\">").append(Text.escapeHtml(title)).append("</h1>\n")
            .append("<p class=\"facts\">").append(level(l)).append(" level ").append(l.level()).append(" of 3")
            .append(text == null ? "" : " · about " + LessonFacts.readingMinutes(text.html()) + " min to read and run")
            .append(" · about ").append(facts.exerciseMinutes()).append(" min for the exercise</p>\n")
            .append(text == null ? "<p class=\"run-it\">" + Text.escapeHtml(l.part().title) + " · level " + l.level() + " · run it with <code>./jbang " + l.slug() + "</code></p>\n" : "")
            .append("</header>\n");
        sb.append(content);
        if (!placedAll && !bySteps) {
            sb.append("<div class=\"sect1 run\"><h2 id=\"run\">What a real run printed</h2><div class=\"sectionbody\">\n");
            if (run.output() == null) {
                sb.append(noRun(run));
            } else {
                sb.append(runNote(l, run)).append(TranscriptView.html(run.output(), "all", l.id()));
            }
            sb.append("</div></div>\n");
        } else if (placedAll) {
            sb.append("<span id=\"run\"></span>");
        }
        sb.append(exercise(l, task));
        sb.append(related.html(l, text == null ? Set.of() : LessonMentions.named(text.html()), written));
        return new Page(l.id() + ".html", "Lesson " + l.number2() + " · " + shortName(l), "lesson", l.pattern() + ": " + l.title(), sb.toString(), null, null);
    }

    private static String runNote(Course.Lesson l, Transcripts.Transcript run) {
        return "<p class=\"run-note\">What each step printed comes from <code>./jbang " + l.slug() + " --no-pause</code>, run on "
            + run.capturedOn() + " while this site was built (the run took " + run.seconds() + " s). The lesson checks itself: "
            + "it exits with 0 only when every ✓ held, and the site shows only runs that did.</p>\n";
    }

    private static String noRun(Transcripts.Transcript run) {
        return run.problem() != null
            ? "<p class=\"run-note\">This build could not capture a run that held: " + Text.escapeHtml(run.problem().lines().findFirst().orElse("")) + "</p>\n"
            : "<p class=\"run-note\">No run of this lesson was captured in this build (it was built with <code>--cached-only</code>).</p>\n";
    }

    private String exercise(Course.Lesson l, Docs.Converted task) {
        StringBuilder sb = new StringBuilder("<div id=\"exercise\" class=\"exercise\">\n");
        if (task != null) {
            sb.append(fixLessonLinks(task.html()));
        } else {
            sb.append("<div class=\"sect1\"><h2 id=\"_exercise\">Exercise ").append(l.number2()).append("</h2><div class=\"sectionbody\"><p>")
                .append(l.hasExercise(root) ? "The exercise's task is being written; its tests are below." : "The exercise is being written.")
                .append("</p></div></div>\n");
        }
        List<ExerciseTests.Group> groups = ExerciseTests.of(l.exerciseDir(root));
        int count = groups.stream().mapToInt(g -> g.tests().size()).sum();
        if (count > 0) {
            int points = groups.stream().mapToInt(ExerciseTests.Group::points).sum();
            sb.append("<div class=\"sect1 tests\"><h2 id=\"tests\">The tests your code must pass</h2><div class=\"sectionbody\">\n<p>")
                .append(count).append(" tests, ").append(points).append(" points, in <code>exercises/").append(l.id())
                .append("/</code>. Check your code against them with <code>./jbang workbook check ").append(l.number2())
                .append("</code>; <code>./jbang workbook hint ").append(l.number2()).append("</code> gives a hint for the first that fails.</p>\n");
            mutationScore(l).ifPresent(sb::append);
            for (ExerciseTests.Group g : groups) {
                if (groups.size() > 1) sb.append("<p class=\"test-group\">").append(Text.escapeHtml(g.name())).append("</p>\n");
                sb.append("<ol class=\"test-list\">\n");
                for (ExerciseTests.Test t : g.tests()) {
                    sb.append("<li><span class=\"test-name\">").append(Text.escapeHtml(t.name())).append("</span> <span class=\"points\">")
                        .append(t.points()).append(t.points() == 1 ? " point" : " points").append("</span></li>\n");
                }
                sb.append("</ol>\n");
            }
            sb.append("</div></div>\n");
        }
        return sb.append("</div>\n").toString();
    }

    /** How well the tests tell a right answer from a slightly wrong one, as the last mutation run measured it. */
    private Optional<String> mutationScore(Course.Lesson l) {
        return MutationSummary.read(l.solutionDir(root)).map(m -> String.format(Locale.ROOT,
            "<p class=\"mutation\">How strict these tests are: they reject %.1f %% of %d slightly wrong versions of the reference solution "
                + "that PIT, a mutation-testing tool, made from it (%s mutators%s; measured %s with <code>./jbang verify --mutation %s</code>).</p>\n",
            m.score(), m.mutants() - m.equivalent(), m.mutators(),
            m.equivalent() == 0 ? "" : ", leaving out " + m.equivalent() + " that mean the same as the solution",
            m.date(), l.number2()));
    }

    /**
     * xref:../08-circuit-breaker/README.adoc[] becomes a link to that lesson's page, or to the map while it is coming;
     * xref:../exercises/08-circuit-breaker/README.adoc[] a link to the exercise on that page. A link whose text is the
     * lesson's id ({@code [08-circuit-breaker]}) shows the lesson's number and name instead.
     */
    private String fixLessonLinks(String html) {
        Matcher m = LESSON_XREF.matcher(html);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            var lesson = Course.find(m.group(2).substring(0, 2));
            String fragment = m.group(3) != null ? m.group(3) : "exercises".equals(m.group(1)) ? "#exercise" : "";
            String target = lesson.isPresent() && written.contains(lesson.get())
                ? lesson.get().id() + ".html" + fragment
                : "course.html#" + m.group(2);
            m.appendReplacement(sb, Matcher.quoteReplacement("href=\"" + target + "\""));
        }
        Matcher named = LESSON_BY_ID.matcher(m.appendTail(sb));
        StringBuilder out = new StringBuilder();
        while (named.find()) {
            String name = Course.find(named.group(2)).map(l -> "Lesson " + l.number2() + " · " + shortName(l)).orElse(named.group(2));
            named.appendReplacement(out, Matcher.quoteReplacement(named.group(1) + Text.escapeHtml(name) + "</a>"));
        }
        return named.appendTail(out).toString();
    }

    /** site/where-to-start.adoc: from a symptom to the patterns, lessons and exercises that help, and the order to adopt them in. */
    private Page whereToStart(Docs docs) {
        Docs.Converted text = docs.file(root.resolve("site/where-to-start.adoc"), Map.of());
        String html = "<header class=\"page-head\"><h1 id=\"top\">" + Text.escapeHtml(text.title()) + "</h1></header>\n" + fixLessonLinks(text.html());
        return new Page("where-to-start.html", text.title(), "where", "From what hurts in your system to the patterns, lessons and exercises that help, in the order to adopt them.", html, null, null);
    }

    private Page patterns(Docs docs, Patterns index, List<Page> lessonPages) throws IOException {
        Docs.Converted intro = docs.file(root.resolve("site/patterns.adoc"), Map.of());
        StringBuilder sb = new StringBuilder("<header class=\"page-head\"><h1 id=\"top\">").append(Text.escapeHtml(intro.title())).append("</h1></header>\n").append(intro.html());
        sb.append(index.html(written, lessonPages));
        return new Page("patterns.html", "Patterns index", "patterns", "Every pattern the course covers, and the lesson that teaches it.", sb.toString(), null, null);
    }

    private Page instructors(Docs docs) {
        Docs.Converted text = docs.file(root.resolve("site/instructors.adoc"), Map.of());
        StringBuilder sb = new StringBuilder("<header class=\"page-head\"><h1 id=\"top\">").append(Text.escapeHtml(text.title())).append("</h1></header>\n");
        sb.append(text.html());
        sb.append("<div class=\"sect1\"><h2 id=\"points\">Exercises and points</h2><div class=\"sectionbody\">\n")
            .append("<p>What the grader counts today, read from the exercises' tests (a test without <code>@Points</code> is worth 1).</p>\n")
            .append("<p>The mutation score is the share of PIT's slightly wrong versions of the reference solution that the tests reject "
                + "(<code>./jbang verify --mutation</code>; the project's bar is 95 %).</p>\n")
            .append("<div class=\"table-scroll\"><table class=\"map\"><thead><tr><th>#</th><th>Exercise</th><th>Tests</th><th>Points</th><th>Mutation score</th></tr></thead><tbody>\n");
        int allTests = 0;
        int allPoints = 0;
        for (Course.Lesson l : Course.LESSONS) {
            List<ExerciseTests.Group> groups = ExerciseTests.of(l.exerciseDir(root));
            int count = groups.stream().mapToInt(g -> g.tests().size()).sum();
            if (count == 0) continue;
            int points = groups.stream().mapToInt(ExerciseTests.Group::points).sum();
            allTests += count;
            allPoints += points;
            sb.append("<tr><td class=\"num\">").append(l.number2()).append("</td><td>")
                .append(written.contains(l) ? "<a href=\"" + l.id() + ".html#exercise\">" + Text.escapeHtml(shortName(l)) + "</a>" : Text.escapeHtml(shortName(l)))
                .append(" <code>exercises/").append(l.id()).append("/</code></td><td>").append(count).append("</td><td>").append(points).append("</td><td>")
                .append(MutationSummary.read(l.solutionDir(root)).map(m -> String.format(Locale.ROOT, "%.1f %%", m.score())).orElse("—"))
                .append("</td></tr>\n");
        }
        sb.append("</tbody><tfoot><tr><td></td><td>All exercises so far</td><td>").append(allTests).append("</td><td>").append(allPoints)
            .append("</td><td></td></tr></tfoot></table></div></div></div>\n");
        return new Page("instructors.html", "For instructors", "instructors", "Grading a whole class with ./jbang grade.", sb.toString(), null, null);
    }

    private Page searchPage() {
        String html = "<header class=\"page-head\"><h1 id=\"top\">Search</h1></header>\n"
            + "<div id=\"search-page\" class=\"search-page\"><p class=\"sub\">Type in the search box at the top of the page.</p></div>\n"
            + "<noscript><p>The search needs JavaScript. The <a href=\"course.html\">course map</a> and the <a href=\"patterns.html\">patterns index</a> list every page.</p></noscript>\n";
        return new Page("search.html", "Search", "search", "Search every page of the course.", html, null, null);
    }

    /** Previous and next run through the written lessons, from the course map to the last one. */
    private List<Page> linkNeighbours(List<Page> pages) {
        List<String> order = new ArrayList<>();
        order.add("course.html");
        written.forEach(l -> order.add(l.id() + ".html"));
        return pages.stream().map(p -> {
            int i = order.indexOf(p.file());
            if (i < 0) return p;
            return p.withNeighbours(i > 0 ? order.get(i - 1) : p.prev(), i + 1 < order.size() ? order.get(i + 1) : p.next());
        }).toList();
    }

    /** "Service boundaries", "API gateway", "CQRS": the lesson's slug as a name. */
    static String shortName(Course.Lesson l) {
        String[] words = l.slug().split("-");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words.length; i++) {
            String w = switch (words[i]) {
                case "api" -> "API";
                case "cqrs" -> "CQRS";
                default -> i == 0 ? Character.toUpperCase(words[i].charAt(0)) + words[i].substring(1) : words[i];
            };
            sb.append(i == 0 ? "" : " ").append(w);
        }
        return sb.toString();
    }
}
