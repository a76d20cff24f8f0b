package kit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Hints for the learner, tied to the test they help with. Levels grow more explicit: the first is a nudge (a
 * section of the README to read, or a question that points at the problem), the next says the concept (the rule
 * that applies, and why), and the last is near-code (the call, the condition, the shape of the fix) and starts with
 * "Last hint: ". At least two levels; only the last starts so ({@code ./jbang verify} checks both).
 * {@code ./jbang workbook hint ID} shows them one at a time.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Hint {
    String[] value();
}
