package engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;

/** Folders the tools make and throw away: one way to delete them, safe where a student could have written. */
public final class Folders {
    private Folders() {}

    /**
     * Deletes a folder and everything in it, never following a link, even one that replaces a folder while this
     * runs: each folder is opened once (a {@link SecureDirectoryStream}, openat and unlinkat on Linux) and what is in
     * it is deleted relative to it. A link is deleted, never what it points to. Best effort: what cannot be deleted
     * is left.
     */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                    if (stream instanceof SecureDirectoryStream<Path> secure) deleteContents(secure);
                    else deleteContentsByPath(dir);
                }
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // best effort: a temp folder left behind is not worth failing a run over
        }
    }

    private static void deleteContents(SecureDirectoryStream<Path> folder) throws IOException {
        for (Path entry : folder) {
            Path name = entry.getFileName();
            try {
                var attributes = folder.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
                if (attributes.isDirectory()) {
                    try (SecureDirectoryStream<Path> inner = folder.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                        deleteContents(inner);
                    }
                    folder.deleteDirectory(name);
                } else {
                    folder.deleteFile(name);
                }
            } catch (IOException e) {
                // swapped meanwhile, or not ours to delete: the rest still goes
            }
        }
    }

    /** Where the file system has no secure streams: a walk that does not follow links. */
    private static void deleteContentsByPath(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (!d.equals(dir)) Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

}
