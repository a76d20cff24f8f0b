package kit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for the state a story needs (every request thread busy, a message arrived, a breaker open), with a
 * deadline. Never a fixed sleep: on a busy laptop the state comes later than on the machine a sleep was tuned on.
 */
public final class Await {
    private Await() {}

    /** Polls {@code condition} until it holds or {@code deadline} has passed; says whether it held. */
    public static boolean until(BooleanSupplier condition, Duration deadline) throws InterruptedException {
        long until = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - until > 0) return false;
            Thread.sleep(1);
        }
        return true;
    }
}
