package grade;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the first {@code limit} bytes written to it and counts the rest, so that a flood of output costs
 * neither memory nor disk, and the feedback can still show how it began.
 */
final class BoundedOutput extends OutputStream {
    private final int limit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long dropped;

    BoundedOutput(int limit) { this.limit = limit; }

    @Override
    public synchronized void write(int b) {
        if (kept.size() < limit) kept.write(b);
        else dropped++;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int room = Math.max(0, Math.min(len, limit - kept.size()));
        kept.write(b, off, room);
        dropped += len - room;
    }

    synchronized void reset() {
        kept.reset();
        dropped = 0;
    }

    synchronized String text() {
        String s = kept.toString(StandardCharsets.UTF_8);
        return dropped == 0 ? s : s + "\n[... " + human(dropped) + " more output not kept]";
    }

    static String human(long bytes) {
        if (bytes < 10_000) return bytes + " bytes";
        if (bytes < 10_000_000) return (bytes / 1000) + " kB";
        return (bytes / 1_000_000) + " MB";
    }
}
