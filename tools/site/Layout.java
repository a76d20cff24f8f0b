package site;

import engine.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kit.Course;

/** Puts a page's content into site/theme/page.html: the top bar, the sidebar by parts, "On this page", previous and next. */
final class Layout {
    private static final Pattern H2 = Pattern.compile("<h2 id=\"([^\"]+)\"[^>]*>(.*?)</h2>", Pattern.DOTALL);

    private final String template;
    private final List<Course.Lesson> written;
    private final Map<String, String> titles;   // file -> title, for previous and next

    Layout(String template, List<Course.Lesson> written, Map<String, String> titles) {
        this.template = template;
        this.written = written;
        this.titles = titles;
    }

    String render(Page page) {
        return template
            .replace("{{title}}", Text.escapeHtml(page.title()))
            .replace("{{description}}", Text.escapeHtml(page.description()))
            .replace("{{kind}}", page.kind())
            .replace("{{sidebar}}", sidebar(page.file()))
            .replace("{{toc}}", toc(page.content()))
            .replace("{{prevnext}}", prevNext(page))
            .replace("{{content}}", page.content());
    }

    private String sidebar(String current) {
        StringBuilder sb = new StringBuilder("    <ul class=\"nav-pages\">\n");
        for (String[] link : new String[][] {{"index.html", "Home"}, {"course.html", "Course map"}, {"where-to-start.html", "Where to start"}, {"patterns.html", "Patterns index"}, {"instructors.html", "For instructors"}}) {
            sb.append("      <li><a href=\"").append(link[0]).append('"').append(current(link[0], current)).append('>')
                .append(link[1]).append("</a></li>\n");
        }
        sb.append("    </ul>\n");
        for (Course.Part part : Course.Part.values()) {
            String[] t = part.title.split(": ", 2);
            sb.append("    <div class=\"nav-part\"><p class=\"nav-part-title\"><span>").append(Text.escapeHtml(t[0])).append("</span> ")
                .append(Text.escapeHtml(t.length > 1 ? t[1] : "")).append("</p>\n      <ol>\n");
            for (Course.Lesson l : Course.LESSONS) {
                if (l.part() != part) continue;
                String label = "<span class=\"num\">" + l.number2() + "</span><span class=\"name\">" + Text.escapeHtml(SiteBuilder.shortName(l)) + "</span>";
                if (written.contains(l)) {
                    String file = l.id() + ".html";
                    sb.append("        <li><a href=\"").append(file).append('"').append(current(file, current)).append('>').append(label).append("</a></li>\n");
                } else {
                    sb.append("        <li class=\"coming\" title=\"Being written\">").append(label).append("<span class=\"badge\">soon</span></li>\n");
                }
            }
            sb.append("      </ol></div>\n");
        }
        return sb.toString();
    }

    private static String current(String file, String current) {
        return file.equals(current) ? " aria-current=\"page\"" : "";
    }

    /** The page's sections, for wide screens. */
    static String toc(String content) {
        List<String> items = new ArrayList<>();
        Matcher m = H2.matcher(content);
        while (m.find()) items.add("<li><a href=\"#" + m.group(1) + "\">" + Text.escapeHtml(Html.text(m.group(2))) + "</a></li>");
        if (items.size() < 2) return "";
        return "    <h2 class=\"pagetoc-title\">On this page</h2>\n    <ol>\n      " + String.join("\n      ", items) + "\n    </ol>";
    }

    private String prevNext(Page page) {
        if (page.prev() == null && page.next() == null) return "";
        StringBuilder sb = new StringBuilder("    <nav class=\"prevnext\" aria-label=\"Previous and next\">\n");
        if (page.prev() != null) sb.append("      <a class=\"prev\" rel=\"prev\" href=\"").append(page.prev()).append("\"><span>Previous</span>")
            .append(Text.escapeHtml(titles.getOrDefault(page.prev(), page.prev()))).append("</a>\n");
        else sb.append("      <span></span>\n");
        if (page.next() != null) sb.append("      <a class=\"next\" rel=\"next\" href=\"").append(page.next()).append("\"><span>Next</span>")
            .append(Text.escapeHtml(titles.getOrDefault(page.next(), page.next()))).append("</a>\n");
        return sb.append("    </nav>").toString();
    }
}
