package site;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.parser.ParseSettings;
import org.jsoup.parser.Parser;

/** Small helpers for writing HTML by hand, and for passes over a page parsed with jsoup. */
final class Html {
    private Html() {}

    /**
     * A page's HTML, parsed for a pass that changes it: attribute names keep their case (an inline SVG's viewBox
     * would not scale as viewbox) and {@link #html} writes it back without reformatting.
     */
    static Document parse(String html) {
        Document doc = Jsoup.parse(html, "", Parser.htmlParser().settings(ParseSettings.preserveCase));
        doc.outputSettings().prettyPrint(false);
        return doc;
    }

    static String html(Document doc) { return doc.body().html(); }

    /** Text of an HTML fragment: tags dropped, the common entities decoded, white space folded. */
    static String text(String html) {
        String s = html.replaceAll("(?s)<(script|style)\\b.*?</\\1>", " ").replaceAll("<[^>]+>", " ");
        s = s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#8217;", "’")
            .replace("&#8216;", "‘").replace("&#8220;", "“").replace("&#8221;", "”").replace("&#8230;", "…")
            .replace("&#8212;", "—").replace("&#8211;", "–").replace("&#160;", " ").replace("&nbsp;", " ")
            .replace("&#8203;", "").replace("&amp;", "&");
        return s.replaceAll("\\s+", " ").strip();
    }

    /** An id for an anchor: lower case letters, digits and dashes. */
    static String slug(String s) {
        return s.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }
}
