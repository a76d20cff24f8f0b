package ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("03 · The token bucket")
class BucketTest {
    // Time comes only from this clock: it moves when a test says so, never by itself.
    private final ManualClock clock = new ManualClock();

    // A pool per test, not per class: a static pool shut down after the class would be gone the next time the class runs
    // in the same JVM (as the mutation tests do).
    private final ExecutorService threads = Executors.newFixedThreadPool(Race.THREADS);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    @Points(2)
    @DisplayName("A new bucket of 5 grants exactly 5 requests at once and denies the rest")
    @Hint({"Read 'The token bucket' in the lesson's README. How many tokens does a new bucket hold?",
           "A new bucket is full. Each allowed request takes one token. A request that finds less than one whole token is denied.",
           "Last hint: in tryAcquire: if (tokens < 1) return Decision.deny(...); tokens -= 1; return Decision.allow(); and start the bucket with tokens = capacity."})
    void grantsCapacityThenDenies() {
        var bucket = new TokenBucket(new Limit(5, 1), clock);

        int allowed = allowedOf(bucket, 8);

        assertThat(allowed).withFailMessage("a full bucket of 5 with the clock standing still should allow exactly 5 of 8 requests, but allowed %d", allowed)
            .isEqualTo(5);
    }

    @Test
    @DisplayName("Half a second at 2 tokens per second refills exactly one token")
    @Hint({"Tokens come back with time. When does your bucket count the time that has passed? ('The token bucket' in the lesson's README.)",
           "Refilling is arithmetic, not a timer: whenever the bucket is asked, add the time since the last refill times the rate.",
           "Last hint: keep Instant lastRefill; at the start of each call add (now - lastRefill) x tokensPerSecond to the tokens, then lastRefill = now."})
    void refillsHalfASecond() {
        var bucket = new TokenBucket(new Limit(2, 2), clock);
        allowedOf(bucket, 2);

        clock.advanceMillis(500);
        int allowed = allowedOf(bucket, 3);

        assertThat(allowed).withFailMessage("an empty bucket refilled at 2 tokens per second holds 1 token after 500 ms, so 1 of 3 requests should pass, but %d did", allowed)
            .isEqualTo(1);
    }

    @Test
    @Points(2)
    @DisplayName("Two quarter seconds at 2 tokens per second add up to one token: fractions are kept, not thrown away")
    @Hint({"Read 'Counting fractions exactly' in the lesson's README. What happens to half a token?",
           "250 ms at 2 per second is half a token: too little for a request, but it must not be lost. Rounding the refill to whole tokens and then moving the last refill to now throws it away.",
           "Last hint: count tokens in a long of nano-tokens (1 token = 1,000,000,000), so that every refill is a whole number and nothing is rounded away."})
    void fractionsAddUp() {
        var bucket = new TokenBucket(new Limit(1, 2), clock);
        allowedOf(bucket, 1);

        clock.advanceMillis(250);
        boolean afterOneQuarter = bucket.tryAcquire().allowed();
        clock.advanceMillis(250);
        boolean afterTwoQuarters = bucket.tryAcquire().allowed();

        assertThat(afterOneQuarter).withFailMessage("250 ms at 2 tokens per second is half a token: the request should be denied").isFalse();
        assertThat(afterTwoQuarters).withFailMessage("two times 250 ms at 2 tokens per second is one whole token (0.5 + 0.5): the request should be allowed,"
            + " but it was denied. Was the first half token thrown away when the denied request refilled the bucket?").isTrue();
    }

    @Test
    @DisplayName("Ten refills of 100 ms at 1 token per second make exactly one token, with no floating-point drift")
    @Hint({"In a double, what is 0.1 added ten times? ('Counting fractions exactly' in the lesson's README.)",
           "0.1 has no exact binary form: ten times 0.1 is 0.9999999999999999, less than one token. Count in a unit small enough that every refill is a whole number.",
           "Last hint: static final long ONE = 1_000_000_000L; keep long nanoTokens. 100 ms at 1 token per second adds exactly 100,000,000 of them."})
    void noDrift() {
        var bucket = new TokenBucket(new Limit(1, 1), clock);
        allowedOf(bucket, 1);

        List<Boolean> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            clock.advanceMillis(100);
            answers.add(bucket.tryAcquire().allowed());
        }

        assertThat(answers).withFailMessage("one request every 100 ms at 1 token per second: the first nine should be denied and the tenth, one second"
            + " after the bucket ran dry, allowed. Got (allowed?) %s", answers)
            .containsExactly(false, false, false, false, false, false, false, false, false, true);
    }

    @Test
    @Points(2)
    @DisplayName("After an hour of silence a bucket of 3 holds 3 tokens, not 3,600: the refill stops at the capacity")
    @Hint({"Read 'The token bucket' in the lesson's README: can idle time save up more than a full bucket?",
           "The capacity is the largest burst a client may send. An hour of silence buys at most one full bucket, never an hour of requests.",
           "Last hint: after adding the refill, cap it: tokens = Math.min(capacity, tokens + added)."})
    void cappedAtCapacity() {
        var bucket = new TokenBucket(new Limit(3, 1), clock);
        allowedOf(bucket, 3);

        clock.advance(Duration.ofHours(1));
        int allowed = allowedOf(bucket, 10);

        assertThat(allowed).withFailMessage("a bucket of capacity 3 idle for an hour holds 3 tokens, so 3 of 10 requests should pass, but %d did."
            + " Is the refill capped at the capacity?", allowed).isEqualTo(3);
    }

    @Test
    @Points(2)
    @DisplayName("Over ten seconds of traffic a bucket of 4 at 2 per second allows exactly the requests the tokens pay for")
    @Hint({"Go through the test on paper: 4 tokens at first, then 2 more every second, never above 4. ('The token bucket' in the lesson's README.)",
           "Every request is paid with one whole token. Fractions carry over to the next request; the cap stops the refill at the capacity.",
           "Last hint: t=0: 4 allowed. t=0.75 s: 1.5 tokens, 1 allowed (0.5 left). t=1 s: 0.5 + 0.5 = 1, 1 allowed. t=11 s: full again, 4 allowed."})
    void exactCountsOverTime() {
        var bucket = new TokenBucket(new Limit(4, 2), clock);

        List<Integer> allowed = new ArrayList<>();
        allowed.add(allowedOf(bucket, 10));
        clock.advanceMillis(750);
        allowed.add(allowedOf(bucket, 10));
        clock.advanceMillis(250);
        allowed.add(allowedOf(bucket, 10));
        clock.advance(Duration.ofSeconds(10));
        allowed.add(allowedOf(bucket, 10));

        assertThat(allowed).withFailMessage("10 requests at t=0, t=0.75 s, t=1 s and t=11 s against a bucket of 4 refilled at 2 per second should be"
            + " allowed 4, 1, 1 and 4 times (1.5 tokens at 0.75 s leave half a token for t=1 s), but were allowed %s", allowed)
            .containsExactly(4, 1, 1, 4);
    }

    @Test
    @Points(2)
    @DisplayName("retryAfter tells how long until the next whole token: 500 ms for an empty bucket at 2 per second, 300 ms after 200 ms more")
    @Hint({"Read 'Saying when to come back' in the lesson's README. How far away is the next whole token?",
           "retryAfter is zero while there is a whole token. Otherwise it is the missing part of a token divided by the rate. A denied Decision carries the same wait.",
           "Last hint: missing 0.6 token at 2 per second is 0.3 s: Duration.ofNanos(missingNanoTokens / tokensPerSecond), rounded up."})
    void retryAfter() {
        var bucket = new TokenBucket(new Limit(1, 2), clock);
        Duration whenFull = bucket.retryAfter();
        allowedOf(bucket, 1);

        Duration whenEmpty = bucket.retryAfter();
        clock.advanceMillis(200);
        Decision denied = bucket.tryAcquire();

        assertThat(whenFull).withFailMessage("a full bucket has a token right now, so retryAfter() should be zero, not %s", whenFull).isZero();
        assertThat(whenEmpty).withFailMessage("an empty bucket refilled at 2 tokens per second has its next token in 500 ms, but retryAfter() said %s", whenEmpty)
            .isCloseTo(Duration.ofMillis(500), Duration.ofMillis(1));
        assertThat(denied.allowed()).withFailMessage("200 ms after running dry at 2 per second the bucket holds 0.4 token: the request should be denied").isFalse();
        assertThat(denied.retryAfter()).withFailMessage("holding 0.4 token at 2 tokens per second, the next whole token is 300 ms away, but the denied Decision said %s",
            denied.retryAfter()).isCloseTo(Duration.ofMillis(300), Duration.ofMillis(1));
    }

    @Test
    @DisplayName("A client that waits exactly retryAfter is served, even at 3 tokens per second where a token takes 333.33... ms")
    @Hint({"A client that waits exactly as long as it was told must find a token. ('Saying when to come back' in the lesson's README.)",
           "retryAfter must never be shorter than the real wait, so round it up, not down, even by a fraction of a nanosecond.",
           "Last hint: 1/3 s is 333,333,333.33 ns. Duration.ofNanos((long) Math.ceil(missing / tokensPerSecond)) gives 333,333,334 ns; a plain cast to long gives one nanosecond too early."})
    void waitingRetryAfterIsEnough() {
        var bucket = new TokenBucket(new Limit(1, 3), clock);
        allowedOf(bucket, 1);

        Duration wait = bucket.retryAfter();
        clock.advance(wait);
        boolean served = bucket.tryAcquire().allowed();

        assertThat(served).withFailMessage("retryAfter() said %s; after waiting exactly that long the bucket should hold a whole token, but the request was denied."
            + " Is the wait rounded down?", wait).isTrue();
    }

    @Test
    @DisplayName("available() reports fractions of a token: 0.5 a quarter of a second after running dry at 2 per second")
    @Hint({"available() is a question about the bucket right now. Has it refilled first? ('Counting fractions exactly' in the lesson's README.)",
           "available() refills first, like every other method, then reports what the bucket holds, fractions included.",
           "Last hint: refill(); return (double) nanoTokens / ONE;"})
    void availableShowsFractions() {
        var bucket = new TokenBucket(new Limit(3, 2), clock);
        double full = bucket.available();
        allowedOf(bucket, 3);

        clock.advanceMillis(250);
        double quarter = bucket.available();

        assertThat(full).withFailMessage("a new bucket of 3 should hold 3.0 tokens, but available() said %s", full).isEqualTo(3.0);
        assertThat(quarter).withFailMessage("250 ms after running dry at 2 tokens per second the bucket holds 0.5 token, but available() said %s", quarter)
            .isEqualTo(0.5);
    }

    @Test
    @Points(3)
    @DisplayName("Under 16 threads asking at the same moment, a bucket of 8 grants exactly 8 requests, round after round")
    @Hint({"Read 'Many threads, one bucket' in the lesson's README. What if two threads both see the last token?",
           "Refill, check and take are three steps. They must be one step, or two threads take the same last token and a bucket of 8 grants 9 or more.",
           "Last hint: make tryAcquire, and every method that touches the fields, synchronized (or guard them with one lock)."})
    void exactlyCapacityUnderThreads() throws Exception {
        // The clock yields the processor whenever it is read, so threads switch inside tryAcquire as often as possible.
        InstantSource yielding = () -> {
            Thread.yield();
            return clock.instant();
        };
        for (int round = 1; round <= Race.ROUNDS; round++) {
            var bucket = new TokenBucket(new Limit(8, 1), yielding);

            int granted = Race.run(threads, bucket::tryAcquire);

            int r = round;
            assertThat(granted).withFailMessage("round %d: 16 threads asked a full bucket of 8 for %d tokens at the same moment, with the clock standing still."
                + " Exactly 8 should have been granted, but %d were: two threads took the same token", r, Race.THREADS * Race.ATTEMPTS, granted)
                .isEqualTo(8);
        }
    }

    @Test
    @Points(2)
    @DisplayName("A token counts when it is whole to the nanosecond: denied one nanosecond before, allowed exactly then (at 2 and at 5 per second)")
    @Hint({"Is 0.999999998 of a token enough for a request? Is exactly 1? ('Counting fractions exactly' in the lesson's README.)",
           "The threshold is one whole token, and exactly one is enough. That only works if the arithmetic is exact: 500 ms at 2 per second must be exactly one token.",
           "Last hint: if (nanoTokens < ONE) deny, else take ONE; with refill adding nanosBetween(lastRefill, now) * tokensPerSecond nano-tokens."})
    void wholeTokenToTheNanosecond() {
        for (double rate : new double[] {2, 5}) {
            var clock = new ManualClock();
            var bucket = new TokenBucket(new Limit(1, rate), clock);
            allowedOf(bucket, 1);
            Duration oneToken = Duration.ofNanos(Math.round(1e9 / rate));

            clock.advance(oneToken.minusNanos(1));
            Decision justBefore = bucket.tryAcquire();
            clock.advance(Duration.ofNanos(1));
            Duration atTheToken = bucket.retryAfter();
            Decision exactly = bucket.tryAcquire();

            assertThat(justBefore.allowed()).withFailMessage("at %s tokens per second, %s after running dry the bucket holds a nanosecond's worth less than one token:"
                + " the request should be denied, but it was allowed", rate, oneToken.minusNanos(1)).isFalse();
            assertThat(justBefore.retryAfter()).withFailMessage("at %s tokens per second, one nanosecond before the next whole token the denied Decision should say"
                + " to retry after PT0.000000001S, but said %s", rate, justBefore.retryAfter()).isEqualTo(Duration.ofNanos(1));
            assertThat(atTheToken).withFailMessage("at %s tokens per second, exactly %s after running dry the bucket holds one whole token, so retryAfter() should be zero,"
                + " but it said %s", rate, oneToken, atTheToken).isZero();
            assertThat(exactly.allowed()).withFailMessage("at %s tokens per second, exactly %s after running dry the bucket holds one whole token: the request should be"
                + " allowed, but it was denied (retry after %s)", rate, oneToken, exactly.retryAfter()).isTrue();
        }
    }

    @Test
    @Points(2)
    @DisplayName("A bucket is full exactly when the refill time is up, and stays full: a refill that would overflow it, from empty or half full, stops at the capacity")
    @Hint({"Which of your methods refill the bucket? Do they all stop at the capacity? ('The token bucket' in the lesson's README.)",
           "The cap applies to every refill, whatever method asks, available() included. Refill in one place, and cap there.",
           "Last hint: nanoTokens = Math.min(full, nanoTokens + added) in refill(), and available(), retryAfter() and tryAcquire() all start with refill()."})
    void fullExactlyAndNoMore() {
        var bucket = new TokenBucket(new Limit(4, 2), clock);
        allowedOf(bucket, 4);

        clock.advance(Duration.ofMillis(2_000).minusNanos(1));
        double justBefore = bucket.available();
        clock.advance(Duration.ofNanos(1));
        double exactly = bucket.available();
        clock.advanceMillis(1_000);
        double aSecondLater = bucket.available();
        clock.advance(Duration.ofDays(3));
        double daysLater = bucket.available();

        assertThat(justBefore).withFailMessage("a bucket of 4 at 2 per second, emptied, holds 3.999999998 tokens a nanosecond before 2 s, but available() said %s", justBefore)
            .isCloseTo(3.999999998, Offset.offset(1e-12));
        assertThat(List.of(exactly, aSecondLater, daysLater)).withFailMessage("a bucket of 4 is full at exactly 2 s at 2 per second and stays at 4.0 one second"
            + " and three days later, but available() said %s", List.of(exactly, aSecondLater, daysLater)).containsExactly(4.0, 4.0, 4.0);
        Duration waitWhenFull = bucket.retryAfter();
        assertThat(allowedOf(bucket, 6)).withFailMessage("after three idle days a bucket of 4 grants 4 requests at once, not more").isEqualTo(4);

        clock.advanceMillis(1_500);
        double threeTokens = bucket.available();
        clock.advanceMillis(1_000);
        double topUp = bucket.available();

        assertThat(waitWhenFull).withFailMessage("a full bucket of 4 has a token right now: retryAfter() should be zero, but said %s", waitWhenFull).isZero();
        assertThat(List.of(threeTokens, topUp)).withFailMessage("emptied, the bucket of 4 holds 3.0 tokens after 1.5 s at 2 per second; one more second brings"
            + " 2 more, but only 1 fits: expected [3.0, 4.0], but available() said %s", List.of(threeTokens, topUp)).containsExactly(3.0, 4.0);
    }

    @Test
    @DisplayName("A bucket idle for three hundred years is simply full: the time since the last refill does not overflow")
    @Hint({"How many nanoseconds fit in a long? Look up what Duration.toNanos() does beyond that.",
           "Duration.toNanos() throws ArithmeticException beyond about 292 years. Any bucket is full long before that, so a very long wait can simply mean 'full'.",
           "Last hint: try { nanos = Duration.between(lastRefill, now).toNanos(); } catch (ArithmeticException tooLong) { nanos = Long.MAX_VALUE; } and then cap at the capacity."})
    void centuriesOfSilence() {
        var bucket = new TokenBucket(new Limit(3, 1), clock);
        allowedOf(bucket, 3);

        clock.advance(Duration.ofDays(365L * 300));

        double held = Expect.returns(bucket::available, "available() after 300 idle years should say the bucket is full");

        assertThat(held).withFailMessage("after 300 idle years a bucket of 3 should hold 3.0 tokens, but available() said %s", held).isEqualTo(3.0);
    }

    @Test
    @Points(2)
    @DisplayName("retryAfter() and available() only look: called again and again, they take no token and change no wait")
    @Hint({"Is asking how long to wait a request? Is asking how many tokens are left?",
           "retryAfter() and available() only look: they refill and read. Only tryAcquire() takes a token, so do not build them on tryAcquire().",
           "Last hint: retryAfter() { refill(); return nanoTokens >= ONE ? Duration.ZERO : timeToRefill(ONE - nanoTokens); } takes nothing."})
    void lookingTakesNothing() {
        var bucket = new TokenBucket(new Limit(1, 2), clock);

        List<Object> looks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            looks.add(bucket.retryAfter());
            looks.add(bucket.available());
        }
        boolean first = bucket.tryAcquire().allowed();
        clock.advanceMillis(100);
        Duration wait1 = bucket.retryAfter();
        Duration wait2 = bucket.retryAfter();
        double held = bucket.available();

        assertThat(looks).withFailMessage("a full bucket of 1 asked retryAfter() and available() three times each should answer PT0S and 1.0 every time, but answered %s",
            looks).containsExactly(Duration.ZERO, 1.0, Duration.ZERO, 1.0, Duration.ZERO, 1.0);
        assertThat(first).withFailMessage("looking at a full bucket of 1 must not use its token: the first request should still be allowed").isTrue();
        assertThat(List.of(wait1, wait2)).withFailMessage("100 ms after running dry at 2 per second the next token is 400 ms away, asked twice; but retryAfter() said %s",
            List.of(wait1, wait2)).containsExactly(Duration.ofMillis(400), Duration.ofMillis(400));
        assertThat(held).withFailMessage("100 ms after running dry at 2 per second the bucket holds 0.2 token, but available() said %s", held).isCloseTo(0.2, Offset.offset(1e-12));
    }

    @Test
    @DisplayName("Waits longer than a second are exact too: 5 s at 0.2 per second, 3.333333334 s at 0.3, and a denied request says the same as retryAfter()")
    @Hint({"Does your wait still come out right when it is longer than a second? ('Saying when to come back' in the lesson's README.)",
           "The rule is the same at every rate: the missing part of a token divided by the rate, in nanoseconds, rounded up. A denied request says the same wait as retryAfter().",
           "Last hint: Duration.ofNanos((long) Math.ceil(missingNanoTokens / tokensPerSecond)) for both retryAfter() and the denied Decision; at 0.3 per second a token is 3,333,333,334 ns."})
    void slowRatesWaitExactly() {
        var slow = new TokenBucket(new Limit(1, 0.2), clock);
        var odd = new TokenBucket(new Limit(2, 0.3), clock);
        allowedOf(slow, 1);
        allowedOf(odd, 2);

        Decision slowDenied = slow.tryAcquire();
        Decision oddDenied = odd.tryAcquire();
        Duration oddWait = odd.retryAfter();

        assertThat(slowDenied.retryAfter()).withFailMessage("an empty bucket at 0.2 tokens per second has its next token in exactly 5 s, but the denied Decision said %s",
            slowDenied.retryAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(oddDenied.retryAfter()).withFailMessage("an empty bucket at 0.3 tokens per second has its next token in 3,333,333,333.3 ns, rounded up to"
            + " 3.333333334 s, but the denied Decision said %s", oddDenied.retryAfter()).isEqualTo(Duration.ofNanos(3_333_333_334L));
        assertThat(oddWait).withFailMessage("retryAfter() should say the same as the denied Decision, %s, but said %s", oddDenied.retryAfter(), oddWait)
            .isEqualTo(oddDenied.retryAfter());
    }

    @Test
    @DisplayName("A clock that steps back adds nothing and takes nothing; the bucket refills again once the clock passes the latest time it saw")
    @Hint({"System clocks get corrected, backwards too. What does your refill do with a negative time?",
           "A clock that steps back adds nothing and takes nothing. Refill only counts time that is later than any time it has counted, so jumping back and forth earns no tokens.",
           "Last hint: Instant now = clock.instant(); if (!now.isAfter(lastRefill)) return; at the top of refill()."})
    void clockStepsBack() {
        var bucket = new TokenBucket(new Limit(2, 1), clock);
        allowedOf(bucket, 1);
        var latest = clock.instant();

        clock.set(latest.minusSeconds(10));
        double afterStepBack = bucket.available();
        boolean takesTheLastToken = bucket.tryAcquire().allowed();
        clock.set(latest.plusMillis(500));
        double halfASecondAfterTheLatest = bucket.available();

        assertThat(afterStepBack).withFailMessage("a bucket of 2 holding 1 token, its clock set back 10 s, should still hold 1.0, but available() said %s", afterStepBack)
            .isEqualTo(1.0);
        assertThat(takesTheLastToken).withFailMessage("after the clock stepped back the bucket still holds its 1 token: the request should be allowed").isTrue();
        assertThat(halfASecondAfterTheLatest).withFailMessage("the clock came back to 500 ms after the latest time the bucket saw: at 1 per second it earned 0.5 token"
            + " (not the 10.5 s since the step back), so available() should say 0.5, but said %s", halfASecondAfterTheLatest).isEqualTo(0.5);
    }

    // ---- helpers ----

    private static int allowedOf(TokenBucket bucket, int requests) {
        int allowed = 0;
        for (int i = 0; i < requests; i++) {
            if (bucket.tryAcquire().allowed()) allowed++;
        }
        return allowed;
    }

    /** Many threads released at once by a barrier, each asking several times; no sleeps, no wall-clock waits. */
    static final class Race {
        static final int THREADS = 16;
        static final int ATTEMPTS = 4;
        static final int ROUNDS = 40;

        static int run(ExecutorService pool, Callable<Decision> ask) throws Exception {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    int granted = 0;
                    for (int i = 0; i < ATTEMPTS; i++) {
                        if (ask.call().allowed()) granted++;
                    }
                    return granted;
                }));
            }
            int granted = 0;
            for (Future<Integer> f : results) {
                try {
                    granted += f.get();
                } catch (ExecutionException e) {
                    // Show what the code under test threw (a TODO, say), not the executor's wrapper.
                    if (e.getCause() instanceof RuntimeException r) throw r;
                    if (e.getCause() instanceof Error err) throw err;
                    throw e;
                }
            }
            return granted;
        }
    }
}
