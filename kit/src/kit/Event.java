package kit;

import java.util.List;

/**
 * What happens in a lesson's run, as the live view (--view) draws it and a recording (--record FILE) keeps it: the
 * services that take part, each step, each line of narration, each call between services, each state the pattern
 * publishes, each fault, each check and the end. The narrator, the peers, the broker and the database publish them
 * on {@link Events}; the terminal's lines stay the narrator's own.
 */
public sealed interface Event {
    /** The lesson that runs: its number ("08") and title. */
    record Lesson(String number, String title) implements Event {}

    /** A box on the view: a peer, the learner's service, a broker, a database, or the lesson's client. */
    record Service(String name, String kind) implements Event {}

    record Step(int number, String title) implements Event {}

    /** One line of what just happened ({@code tell} is false) or a paragraph of the story ({@code tell} is true). */
    record Say(String text, boolean tell) implements Event {}

    /** A value the pattern holds now: {@code State("breaker", "OPEN")}. */
    record State(String what, String value) implements Event {}

    /** One call from a service to another; {@code fault} when the answer was a broken connection, not a status. */
    record Exchange(String from, String to, String method, String path, int status, long millis, boolean fault) implements Event {}

    /** A fault the lesson applied to a service ({@code broken}), or took away. */
    record Fault(String target, String name, boolean broken) implements Event {}

    /** The faults a learner may apply from the view's buttons (with --serve). */
    record Faults(List<String> names) implements Event {}

    record Check(boolean held, String claim) implements Event {}

    /** The run waits for Enter, or the view's Next button; {@code what} says what comes next. */
    record Waiting(String what) implements Event {}

    record End(int checks, int failed) implements Event {}
}
