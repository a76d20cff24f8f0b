package ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("03 · One bucket per client")
class ClientsTest {
    private final ManualClock clock = new ManualClock();

    // A pool per test, not per class: a static pool shut down after the class would be gone the next time the class runs
    // in the same JVM (as the mutation tests do).
    private final ExecutorService threads = Executors.newFixedThreadPool(BucketTest.Race.THREADS);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    @Points(2)
    @DisplayName("A greedy client empties its own bucket only: the next client still gets its full share")
    @Hint({"Read 'One bucket per client' in the lesson's README. Who shares a bucket in your limiter?",
           "Each client key needs a bucket of its own. One bucket for everybody lets the greediest client starve the rest.",
           "Last hint: keep a Map<String, TokenBucket> from client key to bucket, and create a full bucket the first time a key is seen."})
    void clientsAreIsolated() {
        var limiter = new RateLimiter(new Limit(3, 1), clock);

        int bot = allowedOf(limiter, "bargain-bot", 10);
        int web = allowedOf(limiter, "web-shop", 10);
        int mobile = allowedOf(limiter, "mobile-app", 2);

        assertThat(bot).withFailMessage("bargain-bot has a bucket of 3: 3 of its 10 requests should pass, but %d did", bot).isEqualTo(3);
        assertThat(web).withFailMessage("web-shop has a bucket of its own, untouched by bargain-bot: 3 of its 10 requests should pass, but %d did", web)
            .isEqualTo(3);
        assertThat(mobile).withFailMessage("mobile-app has its own full bucket of 3: both its requests should pass, but %d did", mobile).isEqualTo(2);
    }

    @Test
    @DisplayName("available(key) reports each client's own tokens, and a client never seen before has a full bucket")
    @Hint({"What should available(key) answer for a client the limiter has never seen? ('One bucket per client' in the lesson's README.)",
           "available(key) asks the client's own bucket. A new client has a full bucket, created the first time it is seen, just as tryAcquire does.",
           "Last hint: one private TokenBucket bucketOf(String key) that finds or creates the bucket, used by both tryAcquire and available."})
    void availablePerClient() {
        var limiter = new RateLimiter(new Limit(4, 2), clock);
        allowedOf(limiter, "bargain-bot", 4);
        clock.advanceMillis(250);

        double bot = limiter.available("bargain-bot");
        double web = limiter.available("web-shop");

        assertThat(bot).withFailMessage("bargain-bot emptied its bucket, then 250 ms passed at 2 tokens per second: it should have 0.5, but available() said %s", bot)
            .isEqualTo(0.5);
        assertThat(web).withFailMessage("web-shop has not asked for anything yet: it should have a full bucket of 4.0, but available() said %s", web)
            .isEqualTo(4.0);
        assertThat(limiter.limit()).withFailMessage("limit() should be the limit the limiter was made with, %s, but was %s", new Limit(4, 2), limiter.limit())
            .isEqualTo(new Limit(4, 2));
    }

    @Test
    @DisplayName("A denied client is told when to come back: 2 seconds for an empty bucket refilled at 0.5 per second")
    @Hint({"The client's bucket already knows when the next token comes. Does the limiter pass that on? ('Saying when to come back' in the lesson's README.)",
           "tryAcquire(key) returns what the client's bucket decided, its retry-after included. The limiter adds nothing and drops nothing.",
           "Last hint: return bucketOf(key).tryAcquire(); as it is."})
    void deniedClientLearnsWhenToComeBack() {
        var limiter = new RateLimiter(new Limit(2, 0.5), clock);
        allowedOf(limiter, "bargain-bot", 2);

        Decision third = limiter.tryAcquire("bargain-bot");

        assertThat(third.allowed()).withFailMessage("bargain-bot's bucket of 2 is empty: its third request should be denied").isFalse();
        assertThat(third.retryAfter()).withFailMessage("an empty bucket refilled at 0.5 tokens per second has its next token in 2 s, but the Decision said %s",
            third.retryAfter()).isCloseTo(Duration.ofSeconds(2), Duration.ofMillis(1));
    }

    @Test
    @Points(3)
    @DisplayName("A new client's first requests, arriving on 16 threads at once, get exactly one bucket: 8 granted of a bucket of 8")
    @Hint({"Read the second paragraph of 'Many threads, one bucket' in the lesson's README. What if two threads see a new client at once?",
           "'Look up, and create when missing' is a check-then-act. Two threads can both create a bucket for the same new client, which then gets twice its burst. It must be one atomic step.",
           "Last hint: buckets.computeIfAbsent(key, k -> new TokenBucket(limit, clock)) on a ConcurrentHashMap."})
    void oneBucketPerClientUnderThreads() throws Exception {
        // The clock yields the processor whenever it is read, so threads switch as often as possible.
        InstantSource yielding = () -> {
            Thread.yield();
            return clock.instant();
        };
        var limiter = new RateLimiter(new Limit(8, 1), yielding);
        for (int round = 1; round <= BucketTest.Race.ROUNDS; round++) {
            String client = "client-" + round; // a client nobody has seen yet

            int granted = BucketTest.Race.run(threads, () -> limiter.tryAcquire(client));

            int r = round;
            assertThat(granted).withFailMessage("round %d: the first %d requests of the new client %s arrived on 16 threads at once, with the clock"
                + " standing still. Its one bucket of 8 should have granted exactly 8, but %d were granted", r,
                BucketTest.Race.THREADS * BucketTest.Race.ATTEMPTS, client, granted).isEqualTo(8);
        }
    }

    @Test
    @Points(2)
    @DisplayName("A new client asked for available() and tryAcquire() on 16 threads at once still gets exactly one bucket: 8 granted of 8")
    @Hint({"available(key) creates a client's bucket too. Does it do so the same way tryAcquire does?",
           "Both methods must find or create the bucket through the same atomic operation. A get, then a put, can replace a bucket another thread has just taken tokens from.",
           "Last hint: private TokenBucket bucketOf(String key) { return buckets.computeIfAbsent(key, k -> new TokenBucket(limit, clock)); }, used by tryAcquire and available."})
    void lookingAtANewClientUnderThreads() throws Exception {
        InstantSource yielding = () -> {
            Thread.yield();
            return clock.instant();
        };
        var limiter = new RateLimiter(new Limit(8, 1), yielding);
        for (int round = 1; round <= BucketTest.Race.ROUNDS; round++) {
            String client = "client-" + round;
            AtomicInteger turn = new AtomicInteger();

            int granted = BucketTest.Race.run(threads, () -> turn.getAndIncrement() % 2 == 0
                ? limiter.tryAcquire(client)
                : lookedAt(limiter.available(client)));
            int grantedAfterwards = allowedOf(limiter, client, 8);

            int r = round;
            assertThat(granted + grantedAfterwards).withFailMessage("round %d: the new client %s was asked available() and tryAcquire() on 16 threads at once, with the"
                + " clock standing still; it got %d tokens then and %d afterwards, but its one bucket of 8 holds exactly 8", r, client, granted, grantedAfterwards)
                .isEqualTo(8);
        }
    }

    /** A look at a client's tokens, counted as no grant, so that a race can mix looks with requests. */
    private static Decision lookedAt(double tokens) {
        return Decision.deny(Duration.ofNanos(1));
    }

    private static int allowedOf(RateLimiter limiter, String client, int requests) {
        int allowed = 0;
        for (int i = 0; i < requests; i++) {
            if (limiter.tryAcquire(client).allowed()) allowed++;
        }
        return allowed;
    }
}
