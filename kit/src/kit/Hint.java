package kit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Hints for the learner, tied to the test they help with. Levels grow more explicit: the first is a
 * nudge, the last points at the concept in the lesson's text. `./jbang workbook hint ID` shows them one at a time.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Hint {
    String[] value();
}
