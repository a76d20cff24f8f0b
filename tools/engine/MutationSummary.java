package engine;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The committed result of the last mutation run of one exercise ({@code solutions/NN-slug/mutation.properties}),
 * written by {@code ./jbang verify --mutation}. Its hash covers every file the run read (the solution, the
 * exercise's given code and tests, the list of equivalent mutants), so that a plain {@code verify} can tell when
 * the tests or the solution changed after the last run. The text of the tests' {@code @Hint} annotations is left out
 * of the hash: a hint cannot change which mutants the tests kill, so rewording one does not call for a new run.
 */
public record MutationSummary(double score, int mutants, int killed, int survived, int noCoverage, int equivalent,
                              LocalDate date, String mutators, String hash) {

    public static final String FILE = "mutation.properties";
    public static final String EQUIVALENTS = "equivalent-mutants.txt";

    public static Path file(Path solutionDir) { return solutionDir.resolve(FILE); }

    public static Optional<MutationSummary> read(Path solutionDir) {
        Path file = file(solutionDir);
        if (!Files.isRegularFile(file)) return Optional.empty();
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
            return Optional.of(new MutationSummary(Double.parseDouble(p.getProperty("score")),
                Integer.parseInt(p.getProperty("mutants")), Integer.parseInt(p.getProperty("killed")),
                Integer.parseInt(p.getProperty("survived")), Integer.parseInt(p.getProperty("noCoverage")),
                Integer.parseInt(p.getProperty("equivalent")), LocalDate.parse(p.getProperty("date")),
                p.getProperty("mutators"), p.getProperty("hash")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }

    public void write(Path solutionDir) {
        // Written by hand rather than with Properties.store, which adds a timestamp line that changes on every run.
        String text = String.format(java.util.Locale.ROOT, """
            # The last mutation run of this exercise (./jbang verify --mutation). Do not edit: verify compares the hash
            # with the solution, the exercise's tests and equivalent-mutants.txt, and fails when they changed since.
            score=%.1f
            mutants=%d
            killed=%d
            survived=%d
            noCoverage=%d
            equivalent=%d
            date=%s
            mutators=%s
            hash=%s
            """, score, mutants, killed, survived, noCoverage, equivalent, date, mutators, hash);
        try (Writer out = Files.newBufferedWriter(file(solutionDir), StandardCharsets.UTF_8)) {
            out.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A hash of the files a mutation run reads: names and contents, in name order, then the equivalents list. The
     * arguments of {@code @Hint(...)} annotations do not count (see {@link #withoutHintText}); everything else does.
     */
    public static String hashOf(Map<String, Path> sources, Path solutionDir) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Map<String, Path> files = new TreeMap<>(sources);
            Path equivalents = solutionDir.resolve(EQUIVALENTS);
            if (Files.isRegularFile(equivalents)) files.put(EQUIVALENTS, equivalents);
            for (var entry : files.entrySet()) {
                sha.update(entry.getKey().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                // Line endings as git may check them out on Windows do not change what the code means.
                String text = Files.readString(entry.getValue()).replace("\r\n", "\n");
                if (entry.getKey().endsWith(".java")) text = withoutHintText(text);
                sha.update(text.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The Java source with the arguments of every {@code @Hint} (or {@code @kit.Hint}) annotation left out:
     * {@code @Hint({"a", "b"})} becomes {@code @Hint()}. Comments, strings, text blocks and character literals are
     * read as Java reads them, so a parenthesis or an "@Hint" inside them changes nothing; the annotation itself,
     * and every other character of the file, stays.
     */
    static String withoutHintText(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            int skipped = skipCommentOrLiteral(source, i);
            if (skipped > i) {
                out.append(source, i, skipped);
                i = skipped;
                continue;
            }
            int args = hintArguments(source, i);
            if (args < 0) {
                out.append(source.charAt(i++));
                continue;
            }
            out.append(source, i, args).append("()");   // "@Hint" and any space before its "("
            int depth = 0;
            int j = args;
            while (j < n) {
                int after = skipCommentOrLiteral(source, j);
                if (after > j) {
                    j = after;
                    continue;
                }
                char c = source.charAt(j++);
                if (c == '(') depth++;
                else if (c == ')' && --depth == 0) break;
            }
            i = j;
        }
        return out.toString();
    }

    /** Where the "(" of a Hint annotation starting at {@code i} is, or -1 when no such annotation starts there. */
    private static int hintArguments(String s, int i) {
        if (s.charAt(i) != '@' || (i > 0 && Character.isJavaIdentifierPart(s.charAt(i - 1)))) return -1;
        int j = i + 1;
        if (s.startsWith("kit.", j)) j += 4;
        if (!s.startsWith("Hint", j)) return -1;
        j += 4;
        if (j < s.length() && Character.isJavaIdentifierPart(s.charAt(j))) return -1;   // @HintFor, say
        while (j < s.length() && Character.isWhitespace(s.charAt(j))) j++;
        return j < s.length() && s.charAt(j) == '(' ? j : -1;
    }

    /** The index after the comment, string, text block or character literal starting at {@code i}; {@code i} if none does. */
    private static int skipCommentOrLiteral(String s, int i) {
        int n = s.length();
        if (s.startsWith("//", i)) {
            int end = s.indexOf('\n', i);
            return end < 0 ? n : end;
        }
        if (s.startsWith("/*", i)) {
            int end = s.indexOf("*/", i + 2);
            return end < 0 ? n : end + 2;
        }
        if (s.startsWith("\"\"\"", i)) return closing(s, i + 3, "\"\"\"");
        if (s.charAt(i) == '"') return closing(s, i + 1, "\"");
        if (s.charAt(i) == '\'') return closing(s, i + 1, "'");
        return i;
    }

    /** The index after {@code quote} closing a literal whose content starts at {@code from}, skipping escapes. */
    private static int closing(String s, int from, String quote) {
        int j = from;
        while (j < s.length()) {
            if (s.charAt(j) == '\\') j += 2;
            else if (s.startsWith(quote, j)) return j + quote.length();
            else j++;
        }
        return s.length();
    }
}
