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
                        List<String> errors, String output, String note, double seconds, boolean restart, boolean linkage) {

        static Event start(String exercise) { return new Event("start", exercise, null, null, null, null, null, null, 0, false, false); }

        static Event begin(String exercise, String name) { return new Event("begin", exercise, name, null, null, null, null, null, 0, false, false); }

        static Event test(String exercise, Model.Test test) { return new Event("test", exercise, null, test, null, null, null, null, 0, false, false); }

        static Event done(String exercise, Model.Outcome outcome, List<String> errors, String output, String note, double seconds,
                          boolean restart, boolean linkage) {
            return new Event("done", exercise, null, null, outcome, errors, output, note, seconds, restart, linkage);
        }
    }

    private Protocol() {}

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
