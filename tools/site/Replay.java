package site;

import kit.Course;

/**
 * A lesson's run, replayed on its page with the live view's own script (kit/view/view.js): the services as boxes,
 * each call as an arrow, the pattern's state, step by step, from the events the run recorded with --record. It
 * works offline, from file://: the events are in the page.
 */
final class Replay {
    private Replay() {}

    /** The replay's block, or a line saying why there is none (a run cached before runs were recorded). */
    static String html(String events, Course.Lesson lesson) {
        String live = "<code>./jbang " + lesson.slug() + " --view</code>";
        if (events == null || events.isBlank()) {
            return "<p class=\"run-note no-replay\">This run recorded no events to replay; run the lesson with " + live
                + " to watch it live.</p>\n";
        }
        // In a script element only "</script" could end it early; JSON may write any "<" as \\u003c, and does here.
        String json = "[" + String.join(",", events.strip().lines().toList()) + "]";
        return "<div class=\"replay\" id=\"replay\">\n"
            + "<p class=\"run-note\">The same run, replayed: the services as boxes, each call as an arrow, the pattern's state "
            + "as the lesson publishes it. <em>Next step</em> shows one step at a time, <em>Play</em> plays it with its own timing. "
            + "Watch it live, and break things yourself, with " + live + " (add <code>--serve</code> for its fault buttons).</p>\n"
            + "<link rel=\"stylesheet\" href=\"assets/view.css\">\n"
            + "<div data-view=\"replay\" aria-label=\"a replay of the run\"><script type=\"application/json\">"
            + json.replace("<", "\\u003c") + "</script></div>\n"
            + "<script src=\"assets/view.js\"></script>\n"
            + "</div>\n";
    }
}
