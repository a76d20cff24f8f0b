package grade;

import java.io.PrintStream;

/** On a terminal, one line redrawn in place (a bar, students done, ETA); elsewhere, one plain line per student. */
final class ProgressLine {
    private final PrintStream out;
    private final boolean terminal;
    private final int total;
    private final long start = System.nanoTime();
    private int done;
    private int lastWidth;

    ProgressLine(PrintStream out, int total) {
        this.out = out;
        this.total = total;
        this.terminal = System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
    }

    synchronized void studentDone(String line) {
        done++;
        if (terminal) {
            clear();
            out.println(line);
            draw();
        } else {
            out.println("[" + done + "/" + total + "] " + line);
        }
        out.flush();
    }

    synchronized void message(String line) {
        if (terminal) clear();
        out.println(line);
        if (terminal && done < total) draw();
        out.flush();
    }

    synchronized void finish() {
        if (terminal) clear();
        out.flush();
    }

    private void draw() {
        if (done >= total) return;
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        double elapsed = (System.nanoTime() - start) / 1e9;
        String eta = done == 0 ? "" : " · about " + duration(elapsed / done * (total - done)) + " left";
        String line = "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total + " students · " + duration(elapsed) + eta;
        out.print("\r" + line);
        lastWidth = line.length();
    }

    private void clear() {
        if (lastWidth > 0) out.print("\r" + " ".repeat(lastWidth) + "\r");
        lastWidth = 0;
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : (s / 60) + " min " + (s % 60) + " s";
    }
}
