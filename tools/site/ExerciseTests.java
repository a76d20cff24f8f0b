package site;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import kit.SourceFiles;

/**
 * The names of an exercise's tests, read from its *Test.java sources (never compiled, never run, and never the
 * solution's files): each test class's and each test's {@code @DisplayName}, and its {@code @Points}. A small
 * lexer skips comments and reads string literals, so parentheses or quotes inside a hint confuse nothing.
 */
final class ExerciseTests {
    record Test(String method, String name, int points) {}

    record Group(String name, List<Test> tests) {
        int points() { return tests.stream().mapToInt(Test::points).sum(); }
    }

    private static final Set<String> TEST_ANNOTATIONS = Set.of("Test", "ParameterizedTest", "RepeatedTest", "TestFactory", "TestTemplate");

    private ExerciseTests() {}

    static List<Group> of(Path exerciseDir) {
        if (!Files.isDirectory(exerciseDir)) return List.of();
        try {
            List<Group> groups = new ArrayList<>();
            for (Path f : SourceFiles.in(exerciseDir).stream().filter(p -> p.getFileName().toString().endsWith("Test.java")).toList()) {
                groups.addAll(parse(Files.readString(f), f.getFileName().toString().replace(".java", "")));
            }
            return groups;
        } catch (IOException | UncheckedIOException e) {
            throw new BuildFailed("cannot read the tests in " + exerciseDir + ": " + e.getMessage());
        }
    }

    /** One group per class (nested classes too) that holds tests, in source order. */
    static List<Group> parse(String src, String fallbackName) {
        List<Group> groups = new ArrayList<>();
        Deque<Object[]> classes = new ArrayDeque<>();   // {depth, Group}
        List<String[]> annotations = new ArrayList<>();  // {name, string literals of its arguments joined}
        int depth = 0;
        int i = 0;
        int n = src.length();
        String pendingClass = null;
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) { i = lineEnd(src, i); continue; }
            if (src.startsWith("/*", i)) { int e = src.indexOf("*/", i + 2); i = e < 0 ? n : e + 2; continue; }
            if (c == '"' || c == '\'') { i = skipLiteral(src, i, null); continue; }
            if (c == '@' && i + 1 < n && Character.isJavaIdentifierStart(src.charAt(i + 1))) {
                int s = i + 1;
                int e = s;
                while (e < n && (Character.isJavaIdentifierPart(src.charAt(e)) || src.charAt(e) == '.')) e++;
                String name = src.substring(s, e);
                name = name.substring(name.lastIndexOf('.') + 1);
                int j = e;
                while (j < n && Character.isWhitespace(src.charAt(j))) j++;
                StringBuilder args = new StringBuilder();
                if (j < n && src.charAt(j) == '(' && !name.equals("interface")) {
                    int paren = 0;
                    while (j < n) {
                        char d = src.charAt(j);
                        if (d == '"' || d == '\'') { j = skipLiteral(src, j, d == '"' ? args : null); continue; }
                        if (d == '(') paren++;
                        if (d == ')' && --paren == 0) { j++; break; }
                        if (paren == 1 && Character.isDigit(d) && args.isEmpty()) args.append(number(src, j));
                        j++;
                    }
                    e = j;
                }
                annotations.add(new String[] {name, args.toString()});
                i = e;
                continue;
            }
            if (Character.isJavaIdentifierStart(c)) {
                int e = i;
                while (e < n && Character.isJavaIdentifierPart(src.charAt(e))) e++;
                String word = src.substring(i, e);
                if (word.equals("class") || word.equals("record") || word.equals("interface") || word.equals("enum")) {
                    int s = e;
                    while (s < n && Character.isWhitespace(src.charAt(s))) s++;
                    int t = s;
                    while (t < n && Character.isJavaIdentifierPart(src.charAt(t))) t++;
                    String display = annotation(annotations, "DisplayName");
                    pendingClass = display != null ? display : src.substring(s, t);
                    annotations.clear();
                    i = t;
                    continue;
                }
                // A method: an identifier directly followed by '(' while annotations are pending.
                int k = e;
                while (k < n && Character.isWhitespace(src.charAt(k))) k++;
                if (k < n && src.charAt(k) == '(' && !annotations.isEmpty()) {
                    boolean isTest = annotations.stream().anyMatch(a -> TEST_ANNOTATIONS.contains(a[0]));
                    if (isTest && !classes.isEmpty()) {
                        String display = annotation(annotations, "DisplayName");
                        String points = annotation(annotations, "Points");
                        Group g = (Group) classes.peek()[1];
                        g.tests().add(new Test(word, display != null ? display : word + "()",
                            points != null && points.matches("\\d+") ? Integer.parseInt(points) : 1));
                    }
                    annotations.clear();
                }
                i = e;
                continue;
            }
            if (c == '{') {
                depth++;
                if (pendingClass != null) {
                    Group g = new Group(pendingClass, new ArrayList<>());
                    classes.push(new Object[] {depth, g});
                    groups.add(g);
                    pendingClass = null;
                }
                annotations.clear();
            } else if (c == '}') {
                if (!classes.isEmpty() && (int) classes.peek()[0] == depth) classes.pop();
                depth--;
                annotations.clear();
            } else if (c == ';' || c == '=') {
                annotations.clear();
            }
            i++;
        }
        List<Group> withTests = groups.stream().filter(g -> !g.tests().isEmpty()).toList();
        if (withTests.isEmpty() && !groups.isEmpty()) return List.of();
        return withTests.isEmpty() ? List.of(new Group(fallbackName, List.of())) : withTests;
    }

    private static String annotation(List<String[]> annotations, String name) {
        return annotations.stream().filter(a -> a[0].equals(name)).map(a -> a[1]).findFirst().orElse(null);
    }

    private static String number(String src, int i) {
        int e = i;
        while (e < src.length() && Character.isDigit(src.charAt(e))) e++;
        return src.substring(i, e);
    }

    private static int lineEnd(String src, int i) {
        int e = src.indexOf('\n', i);
        return e < 0 ? src.length() : e + 1;
    }

    /** Skips a char, string or text block literal starting at i; appends a string's value to {@code into}. */
    private static int skipLiteral(String src, int i, StringBuilder into) {
        char q = src.charAt(i);
        if (q == '"' && src.startsWith("\"\"\"", i)) {
            int e = src.indexOf("\"\"\"", i + 3);
            if (e < 0) return src.length();
            if (into != null) into.append(src.substring(src.indexOf('\n', i) + 1, e).stripIndent().strip());
            return e + 3;
        }
        int j = i + 1;
        StringBuilder value = new StringBuilder();
        while (j < src.length() && src.charAt(j) != q) {
            char c = src.charAt(j);
            if (c == '\\' && j + 1 < src.length()) {
                char x = src.charAt(j + 1);
                switch (x) {
                    case 'n' -> value.append('\n');
                    case 't' -> value.append('\t');
                    case 'u' -> {
                        int k = j + 1;
                        while (k < src.length() && src.charAt(k) == 'u') k++;
                        value.append((char) Integer.parseInt(src.substring(k, k + 4), 16));
                        j = k + 4;
                        continue;
                    }
                    default -> value.append(x);
                }
                j += 2;
                continue;
            }
            value.append(c);
            j++;
        }
        if (into != null) into.append(value);
        return j + 1;
    }
}
