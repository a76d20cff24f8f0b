package kit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when told to. Tests and lessons inject it wherever code asks for the time,
 * so "thirty seconds later" takes no time at all and happens the same way on every run.
 */
public final class ManualClock extends Clock implements InstantSource {
    /** An arbitrary, fixed starting point, so printed times are the same on every run. */
    public static final Instant EPOCH = Instant.parse("2026-01-05T09:00:00Z");

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    public ManualClock() { this(EPOCH); }

    public ManualClock(Instant start) { this(new AtomicReference<>(start), ZoneOffset.UTC); }

    private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    public void advance(Duration by) {
        if (by.isNegative()) throw new IllegalArgumentException("time does not go backwards: " + by);
        now.updateAndGet(t -> t.plus(by));
    }

    public void advanceMillis(long millis) { advance(Duration.ofMillis(millis)); }

    public void set(Instant to) { now.set(to); }

    /** Time passed since {@link #EPOCH}, handy for printing "t+1500ms". */
    public Duration elapsed() { return Duration.between(EPOCH, instant()); }

    @Override public Instant instant() { return now.get(); }
    @Override public ZoneId getZone() { return zone; }
    @Override public ManualClock withZone(ZoneId zone) { return new ManualClock(now, zone); }
    @Override public String toString() { return "ManualClock[" + instant() + "]"; }
}
