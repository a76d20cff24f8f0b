package bulkhead;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bulkhead on its own. Slow calls are held inside it by a latch the test opens, never by time: "two slow
 * quotes" are two calls that wait until the test lets them go. Nothing here waits for time to pass; only a
 * bulkhead that blocks where it should not makes a test wait, 5 s at most, before it fails.
 */
@DisplayName("09 · A bulkhead per dependency")
class BulkheadTest {
    /** The numbers most tests use: two places, and no waiting for one. */
    private static final BulkheadConfig TWO_AT_ONCE = BulkheadConfig.rejectingAtOnce(2);
    private static final long GUARD_SECONDS = 5;
    /** A held call ends by itself after this long, should a test fail before it lets the call go (it always does after). */
    private static final long HELD_AT_MOST_SECONDS = 20;

    private final List<Held> held = new ArrayList<>();
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void letEverythingGo() {
        held.forEach(Held::release);
        callers.shutdownNow();
    }

    // ---- one bulkhead ----

    @Test
    @DisplayName("A call with a free permit runs, its value comes back unchanged, and it holds one permit while it runs")
    @Hint({"Read 'The pattern' in the lesson's README. What does a call take before it starts, and give back when it ends?",
           "A bulkhead is a counter of permits around the call: a call takes one before it runs and gives it back when it ends. inUse() is how many are taken right now.",
           "Last hint: a java.util.concurrent.Semaphore with maxConcurrentCalls permits: tryAcquire(...) takes one, release() gives it back, availablePermits() says how many are free."})
    void runsTheCall() {
        var bulkhead = new Bulkhead("shipping", BulkheadConfig.rejectingAtOnce(3));
        var inUseDuringTheCall = new AtomicInteger(-1);

        var outcome = attempt(() -> bulkhead.call(() -> {
            inUseDuringTheCall.set(bulkhead.inUse());
            return "4.90 EUR";
        }));

        assertThat(outcome.value()).withFailMessage("with every permit free, the call should run and return \"4.90 EUR\", but %s", outcome).isEqualTo("4.90 EUR");
        assertThat(inUseDuringTheCall.get()).withFailMessage("while the only call runs, inUse() should be 1 (of 3 permits), but was %d", inUseDuringTheCall.get()).isEqualTo(1);
        assertThat(bulkhead.inUse()).withFailMessage("after the call, its permit should be back: inUse() should be 0, but was %d", bulkhead.inUse()).isZero();
    }

    @Test
    @Points(2)
    @DisplayName("Two slow calls hold both permits: they run at the same time, and inUse() says 2")
    @Hint({"Two calls both wait for shipping. How many permits do they hold, and can they run at the same time?",
           "A call keeps its permit for as long as it runs. The bulkhead limits calls; it must not serialize them, so no lock is held while a call runs.",
           "Last hint: take the permit before call.get() and give it back after it; no synchronized around call.get()."})
    void slowCallsHoldThePermits() {
        var bulkhead = new Bulkhead("shipping", TWO_AT_ONCE);

        var slow = hold(bulkhead, 2);

        assertThat(slow.inside()).withFailMessage("with 2 permits, two slow calls should both be running at the same time, but %s", slow).isEqualTo(2);
        assertThat(bulkhead.inUse()).withFailMessage("two calls are running inside a bulkhead of 2: inUse() should be 2, but was %d", bulkhead.inUse()).isEqualTo(2);
    }

    @Test
    @Points(3)
    @DisplayName("With every permit held and no wait allowed, the next call is rejected at once with BulkheadFull, and never runs")
    @Hint({"Read 'Fail fast: reject, do not queue' in the lesson's README. Which Semaphore method never waits, or waits at most a timeout?",
           "A full bulkhead answers at once, without making the call. With maxWaitDuration zero, a call that finds no free permit does not wait at all: it is BulkheadFull.",
           "Last hint: if (!permits.tryAcquire(config.maxWaitDuration().toNanos(), TimeUnit.NANOSECONDS)) throw new BulkheadFull(name); before call.get(). acquire() would wait for ever."})
    void rejectsAtOnceWhenFull() {
        var bulkhead = new Bulkhead("shipping", TWO_AT_ONCE);
        var slow = hold(bulkhead, 2);
        var ran = new AtomicBoolean();

        var third = attempt(() -> bulkhead.call(() -> {
            ran.set(true);
            return "4.90 EUR";
        }));

        assertThat(third.thrown()).withFailMessage("both permits are held by slow calls (%s) and maxWaitDuration is 0: a third call should be rejected at once with BulkheadFull, but %s",
            slow, third).isInstanceOf(BulkheadFull.class);
        assertThat(((BulkheadFull) third.thrown()).bulkhead()).withFailMessage("BulkheadFull should name the bulkhead \"shipping\", but named %s",
            ((BulkheadFull) third.thrown()).bulkhead()).isEqualTo("shipping");
        assertThat(ran).withFailMessage("a rejected call must never run: the peer must not hear of it").isFalse();
        assertThat(bulkhead.inUse()).withFailMessage("the two slow calls still hold their 2 permits: inUse() should be 2, but was %d", bulkhead.inUse()).isEqualTo(2);
    }

    @Test
    @Points(2)
    @DisplayName("When the slow calls end, their permits come back: inUse() is 0, and two calls fit at once again")
    @Hint({"When a call ends, where does its permit go?",
           "Every permit taken must be given back when its call ends, so the next calls fit again.",
           "Last hint: permits.release() after call.get(), in a finally block."})
    void permitsComeBack() {
        var bulkhead = new Bulkhead("shipping", TWO_AT_ONCE);
        var first = hold(bulkhead, 2);

        first.finish();

        assertThat(bulkhead.inUse()).withFailMessage("both slow calls have ended: inUse() should be 0, but was %d", bulkhead.inUse()).isZero();
        var second = hold(bulkhead, 2);
        assertThat(second.inside()).withFailMessage("after the first two calls ended, two new calls should fit at once, but %s", second).isEqualTo(2);
    }

    @Test
    @Points(3)
    @DisplayName("A call that throws gives its permit back, and its exception reaches the caller unchanged")
    @Hint({"Read 'Every permit comes back' in the lesson's README. What happens to the permit of a call that throws?",
           "A call that throws must give its permit back like one that returned. Otherwise every failure shrinks the bulkhead, until it rejects everything. The exception itself goes to the caller unchanged.",
           "Last hint: try { return call.get(); } finally { permits.release(); }: no catch that releases and then a finally that releases again."})
    void exceptionGivesThePermitBack() {
        var bulkhead = new Bulkhead("shipping", TWO_AT_ONCE);
        var shippingIsDown = new IllegalStateException("shipping answered 503");

        for (int i = 1; i <= 3; i++) {
            var outcome = attempt(() -> bulkhead.call(() -> { throw shippingIsDown; }));
            int n = i;
            assertThat(outcome.thrown()).withFailMessage("failing call %d of 3 should run and throw its own exception (the same IllegalStateException, unchanged), but %s "
                + "(with 2 permits, a permit that a failed call kept shows up at the third call)", n, outcome).isSameAs(shippingIsDown);
        }
        assertThat(bulkhead.inUse()).withFailMessage("after 3 calls that threw, every permit should be back: inUse() should be 0, but was %d", bulkhead.inUse()).isZero();

        var slow = hold(bulkhead, 3);
        assertThat(slow.inside()).withFailMessage("after the failures the bulkhead should still hold exactly 2 calls at once: 3 slow calls should give 2 inside and 1 rejected, but %s",
            slow).isEqualTo(2);
    }

    @Test
    @Points(3)
    @DisplayName("Rejected calls give back nothing: after five rejections, still only two calls fit at once")
    @Hint({"A rejected call never got a permit. Does your code give one back anyway? ('Every permit comes back' in the lesson's README.)",
           "A call that was rejected took no permit and must give none back. Otherwise each rejection adds a permit, until the bulkhead limits nothing.",
           "Last hint: take the permit before the try whose finally gives it back: if (!permits.tryAcquire(...)) throw new BulkheadFull(name); try { return call.get(); } finally { permits.release(); }"})
    void rejectionsGiveNothingBack() {
        var bulkhead = new Bulkhead("shipping", TWO_AT_ONCE);
        var slow = hold(bulkhead, 2);

        for (int i = 1; i <= 5; i++) {
            var ran = new AtomicBoolean();
            var outcome = attempt(() -> bulkhead.call(() -> {
                ran.set(true);
                return "4.90 EUR";
            }));
            int n = i;
            assertThat(outcome.thrown()).withFailMessage("both permits are held: call %d of 5 should be rejected with BulkheadFull, but %s "
                + "(did an earlier rejected call give back a permit it never took?)", n, outcome).isInstanceOf(BulkheadFull.class);
            assertThat(ran).withFailMessage("call %d was rejected, and must not have run", n).isFalse();
        }
        assertThat(bulkhead.inUse()).withFailMessage("5 rejections later, the 2 slow calls still hold the 2 permits: inUse() should be 2, but was %d", bulkhead.inUse()).isEqualTo(2);

        slow.finish();
        var again = hold(bulkhead, 3);
        assertThat(again.inside()).withFailMessage("the bulkhead has 2 permits, however many calls were rejected: 3 slow calls should give 2 inside and 1 rejected, but %s",
            again).isEqualTo(2);
    }

    @Test
    @Points(2)
    @DisplayName("With maxWaitDuration 30 s, a call that finds the bulkhead full waits, and runs as soon as a permit is freed")
    @Hint({"What is maxWaitDuration for? Here it is 30 s. ('Fail fast: reject, do not queue' in the lesson's README.)",
           "maxWaitDuration is how long a call may wait for a permit. A call that finds the bulkhead full waits up to that long, and runs as soon as a permit is freed.",
           "Last hint: permits.tryAcquire(config.maxWaitDuration().toNanos(), TimeUnit.NANOSECONDS) waits up to the timeout; tryAcquire() without arguments never waits."})
    void waitsForAFreedPermit() {
        var bulkhead = new Bulkhead("shipping", new BulkheadConfig(1, Duration.ofSeconds(30)));
        var slow = hold(bulkhead, 1);
        var ran = new AtomicBoolean();

        var caller = new AtomicReference<Thread>();
        var waiting = callers.submit(() -> {
            caller.set(Thread.currentThread());
            return bulkhead.call(() -> {
                ran.set(true);
                return "4.90 EUR";
            });
        });
        boolean seenWaiting = waitsInsideTheBulkhead(caller, waiting);

        assertThat(waiting.isDone()).withFailMessage(() -> "the only permit is held and maxWaitDuration is 30 s: the call should wait for the permit, but it ended at once: "
            + Outcome.of(waiting)).isFalse();
        assertThat(ran).withFailMessage("the call is waiting for the permit, and must not run before it has one").isFalse();
        assertThat(seenWaiting).withFailMessage("the call should be waiting inside Bulkhead.call for a permit, but its thread was never seen waiting there").isTrue();

        slow.finish(); // the slow call ends, and gives its permit back

        var outcome = Outcome.of(waiting);
        assertThat(outcome.value()).withFailMessage("a permit was freed while the call waited (maxWaitDuration 30 s): it should have run and returned \"4.90 EUR\", but %s",
            outcome).isEqualTo("4.90 EUR");
    }

    @Test
    @DisplayName("A call interrupted while it waits for a permit gives up with BulkheadFull, and keeps its interrupt flag")
    @Hint({"What does a Semaphore's waiting method do when the thread is interrupted? (End of 'Fail fast: reject, do not queue' in the lesson's README.)",
           "An interrupt means someone wants this thread to stop: stop waiting and give up. Catching InterruptedException clears the flag, so set it again.",
           "Last hint: catch (InterruptedException e) { Thread.currentThread().interrupt(); throw new BulkheadFull(name); }"})
    void interruptedWaitGivesUp() {
        var bulkhead = new Bulkhead("shipping", new BulkheadConfig(1, Duration.ofSeconds(30)));
        hold(bulkhead, 1);
        var caller = new AtomicReference<Thread>();
        var flagAfterwards = new AtomicBoolean();
        var waiting = callers.submit(() -> {
            caller.set(Thread.currentThread());
            try {
                return bulkhead.call(() -> "4.90 EUR");
            } finally {
                flagAfterwards.set(Thread.currentThread().isInterrupted());
            }
        });
        assertThat(waitsInsideTheBulkhead(caller, waiting)).withFailMessage(() -> "the call should be waiting inside Bulkhead.call for the only permit (maxWaitDuration 30 s), but "
            + (waiting.isDone() ? Outcome.of(waiting) : "its thread was never seen waiting there")).isTrue();

        caller.get().interrupt();

        var outcome = Outcome.of(waiting);
        assertThat(outcome.thrown()).withFailMessage("the call was interrupted while it waited for a permit: it should give up with BulkheadFull, but %s", outcome)
            .isInstanceOf(BulkheadFull.class);
        assertThat(flagAfterwards).withFailMessage("after giving up, the thread's interrupt flag should still be set, so whoever interrupted it finds out; it was cleared").isTrue();
        assertThat(bulkhead.inUse()).withFailMessage("the interrupted call took no permit: inUse() should still be 1 (the slow call's), but was %d", bulkhead.inUse()).isEqualTo(1);
    }

    @Test
    @Points(2)
    @DisplayName("The limit is exact, whatever the size: with 3 permits, 2 held leave room for a third call, and 3 held reject a fourth")
    @Hint({"With 3 permits and 2 held, does a third call fit? Is the size of your semaphore the config's?",
           "maxConcurrentCalls is how many calls may run at once: just under it a call runs, at it the next is rejected. The size is the config's, not a number of your own.",
           "Last hint: new Semaphore(config.maxConcurrentCalls(), true), and inUse() is config.maxConcurrentCalls() - permits.availablePermits()."})
    void theLimitIsExact() {
        var bulkhead = new Bulkhead("catalog", BulkheadConfig.rejectingAtOnce(3));
        hold(bulkhead, 2);

        var third = attempt(() -> bulkhead.call(() -> "page"));
        assertThat(third.value()).withFailMessage("2 of 3 permits are held: a third call should run and return \"page\", but %s", third).isEqualTo("page");
        var more = hold(bulkhead, 2);
        assertThat(more.inside()).withFailMessage("2 of 3 permits were held, so of 2 more slow calls 1 should get in and 1 be rejected, but %s", more).isEqualTo(1);
        assertThat(bulkhead.inUse()).withFailMessage("3 slow calls hold the 3 permits: inUse() should be 3, but was %d", bulkhead.inUse()).isEqualTo(3);
    }

    @Test
    @Points(2)
    @DisplayName("A call that throws an Error gives its permit back too, and the Error reaches the caller unchanged")
    @Hint({"Can a call end with an Error, not an exception? What happens to its permit?",
           "The permit must come back however the call ends, an Error included. A finally block runs for every Throwable; a catch (RuntimeException e) does not.",
           "Last hint: try { return call.get(); } finally { permits.release(); }, with no catch at all."})
    void errorGivesThePermitBack() {
        var bulkhead = new Bulkhead("shipping", BulkheadConfig.rejectingAtOnce(1));
        var broken = new AssertionError("a bug in the quote's parser");

        for (int i = 1; i <= 2; i++) {
            var outcome = attempt(() -> bulkhead.call(() -> { throw broken; }));
            int n = i;
            assertThat(outcome.thrown()).withFailMessage("call %d of 2 should run and throw its own AssertionError, unchanged, but %s "
                + "(with 1 permit, a permit that the first call kept shows up as BulkheadFull at the second)", n, outcome).isSameAs(broken);
        }
        assertThat(bulkhead.inUse()).withFailMessage("both calls ended with an Error: their permits should be back, inUse() 0, but it was %d", bulkhead.inUse()).isZero();
    }

    @Test
    @Points(2)
    @DisplayName("With a short maxWaitDuration (1 ms) and no permit freed, the call is rejected after its wait, not held for ever")
    @Hint({"A wait of 1 ms passes and no permit was freed. What then?",
           "A wait longer than zero is still a bounded wait: when no permit comes within maxWaitDuration, the call is rejected, not held for ever.",
           "Last hint: permits.tryAcquire(config.maxWaitDuration().toNanos(), TimeUnit.NANOSECONDS) for every wait, zero or not; false means BulkheadFull."})
    void shortWaitThenRejected() {
        var bulkhead = new Bulkhead("shipping", new BulkheadConfig(1, Duration.ofMillis(1)));
        hold(bulkhead, 1);
        var ran = new AtomicBoolean();

        var outcome = attempt(() -> bulkhead.call(() -> {
            ran.set(true);
            return "4.90 EUR";
        }));

        assertThat(outcome.thrown()).withFailMessage("the only permit stays held and maxWaitDuration is 1 ms: the call should be rejected with BulkheadFull once its wait is up, but %s", outcome)
            .isInstanceOf(BulkheadFull.class);
        assertThat(ran).withFailMessage("a rejected call must never run").isFalse();
        assertThat(bulkhead.inUse()).withFailMessage("the rejected call took no permit: inUse() should be 1, but was %d", bulkhead.inUse()).isEqualTo(1);
    }

    @Test
    @Points(3)
    @DisplayName("Thread-safe: 8 calls released together on a bulkhead of 3 get exactly 3 permits, round after round, and all come back")
    @Hint({"Many calls reach one bulkhead at the same moment. Is your counting a check, then an add?",
           "A check-then-act of your own lets two calls take the last place. Let the Semaphore count: it takes and gives back permits atomically.",
           "Last hint: if (!permits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) throw new BulkheadFull(name); and permits.release() in finally."})
    void exactUnderRace() {
        for (int round = 1; round <= 20; round++) {
            var bulkhead = new Bulkhead("shipping", BulkheadConfig.rejectingAtOnce(3));
            var calls = hold(bulkhead, 8);
            int r = round;
            assertThat(calls.inside()).withFailMessage("round %d: 8 calls released together on a bulkhead of 3: exactly 3 should get in and 5 be rejected, but %s", r, calls).isEqualTo(3);
            calls.finish();
            assertThat(bulkhead.inUse()).withFailMessage("round %d: every call has ended, so inUse() should be 0, but was %d", r, bulkhead.inUse()).isZero();
        }
    }

    // ---- one bulkhead per dependency ----

    @Test
    @Points(2)
    @DisplayName("Bulkheads gives each dependency one bulkhead: the same one every time for shipping, another one for payments")
    @Hint({"Read 'One bulkhead per dependency' in the lesson's README. Does bulkhead(\"shipping\") give the same object each time?",
           "Each dependency has one bulkhead, made once and shared by every request to it: a new bulkhead per request limits nothing. payments gets its own.",
           "Last hint: return bulkheads.computeIfAbsent(dependency, name -> new Bulkhead(name, ...));"})
    void oneBulkheadPerDependency() {
        var bulkheads = new Bulkheads(TWO_AT_ONCE);

        var shipping = bulkheads.bulkhead("shipping");
        var shippingAgain = bulkheads.bulkhead("shipping");
        var payments = bulkheads.bulkhead("payments");

        assertThat(shippingAgain).withFailMessage("bulkhead(\"shipping\") should return the same bulkhead every time, or each request gets permits of its own and nothing is limited").isSameAs(shipping);
        assertThat(payments).withFailMessage("payments should have a bulkhead of its own, not shipping's").isNotSameAs(shipping);
        assertThat(shipping.name() + ", " + payments.name()).withFailMessage("each bulkhead should be named after its dependency: expected shipping, payments but got %s, %s",
            shipping.name(), payments.name()).isEqualTo("shipping, payments");
    }

    @Test
    @Points(3)
    @DisplayName("With shipping's permits all held by slow quotes, a payments call still runs: one bulkhead per dependency, not one for all")
    @Hint({"Shipping's places are all taken. Do payments' calls share them? ('One bulkhead per dependency' in the lesson's README.)",
           "A slow dependency fills its own compartment and no other. One bulkhead for all is the shared pool again.",
           "Last hint: keep one Bulkhead per dependency name in the map `bulkheads`, each with its own Semaphore."})
    void fullShippingLeavesPaymentsAlone() {
        var bulkheads = new Bulkheads(TWO_AT_ONCE);
        var slowQuotes = hold(bulkheads.bulkhead("shipping"), 2);

        var charge = attempt(() -> bulkheads.bulkhead("payments").call(() -> "charged"));
        var quote = attempt(() -> bulkheads.bulkhead("shipping").call(() -> "4.90 EUR"));

        assertThat(slowQuotes.inside()).withFailMessage("two slow quotes should hold shipping's 2 permits, but %s", slowQuotes).isEqualTo(2);
        assertThat(charge.value()).withFailMessage("shipping is full, but payments has permits of its own: the charge should run and return \"charged\", but %s", charge).isEqualTo("charged");
        assertThat(quote.thrown()).withFailMessage("shipping's permits are all held: another quote should be rejected with BulkheadFull, but %s", quote).isInstanceOf(BulkheadFull.class);
    }

    @Test
    @DisplayName("A dependency configured on its own gets its own size: shipping 1 permit, payments the default 2")
    @Hint({"Where does configure(...) store a dependency's config? Do you read it? ('Sizing' in 'One bulkhead per dependency', lesson's README.)",
           "Each dependency gets its own size from its own measurements; the others get the defaults.",
           "Last hint: new Bulkhead(name, configs.getOrDefault(name, defaults)) when you make a dependency's bulkhead."})
    void ownConfigPerDependency() {
        var bulkheads = new Bulkheads(TWO_AT_ONCE).configure("shipping", BulkheadConfig.rejectingAtOnce(1));

        var shipping = hold(bulkheads.bulkhead("shipping"), 2);
        var payments = hold(bulkheads.bulkhead("payments"), 2);

        assertThat(shipping.inside()).withFailMessage("shipping was configured with 1 permit: of 2 slow quotes 1 should get in, but %s", shipping).isEqualTo(1);
        assertThat(payments.inside()).withFailMessage("payments has the default 2 permits: 2 slow charges should both get in, but %s", payments).isEqualTo(2);
        assertThat(List.of(bulkheads.bulkhead("shipping").config(), bulkheads.bulkhead("payments").config()))
            .withFailMessage("shipping's bulkhead should be made with its own config and payments' with the defaults: expected %s, but their config() said %s",
                List.of(BulkheadConfig.rejectingAtOnce(1), TWO_AT_ONCE), List.of(bulkheads.bulkhead("shipping").config(), bulkheads.bulkhead("payments").config()))
            .containsExactly(BulkheadConfig.rejectingAtOnce(1), TWO_AT_ONCE);
    }

    @Test
    @Points(2)
    @DisplayName("Thread-safe: 8 requests asking together for a new dependency's bulkhead all get the same one")
    @Hint({"Two requests ask for payments' bulkhead for the first time at the same moment. How many bulkheads are made?",
           "Look up, miss, make one: if two threads do that at once, payments gets two bulkheads and twice its places. Making and storing must be one atomic step.",
           "Last hint: return bulkheads.computeIfAbsent(dependency, name -> new Bulkhead(name, configs.getOrDefault(name, defaults)));"})
    void oneBulkheadUnderRace() throws Exception {
        for (int round = 1; round <= 30; round++) {
            var bulkheads = new Bulkheads(TWO_AT_ONCE);
            var together = new CyclicBarrier(8);
            List<Future<Bulkhead>> asked = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                asked.add(callers.submit(() -> {
                    together.await(GUARD_SECONDS, TimeUnit.SECONDS);
                    return bulkheads.bulkhead("payments");
                }));
            }
            Set<Bulkhead> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
            for (var f : asked) distinct.add(f.get(GUARD_SECONDS, TimeUnit.SECONDS));
            int r = round;
            assertThat(distinct).withFailMessage("round %d: 8 requests asked for payments' bulkhead at once and got %d different bulkheads; they should all get the same one",
                r, distinct.size()).hasSize(1);
        }
    }

    // ---- helpers ----

    /** Holds {@code n} slow calls inside the bulkhead (each on its own thread, waiting on a latch) until the test lets them go. */
    private Held hold(Bulkhead bulkhead, int n) {
        var calls = new Held(bulkhead, n, callers);
        held.add(calls);
        return calls;
    }

    /** How a call ended: a value, an exception, or not at all within the guard's 5 s (it blocked). */
    record Outcome(Object value, Throwable thrown, boolean stillWaiting) {
        static Outcome of(Future<?> call) {
            try {
                return new Outcome(call.get(GUARD_SECONDS, TimeUnit.SECONDS), null, false);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnsupportedOperationException u && String.valueOf(u.getMessage()).startsWith("TODO")) throw u;
                return new Outcome(null, e.getCause(), false);
            } catch (TimeoutException e) {
                return new Outcome(null, null, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for a call", e);
            }
        }

        @Override
        public String toString() {
            if (stillWaiting) return "it was still waiting after " + GUARD_SECONDS + " s";
            if (thrown != null) return "it threw " + thrown;
            return "it returned " + value;
        }
    }

    /** Makes the call on a thread of its own, so that a call which blocks fails the test after 5 s instead of hanging it. */
    private Outcome attempt(Supplier<Object> call) {
        return Outcome.of(callers.submit(call::get));
    }

    /**
     * Waits until the caller's thread is parked inside the bulkhead (Bulkhead.call is on its stack, and it waits), or
     * the call has ended, or 5 s have passed. This watches the thread; it never waits for time to pass.
     */
    private static boolean waitsInsideTheBulkhead(AtomicReference<Thread> caller, Future<?> call) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (!call.isDone() && System.nanoTime() < deadline) {
            Thread t = caller.get();
            if (t != null && parkedIn(t, Bulkhead.class.getName(), "call")) return true;
            Thread.yield();
        }
        return false;
    }

    private static boolean parkedIn(Thread t, String className, String method) {
        var state = t.getState();
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) return false;
        for (StackTraceElement frame : t.getStackTrace()) {
            if (frame.getClassName().equals(className) && frame.getMethodName().equals(method)) return true;
        }
        return false;
    }

    /**
     * {@code n} calls entering one bulkhead at once, each on its own thread, released together by a barrier. A call that gets in counts itself inside
     * and waits on a latch until the test lets it go; a call that is rejected counts itself rejected. Threads and
     * latches, no sleeping: the constructor returns as soon as every call is inside or rejected.
     */
    static final class Held {
        private final CountDownLatch settled;
        private final CountDownLatch release = new CountDownLatch(1);
        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicInteger rejected = new AtomicInteger();
        private final List<Future<?>> calls = new ArrayList<>();
        private final int n;

        Held(Bulkhead bulkhead, int n, ExecutorService threads) {
            this.n = n;
            this.settled = new CountDownLatch(n);
            var together = new CyclicBarrier(n); // all n ask at the same moment, as requests under load do
            for (int i = 0; i < n; i++) {
                calls.add(threads.submit(() -> {
                    together.await(GUARD_SECONDS, TimeUnit.SECONDS);
                    try {
                        return bulkhead.call(() -> {
                            inside.incrementAndGet();
                            settled.countDown();
                            awaitQuietly(release, HELD_AT_MOST_SECONDS);
                            return "held";
                        });
                    } catch (BulkheadFull e) {
                        rejected.incrementAndGet();
                        settled.countDown();
                        return "rejected";
                    } catch (RuntimeException e) {
                        settled.countDown();
                        throw e;
                    }
                }));
            }
            awaitQuietly(settled, GUARD_SECONDS); // a call that neither got in nor was rejected blocks: 5 s, then the counts tell
            for (Future<?> call : calls) {
                if (call.isDone()) Outcome.of(call); // a TODO in the bulkhead is thrown from here
            }
        }

        int inside() { return inside.get(); }

        void release() { release.countDown(); }

        /** Lets the held calls end, and waits until they have. */
        void finish() {
            release();
            for (Future<?> call : calls) Outcome.of(call);
        }

        private static void awaitQuietly(CountDownLatch latch, long seconds) {
            try {
                latch.await(seconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String toString() {
            int waiting = n - inside.get() - rejected.get();
            return "of " + n + " slow calls " + inside.get() + " got in and " + rejected.get() + " were rejected"
                + (waiting > 0 ? ", and " + waiting + " was still waiting after " + GUARD_SECONDS + " s" : "");
        }
    }
}
