package grade;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** What the grader records: per test, per exercise, per student. Written as JSON and read back on a re-run. */
public final class Model {
    private Model() {}

    /** How one exercise of one student ended. */
    public enum Outcome {
        /** compiled and its tests ran (some may have failed) */
        GRADED,
        /** the submission has no folder for this exercise */
        MISSING,
        /** javac rejected the code */
        COMPILE_ERROR,
        /** the exercise ran past its time limit and its JVM was stopped */
        TIMEOUT,
        /** the JVM ended in the middle of the exercise (System.exit, a crash, memory) */
        CRASHED,
        /** the grader could not grade it (a problem of ours or of the machine, not of the student's code) */
        ERROR
    }

    public enum Status { PASSED, FAILED, NOT_RUN }

    /** One test of one exercise for one student. {@code points} is what it is worth, {@code score} what it earned. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Test(String testClass, String method, String name, Status status, String message, int points, int score,
                       List<String> hints, boolean hidden) {
        public Test {
            hints = hints == null ? List.of() : List.copyOf(hints);
            message = message == null ? "" : message;
        }

        public boolean passed() { return status == Status.PASSED; }

        /** The same test with another outcome. */
        public Test with(Status newStatus, String newMessage) {
            return new Test(testClass, method, name, newStatus, newMessage, points, newStatus == Status.PASSED ? points : 0, hints, hidden);
        }

        /** Identity of a test across runs: its class and method (and display name, for repeated or parameterized ones). */
        public String key() { return testClass + "#" + method + "#" + name; }
    }

    /**
     * One exercise of one student. {@code key} identifies what was graded (the student's files, the tests, the
     * settings), so a re-run keeps the result while none of that changed. {@code review}: why a person should look
     * at this exercise's code (it wrote grader events of its own, which may have forged its results), or "".
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Exercise(String id, Outcome outcome, String note, List<Test> tests, List<String> compileErrors,
                           String output, double seconds, int score, int maxScore, String key, String review) {
        public Exercise {
            tests = tests == null ? List.of() : List.copyOf(tests);
            compileErrors = compileErrors == null ? List.of() : List.copyOf(compileErrors);
            note = note == null ? "" : note;
            output = output == null ? "" : output;
            review = review == null ? "" : review;
        }

        public boolean flagged() { return !review.isEmpty(); }

        public long passedTests() { return tests.stream().filter(Test::passed).count(); }
    }

    /** A student's whole result: what results.json, feedback.html, the JUnit XML and the gradebook are made from. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Student(String name, List<Exercise> exercises, List<String> notes, double seconds, String sandbox) {
        public Student {
            exercises = exercises == null ? List.of() : List.copyOf(exercises);
            notes = notes == null ? List.of() : List.copyOf(notes);
        }

        public int score() { return exercises.stream().mapToInt(Exercise::score).sum(); }

        public int maxScore() { return exercises.stream().mapToInt(Exercise::maxScore).sum(); }

        public Exercise exercise(String id) {
            return exercises.stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
        }
    }

    /** The tests of one exercise as the reference solution runs them: their names, points and hints. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Reference(String id, List<Test> tests, List<String> problems) {
        public Reference {
            tests = tests == null ? List.of() : List.copyOf(tests);
            problems = problems == null ? List.of() : List.copyOf(problems);
        }

        public int maxScore() { return tests.stream().mapToInt(Test::points).sum(); }
    }
}
