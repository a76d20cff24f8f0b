package site;

import engine.Text;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import kit.Course;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Puts a lesson's real run beside its text, step by step. Every lesson's README.adoc has a section "What you will
 * see" whose numbered list describes the steps the lesson prints, in order; the run's step titles are the one source
 * of the steps. Each item of that list becomes the step's block: the title the lesson printed, the README's words
 * about it, then what the step printed, the paragraphs the lesson told about it and the checks that held. The list
 * describes the run's last steps (a first step that only starts the peers has no item). An item whose words share
 * nothing with its step's title fails the build: the text and the program no longer tell the same story. The step
 * site/lessons.tsv names for the lesson's diagram gets the diagram, drawn from what it printed (see RunDiagram). The
 * run's replay (see Replay) leads the steps.
 */
final class RunSteps {
    private static final Set<String> SMALL = Set.of("the", "and", "for", "its", "not", "but", "are", "was", "has", "one", "all", "any", "can",
        "with", "that", "then", "from", "every", "each", "into", "your", "their", "them", "they");

    private RunSteps() {}

    /** The page's HTML with the run's steps in its "What you will see" section; {@code note} leads them. */
    static String place(String html, String output, Course.Lesson lesson, String note, LessonFacts.Facts facts, String replay) {
        Document doc = Html.parse(html);
        Element heading = doc.selectFirst("h2#_what_you_will_see");
        Element list = heading == null ? null : heading.parent().selectFirst(".sectionbody > .olist");
        if (list == null) {
            throw new BuildFailed("lessons/" + lesson.id() + "/README.adoc: no numbered list under '== What you will see', where the run's steps go");
        }
        List<TranscriptView.Step> steps = TranscriptView.steps(output);
        List<Element> items = list.select("> ol > li");
        int first = steps.size() - items.size();
        if (first < 0) {
            throw new BuildFailed("lessons/" + lesson.id() + "/README.adoc: 'What you will see' lists " + items.size()
                + " steps, but the run printed " + steps.size());
        }
        StringBuilder sb = new StringBuilder("<div class=\"steps\" id=\"run\">\n").append(note);
        if (facts.step() == 0) {
            sb.append("<p class=\"run-note no-run-diagram\">This lesson's run prints no line for each call it makes, so there is no "
                + "diagram drawn from it here yet.</p>\n");
        }
        for (int i = 0; i < steps.size(); i++) {
            TranscriptView.Step step = steps.get(i);
            Element item = i >= first ? items.get(i - first) : null;
            if (item != null && !tellTheSame(item, step)) {
                throw new BuildFailed("lessons/" + lesson.id() + "/README.adoc: item " + (i - first + 1) + " of 'What you will see' ("
                    + lead(item) + ") shares no word with the run's step " + step.number() + " (" + step.title() + ")");
            }
            sb.append("<div class=\"step\">\n<h3 id=\"step-").append(step.number()).append("\">Step ").append(step.number()).append(". ")
                .append(Text.escapeHtml(step.title())).append("</h3>\n")
                .append(item == null ? "" : "<div class=\"step-lead\">" + item.html() + "</div>\n")
                .append(step.number() == facts.step() ? diagram(step, lesson, facts) : "")
                .append(TranscriptView.stepHtml(step))
                .append("</div>\n");
        }
        list.after(replay + sb.append("</div>\n"));
        list.remove();
        return Html.html(doc);
    }

    private static String diagram(TranscriptView.Step step, Course.Lesson lesson, LessonFacts.Facts facts) {
        String figure = RunDiagram.figure(step, facts.caller(), lesson.slug());
        if (figure == null) throw new BuildFailed("site/lessons.tsv: step " + step.number() + " of lesson " + lesson.number2() + " printed no call to draw");
        return figure + "\n";
    }

    /** The item's bold lead ("*A calm checkout.*"), or its first words. */
    private static String lead(Element item) {
        Element strong = item.selectFirst("strong");
        return strong != null ? strong.text() : item.text().substring(0, Math.min(60, item.text().length()));
    }

    private static boolean tellTheSame(Element item, TranscriptView.Step step) {
        Set<String> title = words(step.title());
        return words(lead(item)).stream().anyMatch(title::contains);
    }

    /** Numbers, and words of three letters or more but the commonest, cut to their first five so that "retries" meets "retry" and "breaks" "break". */
    private static Set<String> words(String s) {
        return Arrays.stream(s.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
            .filter(w -> (w.length() >= 3 || w.matches(".*\\d.*")) && !SMALL.contains(w))
            .map(w -> w.substring(0, Math.min(5, w.length())))
            .collect(Collectors.toSet());
    }
}
