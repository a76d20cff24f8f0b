package site;

import engine.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import kit.Course;

/**
 * The end of every lesson page: the patterns it teaches and those of the lessons its text names (from
 * site/patterns.tsv), then further reading from site/reading.tsv: the links listed for the lesson, and the docs of
 * every library its Lesson.java imports. Each fact is written once, in those two tables.
 */
final class Related {
    private record Link(String key, String title, String url) {}

    private final List<Link> links;
    private final Patterns patterns;
    private final Path root;

    private Related(List<Link> links, Patterns patterns, Path root) {
        this.links = links;
        this.patterns = patterns;
        this.root = root;
    }

    static Related read(Path root, Patterns patterns) throws IOException {
        List<Link> links = new ArrayList<>();
        for (Tsv.Row r : Tsv.rows(root.resolve("site/reading.tsv"))) {
            if (r.size() != 3 || !r.get(2).startsWith("https://")) throw r.wrong("lesson number or package<TAB>title<TAB>https://...");
            links.add(new Link(r.get(0), r.get(1), r.get(2)));
        }
        return new Related(links, patterns, root);
    }

    /** The section for a lesson whose text names {@code named} lessons. */
    String html(Course.Lesson lesson, Set<Course.Lesson> named, List<Course.Lesson> written) throws IOException {
        StringBuilder sb = new StringBuilder("<div class=\"sect1 related\"><h2 id=\"related\">Related patterns and further reading</h2><div class=\"sectionbody\">\n");
        sb.append("<p>Taught here: ").append(patternLinks(lesson)).append(".</p>\n");
        List<Course.Lesson> others = named.stream().filter(l -> !l.equals(lesson)).toList();
        if (!others.isEmpty()) {
            sb.append("<p>Named in this lesson:</p>\n<ul class=\"related-lessons\">\n");
            for (Course.Lesson l : others) {
                String href = written.contains(l) ? l.id() + ".html" : "course.html#" + l.id();
                sb.append("<li><a href=\"").append(href).append("\">Lesson ").append(l.number2()).append(" · ")
                    .append(Text.escapeHtml(SiteBuilder.shortName(l))).append("</a>: ").append(patternLinks(l)).append("</li>\n");
            }
            sb.append("</ul>\n");
        }
        Map<String, Link> reading = new LinkedHashMap<>();   // by URL: a library listed under two names appears once
        List<String> imports = imports(lesson);
        for (Link link : links) {
            boolean forLesson = link.key().equals(lesson.number2());
            boolean imported = !link.key().matches("\\d\\d") && imports.stream().anyMatch(i -> i.startsWith(link.key()));
            if (forLesson || imported) reading.putIfAbsent(link.url(), link);
        }
        if (reading.isEmpty()) throw new BuildFailed("site/reading.tsv lists no further reading for lesson " + lesson.number2());
        sb.append("<p>Further reading:</p>\n<ul class=\"reading\">\n");
        reading.values().forEach(link -> sb.append("<li><a href=\"").append(Text.escapeHtml(link.url())).append("\">")
            .append(Text.escapeHtml(link.title())).append("</a></li>\n"));
        return sb.append("</ul>\n</div></div>\n").toString();
    }

    private String patternLinks(Course.Lesson l) {
        return String.join(", ", patterns.taughtIn(l).stream()
            .map(e -> "<a href=\"patterns.html#" + Html.slug(e.name()) + "\">" + Text.escapeHtml(e.name()) + "</a>").toList());
    }

    /** What the lesson's program imports: "io.javalin.Javalin", "kit.Peer", ... */
    private List<String> imports(Course.Lesson lesson) throws IOException {
        return Files.readAllLines(lesson.lessonDir(root).resolve("Lesson.java")).stream()
            .filter(l -> l.startsWith("import ")).map(l -> l.replaceFirst("^import (static )?", "").replace(";", "").strip()).toList();
    }
}
