package bulkhead;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A semaphore bulkhead with Resilience4j's semantics: maxConcurrentCalls permits, a bounded wait for one, and
 * every permit that was taken given back in a finally block. No lock is held while a call runs.
 */
public final class Bulkhead {
    private final String name;
    private final BulkheadConfig config;
    /** Fair: when permits are scarce, calls that waited longest get them first. */
    private final Semaphore permits;

    public Bulkhead(String name, BulkheadConfig config) {
        this.name = name;
        this.config = config;
        this.permits = new Semaphore(config.maxConcurrentCalls(), true);
    }

    public String name() { return name; }

    public BulkheadConfig config() { return config; }

    public <T> T call(Supplier<T> call) {
        acquirePermit();               // outside the try: a call that got no permit must not give one back
        try {
            return call.get();
        } finally {
            permits.release();         // by return or by exception
        }
    }

    public int inUse() {
        return config.maxConcurrentCalls() - permits.availablePermits();
    }

    private void acquirePermit() {
        boolean acquired;
        try {
            acquired = permits.tryAcquire(config.maxWaitDuration().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // whoever interrupted us still needs to know
            acquired = false;
        }
        if (!acquired) throw new BulkheadFull(name);
    }
}
