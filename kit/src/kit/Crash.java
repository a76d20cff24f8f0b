package kit;

/**
 * A service's process dying mid-flight, for the lessons that tell what a crash leaves behind (11, 12): the story
 * closes the service's {@link Database} and throws {@link Crashed} where the process dies, runs the work
 * {@link #untilTheCrash until the crash}, and goes on as the restarted service (the database reopened).
 *
 * <pre>{@code
 * untilTheCrash(() -> placeOrder("o-1", () -> { orders.close(); throw new Crashed(); }));
 * orders = orders.reopen();   // the restart: committed rows are there, the rest is gone
 * }</pre>
 */
public final class Crash {
    private Crash() {}

    /** Work that may end in the crash (or throw anything else). */
    public interface Action { void run() throws Exception; }

    /** Thrown where the process dies: nothing after it in that call runs. No stack trace: it is the story, not a bug. */
    public static final class Crashed extends RuntimeException {
        public Crashed() { super("the process died", null, false, false); }
    }

    /** Runs the work until the process dies in it: what comes after is the restarted service. */
    public static void untilTheCrash(Action action) throws Exception {
        try {
            action.run();
        } catch (Crashed expected) {
            // the story goes on after the restart
        }
    }
}
