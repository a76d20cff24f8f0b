package site;

import engine.Text;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.asciidoctor.ast.StructuralNode;
import org.asciidoctor.extension.BlockProcessor;
import org.asciidoctor.extension.Contexts;
import org.asciidoctor.extension.Name;
import org.asciidoctor.extension.Reader;

/**
 * Two kinds of picture, drawn as inline SVG at build time from a few lines of text: no script, no library, and they
 * follow the page's light or dark colours. In a README.adoc:
 *
 * <pre>
 * .The breaker's states
 * [states]
 * ....
 * [*] -> CLOSED
 * CLOSED -> OPEN: 5 failures in a row
 * OPEN -> HALF_OPEN: 10 s later
 * HALF_OPEN -> CLOSED: the trial call succeeds
 * HALF_OPEN -> OPEN: the trial call fails
 * ....
 *
 * .Payment declined: the saga compensates
 * [sequence]
 * ....
 * orders -> inventory: reserve
 * inventory --> orders: 201 reserved
 * orders -x payments: charge
 * orders => inventory: release (compensation)
 * note over orders: order REJECTED
 * ....
 * </pre>
 *
 * Arrows: {@code ->} a call, {@code -->} an answer, {@code --x} an error answer, {@code -x} a call that fails (no
 * answer), {@code =>} a compensation.
 */
final class Diagrams {
    private Diagrams() {}

    private static final double CHAR = 7.0;   // average width of a character at the diagrams' 13px font

    @Name("sequence")
    @Contexts({Contexts.LISTING, Contexts.LITERAL})
    static final class SequenceBlock extends BlockProcessor {
        @Override
        public Object process(StructuralNode parent, Reader reader, Map<String, Object> attributes) {
            return createBlock(parent, "pass", figure(sequence(reader.read()), (String) attributes.get("title")));
        }
    }

    @Name("states")
    @Contexts({Contexts.LISTING, Contexts.LITERAL})
    static final class StatesBlock extends BlockProcessor {
        @Override
        public Object process(StructuralNode parent, Reader reader, Map<String, Object> attributes) {
            return createBlock(parent, "pass", figure(states(reader.read()), (String) attributes.get("title")));
        }
    }

    static String figure(String svg, String title) {
        return "<figure class=\"diagram\">" + svg + (title == null ? "" : "<figcaption>" + Text.escapeHtml(title) + "</figcaption>") + "</figure>";
    }

    // ---- sequence diagrams ----

    private static final Pattern MESSAGE = Pattern.compile("^\\s*([\\w.\\-]+)\\s*(--x|-->|->|-x|=>)\\s*([\\w.\\-]+)\\s*(?::\\s*(.*))?$");
    private static final Pattern NOTE = Pattern.compile("^\\s*note(?:\\s+over\\s+([\\w.\\-]+)(?:\\s*,\\s*([\\w.\\-]+))?)?\\s*:\\s*(.*)$");
    private static final Pattern PARTICIPANTS = Pattern.compile("^\\s*participants?\\s+(.+)$");

    private record Row(String kind, String from, String to, String label) {}

    static String sequence(String source) {
        List<String> actors = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        for (String raw : source.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            Matcher m;
            if ((m = PARTICIPANTS.matcher(line)).matches()) {
                for (String a : m.group(1).split("[,\\s]+")) if (!actors.contains(a)) actors.add(a);
            } else if ((m = NOTE.matcher(line)).matches()) {
                String a = m.group(1);
                String b = m.group(2) != null ? m.group(2) : a;
                for (String x : new String[] {a, b}) if (x != null && !actors.contains(x)) actors.add(x);
                rows.add(new Row("note", a, b, m.group(3)));
            } else if ((m = MESSAGE.matcher(line)).matches()) {
                for (String x : new String[] {m.group(1), m.group(3)}) if (!actors.contains(x)) actors.add(x);
                rows.add(new Row(m.group(2), m.group(1), m.group(3), m.group(4) == null ? "" : m.group(4).strip()));
            } else {
                throw new IllegalArgumentException("[sequence]: cannot read the line '" + line
                    + "' (write 'a -> b: label', 'b --> a: label', 'b --x a: label', 'a -x b: label', 'a => b: label' or 'note over a: text')");
            }
        }
        if (actors.isEmpty()) throw new IllegalArgumentException("[sequence]: no participants");
        double maxLabel = rows.stream().filter(r -> !r.kind().equals("note")).mapToDouble(r -> r.label().length() * CHAR).max().orElse(0);
        double gap = Math.max(150, Math.min(300, maxLabel + 30));
        double boxW = Math.max(96, actors.stream().mapToDouble(a -> a.length() * 8.0 + 24).max().orElse(96));
        double margin = Math.max(boxW / 2 + 10, 20);
        // a note as wide as its words: the actors move apart to make room for it
        double widestNote = rows.stream().filter(r -> r.kind().equals("note")).mapToDouble(r -> r.label().length() * CHAR + 24).max().orElse(0);
        if (actors.size() > 1) gap = Math.max(gap, (widestNote - 2 * margin) / (actors.size() - 1));
        else margin = Math.max(margin, widestNote / 2);
        Map<String, Double> x = new LinkedHashMap<>();
        for (int i = 0; i < actors.size(); i++) x.put(actors.get(i), margin + i * gap);
        double width = margin * 2 + (actors.size() - 1) * gap;
        double top = 44;
        double y = top + 26;
        StringBuilder body = new StringBuilder();
        for (Row r : rows) {
            if (r.kind().equals("note")) {
                double a = x.get(r.from());
                double b = x.get(r.to());
                double w = Math.max(Math.abs(b - a) + 90, r.label().length() * CHAR + 20);
                double cx = (a + b) / 2;
                double left = Math.max(2, Math.min(cx - w / 2, width - w - 2));
                body.append(rect("note", left, y - 4, Math.min(w, width - 4), 24, 3))
                    .append(text("note-text", left + Math.min(w, width - 4) / 2, y + 12, r.label(), "middle"));
                y += 36;
                continue;
            }
            double a = x.get(r.from());
            double b = x.get(r.to());
            String cls = switch (r.kind()) {
                case "-->" -> "reply";
                case "--x" -> "reply error";
                case "-x" -> "fails";
                case "=>" -> "compensate";
                default -> "call";
            };
            if (a == b) {   // a message to itself: a small loop on the right of the lifeline
                body.append("<path class=\"msg ").append(cls).append("\" d=\"M").append(f(a)).append(' ').append(f(y + 4))
                    .append(" h30 v16 h-26\"/>").append(arrowHead(a + 4, y + 20, -1, cls))
                    .append(text("label", a + 36, y + 16, r.label(), "start"));
                y += 40;
                continue;
            }
            double dir = Math.signum(b - a);
            double end = r.kind().equals("-x") ? b - dir * gap * 0.35 : b - dir * 2;
            body.append(text("label " + cls, (a + b) / 2, y - 2, r.label(), "middle"))
                .append("<line class=\"msg ").append(cls).append("\" x1=\"").append(f(a)).append("\" y1=\"").append(f(y + 6))
                .append("\" x2=\"").append(f(end)).append("\" y2=\"").append(f(y + 6)).append("\"/>");
            if (r.kind().equals("-x")) {
                body.append("<path class=\"cross\" d=\"M").append(f(end - 6)).append(' ').append(f(y)).append(" l12 12 M")
                    .append(f(end + 6)).append(' ').append(f(y)).append(" l-12 12\"/>");
            } else {
                body.append(arrowHead(end, y + 6, dir, cls));
            }
            y += 34;
        }
        double height = y + 6;
        StringBuilder svg = new StringBuilder();
        svg.append(open("sequence", width, height, "Sequence diagram: " + String.join(", ", actors)));
        for (String actor : actors) {
            double cx = x.get(actor);
            svg.append("<line class=\"lifeline\" x1=\"").append(f(cx)).append("\" y1=\"").append(f(top)).append("\" x2=\"")
                .append(f(cx)).append("\" y2=\"").append(f(height - 2)).append("\"/>")
                .append(rect("actor", cx - boxW / 2, 6, boxW, 32, 6))
                .append(text("actor-name", cx, 27, actor, "middle"));
        }
        return svg.append(body).append("</svg>").toString();
    }

    // ---- state diagrams ----

    private static final Pattern TRANSITION = Pattern.compile("^\\s*(\\[\\*]|[\\w.\\-]+)\\s*->\\s*([\\w.\\-]+)\\s*(?::\\s*(.*))?$");

    private record Edge(String from, String to, String label) {}

    static String states(String source) {
        List<String> states = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        for (String raw : source.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            Matcher m = TRANSITION.matcher(line);
            if (!m.matches()) throw new IllegalArgumentException("[states]: cannot read the line '" + line + "' (write 'FROM -> TO: label' or '[*] -> FIRST')");
            for (String s : new String[] {m.group(1), m.group(2)}) if (!states.contains(s)) states.add(s);
            edges.add(new Edge(m.group(1), m.group(2), m.group(3) == null ? "" : m.group(3).strip()));
        }
        if (states.remove("[*]")) states.addFirst("[*]");
        double maxLabel = edges.stream().filter(e -> e.from().equals("[*]") == false).mapToDouble(e -> e.label().length() * CHAR).max().orElse(0);
        double gap = Math.max(110, Math.min(240, maxLabel * 0.8 + 20));
        Map<String, double[]> box = new LinkedHashMap<>();   // x, width
        double cursor = 16;
        for (String s : states) {
            double w = s.equals("[*]") ? 16 : s.length() * 8.5 + 30;
            box.put(s, new double[] {cursor, w});
            cursor += w + (s.equals("[*]") ? 50 : gap);
        }
        double width = cursor - gap + 16;
        // Arcs: forward edges above the row, backward edges below, higher the further they reach.
        int maxSpanUp = 0;
        int maxSpanDown = 0;
        boolean selfLoops = false;
        for (Edge e : edges) {
            int span = states.indexOf(e.to()) - states.indexOf(e.from());
            if (span == 0) selfLoops = true;
            else if (span > 1 || (span == 1 && !e.from().equals("[*]"))) maxSpanUp = Math.max(maxSpanUp, span);
            else if (span < 0) maxSpanDown = Math.max(maxSpanDown, -span);
        }
        double rise = 34;
        double above = Math.max(selfLoops ? 56 : 20, (maxSpanUp) * rise + 30);
        double rowY = above + 20;
        double boxH = 36;
        double height = rowY + boxH + Math.max(16, maxSpanDown * rise + 30);
        StringBuilder svg = new StringBuilder(open("states", width, height, "State diagram: " + String.join(", ", states.stream().filter(s -> !s.equals("[*]")).toList())));
        for (Edge e : edges) {
            double[] a = box.get(e.from());
            double[] b = box.get(e.to());
            int span = states.indexOf(e.to()) - states.indexOf(e.from());
            if (e.from().equals("[*]") && span == 1) {
                double y = rowY + boxH / 2;
                svg.append("<line class=\"msg call\" x1=\"").append(f(a[0] + a[1])).append("\" y1=\"").append(f(y)).append("\" x2=\"")
                    .append(f(b[0] - 2)).append("\" y2=\"").append(f(y)).append("\"/>").append(arrowHead(b[0] - 2, y, 1, "call"));
                continue;
            }
            if (span == 0) {
                double cx = a[0] + a[1] / 2;
                svg.append("<path class=\"msg call\" d=\"M").append(f(cx - 14)).append(' ').append(f(rowY))
                    .append(" C").append(f(cx - 30)).append(' ').append(f(rowY - 40)).append(' ').append(f(cx + 30)).append(' ')
                    .append(f(rowY - 40)).append(' ').append(f(cx + 14)).append(' ').append(f(rowY - 2)).append("\"/>")
                    .append(arrowHeadAngle(cx + 14, rowY - 2, Math.toRadians(110), "call"))
                    .append(text("label", cx, rowY - 36, e.label(), "middle"));
                continue;
            }
            boolean up = span > 0;
            int reach = Math.abs(span);
            // An arc that reaches further starts and ends further out on its boxes, so that the shorter arcs and
            // their labels lie inside it instead of being crossed by it.
            double out = Math.min(0.3, 0.2 * (reach - 1));
            double x1 = up ? a[0] + a[1] * (0.7 - out) : a[0] + a[1] * (0.3 + out);
            double x2 = up ? b[0] + b[1] * (0.3 + out) : b[0] + b[1] * (0.7 - out);
            double y0 = up ? rowY : rowY + boxH;
            double peak = up ? y0 - reach * rise - 10 : y0 + reach * rise + 10;
            double ctrl = up ? y0 - (reach * rise + 10) * 1.33 : y0 + (reach * rise + 10) * 1.33;
            double endY = up ? y0 - 2 : y0 + 2;
            svg.append("<path class=\"msg call\" data-edge=\"").append(edges.indexOf(e)).append("\" d=\"M").append(f(x1)).append(' ').append(f(y0)).append(" C").append(f(x1)).append(' ')
                .append(f(ctrl)).append(' ').append(f(x2)).append(' ').append(f(ctrl)).append(' ').append(f(x2)).append(' ')
                .append(f(endY)).append("\"/>")
                .append(arrowHeadAngle(x2, endY, up ? Math.PI / 2 : -Math.PI / 2, "call"))
                .append(labelBox((x1 + x2) / 2, labelBaseline(up, peak, nested(e, edges, states)), e.label()).replace("<text class=\"label\"",
                    "<text class=\"label\" data-edge=\"" + edges.indexOf(e) + "\""));
        }
        for (String s : states) {
            double[] b = box.get(s);
            if (s.equals("[*]")) {
                svg.append("<circle class=\"start\" cx=\"").append(f(b[0] + 8)).append("\" cy=\"").append(f(rowY + boxH / 2)).append("\" r=\"8\"/>");
            } else {
                svg.append(rect("state", b[0], rowY, b[1], boxH, 18)).append(text("state-name", b[0] + b[1] / 2, rowY + 23, s, "middle"));
            }
        }
        return svg.append("</svg>").toString();
    }

    /**
     * An arc's label sits on its peak, on the side away from the row; an arc that another, longer arc on the same
     * side spans keeps its label on the inside, where the longer arc cannot pass.
     */
    private static double labelBaseline(boolean up, double peak, boolean nested) {
        if (nested) return up ? peak + 15 : peak - 6;
        return up ? peak - 2 : peak + 12;
    }

    private static boolean nested(Edge e, List<Edge> edges, List<String> states) {
        int from = states.indexOf(e.from());
        int to = states.indexOf(e.to());
        int low = Math.min(from, to);
        int high = Math.max(from, to);
        return edges.stream().filter(o -> o != e && !o.from().equals("[*]")).anyMatch(o -> {
            int f = states.indexOf(o.from());
            int t = states.indexOf(o.to());
            return (t - f > 0) == (to - from > 0) && Math.min(f, t) <= low && Math.max(f, t) >= high && Math.abs(t - f) > high - low;
        });
    }

    // ---- drawing ----

    private static String open(String kind, double width, double height, String label) {
        return "<svg class=\"diagram-svg " + kind + "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + f(width) + " " + f(height)
            + "\" width=\"" + f(width) + "\" role=\"img\" aria-label=\"" + Text.escapeHtml(label) + "\">";
    }

    private static String rect(String cls, double x, double y, double w, double h, double r) {
        return "<rect class=\"" + cls + "\" x=\"" + f(x) + "\" y=\"" + f(y) + "\" width=\"" + f(w) + "\" height=\"" + f(h) + "\" rx=\"" + f(r) + "\"/>";
    }

    private static String text(String cls, double x, double y, String s, String anchor) {
        return "<text class=\"" + cls + "\" x=\"" + f(x) + "\" y=\"" + f(y) + "\" text-anchor=\"" + anchor + "\">" + Text.escapeHtml(s) + "</text>";
    }

    /** A label on a background, so the arcs behind it do not cross the words. */
    private static String labelBox(double cx, double baseline, String s) {
        if (s.isEmpty()) return "";
        double w = s.length() * CHAR + 8;
        return rect("label-bg", cx - w / 2, baseline - 13, w, 17, 3) + text("label", cx, baseline, s, "middle");
    }

    private static String arrowHead(double x, double y, double dir, String cls) {
        return arrowHeadAngle(x, y, dir > 0 ? 0 : Math.PI, cls);
    }

    /** A filled triangle with its tip at (x, y), pointing along {@code angle} (0 is to the right, y grows downwards). */
    private static String arrowHeadAngle(double x, double y, double angle, String cls) {
        double len = 9;
        double half = 4.5;
        double bx = x - Math.cos(angle) * len;
        double by = y - Math.sin(angle) * len;
        double px = -Math.sin(angle) * half;
        double py = Math.cos(angle) * half;
        return "<path class=\"head " + cls + "\" d=\"M" + f(x) + " " + f(y) + " L" + f(bx + px) + " " + f(by + py) + " L" + f(bx - px) + " " + f(by - py) + " Z\"/>";
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v).replace(".0", "");
    }
}
