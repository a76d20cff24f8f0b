package retries;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import kit.Expect;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("07 · The retry policy: exponential backoff with full jitter, and what is worth retrying")
class RetryPolicyTest {
    private static final Duration BASE = Duration.ofMillis(100);

    @Test
    @Points(2)
    @DisplayName("The ceiling doubles with each retry: with a random 0.5, the waits are 50, 100, 200 and 400 ms")
    @Hint({"Read 'Backoff: exponential, capped, with jitter' in the lesson's README. How does the ceiling grow from one retry to the next?",
           "Exponential backoff with full jitter: the ceiling is baseDelay for retry 1 and doubles with each retry; the wait is random x ceiling. Doubling is not adding baseDelay each time.",
           "Last hint: ceiling = baseDelay x 2^(retry - 1), capped at maxDelay; return Duration.ofNanos((long) (random * ceilingInNanos));"})
    void ceilingDoubles() {
        var policy = new RetryPolicy(5, BASE, Duration.ofSeconds(10));

        var waits = waits(policy, 4, 0.5);

        assertThat(waits).withFailMessage("with baseDelay 100 ms and random 0.5, the waits before retries 1 to 4 should be half of 100, 200, 400 "
            + "and 800 ms: %s, but were %s", millis(50, 100, 200, 400), waits).isEqualTo(millis(50, 100, 200, 400));
    }

    @Test
    @DisplayName("The random number scales the wait: 0 waits nothing, 0.25 waits a quarter of the ceiling")
    @Hint({"What part does the random number play? ('Backoff: exponential, capped, with jitter' in the lesson's README, full jitter.)",
           "The random number is the jitter: the wait is the ceiling times it. 0 waits nothing, 0.25 a quarter of the ceiling.",
           "Last hint: return Duration.ofNanos((long) (random * ceiling)); random 0.25 with a ceiling of 400 ms (retry 3 from 100 ms) gives 100 ms."})
    void randomScales() {
        var policy = new RetryPolicy(5, BASE, Duration.ofSeconds(10));

        var none = policy.delayBeforeRetry(3, 0.0);
        var quarter = policy.delayBeforeRetry(3, 0.25);

        assertThat(none).withFailMessage("random 0 should wait nothing (full jitter), but waited %s", none).isEqualTo(Duration.ZERO);
        assertThat(quarter).withFailMessage("retry 3 has a ceiling of 400 ms; random 0.25 should wait 100 ms, but waited %s", quarter)
            .isEqualTo(Duration.ofMillis(100));
    }

    @Test
    @Points(2)
    @DisplayName("No wait is longer than maxDelay, jitter included: with a random near 1 and a cap of 300 ms, every wait is at most 300 ms")
    @Hint({"Does the cap bound the whole wait, or only the part before the jitter? ('Backoff: exponential, capped, with jitter' in the lesson's README.)",
           "No wait is ever longer than maxDelay. Cap the ceiling first; the random number is below 1, so the wait cannot pass the cap.",
           "Last hint: double ceiling = Math.min(maxDelay.toNanos(), baseDelay.toNanos() * Math.pow(2, retry - 1)); then multiply by random."})
    void neverPastTheCap() {
        var policy = new RetryPolicy(8, BASE, Duration.ofMillis(300));

        var waits = waits(policy, 7, 0.999);

        assertThat(waits).withFailMessage("with maxDelay 300 ms, no wait may be longer than 300 ms, but the waits were %s", waits)
            .allMatch(w -> w.compareTo(Duration.ofMillis(300)) <= 0);
        assertThat(waits.get(6)).withFailMessage("the 7th wait, with random 0.999, should be just under the cap (about 299.7 ms), but was %s", waits.get(6))
            .isBetween(Duration.ofMillis(299), Duration.ofMillis(300));
    }

    @Test
    @DisplayName("A hundredth retry is still capped, not an overflow: the wait stays between 0 and maxDelay")
    @Hint({"Does 2^99 fit in a long? What is 1L << 99?",
           "Shifts and long products overflow: 1L << 99 is 1L << 35, and 100 ms x 2^62 is negative. The cap must win however large the retry number is.",
           "Last hint: compute the ceiling in double, where Math.pow(2, retry - 1) cannot overflow (past 2^1023 it is Infinity), and cap it with Math.min(maxDelay.toNanos(), ...); or double a long in a loop and stop once it reaches the cap."})
    void largeRetriesStayCapped() {
        var policy = new RetryPolicy(1000, BASE, Duration.ofSeconds(20));

        var waits = List.of(policy.delayBeforeRetry(64, 0.5), policy.delayBeforeRetry(100, 0.5), policy.delayBeforeRetry(999, 0.5));

        assertThat(waits).withFailMessage("retries 64, 100 and 999 have reached the cap long ago: with random 0.5 each should wait 10 s, but waited %s",
            waits).containsOnly(Duration.ofSeconds(10));
    }

    @Test
    @Points(2)
    @DisplayName("With a real random source, every wait lies within the policy's bounds: 0 to min(cap, 100 ms × 2^(n − 1)), and they differ")
    @Hint({"Which random number does delayBeforeRetry use: the one it is given, or one of its own?",
           "Each wait lies between 0 and its ceiling: 100, 200, 400, 800, 1000, 1000 ms for retries 1 to 6 with a cap of 1 s. The jitter is the random number the caller gives you.",
           "Last hint: multiply by the random parameter: never Math.random(), and never a fixed fraction."})
    void realRandomWithinBounds() {
        var policy = new RetryPolicy(7, BASE, Duration.ofSeconds(1));
        var random = new SplittableRandom(7);
        List<Duration> waits = new ArrayList<>();
        for (int retry = 1; retry <= 6; retry++) waits.add(policy.delayBeforeRetry(retry, random.nextDouble()));
        var ceilings = millis(100, 200, 400, 800, 1000, 1000);

        for (int i = 0; i < waits.size(); i++) {
            var wait = waits.get(i);
            assertThat(!wait.isNegative() && wait.compareTo(ceilings.get(i)) <= 0)
                .withFailMessage("the wait before retry %d should lie between 0 and %s, but was %s (all waits: %s)", i + 1, ceilings.get(i), wait, waits)
                .isTrue();
        }
        assertThat(waits.stream().distinct().count()).withFailMessage("random numbers should make the waits differ, but they were %s", waits)
            .isGreaterThan(3);
    }

    @Test
    @Points(2)
    @DisplayName("5xx and 429 are worth retrying; 400, 401, 403, 404, 409 and 422 are not")
    @Hint({"Read the table in 'What to retry' in the lesson's README.",
           "A 5xx or a 429 says 'not now': worth another try. Any other 4xx says 'not like this', and the same request gets the same answer.",
           "Last hint: return status == 429 || (status >= 500 && status <= 599);"})
    void whatIsRetryable() {
        for (int status : new int[] {500, 502, 503, 504, 429}) {
            assertThat(RetryPolicy.retryable(status)).withFailMessage("%d should be retryable: payments may answer differently next time", status).isTrue();
        }
        for (int status : new int[] {400, 401, 402, 403, 404, 409, 422}) {
            assertThat(RetryPolicy.retryable(status)).withFailMessage("%d should not be retryable: the same request gets the same answer", status).isFalse();
        }
        assertThat(RetryPolicy.retryable(201)).withFailMessage("201 is a success: nothing to retry").isFalse();
    }

    // ---- the rules at their edges ----

    @Test
    @Points(2)
    @DisplayName("Another base, another cap: from 30 ms with a cap of 400 ms, random 0.5 waits 15, 30, 60, 120, 200 and 200 ms; a cap reached exactly stays there")
    @Hint({"Is anything in your formula 100 ms or 1 s?",
           "Both numbers come from the policy, and the cap may be reached exactly or overshot by the doubling: from 30 ms with a cap of 400 ms the ceilings are 30, 60, 120, 240, then 400, 400.",
           "Last hint: start from baseDelay.toNanos(), double it once per retry after the first, cap it with Math.min(maxDelay.toNanos(), ...), multiply by random."})
    void anotherBaseAndCap() {
        var policy = new RetryPolicy(7, Duration.ofMillis(30), Duration.ofMillis(400));
        var waits = waits(policy, 6, 0.5);
        assertThat(waits).withFailMessage("with baseDelay 30 ms, maxDelay 400 ms and random 0.5, the waits should be %s, but were %s", millis(15, 30, 60, 120, 200, 200), waits)
            .isEqualTo(millis(15, 30, 60, 120, 200, 200));

        var exact = new RetryPolicy(5, BASE, Duration.ofMillis(400));
        var exactWaits = waits(exact, 4, 0.5);
        assertThat(exactWaits).withFailMessage("with baseDelay 100 ms and a cap of exactly 400 ms, the ceilings are 100, 200, 400, 400: with random 0.5 the waits should be %s, but were %s",
            millis(50, 100, 200, 200), exactWaits).isEqualTo(millis(50, 100, 200, 200));
    }

    @Test
    @DisplayName("A baseDelay above the cap is capped from the first retry: base 500 ms, cap 300 ms, random 0.5 waits 150 ms every time")
    @Hint({"Does the cap apply to the very first ceiling too?",
           "The cap bounds every ceiling, not only the doubled ones. With baseDelay above maxDelay, retry 1 is already capped.",
           "Last hint: Math.min(maxDelay.toNanos(), baseDelay.toNanos() * 2^0) for retry 1, so long ceiling = Math.min(baseDelay.toNanos(), maxDelay.toNanos()) before any doubling."})
    void baseAboveTheCap() {
        var policy = new RetryPolicy(4, Duration.ofMillis(500), Duration.ofMillis(300));
        var waits = waits(policy, 3, 0.5);
        assertThat(waits).withFailMessage("with baseDelay 500 ms and maxDelay 300 ms every ceiling is 300 ms: random 0.5 should wait 150 ms each time, but the waits were %s", waits)
            .isEqualTo(millis(150, 150, 150));
    }

    @Test
    @DisplayName("Retries are numbered from 1: retry 0 or -1 is an IllegalArgumentException, not a wait")
    @Hint({"Is there a wait before the first attempt? Then what is retry 0?",
           "Retries are numbered from 1: retry 1 is the wait before the second attempt. A number below 1 is a mistake of the caller: refuse it.",
           "Last hint: if (retry < 1) throw new IllegalArgumentException(\"retries are numbered from 1: \" + retry);"})
    void retriesNumberedFromOne() {
        var policy = new RetryPolicy(3, BASE, Duration.ofSeconds(1));
        for (int retry : new int[] {0, -1}) {
            Expect.thrown(IllegalArgumentException.class, () -> policy.delayBeforeRetry(retry, 0.5),
                "retry " + retry + " does not exist (retries are numbered from 1): delayBeforeRetry should throw IllegalArgumentException");
        }
    }

    @Test
    @Points(2)
    @DisplayName("What is retryable, at its edges: 429, 500 and 599 are; 428, 430, 499, 600, 200, 202 and 304 are not")
    @Hint({"Is 600 a 5xx? Is 430 a 429?",
           "The rule has exact edges: 429 alone among the 4xx, and 500 to 599, no more. Not status >= 500, not status >= 429.",
           "Last hint: return status == 429 || (status >= 500 && status <= 599);"})
    void retryableAtItsEdges() {
        for (int status : new int[] {429, 500, 599}) {
            assertThat(RetryPolicy.retryable(status)).withFailMessage("%d should be retryable (429 and every 5xx are)", status).isTrue();
        }
        for (int status : new int[] {428, 430, 499, 600, 200, 202, 304}) {
            assertThat(RetryPolicy.retryable(status)).withFailMessage("%d should not be retryable: only 429 and 500 to 599 are", status).isFalse();
        }
    }

    @Test
    @DisplayName("A policy needs at least one attempt and no negative delay: 0 attempts, a base of -1 ms or a cap of -1 ms is refused; 1 attempt and zero delays are fine")
    @Hint({"The record's constructor is given: it checks its numbers. Did it change?",
           "maxAttempts counts the first call, so it is at least 1. A delay of zero is allowed, a negative one is not: IllegalArgumentException.",
           "Last hint: leave the compact constructor of RetryPolicy as it came; if you replaced it, its two checks are if (maxAttempts < 1) and if (baseDelay.isNegative() || maxDelay.isNegative())."})
    void policyChecksItsNumbers() {
        Expect.thrown(IllegalArgumentException.class, () -> new RetryPolicy(0, BASE, Duration.ofSeconds(1)), "0 attempts would not even make the first call");
        Expect.thrown(IllegalArgumentException.class, () -> new RetryPolicy(3, Duration.ofMillis(-1), Duration.ofSeconds(1)), "a negative baseDelay is no wait");
        Expect.thrown(IllegalArgumentException.class, () -> new RetryPolicy(3, BASE, Duration.ofMillis(-1)), "a negative maxDelay is no cap");
        var smallest = Expect.returns(() -> new RetryPolicy(1, Duration.ZERO, Duration.ZERO), "1 attempt and zero delays make a valid policy");
        assertThat(smallest.delayBeforeRetry(1, 0.5)).withFailMessage("with zero delays every wait is zero").isEqualTo(Duration.ZERO);
    }

    private static List<Duration> waits(RetryPolicy policy, int retries, double random) {
        List<Duration> waits = new ArrayList<>();
        for (int retry = 1; retry <= retries; retry++) waits.add(policy.delayBeforeRetry(retry, random));
        return waits;
    }

    private static List<Duration> millis(long... values) {
        List<Duration> list = new ArrayList<>();
        for (long v : values) list.add(Duration.ofMillis(v));
        return list;
    }
}
