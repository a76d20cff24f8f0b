package workbook;

import kit.Style;
import kit.Terminal;

/**
 * What a check is doing while the learner waits ("compiling", the test running now), as one dim line redrawn in
 * place on a terminal and erased before the verdict; nothing at all in a pipe, where nobody watches it.
 */
final class LiveLine {
    private final boolean terminal = Terminal.interactive();
    private int shown;

    synchronized void show(String what) {
        if (!terminal) return;
        String line = "  … " + (what.length() > 100 ? what.substring(0, 99) + "…" : what);
        System.out.print("\r" + Style.dim(line) + " ".repeat(Math.max(0, shown - line.length())));
        System.out.flush();
        shown = line.length();
    }

    synchronized void clear() {
        if (shown == 0) return;
        System.out.print("\r" + " ".repeat(shown) + "\r");
        System.out.flush();
        shown = 0;
    }
}
