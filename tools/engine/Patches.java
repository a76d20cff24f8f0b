package engine;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.PatchFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Applies a unified diff to a source file, writing the result where the compiler can read it. */
final class Patches {
    private static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "workbook-patched-" + ProcessHandle.current().pid());

    private Patches() {}

    /** The patched file, named like the original (javac wants a public class in a file of its name). */
    static Path apply(Path original, Path diff) {
        try {
            List<String> lines = Files.readAllLines(original, StandardCharsets.UTF_8);
            var patch = UnifiedDiffUtils.parseUnifiedDiff(Files.readAllLines(diff, StandardCharsets.UTF_8));
            List<String> patched = DiffUtils.patch(lines, patch);
            String text = String.join("\n", patched) + "\n";
            Path out = DIR.resolve(hash(text)).resolve(original.getFileName());
            if (!Files.exists(out)) {
                Files.createDirectories(out.getParent());
                Files.writeString(out, text, StandardCharsets.UTF_8);
                out.toFile().deleteOnExit();
                out.getParent().toFile().deleteOnExit();
            }
            return out;
        } catch (PatchFailedException e) {
            throw new IllegalStateException(diff + " no longer applies to " + original + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
