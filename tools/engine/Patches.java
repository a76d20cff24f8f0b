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
    private Patches() {}

    /**
     * Made on first use with an unpredictable name and mode 700: a name someone else can guess in a shared /tmp
     * could be made there first, as a link to somewhere this program would then write.
     */
    private static final class Folder {
        static final Path DIR = create();

        private static Path create() {
            try {
                Path dir = Files.createTempDirectory("workbook-patched-");
                dir.toFile().deleteOnExit();
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The patched file, named like the original (javac wants a public class in a file of its name). */
    static Path apply(Path original, Path diff) {
        try {
            List<String> lines = Files.readAllLines(original, StandardCharsets.UTF_8);
            var patch = UnifiedDiffUtils.parseUnifiedDiff(Files.readAllLines(diff, StandardCharsets.UTF_8));
            List<String> patched = DiffUtils.patch(lines, patch);
            String text = String.join("\n", patched) + "\n";
            Path out = Folder.DIR.resolve(hash(text)).resolve(original.getFileName());
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
