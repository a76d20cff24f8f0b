package site;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lesson's printed output as HTML, coloured the way the terminal colours it: steps, requests with their status,
 * the pattern's state, and the checks that held.
 */
final class TranscriptView {
    private static final Pattern STEP = Pattern.compile("^Step (\\d+)\\. .*");
    private static final Pattern STATUS = Pattern.compile("(\\s)(\\d{3}|fault)(\\s+)(\\d+ ms)?\\s*$");

    private TranscriptView() {}

    /** The whole output, or only what step {@code step} printed ("all" for everything). */
    static String html(String output, String step, String lessonId) {
        List<String> lines = List.of(output.split("\n", -1));
        if (!step.equals("all")) lines = stepLines(lines, Integer.parseInt(step), lessonId);
        StringBuilder sb = new StringBuilder("<pre class=\"transcript\"><code>");
        for (String line : lines) sb.append(line(line)).append('\n');
        int end = sb.length() - 1;
        if (end >= 0 && sb.charAt(end) == '\n') sb.setLength(end);
        return sb.append("</code></pre>").toString();
    }

    private static List<String> stepLines(List<String> lines, int step, String lessonId) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : lines) {
            Matcher m = STEP.matcher(line);
            if (m.matches()) in = Integer.parseInt(m.group(1)) == step;
            else if (in && line.matches("^(All \\d+ checks held|\\d+ of \\d+ checks did not hold).*")) in = false;
            if (in) out.add(line);
        }
        if (out.isEmpty()) throw new BuildFailed(lessonId + ": transcript::[step=" + step + "] names a step the run did not print");
        while (!out.isEmpty() && out.getLast().isBlank()) out.removeLast();
        return out;
    }

    private static String line(String raw) {
        String line = Html.escape(raw);
        String t = raw.strip();
        if (raw.startsWith("Lesson ")) return span("t-title", line);
        if (STEP.matcher(raw).matches()) return span("t-step", line);
        if (t.startsWith("✓") || t.startsWith("All ") && t.contains("checks held")) return span("t-ok", line);
        if (t.startsWith("✗") || t.matches("\\d+ of \\d+ checks did not hold.*")) return span("t-fail", line);
        if (t.startsWith("»")) return span("t-state", line);
        if (t.startsWith("→")) {
            Matcher m = STATUS.matcher(line);
            if (m.find()) {
                String status = m.group(2);
                String kind = status.equals("fault") || status.charAt(0) >= '5' ? "t-5xx" : status.charAt(0) == '4' ? "t-4xx" : "t-2xx";
                line = line.substring(0, m.start()) + m.group(1) + span(kind, status) + m.group(3)
                    + (m.group(4) == null ? "" : span("t-dim", m.group(4)));
            }
            return line.replaceFirst("→", span("t-dim", "→"));
        }
        return line;
    }

    private static String span(String cls, String html) { return "<span class=\"" + cls + "\">" + html + "</span>"; }
}
