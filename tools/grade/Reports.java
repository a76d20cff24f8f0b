package grade;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import engine.Text;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import kit.Course;

/** Everything the grader writes from a student's result: results.json, feedback.html, JUnit XML; and the class's files. */
final class Reports {
    private static final Mustache FEEDBACK = compile("feedback", Templates.FEEDBACK);
    private static final Mustache SUMMARY = compile("summary", Templates.SUMMARY);

    private Reports() {}

    private static Mustache compile(String name, String template) {
        return new DefaultMustacheFactory().compile(new StringReader(template), name);
    }

    /** Writes OUT/STUDENT/{grade.json, results.json, feedback.html, junit/TEST-ID.xml}, grade.json last. */
    static void student(Path dir, Model.Student s, String hiddenVisibility) throws IOException {
        Files2.writeAtomically(dir.resolve("results.json"), Protocol.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(gradescope(s, hiddenVisibility)));
        Files2.writeAtomically(dir.resolve("feedback.html"), feedback(s));
        for (Model.Exercise e : s.exercises()) Files2.writeAtomically(dir.resolve("junit").resolve("TEST-" + e.id() + ".xml"), junit(s.name(), e));
        Files2.writeAtomically(dir.resolve("grade.json"), Protocol.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(s));
    }

    // ---- Gradescope's autograder format ----

    static ObjectNode gradescope(Model.Student s, String hiddenVisibility) {
        ObjectNode root = Protocol.JSON.createObjectNode();
        root.put("score", s.score());
        root.put("execution_time", Math.round(s.seconds()));
        root.put("output", overview(s));
        root.put("output_format", "text");
        root.put("visibility", "visible");
        root.put("stdout_visibility", "hidden");
        ArrayNode tests = root.putArray("tests");
        for (Model.Exercise e : s.exercises()) {
            int n = 0;
            for (Model.Test t : e.tests()) {
                ObjectNode o = tests.addObject();
                o.put("name", e.id().substring(0, 2) + " · " + t.name());
                o.put("number", e.id().substring(0, 2) + "." + (++n));
                o.put("score", t.score());
                o.put("max_score", t.points());
                o.put("status", t.passed() ? "passed" : "failed");
                o.put("output", testOutput(e, t));
                if (t.hidden()) o.put("visibility", hiddenVisibility);
            }
        }
        return root;
    }

    private static String testOutput(Model.Exercise e, Model.Test t) {
        StringBuilder sb = new StringBuilder(t.message());
        if (t.status() == Model.Status.FAILED && !t.hints().isEmpty()) sb.append(sb.isEmpty() ? "" : "\n\n").append("Hint: ").append(t.hints().get(0));
        return sb.toString();
    }

    /** The text above the tests: each exercise's score and what went wrong with it as a whole. */
    static String overview(Model.Student s) {
        StringBuilder sb = new StringBuilder();
        sb.append("Total: ").append(s.score()).append(" of ").append(s.maxScore()).append(" points\n");
        for (String note : s.notes()) sb.append("Note: ").append(note).append('\n');
        for (Model.Exercise e : s.exercises()) {
            sb.append('\n').append(e.id()).append(": ").append(e.score()).append('/').append(e.maxScore());
            sb.append(" (").append(e.passedTests()).append(" of ").append(e.tests().size()).append(" tests pass)");
            if (e.outcome() != Model.Outcome.GRADED) sb.append(" · ").append(outcomeText(e.outcome()));
            if (!e.note().isEmpty()) sb.append("\n  ").append(e.note().replace("\n", "\n  "));
            if (e.flagged()) sb.append("\n  Flagged for review: ").append(e.review());
            for (String err : e.compileErrors().subList(0, Math.min(10, e.compileErrors().size()))) sb.append("\n  ").append(err.replace("\n", "\n  "));
            if (e.compileErrors().size() > 10) sb.append("\n  ... and ").append(e.compileErrors().size() - 10).append(" more errors");
        }
        return sb.toString();
    }

    static String outcomeText(Model.Outcome o) {
        return switch (o) {
            case GRADED -> "graded";
            case MISSING -> "not submitted";
            case COMPILE_ERROR -> "does not compile";
            case TIMEOUT -> "ran out of time";
            case CRASHED -> "JVM stopped";
            case ERROR -> "not graded (a grader problem)";
        };
    }

    // ---- JUnit XML, one file per exercise ----

    static String junit(String student, Model.Exercise e) {
        long failures = e.tests().stream().filter(t -> t.status() == Model.Status.FAILED).count();
        long skipped = e.tests().stream().filter(t -> t.status() == Model.Status.NOT_RUN).count();
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<testsuite name=\"").append(Text.escapeXml(student + "." + e.id())).append("\" tests=\"").append(e.tests().size())
            .append("\" failures=\"").append(failures).append("\" errors=\"").append(e.outcome() == Model.Outcome.GRADED || e.outcome() == Model.Outcome.MISSING ? 0 : 1)
            .append("\" skipped=\"").append(skipped).append("\" time=\"").append(String.format(Locale.ROOT, "%.3f", e.seconds())).append("\">\n");
        sb.append("  <properties>\n    <property name=\"outcome\" value=\"").append(e.outcome()).append("\"/>\n")
            .append("    <property name=\"score\" value=\"").append(e.score()).append("\"/>\n")
            .append("    <property name=\"max_score\" value=\"").append(e.maxScore()).append("\"/>\n  </properties>\n");
        for (Model.Test t : e.tests()) {
            sb.append("  <testcase classname=\"").append(Text.escapeXml(t.testClass())).append("\" name=\"").append(Text.escapeXml(t.name())).append("\">");
            if (t.status() == Model.Status.FAILED) {
                sb.append("<failure message=\"").append(Text.escapeXml(t.message().lines().findFirst().orElse(""))).append("\">").append(Text.escapeXml(t.message())).append("</failure>");
            } else if (t.status() == Model.Status.NOT_RUN) {
                sb.append("<skipped message=\"").append(Text.escapeXml(t.message())).append("\"/>");
            }
            sb.append("</testcase>\n");
        }
        String err = String.join("\n", e.compileErrors()) + (e.note().isEmpty() ? "" : "\n" + e.note());
        if (!err.isBlank()) sb.append("  <system-err>").append(Text.escapeXml(err.strip())).append("</system-err>\n");
        if (!e.output().isEmpty()) sb.append("  <system-out>").append(Text.escapeXml(e.output())).append("</system-out>\n");
        sb.append("</testsuite>\n");
        return sb.toString();
    }

    // ---- feedback.html ----

    static String feedback(Model.Student s) {
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("student", s.name());
        scope.put("score", s.score());
        scope.put("max", s.maxScore());
        scope.put("when", now());
        scope.put("notes", s.notes());
        List<Map<String, Object>> exercises = new ArrayList<>();
        for (Model.Exercise e : s.exercises()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("id", e.id());
            x.put("title", Course.find(e.id()).map(Course.Lesson::title).orElse(""));
            x.put("score", e.score());
            x.put("max", e.maxScore());
            x.put("full", e.score() == e.maxScore() && e.maxScore() > 0);
            x.put("outcome", outcomeText(e.outcome()));
            x.put("problem", e.outcome() != Model.Outcome.GRADED);
            x.put("note", e.note());
            x.put("review", e.review());
            x.put("compileErrors", String.join("\n", e.compileErrors()));
            x.put("output", e.output());
            x.put("passed", e.passedTests());
            x.put("count", e.tests().size());
            List<Map<String, Object>> tests = new ArrayList<>();
            for (Model.Test t : e.tests()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.name());
                m.put("mark", switch (t.status()) { case PASSED -> "✓"; case FAILED -> "✗"; case NOT_RUN -> "·"; });
                m.put("status", t.status().name().toLowerCase(Locale.ROOT));
                m.put("score", t.score());
                m.put("points", t.points());
                m.put("message", t.message());
                m.put("hints", t.status() == Model.Status.FAILED ? t.hints() : List.of());
                m.put("hidden", t.hidden());
                tests.add(m);
            }
            x.put("tests", tests);
            exercises.add(x);
        }
        scope.put("exercises", exercises);
        StringWriter w = new StringWriter();
        FEEDBACK.execute(w, scope);
        return w.toString();
    }

    // ---- the class: gradebook.csv and summary.html ----

    static String gradebook(List<String> ids, List<Model.Student> students) {
        StringBuilder sb = new StringBuilder("student");
        for (String id : ids) sb.append(',').append(id);
        sb.append(",total,max\n");
        for (Model.Student s : students) {
            sb.append(csv(s.name()));
            int total = 0;
            int max = 0;
            for (String id : ids) {
                Model.Exercise e = s.exercise(id);
                sb.append(',').append(e == null ? 0 : e.score());
                total += e == null ? 0 : e.score();
                max += e == null ? 0 : e.maxScore();
            }
            sb.append(',').append(total).append(',').append(max).append('\n');
        }
        return sb.toString();
    }

    /**
     * A cell of gradebook.csv. Quotes alone do not stop a spreadsheet from reading {@code =1+2} as a formula: a
     * cell that starts with = + - @ (or a tab or carriage return) gets a leading apostrophe, which spreadsheets show
     * as text. A leading apostrophe is doubled too, so that {@link #uncsv} gives back the name exactly.
     */
    static String csv(String s) {
        String cell = s.isEmpty() || "=+-@\t\r'".indexOf(s.charAt(0)) < 0 ? s : "'" + s;
        return cell.matches("(?s).*[,\"\\n\\r].*") ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell;
    }

    /** The name in a cell {@link #csv} wrote (after the CSV quotes are undone). */
    static String uncsv(String cell) {
        return cell.startsWith("'") ? cell.substring(1) : cell;
    }

    /** The class at a glance; {@code notes}: what the grader has to say about the run (students it did not grade, say). */
    static String summary(List<String> ids, List<Model.Student> students, String title, List<String> notes) {
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("title", title);
        scope.put("notes", notes);
        List<Map<String, Object>> flagged = new ArrayList<>();
        for (Model.Student s : students) {
            for (Model.Exercise e : s.exercises()) {
                if (e.flagged()) flagged.add(Map.of("student", s.name(), "href", href(s), "id", e.id(), "why", e.review()));
            }
        }
        scope.put("flagged", flagged);
        scope.put("anyFlagged", !flagged.isEmpty());
        scope.put("when", now());
        scope.put("count", students.size());
        int max = students.stream().mapToInt(Model.Student::maxScore).max().orElse(0);
        scope.put("max", max);
        List<Integer> totals = students.stream().map(Model.Student::score).sorted().toList();
        scope.put("median", totals.isEmpty() ? "–" : totals.size() % 2 == 1 ? String.valueOf(totals.get(totals.size() / 2))
            : String.format(Locale.ROOT, "%.1f", (totals.get(totals.size() / 2 - 1) + totals.get(totals.size() / 2)) / 2.0));
        scope.put("mean", totals.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f", totals.stream().mapToInt(i -> i).average().orElse(0)));

        List<Map<String, Object>> exercises = new ArrayList<>();
        for (String id : ids) {
            List<Model.Exercise> all = students.stream().map(s -> s.exercise(id)).filter(Objects::nonNull).toList();
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("id", id);
            x.put("max", all.stream().mapToInt(Model.Exercise::maxScore).max().orElse(0));
            long full = all.stream().filter(e -> e.maxScore() > 0 && e.score() == e.maxScore()).count();
            x.put("full", full);
            x.put("fullPct", pct(full, all.size()));
            x.put("mean", String.format(Locale.ROOT, "%.1f", all.stream().mapToInt(Model.Exercise::score).average().orElse(0)));
            Map<Model.Outcome, Long> outcomes = new LinkedHashMap<>();
            for (Model.Exercise e : all) outcomes.merge(e.outcome(), 1L, Long::sum);
            List<String> problems = new ArrayList<>();
            for (var o : outcomes.entrySet()) if (o.getKey() != Model.Outcome.GRADED) problems.add(o.getValue() + " " + outcomeText(o.getKey()));
            x.put("problems", String.join(", ", problems));
            // per test: the share of students passing it, in the order of the tests
            Map<String, long[]> perTest = new LinkedHashMap<>();
            for (Model.Exercise e : all) {
                for (Model.Test t : e.tests()) {
                    long[] c = perTest.computeIfAbsent(t.name(), k -> new long[2]);
                    c[1]++;
                    if (t.passed()) c[0]++;
                }
            }
            List<Map<String, Object>> tests = new ArrayList<>();
            perTest.forEach((name, c) -> tests.add(Map.of("name", name, "passed", c[0], "of", c[1], "pct", pct(c[0], c[1]))));
            x.put("tests", tests);
            exercises.add(x);
        }
        scope.put("exercises", exercises);

        int bins = Math.max(1, Math.min(10, max));
        long[] counts = new long[bins];
        for (int t : totals) counts[max == 0 ? 0 : Math.min(bins - 1, (int) ((long) t * bins / max))]++;
        long top = Arrays.stream(counts).max().orElse(1);
        List<Map<String, Object>> histogram = new ArrayList<>();
        for (int i = 0; i < bins; i++) {
            int from = (int) Math.ceil((double) i * max / bins);
            int to = i == bins - 1 ? max : (int) Math.ceil((double) (i + 1) * max / bins) - 1;
            histogram.add(Map.of("range", from == to ? String.valueOf(from) : from + "–" + to, "count", counts[i],
                "height", top == 0 ? 0 : Math.round(100.0 * counts[i] / top)));
        }
        scope.put("histogram", histogram);

        List<Map<String, Object>> rows = new ArrayList<>();
        for (Model.Student s : students) {
            List<Map<String, Object>> cells = new ArrayList<>();
            for (String id : ids) {
                Model.Exercise e = s.exercise(id);
                cells.add(Map.of("score", e == null ? "–" : String.valueOf(e.score()),
                    "cls", e == null || e.outcome() == Model.Outcome.MISSING ? "missing" : e.outcome() != Model.Outcome.GRADED ? "problem"
                        : e.score() == e.maxScore() ? "full" : "partial"));
            }
            rows.add(Map.of("name", s.name(), "href", href(s), "cells", cells, "score", s.score(), "max", s.maxScore()));
        }
        scope.put("students", rows);
        scope.put("ids", ids);
        StringWriter w = new StringWriter();
        SUMMARY.execute(w, scope);
        return w.toString();
    }

    private static String href(Model.Student s) {
        return URLEncoder.encode(s.name(), StandardCharsets.UTF_8).replace("+", "%20") + "/feedback.html";
    }

    private static long pct(long part, long whole) { return whole == 0 ? 0 : Math.round(100.0 * part / whole); }

    private static String now() {
        return ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT));
    }

}
