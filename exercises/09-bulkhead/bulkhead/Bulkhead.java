package bulkhead;

import java.util.function.Supplier;

/*
 * Lesson 09 · Bulkhead
 *
 * Shipping's quotes have turned slow: each one now takes seconds. Customers keep asking, every quote holds a
 * thread of the gateway while it waits, and soon no thread is left for anything else: checkout, which only
 * needs payments (fast and healthy), fails too. A bulkhead per dependency caps how many calls may be inside
 * that dependency at once. Shipping gets a few places, payments its own, and a quote that finds shipping's
 * places all taken is turned away at once instead of taking the gateway down with it.
 *
 * Write the bulkhead here: config.maxConcurrentCalls() permits; a call takes one before it runs, waiting at most
 * config.maxWaitDuration() for it, and gives it back when it ends, however it ends. No permit in time:
 * BulkheadFull, and the call never runs. Then Bulkheads.java (one bulkhead per dependency) and Guard.java
 * (what the gateway answers). Check your work with: ./jbang workbook check 09
 */
public final class Bulkhead {
    private final String name;
    private final BulkheadConfig config;

    // Your state goes here: the permits. java.util.concurrent has a class that counts them for you.

    public Bulkhead(String name, BulkheadConfig config) {
        this.name = name;
        this.config = config;
    }

    /** The dependency this bulkhead guards, for example "shipping". */
    public String name() { return name; }

    public BulkheadConfig config() { return config; }

    /**
     * Runs the call once it has a permit, and returns its result or rethrows its exception unchanged.
     * <ul>
     *   <li>A permit is free: take it, and run the call.</li>
     *   <li>None is free: wait for one, at most maxWaitDuration (zero: do not wait at all). None came in time:
     *       throw BulkheadFull, without running the call. An interrupted wait is no permit either: throw
     *       BulkheadFull, and set the thread's interrupt flag again.</li>
     *   <li>The call ends, by returning or by throwing: give its permit back. Only a permit that was taken goes
     *       back; a rejected call took none.</li>
     * </ul>
     * Many requests share one bulkhead, each on its own thread, and the calls run at the same time: nothing may
     * make one call wait for another's to finish.
     */
    public <T> T call(Supplier<T> call) {
        throw new UnsupportedOperationException("TODO: take a permit (waiting at most maxWaitDuration, else BulkheadFull), run the call, give the permit back however it ends");
    }

    /** How many permits are taken now: the calls running inside the bulkhead at this moment. */
    public int inUse() {
        throw new UnsupportedOperationException("TODO: return how many permits are taken now");
    }
}
