package workbook;

import java.io.IOException;
import java.util.function.IntConsumer;
import kit.Terminal;

/**
 * Single keys from the terminal, without Enter (h for a hint, Enter to move on, q to quit): the terminal is put in
 * character mode with stty while watch runs, and put back as it was when watch ends, by Ctrl-C too.
 */
final class Keys implements AutoCloseable {
    private final String saved;

    private Keys(String saved) { this.saved = saved; }

    /** Starts telling {@code onKey} each key pressed; on no terminal (a pipe, CI), tells nothing. */
    static Keys listen(IntConsumer onKey) {
        if (!Terminal.interactive()) return new Keys(null);
        String saved = stty("-g").strip();
        if (saved.isEmpty()) return new Keys(null);
        stty("-icanon -echo min 1");
        Keys keys = new Keys(saved);
        Runtime.getRuntime().addShutdownHook(new Thread(keys::close));
        Thread.ofPlatform().daemon().name("watch-keys").start(() -> {
            try {
                for (int key; (key = System.in.read()) >= 0; ) onKey.accept(key);
            } catch (IOException closed) {
                // no more keys
            }
        });
        return keys;
    }

    @Override
    public synchronized void close() {
        if (saved != null) stty(saved);
    }

    /** Runs stty on the terminal itself (not on a pipe) and returns what it printed; "" where there is no stty. */
    private static String stty(String arguments) {
        try {
            Process p = new ProcessBuilder("sh", "-c", "stty " + arguments + " < /dev/tty").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor() == 0 ? out : "";
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }
}
