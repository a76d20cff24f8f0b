package site;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The site's small tables (site/*.tsv): one row a line, fields split at tabs; blank lines and # comments skipped. */
final class Tsv {
    /** A row's fields, stripped, and a way to fail the build on it, naming the file and line. */
    record Row(String file, int line, String[] fields) {
        String get(int i) { return fields[i]; }

        int size() { return fields.length; }

        BuildFailed wrong(String expected) { return new BuildFailed(file + ":" + line + ": expected '" + expected + "'"); }
    }

    private Tsv() {}

    static List<Row> rows(Path tsv) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(tsv);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) continue;
            rows.add(new Row("site/" + tsv.getFileName(), i + 1, Arrays.stream(line.split("\t")).map(String::strip).toArray(String[]::new)));
        }
        return rows;
    }
}
