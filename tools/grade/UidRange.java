package grade;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * This grader's range of user ids, reserved for as long as it runs. Two graders at once must never hand the same id
 * to two students: one student could then read the other's files, and the clean-up that ends a student's processes
 * would end the other's too. A range is held by a lock on its own file in a folder only root may write; the
 * operating system releases the lock when the grader ends, however it ends, so a crash leaves nothing to clean up.
 */
final class UidRange {
    /** How many ranges of {@link #SIZE} ids fit above {@link Sandbox#UID_BASE} in a positive int. */
    static final int RANGES = 20_000;
    static final int SIZE = 10_000;
    private static final Path LOCKS = Path.of("/run/workbook-grade");

    private static FileChannel held;   // kept open: closing it would release the lock
    private static int reserved = -1;

    private UidRange() {}

    /** The first id offset of this grader's range (0, 10,000, ...), reserved on the first call. */
    static synchronized int offset() throws IOException {
        if (reserved >= 0) return reserved;
        Files.createDirectories(LOCKS, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (!Files.isDirectory(LOCKS, LinkOption.NOFOLLOW_LINKS)
                || !Integer.valueOf(0).equals(Files.getAttribute(LOCKS, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                || !PosixFilePermissions.toString(Files.getPosixFilePermissions(LOCKS, LinkOption.NOFOLLOW_LINKS)).equals("rwx------")) {
            throw new IOException(LOCKS + " must be a folder of root's alone (rwx------): it holds the graders' user id ranges");
        }
        int first = (int) (ProcessHandle.current().pid() % RANGES);   // where a lone grader starts, as before
        for (int i = 0; i < RANGES; i++) {
            int range = (first + i) % RANGES;
            FileChannel channel = FileChannel.open(LOCKS.resolve(range + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                held = channel;
                reserved = range * SIZE;
                return reserved;
            }
            channel.close();   // another grader's range
        }
        throw new IOException("every range of user ids is taken by a grader running now");
    }
}
