package engine;

import java.util.Arrays;

/** Small jobs on text that several tools do: the end of a long output, HTML and XML escaping. */
public final class Text {
    private Text() {}

    /** The last {@code lines} lines of {@code text} (its surrounding white space stripped first). */
    public static String tail(String text, int lines) {
        String[] all = text.strip().split("\n");
        return String.join("\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    /** Text made safe in HTML, between tags and in a quoted attribute: {@code & < > "} escaped; null is "". */
    public static String escapeHtml(String s) {
        return escape(s, false);
    }

    /** As {@link #escapeHtml}, for XML 1.0 (JUnit's reports): a control character XML cannot hold becomes U+FFFD. */
    public static String escapeXml(String s) {
        return escape(s, true);
    }

    private static String escape(String s, boolean xml) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(xml && c < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '\uFFFD' : c);
            }
        }
        return sb.toString();
    }
}
