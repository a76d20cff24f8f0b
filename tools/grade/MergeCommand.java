package grade;

import engine.Folders;
import engine.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import kit.Course;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code grade merge OUT...}: joins the shards of a class into one gradebook (and, with --out, one OUT). */
@Command(name = "merge", mixinStandardHelpOptions = true,
         description = {"Joins the gradebooks of shards (grade --shard K/N --out OUT_K) into one.",
                        "Without --out the merged gradebook.csv goes to standard output; with --out, a whole OUT: gradebook, summary, every student's folder."})
public final class MergeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "OUT", description = "The shards' OUT folders.")
    List<Path> shards;

    @Option(names = "--out", paramLabel = "DIR", description = "Write the merged class here.")
    Path out;

    @Override
    public Integer call() throws IOException {
        List<String> ids = new ArrayList<>();
        Map<String, Model.Student> students = new LinkedHashMap<>();
        Map<String, Path> folders = new LinkedHashMap<>();
        for (Path shard : shards) {
            Path csv = shard.resolve("gradebook.csv");
            if (!Files.isRegularFile(csv)) throw new UserError(shard + " has no gradebook.csv: is it a grade --out folder?");
            List<List<String>> rows = parse(Files.readString(csv));
            List<String> header = rows.isEmpty() ? List.of() : rows.get(0);
            if (header.size() < 3 || !header.get(0).equals("student") || !header.get(header.size() - 2).equals("total") || !header.getLast().equals("max")) {
                throw new UserError(csv + " is not a gradebook (its header should be student,<exercise ids>,total,max)");
            }
            List<String> cols = header.subList(1, header.size() - 2);
            for (String c : cols) if (!ids.contains(c)) ids.add(c);
            for (List<String> cells : rows.subList(1, rows.size())) {
                if (cells.size() != header.size()) continue;  // a blank line, or not one of ours
                String name = Reports.uncsv(cells.get(0));
                if (students.containsKey(name)) {
                    System.err.println("grade merge: " + name + " is in more than one shard; keeping the first");
                    continue;
                }
                Path json = shard.resolve(name).resolve("grade.json");
                Model.Student s = Files.exists(json) ? Protocol.JSON.readValue(json.toFile(), Model.Student.class) : fromRow(name, cols, cells);
                students.put(name, s);
                if (Files.isDirectory(shard.resolve(name))) folders.put(name, shard.resolve(name));
            }
        }
        ids.sort(Comparator.comparingInt(id -> Course.LESSONS.stream().map(Course.Lesson::id).toList().indexOf(id)));
        // A student known only from a gradebook row gets each exercise's maximum from the others.
        Map<String, Integer> max = new LinkedHashMap<>();
        for (Model.Student s : students.values()) for (Model.Exercise e : s.exercises()) max.merge(e.id(), e.maxScore(), Math::max);
        students.replaceAll((name, s) -> new Model.Student(name, s.exercises().stream().map(e -> e.maxScore() > 0 ? e
            : new Model.Exercise(e.id(), e.outcome(), e.note(), e.tests(), e.compileErrors(), e.output(), e.seconds(), e.score(),
                max.getOrDefault(e.id(), e.score()), e.key(), e.review())).toList(), s.notes(), s.seconds(), s.sandbox()));
        List<Model.Student> all = students.values().stream().sorted(Comparator.comparing(Model.Student::name)).toList();
        String gradebook = Reports.gradebook(ids, all);
        if (out == null) {
            System.out.print(gradebook);
            return 0;
        }
        Path dir = Cli.writable(out);
        for (var f : folders.entrySet()) {
            Path target = dir.resolve(f.getKey());
            if (target.toAbsolutePath().normalize().equals(f.getValue().toAbsolutePath().normalize())) continue;
            Folders.deleteTree(target);
            Files2.copyTree(f.getValue(), target);
        }
        Files2.writeAtomically(dir.resolve("gradebook.csv"), gradebook);
        Files2.writeAtomically(dir.resolve("summary.html"), Reports.summary(ids, all, "Class summary", List.of()));
        System.out.println("Merged " + all.size() + " students from " + shards.size() + " shards into " + dir.resolve("gradebook.csv"));
        return 0;
    }

    /** A student known only from a gradebook row: per exercise a score, no tests. */
    private static Model.Student fromRow(String name, List<String> cols, List<String> cells) {
        List<Model.Exercise> list = new ArrayList<>();
        for (int i = 0; i < cols.size(); i++) {
            int score = (int) Math.round(Double.parseDouble(cells.get(i + 1)));
            list.add(new Model.Exercise(cols.get(i), Model.Outcome.GRADED, "", List.of(), List.of(), "", 0, score, 0, "", ""));
        }
        return new Model.Student(name, list, List.of(), 0, "");
    }

    /** The rows of a CSV text, with RFC 4180 quotes (a quoted cell may hold commas, quotes and line breaks). */
    static List<List<String>> parse(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') quoted = false;
                else cell.append(c);
            } else if (c == '"') quoted = true;
            else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else if (c == '\n') {
                cells.add(cell.toString());
                cell.setLength(0);
                rows.add(cells);
                cells = new ArrayList<>();
            } else if (c != '\r') cell.append(c);
        }
        if (!cells.isEmpty() || !cell.isEmpty()) {
            cells.add(cell.toString());
            rows.add(cells);
        }
        return rows;
    }
}
