package grade;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;

/**
 * What a grading child JVM tells its parent, one JSON object per line on its standard output. Each line starts
 * with a marker, on a line of its own, so that whatever the student's code prints straight to the file
 * descriptor is told apart (and kept only as a bounded tail for diagnostics).
 *
 * <p>The student's code runs in the same JVM and could write events too. Each event carries the key the parent
 * gave that child (in its plan, which only that student can read) and the next number of a sequence: an event
 * without the key, or out of sequence, is dropped and flags the exercise for review. Code that reads the key out
 * of this JVM's memory and keeps the sequence can still forge its own results (see README.adoc); nothing it sends
 * extends a deadline or grows the grader's output, which the parent bounds.
 */
public final class Protocol {
    static final String MARKER = "\u001egrade-event:";

    static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);

    /**
     * One event. {@code type} is one of: {@code start} (an exercise begins), {@code begin} (a test begins),
     * {@code test} (a test finished), {@code done} (an exercise finished: {@code restart} when this JVM should not be
     * trusted with more work, as after a test that never finished; {@code linkage} when precompiled tests did not
     * link with the student's classes and the exercise must be run again with the tests compiled with them).
     */
    public record Event(String type, String exercise, String testName, Model.Test test, Model.Outcome outcome,
                        String output, String note, double seconds, boolean restart, boolean linkage, String key, long seq) {

        static Event start(String exercise) { return new Event("start", exercise, null, null, null, null, null, 0, false, false, null, 0); }

        static Event begin(String exercise, String name) { return new Event("begin", exercise, name, null, null, null, null, 0, false, false, null, 0); }

        static Event test(String exercise, Model.Test test) { return new Event("test", exercise, null, test, null, null, null, 0, false, false, null, 0); }

        static Event done(String exercise, Model.Outcome outcome, String output, String note, double seconds, boolean restart, boolean linkage) {
            return new Event("done", exercise, null, null, outcome, output, note, seconds, restart, linkage, null, 0);
        }

        /** This event as the child sends it: with its key and its number in the sequence. */
        Event signed(String withKey, long number) {
            return new Event(type, exercise, testName, test, outcome, output, note, seconds, restart, linkage, withKey, number);
        }
    }

    /** The longest text an event carries in one field: a test's message, a note. The child cuts, the parent checks. */
    static final int MAX_TEXT = 4_000;
    /** The longest line the parent reads as an event (an exercise's output is the longest field: 16 kB, escaped). */
    static final int MAX_LINE = 256 * 1024;

    private Protocol() {}

    /** {@code text} cut to {@code max} characters, saying so. */
    static String clip(String text, int max) {
        if (text == null || text.length() <= max) return text;
        return text.substring(0, max) + "\n[... " + (text.length() - max) + " more characters]";
    }

    static String encode(Event event) {
        try {
            return "\n" + MARKER + JSON.writeValueAsString(event) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The event on this line, or null when the line is not one (output of the student's code, JVM messages). */
    static Event decode(String line) {
        int at = line.indexOf(MARKER);
        if (at < 0) return null;
        try {
            return JSON.readValue(line.substring(at + MARKER.length()), Event.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
