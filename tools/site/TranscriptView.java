package site;

import engine.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lesson's printed output as HTML, coloured the way the terminal colours it: steps, requests with their status,
 * the pattern's state, and the checks that held. A run reads as its steps: each one's title, what it printed, the
 * paragraphs the lesson told about it, and the checks that held.
 */
final class TranscriptView {
    private static final Pattern STEP = Pattern.compile("^Step (\\d+)\\. (.*)");
    private static final Pattern STATUS = Pattern.compile("(\\s)(\\d{3}|fault)(\\s+)(\\d+ ms)?\\s*$");
    private static final Pattern END = Pattern.compile("^(All \\d+ checks held|\\d+ of \\d+ checks did not hold).*");
    /** Lines a lesson prints as output: a request (→), the pattern's state (»), a check (✓ ✗). */
    private static final Pattern MARKED = Pattern.compile("^\\s*[→»✓✗].*");

    private TranscriptView() {}

    /** One numbered step of a run: its title as printed, and the lines it printed after the title. */
    record Step(int number, String title, List<String> lines) {}

    /** The run's steps, in order; what it printed before step 1 (its title and story) and after the last is left out. */
    static List<Step> steps(String output) {
        List<Step> steps = new ArrayList<>();
        List<String> lines = null;
        for (String line : output.split("\n", -1)) {
            Matcher m = STEP.matcher(line);
            if (m.matches()) {
                lines = new ArrayList<>();
                steps.add(new Step(Integer.parseInt(m.group(1)), m.group(2).strip(), lines));
            } else if (END.matcher(line).matches()) {
                lines = null;
            } else if (lines != null) {
                lines.add(line);
            }
        }
        return steps;
    }

    /**
     * A step's lines in the order the lesson printed them: what happened as terminal output, each paragraph the
     * lesson told (a block of unmarked lines after a blank one, as Narrator.tell prints it) as text, and the checks
     * that held as a list.
     */
    static String stepHtml(Step step) {
        StringBuilder sb = new StringBuilder();
        List<String> block = new ArrayList<>();
        String kind = null;   // "out", "told" or "checks"
        boolean afterBlank = false;
        for (String raw : step.lines()) {
            if (raw.isBlank()) {
                afterBlank = true;
                continue;
            }
            String t = raw.strip();
            String k = t.startsWith("✓") || t.startsWith("✗") ? "checks"
                : !MARKED.matcher(raw).matches() && (afterBlank || "told".equals(kind)) ? "told" : "out";
            afterBlank = false;
            if (!k.equals(kind)) {
                flush(sb, kind, block);
                kind = k;
            }
            block.add(raw);
        }
        flush(sb, kind, block);
        return sb.toString();
    }

    private static void flush(StringBuilder sb, String kind, List<String> block) {
        if (block.isEmpty()) return;
        switch (kind) {
            case "told" -> sb.append("<p class=\"told\">")
                .append(Text.escapeHtml(String.join(" ", block.stream().map(String::strip).toList()))).append("</p>\n");
            case "checks" -> {
                sb.append("<ul class=\"checks\">\n");
                for (String c : block) {
                    String t = c.strip();
                    sb.append("<li class=\"").append(t.startsWith("✓") ? "held" : "failed").append("\">")
                        .append(Text.escapeHtml(t.substring(1).strip())).append("</li>\n");
                }
                sb.append("</ul>\n");
            }
            default -> sb.append(pre(unindent(block))).append('\n');
        }
        block.clear();
    }

    /** The lines less the lesson's two-space indent, which means nothing outside a terminal. */
    private static List<String> unindent(List<String> lines) {
        return lines.stream().map(l -> l.startsWith("  ") ? l.substring(2) : l).toList();
    }

    /** The whole output, or only what step {@code step} printed ("all" for everything). */
    static String html(String output, String step, String lessonId) {
        if (step.equals("all")) return pre(List.of(output.split("\n", -1)));
        int n = Integer.parseInt(step);
        Step found = steps(output).stream().filter(s -> s.number() == n).findFirst()
            .orElseThrow(() -> new BuildFailed(lessonId + ": transcript::[step=" + n + "] names a step the run did not print"));
        return stepHtml(found);
    }

    private static String pre(List<String> lines) {
        StringBuilder sb = new StringBuilder("<pre class=\"transcript\"><code>");
        for (String line : lines) sb.append(line(line)).append('\n');
        int end = sb.length() - 1;
        if (end >= 0 && sb.charAt(end) == '\n') sb.setLength(end);
        return sb.append("</code></pre>").toString();
    }

    private static String line(String raw) {
        String line = Text.escapeHtml(raw);
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
