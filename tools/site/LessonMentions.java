package site;

import engine.Text;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kit.Course;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.TextNode;

/**
 * "lesson 06" and "lessons 10 and 11" in the text of a page become links to those lessons' pages. Text in code,
 * in a heading, in a picture or already in a link stays as it is, and so does a lesson's mention of itself.
 */
final class LessonMentions {
    private static final Pattern MENTION = Pattern.compile("(?i)\\b(lessons?)\\s+(\\d\\d)((?:(?:\\s*,\\s*|\\s+(?:and|or|to)\\s+|\\s*,\\s*and\\s+)\\d\\d)*)\\b");
    private static final Pattern NUMBER = Pattern.compile("\\d\\d");
    private static final String NOT_PROSE = "a, code, pre, h1, h2, h3, h4, h5, h6, svg, script, style, .eyebrow";

    private LessonMentions() {}

    /** The page's HTML with every mention of another lesson linked; {@code self} is the page's own lesson, or null. */
    static String link(String html, List<Course.Lesson> written, Course.Lesson self) {
        Document doc = Html.parse(html);
        List<TextNode> texts = new ArrayList<>();
        doc.body().traverse((node, depth) -> {
            if (node instanceof TextNode t && MENTION.matcher(t.getWholeText()).find() && t.parent() instanceof Element e
                && !e.is(NOT_PROSE) && !e.parents().is(NOT_PROSE)) texts.add(t);
        });
        if (texts.isEmpty()) return html;
        for (TextNode t : texts) {
            String text = t.getWholeText();
            Matcher m = MENTION.matcher(text);
            StringBuilder sb = new StringBuilder();
            int last = 0;
            while (m.find()) {
                sb.append(Text.escapeHtml(text.substring(last, m.start())));
                boolean one = m.group(1).length() == "lesson".length();
                if (one) {
                    sb.append(anchor(m.group(), m.group(2), written, self));
                } else {
                    sb.append(Text.escapeHtml(m.group(1))).append(' ').append(anchor(m.group(2), m.group(2), written, self));
                    Matcher n = NUMBER.matcher(m.group(3));
                    int at = 0;
                    while (n.find()) {
                        sb.append(Text.escapeHtml(m.group(3).substring(at, n.start()))).append(anchor(n.group(), n.group(), written, self));
                        at = n.end();
                    }
                }
                last = m.end();
            }
            sb.append(Text.escapeHtml(text.substring(last)));
            t.before(sb.toString());
            t.remove();
        }
        return Html.html(doc);
    }

    /** The lessons a page's text names, in the order it first names them. */
    static Set<Course.Lesson> named(String html) {
        Set<Course.Lesson> named = new LinkedHashSet<>();
        Matcher m = MENTION.matcher(Html.text(html));
        while (m.find()) {
            Matcher n = NUMBER.matcher(m.group(2) + " " + m.group(3));
            while (n.find()) Course.find(n.group()).ifPresent(named::add);
        }
        return named;
    }

    private static String anchor(String words, String number, List<Course.Lesson> written, Course.Lesson self) {
        Course.Lesson l = Course.find(number).orElse(null);
        if (l == null || l.equals(self)) return Text.escapeHtml(words);
        String href = written.contains(l) ? l.id() + ".html" : "course.html#" + l.id();
        return "<a class=\"lesson-ref\" href=\"" + href + "\" title=\"Lesson " + l.number2() + ": " + Text.escapeHtml(SiteBuilder.shortName(l)) + "\">"
            + Text.escapeHtml(words) + "</a>";
    }
}
