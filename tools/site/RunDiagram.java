package site;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sequence diagram of one step of a lesson's run, drawn from what the run printed, so that it cannot disagree with
 * the code: each call a peer received ("→ payments POST /charges 503 401 ms"), each request a client made of the
 * lesson's service ("09:17 laptop POST /carts/c-7/checkout ... -> 412", "bargain-bot fires 10 requests: 10 served",
 * "bargain-bot: 429, Retry-After: 1", "ada: GET /products/KB-42 <- 503 from catalog in 5 ms" through a facade), each
 * message published to the lesson's broker and each delivery it reports ("shipping: 5 events handled"), and each state
 * the lesson reported
 * ("» payments: every charge fails"), as a note. Calls in a row that are alike are drawn once, with their count and
 * the range of their times.
 */
final class RunDiagram {
    /** Narrator's line for a call a peer served: peer, method, path, then status (or fault) and time, or other words. */
    private static final Pattern PEER_CALL = Pattern.compile("^\\s*→\\s+(\\S+)\\s+([A-Z]+)\\s+(\\S+)(.*)$");
    private static final Pattern OUTCOME = Pattern.compile("^\\s*(\\d{3}|fault)\\s*(?:(\\d+) ms)?\\s*$");
    /** A request to the lesson's own service, as lessons print it: [time] [who] METHOD /path ... -> status. */
    private static final Pattern CLIENT_CALL = Pattern.compile(
        "^\\s*(?:\\d\\d:\\d\\d(?::\\d\\d(?:\\.\\d+)?)?\\s+)?(?:([a-z][\\w-]*)\\s+)?(GET|POST|PUT|PATCH|DELETE)\\s+(/\\S*).*?->\\s*(\\d{3})\\b.*$");
    /** A client's burst as lessons print it: [time] who fires N requests ...: M served. */
    private static final Pattern BURST = Pattern.compile("^\\s*(?:[\\d:.]+\\s+)?([a-z][\\w-]*) fires (\\d+) requests?[^:]*:\\s*(\\d+ served).*$");
    /** A client refused, as lessons print it: [time] who: status, what it was told. */
    private static final Pattern REFUSED = Pattern.compile("^\\s*(?:[\\d:.]+\\s+)([a-z][\\w-]*):\\s+(\\d{3}\\b[^(]*?)\\s*(?:\\(.*)?$");
    /** A request a facade routed, as lessons print it: who: METHOD /path <- status from peer in N ms. */
    private static final Pattern ROUTED = Pattern.compile("^\\s*([a-z][\\w-]*): (GET|POST|PUT|PATCH|DELETE) (/\\S*) <- (\\d{3}) from ([\\w-]+) in (\\d+) ms.*$");
    /** A message sent through the lesson's broker: who published what. */
    private static final Pattern PUBLISHED = Pattern.compile("^\\s*([a-z][\\w-]*) published (.+?)(?:(?: and went on|;).*)?$");
    /** What the broker delivered to a subscriber, as the lesson reports it: » who: N events handled. */
    private static final Pattern HANDLED = Pattern.compile("^\\s*»\\s*([a-z][\\w-]*): (\\d+ events? handled).*$");
    private static final Pattern STATE = Pattern.compile("^\\s*»\\s*(.+)$");
    private static final int MAX_ROWS = 16;
    private static final int MAX_NOTE = 64;

    private RunDiagram() {}

    /** A call drawn as an arrow there and one back: {@code count} alike in a row, their times from min to max. */
    private record Call(String from, String to, String what, String status, int count, int minMs, int maxMs) {
        boolean alike(Call c) { return from.equals(c.from) && to.equals(c.to) && what.equals(c.what) && status.equals(c.status); }

        Call plus(Call c) { return new Call(from, to, what, status, count + c.count, Math.min(minMs, c.minMs), Math.max(maxMs, c.maxMs)); }

        List<String> rows() {
            String n = count > 1 ? count + " × " : "";
            String time = minMs < 0 ? "" : minMs == maxMs ? " · " + minMs + " ms" : " · " + minMs + "–" + maxMs + " ms";
            if (status.isEmpty()) return List.of(from + " -> " + to + ": " + n + what);
            if (what.isEmpty()) return List.of(from + (status.matches("[45]\\d\\d\\b.*") ? " --x " : " --> ") + to + ": " + status);
            if (status.equals("fault")) return List.of(from + " -x " + to + ": " + n + what + " (connection dropped" + time + ")");
            boolean error = status.matches("[45]\\d\\d\\b.*");
            return List.of(from + " -> " + to + ": " + n + what, to + (error ? " --x " : " --> ") + from + ": " + status + time);
        }
    }

    /** The diagram's source (see {@link Diagrams}), or null when the step printed no call. {@code caller} is the lesson's service. */
    static String source(TranscriptView.Step step, String caller) {
        List<Object> items = new ArrayList<>();   // Call or a note's text, in the order printed
        boolean anyCall = false;
        for (String line : step.lines()) {
            Matcher m;
            Call call = null;
            if ((m = PEER_CALL.matcher(line)).matches()) {
                Matcher outcome = OUTCOME.matcher(m.group(4));
                call = outcome.matches()
                    ? new Call(caller, m.group(1), m.group(2) + " " + m.group(3), outcome.group(1), 1, ms(outcome.group(2)), ms(outcome.group(2)))
                    : new Call(caller, m.group(1), shorten(m.group(2) + " " + m.group(3) + " " + m.group(4).strip()), "", 1, -1, -1);
            } else if ((m = CLIENT_CALL.matcher(line)).matches()) {
                call = new Call(m.group(1) == null ? "client" : m.group(1), caller, m.group(2) + " " + m.group(3), m.group(4), 1, -1, -1);
            } else if ((m = ROUTED.matcher(line)).matches()) {
                String what = m.group(2) + " " + m.group(3);
                items.add(new Call(m.group(1), caller, what, "", 1, -1, -1));
                items.add(new Call(caller, m.group(5), what, m.group(4), 1, ms(m.group(6)), ms(m.group(6))));
                call = new Call(caller, m.group(1), "", m.group(4), 1, -1, -1);   // the answer passed back: drawn as a reply alone
                anyCall = true;
                items.add(call);
                continue;
            } else if ((m = PUBLISHED.matcher(line)).matches()) {
                call = new Call(m.group(1), caller, "publish " + shorten(m.group(2)), "", 1, -1, -1);
            } else if ((m = HANDLED.matcher(line)).matches()) {
                call = new Call(caller, m.group(1), m.group(2), "", 1, -1, -1);
            } else if ((m = BURST.matcher(line)).matches()) {
                call = new Call(m.group(1), caller, m.group(2) + " requests", m.group(3), 1, -1, -1);
            } else if ((m = REFUSED.matcher(line)).matches()) {
                call = new Call(m.group(1), caller, "a request", m.group(2), 1, -1, -1);
            } else if ((m = STATE.matcher(line)).matches()) {
                items.add(shorten(m.group(1).strip()));
                continue;
            }
            if (call == null) continue;
            anyCall = true;
            if (!items.isEmpty() && items.getLast() instanceof Call last && last.alike(call)) items.set(items.size() - 1, last.plus(call));
            else items.add(call);
        }
        if (!anyCall) return null;
        List<String> rows = new ArrayList<>();
        List<String> actors = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof Call c) {
                for (String a : List.of(c.from(), c.to())) if (!actors.contains(a)) actors.add(a);
                rows.addAll(c.rows());
            } else {
                rows.add("note over " + caller + ": " + item);
            }
        }
        if (!actors.contains(caller)) actors.addFirst(caller);
        actors.sort((a, b) -> Integer.compare(rank(a, caller, actors), rank(b, caller, actors)));
        List<String> shown = rows.size() <= MAX_ROWS ? rows : new ArrayList<>(rows.subList(0, MAX_ROWS - 1));
        if (shown.size() < rows.size()) shown.add("note over " + caller + ": … and " + (rows.size() - shown.size()) + " more lines: the run's output has them all");
        return "participants " + String.join(", ", actors) + "\n" + String.join("\n", shown);
    }

    /** Clients on the left, then the lesson's service, then its peers in the order they were first called. */
    private static int rank(String actor, String caller, List<String> firstSeen) {
        int callerAt = firstSeen.indexOf(caller);
        int at = firstSeen.indexOf(actor);
        return actor.equals(caller) ? 1000 : at < callerAt ? at : 2000 + at;
    }

    private static String shorten(String s) { return s.length() > MAX_NOTE ? s.substring(0, MAX_NOTE - 1) + "…" : s; }

    private static int ms(String s) { return s == null ? -1 : Integer.parseInt(s); }

    /** The figure for a lesson's page: the SVG and a caption that says where it comes from. */
    static String figure(TranscriptView.Step step, String caller, String lessonSlug) {
        String source = source(step, caller);
        if (source == null) return null;
        String caption = String.format(Locale.ROOT, "Step %d as a sequence diagram, drawn from what ./jbang %s printed above: who called whom, "
            + "the status and the time of each call, and the state the lesson reported.", step.number(), lessonSlug);
        return Diagrams.figure(Diagrams.sequence(source), caption).replaceFirst("<figure class=\"diagram\"", "<figure class=\"diagram run-diagram\"");
    }
}
