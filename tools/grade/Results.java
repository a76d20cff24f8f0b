package grade;

import engine.Compiler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the children's runs mean: the reference's run of an exercise gives its list of tests (with their points and
 * hints), and each student's run is matched against that list, every test there with its points.
 */
final class Results {
    private Results() {}

    /** The tests the reference's run of one exercise found, and what went wrong; null when a solution gave none (the stub is tried next). */
    static Model.Reference reference(Exercises.Exercise e, Supervisor.Raw raw, boolean solutions) {
        List<String> problems = new ArrayList<>();
        String what = solutions ? "the reference solution" : "the stub";
        if (raw.outcome() != Model.Outcome.GRADED) {
            problems.add(what + ": " + Reports.outcomeText(raw.outcome()) + (raw.note().isEmpty() ? "" : ": " + raw.note().lines().findFirst().orElse(""))
                + (raw.compileErrors().isEmpty() ? "" : ": " + raw.compileErrors().get(0).lines().findFirst().orElse("")));
        }
        List<Model.Test> tests = new ArrayList<>();
        for (Model.Test t : raw.tests()) {
            if (t.method().isEmpty()) {
                problems.add(what + ": " + t.name() + ": " + t.message().lines().findFirst().orElse(""));
                continue;
            }
            if (solutions && !t.passed()) problems.add("the reference solution fails '" + t.name() + "': " + t.message().lines().findFirst().orElse(""));
            tests.add(new Model.Test(t.testClass(), t.method(), t.name(), Model.Status.PASSED, "", t.points(), t.points(), t.hints(), isHidden(e, t)));
        }
        if (tests.isEmpty() && solutions) return null;
        if (e.precompiled() != null) {  // in the order they are written, as the workbook shows them
            tests.sort(Compiler.inWrittenOrder(e.precompiled().testOrder(), Model.Test::method));
        }
        return new Model.Reference(e.id(), tests, problems);
    }

    private static boolean isHidden(Exercises.Exercise e, Model.Test t) {
        String cls = t.testClass();
        String simple = cls.substring(cls.lastIndexOf('.') + 1);
        if (simple.contains("$")) simple = simple.substring(0, simple.indexOf('$'));
        return e.hidden().contains(simple + ".java");
    }

    /** Matches what a child reported with the reference's list of tests: every test is there, with its points. */
    static Model.Exercise assemble(Model.Reference ref, Supervisor.Raw raw, String key) {
        Map<String, Model.Test> reported = new LinkedHashMap<>();
        Model.Test classFailure = null;
        for (Model.Test t : raw.tests()) {
            if (t.method().isEmpty()) classFailure = t;
            else reported.putIfAbsent(t.key(), t);
        }
        String note = raw.note() == null ? "" : raw.note();
        String firstLine = note.lines().findFirst().orElse("");
        String notRun = switch (raw.outcome()) {
            case MISSING -> "not run: the exercise was not submitted";
            case COMPILE_ERROR -> "not run: the code does not compile (javac's messages are above the tests)";
            case GRADED -> note.isEmpty()
                ? "not run" + (classFailure != null ? ": " + classFailure.name() + ": " + classFailure.message().lines().findFirst().orElse("") : "")
                : "not run: " + firstLine;
            default -> "not run: " + firstLine;
        };
        List<Model.Test> tests = new ArrayList<>();
        for (Model.Test r : ref.tests()) {
            Model.Test t = reported.remove(r.key());
            if (t != null) {
                tests.add(new Model.Test(r.testClass(), r.method(), r.name(), t.status(), t.message(), r.points(),
                    t.passed() ? r.points() : 0, r.hints(), r.hidden()));
            } else if (r.name().equals(raw.runningTest()) && (raw.outcome() == Model.Outcome.TIMEOUT || raw.outcome() == Model.Outcome.CRASHED)) {
                tests.add(r.with(Model.Status.FAILED, note));
            } else {
                tests.add(r.with(Model.Status.NOT_RUN, notRun));
            }
        }
        if (classFailure != null) tests.add(new Model.Test(classFailure.testClass(), "", classFailure.name(), Model.Status.FAILED, classFailure.message(), 0, 0, List.of(), false));
        // A test the reference does not have is dropped (the supervisor already drops them for students).
        int score = tests.stream().mapToInt(Model.Test::score).sum();
        return new Model.Exercise(ref.id(), raw.outcome(), note, tests, raw.compileErrors(), raw.output(), raw.seconds(), score, ref.maxScore(), key, raw.review());
    }
}
