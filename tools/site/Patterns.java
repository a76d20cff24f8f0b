package site;

import engine.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kit.Course;

/**
 * The patterns index: every pattern and technique the course teaches, A to Z, each linked to the lesson (and, where
 * the lesson's text names it, the section) that teaches it. The list lives in site/patterns.tsv; every lesson's own
 * pattern from the course map is in it whether the file names it or not. A pattern may bring a picture from
 * site/diagrams/ (NAME.states or NAME.sequence, see {@link Diagrams}).
 */
final class Patterns {
    record Entry(String name, int lesson, String what, String diagram) {}

    private static final Pattern SECTION = Pattern.compile("<h2 id=\"([^\"]+)\"[^>]*>");

    private final List<Entry> entries;
    private final Path diagrams;

    private Patterns(List<Entry> entries, Path diagrams) {
        this.entries = entries;
        this.diagrams = diagrams;
    }

    static Patterns read(Path tsv, Path diagrams) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (Tsv.Row r : Tsv.rows(tsv)) {
            if (r.size() < 3 || !r.get(1).matches("\\d+") || Course.find(r.get(1)).isEmpty()) {
                throw r.wrong("pattern<TAB>lesson number<TAB>what it does[<TAB>diagram file]");
            }
            entries.add(new Entry(r.get(0), Integer.parseInt(r.get(1)), r.get(2), r.size() > 3 ? r.get(3) : null));
        }
        for (Course.Lesson l : Course.LESSONS) {
            if (entries.stream().noneMatch(e -> e.name().equalsIgnoreCase(l.pattern()))) entries.add(new Entry(l.pattern(), l.number(), l.title() + ".", null));
        }
        entries.sort(Comparator.comparing(e -> e.name().toLowerCase(Locale.ROOT)));
        return new Patterns(entries, diagrams);
    }

    /** The patterns a lesson teaches, A to Z. */
    List<Entry> taughtIn(Course.Lesson lesson) {
        return entries.stream().filter(e -> e.lesson() == lesson.number()).toList();
    }

    String html(List<Course.Lesson> written, List<Page> lessonPages) throws IOException {
        StringBuilder sb = new StringBuilder("<div class=\"sect1\"><h2 id=\"a-z\">Patterns A to Z</h2><div class=\"sectionbody\">\n<dl class=\"patterns\">\n");
        char letter = 0;
        for (Entry e : entries) {
            Course.Lesson l = Course.find(Integer.toString(e.lesson())).orElseThrow();
            char first = Character.toUpperCase(e.name().charAt(0));
            if (first != letter) {
                letter = first;
                sb.append("<div class=\"letter\" aria-hidden=\"true\">").append(letter).append("</div>\n");
            }
            boolean w = written.contains(l);
            String target = w ? l.id() + ".html" + section(e.name(), lessonPages, l) : "course.html#" + l.id();
            sb.append("<dt id=\"").append(Html.slug(e.name())).append("\">").append(Text.escapeHtml(e.name())).append("</dt>\n<dd>")
                .append(Text.escapeHtml(e.what())).append(" <a class=\"to-lesson\" href=\"").append(target).append("\">Lesson ").append(l.number2())
                .append(" · ").append(Text.escapeHtml(SiteBuilder.shortName(l))).append("</a>").append(w ? "" : " <span class=\"badge\">coming</span>");
            if (e.diagram() != null) sb.append(diagram(e));
            sb.append("</dd>\n");
        }
        return sb.append("</dl></div></div>\n").toString();
    }

    private String diagram(Entry e) throws IOException {
        Path file = diagrams.resolve(e.diagram());
        if (!Files.isRegularFile(file)) throw new BuildFailed("patterns.tsv names site/diagrams/" + e.diagram() + ", which does not exist");
        String src = Files.readString(file);
        String caption = src.lines().filter(s -> s.startsWith("# ")).map(s -> s.substring(2).strip()).findFirst().orElse(null);
        try {
            String svg = e.diagram().endsWith(".states") ? Diagrams.states(src) : Diagrams.sequence(src);
            return Diagrams.figure(svg, caption);
        } catch (IllegalArgumentException bad) {
            throw new BuildFailed("site/diagrams/" + e.diagram() + ": " + bad.getMessage());
        }
    }

    /** Sections that are about the lesson as a whole rather than one idea of it: a pattern lands there only as a last resort. */
    private static final Set<String> WHOLE_LESSON = Set.of("what you will see", "the exercise", "when not to use it", "in production", "run it",
        "the tests your code must pass");

    /**
     * "#id" of the section of the lesson's page that teaches the pattern, or "" for the top of the page: the first
     * whose heading names it ("Idempotency keys", "Fallbacks: ..."), else the one that names it most often, leaving
     * out the sections about the lesson as a whole ("The exercise", "In production"...) unless only they name it.
     */
    private static String section(String name, List<Page> lessonPages, Course.Lesson l) {
        Page page = lessonPages.stream().filter(p -> p.file().equals(l.id() + ".html")).findFirst().orElse(null);
        if (page == null) return "";
        String html = page.content().replaceAll("(?s)<pre class=\"transcript\">.*?</pre>", " ");
        Matcher m = SECTION.matcher(html);
        record Section(String id, String heading, String text) {}
        List<Section> sections = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        while (m.find()) {
            starts.add(m.start());
            ids.add(m.group(1));
        }
        for (int i = 0; i < ids.size(); i++) {
            String body = html.substring(starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : html.length());
            int headingEnd = body.indexOf("</h2>");
            String heading = headingEnd < 0 ? "" : Html.text(body.substring(0, headingEnd)).toLowerCase(Locale.ROOT).strip();
            sections.add(new Section(ids.get(i), heading, Html.text(body).toLowerCase(Locale.ROOT)));
        }
        String stem = stem(name.toLowerCase(Locale.ROOT));
        for (Section s : sections) if (!wholeLesson(s.heading()) && s.heading().contains(stem)) return "#" + s.id();
        Comparator<Section> byMentions = Comparator.comparingInt(s -> mentions(s.text(), stem));
        return sections.stream().filter(s -> !wholeLesson(s.heading())).filter(s -> mentions(s.text(), stem) > 0)
            .max(byMentions.thenComparing(s -> -sections.indexOf(s)))
            .or(() -> sections.stream().filter(s -> mentions(s.text(), stem) > 0).findFirst())
            .map(s -> "#" + s.id()).orElse("");
    }

    /** The exercise's task and its tests, appended to the lesson's page, are about the lesson as a whole too. */
    private static boolean wholeLesson(String heading) {
        return WHOLE_LESSON.contains(heading) || heading.startsWith("exercise ");
    }

    /** "rate limiting" -> "rate limit", "idempotency key" stays, "retries" -> "retr", "autoscaling" -> "autoscal": so "rate limits", "retry" and "autoscaler" count. */
    static String stem(String name) {
        int last = name.lastIndexOf(' ') + 1;
        String word = name.substring(last);
        if (word.length() > 5 && word.endsWith("ing")) return name.substring(0, name.length() - 3);
        if (word.length() > 5 && word.endsWith("ies")) return name.substring(0, name.length() - 3);
        if (word.length() > 4 && word.endsWith("s") && !word.endsWith("ss")) return name.substring(0, name.length() - 1);
        return name;
    }

    private static int mentions(String text, String stem) {
        int count = 0;
        for (int at = text.indexOf(stem); at >= 0; at = text.indexOf(stem, at + stem.length())) count++;
        return count;
    }
}
