package kit;

import java.io.Console;

/** What kind of output we are writing to: a person at a terminal, or a pipe, a file or CI. */
public final class Terminal {
    private Terminal() {}

    /** True when a person can answer: stdin and stdout are both a terminal. */
    public static boolean interactive() {
        Console console = System.console();
        if (console == null) return false;
        // From JDK 22 on, System.console() exists even when redirected; isTerminal() tells the truth.
        try {
            return (boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException olderJdk) {
            return true; // JDK 21 returns a console only for a terminal
        }
    }

    /** Colour on a terminal, never when NO_COLOR is set (https://no-color.org) or output is redirected. */
    public static boolean colour() {
        String noColor = System.getenv("NO_COLOR");
        return (noColor == null || noColor.isEmpty()) && interactive();
    }
}
