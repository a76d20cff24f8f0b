package kit;

import java.time.Duration;

/**
 * Waiting, made injectable. Production code sleeps for real ({@link #REAL}); tests pass a
 * {@link RecordingSleeper} that notes each wait and moves a {@link ManualClock} instead.
 */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;

    Sleeper REAL = duration -> Thread.sleep(duration);
}
