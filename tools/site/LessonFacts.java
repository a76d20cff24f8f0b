package site;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import kit.Course;

/** site/lessons.tsv: per lesson, the minutes its exercise takes, and which step of its run its diagram draws. */
final class LessonFacts {
    /** {@code step} is 0 and {@code caller} null where the table names none. */
    record Facts(int exerciseMinutes, int step, String caller) {}

    private final Map<Course.Lesson, Facts> facts;

    private LessonFacts(Map<Course.Lesson, Facts> facts) { this.facts = facts; }

    static LessonFacts read(Path tsv) throws IOException {
        Map<Course.Lesson, Facts> facts = new LinkedHashMap<>();
        for (Tsv.Row r : Tsv.rows(tsv)) {
            Course.Lesson lesson = r.size() == 4 ? Course.find(r.get(0)).orElse(null) : null;
            if (lesson == null || !r.get(1).matches("\\d+") || !r.get(2).matches("\\d+|-")) {
                throw r.wrong("lesson<TAB>exercise minutes<TAB>step or -<TAB>caller or -");
            }
            facts.put(lesson, new Facts(Integer.parseInt(r.get(1)), r.get(2).equals("-") ? 0 : Integer.parseInt(r.get(2)),
                r.get(3).equals("-") ? null : r.get(3)));
        }
        for (Course.Lesson l : Course.LESSONS) if (!facts.containsKey(l)) throw new BuildFailed("site/lessons.tsv has no line for lesson " + l.number2());
        return new LessonFacts(facts);
    }

    Facts of(Course.Lesson lesson) { return facts.get(lesson); }

    /** "about 20 min": reading the lesson's text at 180 words a minute, plus 3 minutes for its run. */
    static int readingMinutes(String textHtml) {
        int words = Html.text(textHtml.replaceAll("(?s)<pre class=\"transcript\">.*?</pre>", " ")).split("\\s+").length;
        return roundUp5(words / 180.0 + 3);
    }

    private static int roundUp5(double minutes) { return (int) Math.ceil(minutes / 5) * 5; }
}
