package cqrs;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Given: how far the projection has come, for the queries that wait for it. The projector tells it each position
 * it has committed ({@link #reached}); a query that must show a write waits for that write's version
 * ({@link #awaitAtLeast}). No polling, no sleeping: a waiting query wakes when the projection gets there.
 */
public final class ProjectionProgress {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private final Condition someoneWaits = lock.newCondition();
    private long position;
    private int waiting;

    /** @param position where the projection is now: its saved checkpoint */
    public ProjectionProgress(long position) {
        this.position = position;
    }

    /** The projection has committed every event up to {@code position}. Wakes the queries waiting for it. */
    public void reached(long position) {
        lock.lock();
        try {
            if (position > this.position) {
                this.position = position;
                advanced.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The position the projection has reached. */
    public long position() {
        lock.lock();
        try {
            return position;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the projection has reached {@code version}, for {@code timeout} at most.
     * @return true when it has (at once, if it already had), false when the time ran out first
     */
    public boolean awaitAtLeast(long version, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            if (position >= version) return true;
            waiting++;
            someoneWaits.signalAll();
            try {
                return awaitUntil(advanced, () -> position >= version, timeout);
            } finally {
                waiting--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many queries are waiting right now. */
    public int waiting() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /**
     * For tests and the lesson: blocks until at least {@code queries} queries are waiting, for {@code timeout} at
     * most, so the caller knows a query is parked before it lets the projection move on.
     */
    public boolean awaitWaiting(int queries, Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            return awaitUntil(someoneWaits, () -> waiting >= queries, timeout);
        } finally {
            lock.unlock();
        }
    }

    /** With the lock held: waits on {@code signal} until {@code done}, or until the timeout runs out (false). */
    private static boolean awaitUntil(Condition signal, BooleanSupplier done, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (nanos <= 0) return false;
            nanos = signal.awaitNanos(nanos);
        }
        return true;
    }
}
