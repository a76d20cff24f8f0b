package kit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A sleeper that returns at once, remembers every wait, and moves the manual clock by it. */
public final class RecordingSleeper implements Sleeper {
    private final ManualClock clock;
    private final List<Duration> sleeps = new ArrayList<>();

    public RecordingSleeper(ManualClock clock) { this.clock = clock; }

    @Override
    public synchronized void sleep(Duration duration) {
        if (duration.isNegative()) throw new IllegalArgumentException("cannot sleep a negative time: " + duration);
        sleeps.add(duration);
        clock.advance(duration);
    }

    public synchronized List<Duration> sleeps() { return List.copyOf(sleeps); }

    public synchronized Duration total() { return sleeps.stream().reduce(Duration.ZERO, Duration::plus); }
}
