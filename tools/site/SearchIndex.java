package site;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The search's index, built with the site: one entry per section of every page (its title, its link and its text).
 * It is written as a script that sets a global, not as JSON to fetch, because browsers refuse fetch() from file://.
 */
final class SearchIndex {
    private static final Pattern HEADING = Pattern.compile("<h([12]) id=\"([^\"]+)\"[^>]*>(.*?)</h\\1>", Pattern.DOTALL);

    record Entry(String page, String section, String url, String text) {}

    private final List<Entry> entries = new ArrayList<>();

    void add(Page page) {
        if (page.kind().equals("search")) return;
        // Transcripts and pictures are not prose: leave them out of the index.
        String html = page.content().replaceAll("(?s)<pre class=\"transcript\">.*?</pre>", " ").replaceAll("(?s)<svg.*?</svg>", " ")
            .replaceAll("(?s)<nav class=\"prevnext\".*?</nav>", " ");
        Matcher m = HEADING.matcher(html);
        int last = 0;
        String section = "";
        String anchor = "";
        while (m.find()) {
            add(page, section, anchor, html.substring(last, m.start()));
            section = m.group(1).equals("1") ? "" : Html.text(m.group(3));
            anchor = m.group(1).equals("1") ? "" : m.group(2);
            last = m.end();
        }
        add(page, section, anchor, html.substring(last));
    }

    private void add(Page page, String section, String anchor, String html) {
        String text = Html.text(html);
        if (text.isEmpty() && section.isEmpty()) return;
        entries.add(new Entry(page.title(), section, page.file() + (anchor.isEmpty() ? "" : "#" + anchor), text));
    }

    int size() { return entries.size(); }

    String script() {
        List<Map<String, String>> rows = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("p", e.page());
            row.put("s", e.section());
            row.put("u", e.url());
            row.put("x", e.text());
            rows.add(row);
        }
        try {
            return "// Built with the site: one entry per section of every page. p: page, s: section, u: link, x: text.\n"
                + "window.WORKBOOK_SEARCH = " + new ObjectMapper().writeValueAsString(rows).replace("</", "<\\/") + ";\n";
        } catch (JsonProcessingException e) {
            throw new BuildFailed("cannot write the search index: " + e.getMessage());
        }
    }
}
