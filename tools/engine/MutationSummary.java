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
 * the tests or the solution changed after the last run.
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

    /** A hash of the files a mutation run reads: names and contents, in name order, then the equivalents list. */
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
                sha.update(Files.readString(entry.getValue()).replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
