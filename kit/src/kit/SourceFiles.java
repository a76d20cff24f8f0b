package kit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The .java files of a folder of sources, at any depth: an exercise is either flat (exercises/11-outbox/Relay.java,
 * as older clones and submissions have it) or in package folders (exercises/11-outbox/outbox/Relay.java, which
 * Eclipse and VS Code need). Links are never followed (a student's submission is walked with this too), and build
 * output (target/, which Maven and the IDEs write) and hidden folders (.idea, .settings) are skipped.
 */
public final class SourceFiles {
    /** Far deeper than any package: a bound for what a student's submission could nest. */
    private static final int MAX_DEPTH = 8;

    private SourceFiles() {}

    /** The regular .java files under {@code dir}, sorted by file name (then by folder), so the order is the flat layout's. */
    public static List<Path> in(Path dir) {
        List<Path> found = new ArrayList<>();
        walk(dir, (file, attrs) -> {
            if (attrs.isRegularFile() && file.getFileName().toString().endsWith(".java")) found.add(file);
        });
        found.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).thenComparing(Path::toString));
        return found;
    }

    /**
     * The same files keyed by file name, as the tools lay versions of an exercise over each other (a solution's
     * file replaces the stub's file of the same name, wherever it lives). Two files of one name are refused: which
     * one the learner meant cannot be guessed.
     */
    public static Map<String, Path> byName(Path dir) {
        Map<String, Path> byName = new LinkedHashMap<>();
        for (Path file : in(dir)) {
            Path before = byName.putIfAbsent(file.getFileName().toString(), file);
            if (before != null) {
                throw new IllegalArgumentException(dir + " holds two files named " + file.getFileName() + " (" + dir.relativize(before)
                    + " and " + dir.relativize(file) + "): keep one");
            }
        }
        return byName;
    }

    /** {@code dir} and the folders under it that sources may be in (to watch them for saves). */
    public static List<Path> folders(Path dir) {
        List<Path> found = new ArrayList<>();
        walk(dir, (folder, attrs) -> {
            if (attrs.isDirectory()) found.add(folder);
        });
        return found;
    }

    private interface Visitor {
        void visit(Path path, BasicFileAttributes attrs);
    }

    private static void walk(Path dir, Visitor visitor) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            Files.walkFileTree(dir, Set.of(), MAX_DEPTH, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attrs) {
                    if (!folder.equals(dir) && skipped(folder.getFileName().toString())) return FileVisitResult.SKIP_SUBTREE;
                    visitor.visit(folder, attrs);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    visitor.visit(file, attrs);   // attrs of the link itself: a link is neither a regular file nor a folder
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;   // unreadable: as if it were not there
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean skipped(String folderName) {
        return folderName.equals("target") || folderName.startsWith(".");
    }
}
