package retries;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import kit.RecordingSleeper;
import kit.Sleeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("07 · Charging through a flickering payments: retries, backoff, Retry-After and one idempotency key")
class PaymentsTest {
    // One payments server for the whole class; its stubs and journal are reset before each test.
    @RegisterExtension
    static WireMockExtension paymentsPeer = WireMockExtension.newInstance()
        .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    private static final HttpClient HTTP = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    /** Most tests: 3 attempts in all, waits of random × 100 ms, 200 ms, ... up to 1 s. */
    private static final RetryPolicy THREE_ATTEMPTS = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1));
    /** The random source most tests give: always 0.5, so each wait is exactly half its ceiling. */
    private static final DoubleSupplier HALF = () -> 0.5;

    private final ManualClock clock = new ManualClock();
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);

    @BeforeEach
    void reset() {
        paymentsPeer.resetAll();
    }

    @Test
    @DisplayName("A charge that works the first time is one call, with no wait, and returns payments' chargeId")
    @Hint({"Read 'The task' in the exercise's README. What ends a charge at once?",
           "A 201 Created is the charge. It ends the loop at once, with payments' chargeId. Nothing waits before the first attempt.",
           "Last hint: send POST /charges once; if (answer.statusCode() == 201) return json.readTree(answer.body()).path(\"chargeId\").asText();"})
    void firstTimeLucky() {
        paymentsAnswerInTurn(charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        var chargeId = Expect.returns(() -> payments.charge("o-1", 4999), "payments answered 201, so the charge should have worked");

        assertThat(chargeId).withFailMessage("the chargeId from payments' 201 should come back: expected ch-1, got %s", chargeId).isEqualTo("ch-1");
        assertThat(calls()).withFailMessage("payments should have received exactly 1 call, but received %d", calls()).isEqualTo(1);
        assertThat(sleeper.sleeps()).withFailMessage("nothing failed, so nothing should have been waited for, but the sleeps were %s", sleeper.sleeps()).isEmpty();
        var request = calls(0);
        assertThat(request.getHeader("Content-Type")).withFailMessage("the charge should be sent as application/json, but Content-Type was %s",
            request.getHeader("Content-Type")).startsWith("application/json");
        assertThat(request.getBodyAsString()).withFailMessage("the body should be chargeBody(\"o-1\", 4999), but was %s", request.getBodyAsString())
            .contains("\"orderId\":\"o-1\"").contains("\"amountCents\":4999");
    }

    @Test
    @Points(3)
    @DisplayName("503, 503, then 201: the charge works on the third call, after exactly three calls and two waits")
    @Hint({"Payments flickers: 503, 503, then 201. What should a caller do with a 503? ('What to retry' in the lesson's README.)",
           "A 503 is worth another try: wait, then send the same request again, until an answer is 201 or the attempts run out.",
           "Last hint: for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) { send; 201 returns; otherwise, unless it was the last attempt, sleep }."})
    void twoFlickersThenCharged() {
        paymentsAnswerInTurn(unavailable(), unavailable(), charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        var chargeId = Expect.returns(() -> payments.charge("o-2", 4999), "payments answered 503, 503, 201 and 3 attempts are allowed, so the charge should have worked");

        assertThat(chargeId).withFailMessage("the third answer's chargeId should come back: expected ch-1, got %s", chargeId).isEqualTo("ch-1");
        assertThat(calls()).withFailMessage("payments should have received exactly 3 calls (503, 503, 201), but received %d", calls()).isEqualTo(3);
        assertThat(sleeper.sleeps()).withFailMessage("there should be one wait before each retry, 2 in all, but the sleeps were %s", sleeper.sleeps()).hasSize(2);
    }

    @Test
    @Points(2)
    @DisplayName("The waits come from the policy and the random source: with 0.5, 50 ms before the 2nd call and 100 ms before the 3rd")
    @Hint({"Where does each wait come from, and how do you wait so the tests can see it? ('Backoff: exponential, capped, with jitter' in the lesson's README.)",
           "Each wait comes from the policy, with a new random number, and is waited through the sleeper you were given. Thread.sleep waits for real, and the tests cannot see it.",
           "Last hint: before retry n: sleeper.sleep(policy.delayBeforeRetry(n, random.getAsDouble())); retry 1 is the wait after the first attempt."})
    void waitsFollowThePolicy() {
        paymentsAnswerInTurn(unavailable(), unavailable(), unavailable(), charged());
        var payments = payments(new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1)), HALF);

        Expect.returns(() -> payments.charge("o-3", 4999), "payments answered 503 three times, then 201, and 4 attempts are allowed");

        var expected = List.of(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(sleeper.sleeps()).withFailMessage("with random 0.5 and baseDelay 100 ms, the waits should be %s, but were %s", expected, sleeper.sleeps())
            .isEqualTo(expected);
    }

    @Test
    @Points(3)
    @DisplayName("maxAttempts counts the first call: payments always 503 and 3 attempts make exactly 3 calls, 2 waits, then PaymentsUnavailable")
    @Hint({"Read 'Counting attempts' in the lesson's README. Do 3 attempts mean three retries?",
           "maxAttempts counts every call, the first one included: 3 is one call and two retries. Nothing follows the last attempt, so there is no wait after it.",
           "Last hint: count attempts from 1 up to and including maxAttempts; when the last one fails, throw new PaymentsUnavailable(orderId, attempts, what went wrong, cause)."})
    void givesUpAfterMaxAttempts() {
        paymentsAnswerInTurn(unavailable());
        var payments = payments(THREE_ATTEMPTS, HALF);

        var failure = Expect.thrown(PaymentsUnavailable.class, () -> payments.charge("o-4", 4999),
            "payments answered 503 every time, so the charge should give up with PaymentsUnavailable");

        assertThat(calls()).withFailMessage("3 attempts, the first one included, should be exactly 3 calls, but payments received %d", calls()).isEqualTo(3);
        assertThat(failure.attempts()).withFailMessage("PaymentsUnavailable should say 3 attempts were made, but said %d", failure.attempts()).isEqualTo(3);
        assertThat(failure.getMessage()).withFailMessage("the message should say what went wrong last (503), but was: %s", failure.getMessage()).contains("503");
        assertThat(sleeper.sleeps()).withFailMessage("3 attempts need 2 waits, none after the last, but the sleeps were %s", sleeper.sleeps()).hasSize(2);
    }

    @Test
    @DisplayName("maxAttempts 1 means no retry: one call, no wait")
    @Hint({"What does a policy of 1 attempt allow? ('Counting attempts' in the lesson's README.)",
           "One attempt is the first call and nothing else: no retry, so no wait either.",
           "Last hint: the loop runs for attempt = 1 only; the check 'was this the last attempt?' comes before the sleep."})
    void oneAttemptIsNoRetry() {
        paymentsAnswerInTurn(unavailable());
        var payments = payments(new RetryPolicy(1, Duration.ofMillis(100), Duration.ofSeconds(1)), HALF);

        var failure = Expect.thrown(PaymentsUnavailable.class, () -> payments.charge("o-5", 4999),
            "payments answered 503 and only 1 attempt is allowed, so the charge should give up with PaymentsUnavailable");

        assertThat(calls()).withFailMessage("1 attempt should be exactly 1 call, but payments received %d", calls()).isEqualTo(1);
        assertThat(failure.attempts()).withFailMessage("PaymentsUnavailable should say 1 attempt was made, but said %d", failure.attempts()).isEqualTo(1);
        assertThat(sleeper.sleeps()).withFailMessage("with no retry there is nothing to wait for, but the sleeps were %s", sleeper.sleeps()).isEmpty();
    }

    @Test
    @Points(3)
    @DisplayName("400 Bad Request is not retried: one call, no wait, and ChargeRejected with the status")
    @Hint({"Read 'What to retry' in the lesson's README. What does a 400 get when it is sent again?",
           "A 400 says the request itself is wrong. The same request gets the same answer, so a retry only adds load and delays the error.",
           "Last hint: if (!RetryPolicy.retryable(status)) throw new ChargeRejected(status, body); before any sleep or retry."})
    void badRequestIsNotRetried() {
        paymentsAnswerInTurn(aResponse().withStatus(400).withBody("{\"error\": \"amountCents must be positive\"}"), charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        var rejected = Expect.thrown(ChargeRejected.class, () -> payments.charge("o-6", -1),
            "payments answered 400, which no retry can fix, so the charge should fail at once with ChargeRejected");

        assertThat(rejected.status()).withFailMessage("ChargeRejected should carry payments' status 400, but had %d", rejected.status()).isEqualTo(400);
        assertThat(calls()).withFailMessage("a 400 should not be retried: payments should have received 1 call, but received %d", calls()).isEqualTo(1);
        assertThat(sleeper.sleeps()).withFailMessage("a 400 is final, so nothing should have been waited for, but the sleeps were %s", sleeper.sleeps()).isEmpty();
    }

    @Test
    @Points(2)
    @DisplayName("402 and 409 are not retried either: each is one call and ChargeRejected")
    @Hint({"Is a 402 or a 409 payments' moment of weakness? ('What to retry' in the lesson's README.)",
           "Every 4xx except 429 is refused for good: not retried, ChargeRejected at once.",
           "Last hint: ask RetryPolicy.retryable(status) for every answer, and make sure it returns false for every 4xx but 429."})
    void otherClientErrorsAreNotRetried() {
        for (int status : new int[] {402, 409}) {
            paymentsPeer.resetAll();
            paymentsAnswerInTurn(aResponse().withStatus(status).withBody("{\"error\": \"no\"}"), charged());
            var payments = payments(THREE_ATTEMPTS, HALF);

            var rejected = Expect.thrown(ChargeRejected.class, () -> payments.charge("o-7", 4999),
                "payments answered " + status + ", which no retry can fix, so the charge should fail at once with ChargeRejected");

            assertThat(rejected.status()).withFailMessage("ChargeRejected should carry payments' status %d, but had %d", status, rejected.status()).isEqualTo(status);
            assertThat(calls()).withFailMessage("a %d should not be retried: payments should have received 1 call, but received %d", status, calls()).isEqualTo(1);
        }
    }

    @Test
    @Points(3)
    @DisplayName("429 with Retry-After: 2 is retried after exactly 2 seconds, not after the backoff")
    @Hint({"Read 'Retry-After' in the lesson's README. Who knows better how long to wait: payments or your formula?",
           "When the answer says how long to wait, its word beats your backoff: Retry-After: 2 is exactly two seconds.",
           "Last hint: retryAfterSeconds(answer) is written for you; when it has a value, sleeper.sleep(Duration.ofSeconds(that)) instead of delayBeforeRetry."})
    void honoursRetryAfter() {
        paymentsAnswerInTurn(aResponse().withStatus(429).withHeader("Retry-After", "2").withBody("{\"error\": \"slow down\"}"), charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        var chargeId = Expect.returns(() -> payments.charge("o-8", 4999), "payments answered 429, then 201, so the charge should have worked");

        assertThat(chargeId).withFailMessage("the chargeId from the second answer should come back, but got %s", chargeId).isEqualTo("ch-1");
        assertThat(calls()).withFailMessage("a 429 is retryable: payments should have received 2 calls, but received %d", calls()).isEqualTo(2);
        assertThat(sleeper.sleeps()).withFailMessage("payments said Retry-After: 2, so the one wait should be 2 s (the backoff would be 50 ms), but the sleeps were %s",
            sleeper.sleeps()).isEqualTo(List.of(Duration.ofSeconds(2)));
    }

    @Test
    @Points(3)
    @DisplayName("Every attempt of one charge carries the same Idempotency-Key, so payments can tell a retry from a new charge")
    @Hint({"Read 'Idempotency keys' in the lesson's README. How does payments tell a retry from a new charge?",
           "The key names the charge, not the attempt. Make it once, before the first attempt, and send it every time.",
           "Last hint: String key = UUID.randomUUID().toString(); before the loop, and .header(IDEMPOTENCY_KEY, key) on the request (or build the request once)."})
    void sameKeyOnEveryAttempt() {
        paymentsAnswerInTurn(unavailable(), unavailable(), charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        Expect.returns(() -> payments.charge("o-9", 4999), "payments answered 503, 503, 201, so the charge should have worked");

        var keys = paymentsPeer.findAll(postRequestedFor(urlEqualTo("/charges"))).stream().map(r -> r.getHeader(Payments.IDEMPOTENCY_KEY)).toList();
        assertThat(keys).withFailMessage("each of the 3 attempts should carry an Idempotency-Key header, but payments received %s", keys)
            .hasSize(3).doesNotContainNull().noneMatch(String::isBlank);
        assertThat(keys.stream().distinct().count()).withFailMessage("all 3 attempts should carry the same key, or payments sees three charges; the keys were %s", keys)
            .isEqualTo(1L);
    }

    @Test
    @DisplayName("Two different charges get two different keys: the key is per charge, not per client")
    @Hint({"What would payments do with a second order that carries the first order's key? ('Idempotency keys' in the lesson's README.)",
           "One key per operation. A key shared by all charges makes the second order look like a retry of the first, and it is never charged.",
           "Last hint: make the key inside charge(), not in the constructor or in a static field."})
    void newKeyPerCharge() {
        paymentsAnswerInTurn(charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        Expect.returns(() -> payments.charge("o-10", 4999), "payments answered 201");
        Expect.returns(() -> payments.charge("o-11", 1999), "payments answered 201");

        var keys = paymentsPeer.findAll(postRequestedFor(urlEqualTo("/charges"))).stream().map(r -> r.getHeader(Payments.IDEMPOTENCY_KEY)).toList();
        assertThat(keys).withFailMessage("two charges should carry two different keys, but payments received %s", keys)
            .hasSize(2).doesNotContainNull().doesNotHaveDuplicates();
    }

    @Test
    @Points(2)
    @DisplayName("A connection reset (an IOException) is retried like a 503: the second call is charged")
    @Hint({"No answer at all: worth another try? ('What to retry' in the lesson's README.)",
           "No answer may be payments restarting. The JDK reports it as an IOException, and with an idempotency key it is retried like a 503.",
           "Last hint: catch (IOException e) inside the loop: remember what happened and go on to the next attempt, as for a 503."})
    void connectionResetIsRetried() {
        paymentsAnswerInTurn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        var chargeId = Expect.returns(() -> payments.charge("o-12", 4999), "the first call was reset and the second answered 201, so the charge should have worked");

        assertThat(chargeId).withFailMessage("the second answer's chargeId should come back, but got %s", chargeId).isEqualTo("ch-1");
        assertThat(calls()).withFailMessage("payments should have received 2 calls (reset, then 201), but received %d", calls()).isEqualTo(2);
        assertThat(sleeper.sleeps()).withFailMessage("one wait should come before the retry, but the sleeps were %s", sleeper.sleeps()).hasSize(1);
    }

    // ---- the rules at their edges ----

    @Test
    @Points(2)
    @DisplayName("Each wait draws a new random number: with 0.2, then 0.8, then 0.5, the waits are 20, 160 and 200 ms")
    @Hint({"Does each wait get its own random number, or do all waits share one?",
           "Jitter spreads the clients' retries apart. One number for the whole charge makes every wait the same fraction of its ceiling: that is not jitter.",
           "Last hint: sleeper.sleep(policy.delayBeforeRetry(attempt, random.getAsDouble())); inside the loop, after a failed attempt that is not the last."})
    void newRandomForEachWait() {
        paymentsAnswerInTurn(unavailable(), unavailable(), unavailable(), charged());
        var numbers = new ArrayDeque<>(List.of(0.2, 0.8, 0.5));
        var payments = payments(new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1)), () -> numbers.isEmpty() ? 0.5 : numbers.poll());

        Expect.returns(() -> payments.charge("o-20", 4999), "payments answered 503 three times, then 201, and 4 attempts are allowed");

        var expected = List.of(Duration.ofMillis(20), Duration.ofMillis(160), Duration.ofMillis(200));
        assertThat(sleeper.sleeps()).withFailMessage("the ceilings are 100, 200 and 400 ms and the random numbers 0.2, 0.8 and 0.5: the waits should be %s, but were %s",
            expected, sleeper.sleeps()).isEqualTo(expected);
    }

    @Test
    @Points(2)
    @DisplayName("The cap holds in the loop too: 5 attempts, a cap of 150 ms and random 0.5 wait 50, 75, 75 and 75 ms, then PaymentsUnavailable after 5 calls")
    @Hint({"Does charge take every wait from the policy, and count to the policy's maxAttempts, whatever it is?",
           "The policy caps every wait; charge only asks it. The number of attempts is the policy's too, not a fixed 3.",
           "Last hint: for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) { ...; if (attempt == policy.maxAttempts()) break; sleeper.sleep(policy.delayBeforeRetry(attempt, random.getAsDouble())); }"})
    void capHoldsInTheLoop() {
        paymentsAnswerInTurn(unavailable());
        var payments = payments(new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(150)), HALF);

        var failure = Expect.thrown(PaymentsUnavailable.class, () -> payments.charge("o-21", 4999), "payments always answers 503: PaymentsUnavailable");

        assertThat(calls()).withFailMessage("5 attempts should be 5 calls, but payments received %d", calls()).isEqualTo(5);
        assertThat(failure.attempts()).withFailMessage("PaymentsUnavailable should say 5 attempts were made, but said %d", failure.attempts()).isEqualTo(5);
        var expected = List.of(Duration.ofMillis(50), Duration.ofMillis(75), Duration.ofMillis(75), Duration.ofMillis(75));
        assertThat(sleeper.sleeps()).withFailMessage("with ceilings 100, 150, 150, 150 ms (cap 150) and random 0.5, the waits should be %s, but were %s", expected, sleeper.sleeps())
            .isEqualTo(expected);
    }

    @Test
    @Points(2)
    @DisplayName("Retry-After counts on any retryable answer, only for the retry it came with: 503 with Retry-After: 3, then a plain 503, waits 3 s and then the backoff's 100 ms")
    @Hint({"Is Retry-After a setting for the rest of the charge, or payments' word about the next retry? Can a 503 carry it?",
           "Retry-After counts for the retry it came with, on any retryable answer. Read it from each answer afresh; an answer without it gets the backoff for this retry's number.",
           "Last hint: declare OptionalLong retryAfter inside the loop, set it from retryAfterSeconds(answer) for a retryable answer, and choose Duration.ofSeconds(it) or delayBeforeRetry(attempt, ...)."})
    void retryAfterOnlyForItsRetry() {
        paymentsAnswerInTurn(unavailable().withHeader("Retry-After", "3"), unavailable(), charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        var chargeId = Expect.returns(() -> payments.charge("o-22", 4999), "payments answered 503, 503, 201: the charge should have worked");

        assertThat(chargeId).isEqualTo("ch-1");
        var expected = List.of(Duration.ofSeconds(3), Duration.ofMillis(100));
        assertThat(sleeper.sleeps()).withFailMessage("the first 503 said Retry-After: 3 and the second said nothing: the waits should be 3 s, then the backoff for retry 2 "
            + "(100 ms with random 0.5), %s, but were %s", expected, sleeper.sleeps()).isEqualTo(expected);
    }

    @Test
    @DisplayName("Retry-After: 0 means at once, not the backoff; a Retry-After that is a date is ignored, and the backoff applies")
    @Hint({"Is Retry-After: 0 a value? What does retryAfterSeconds (given) return for a date?",
           "Zero seconds means 'retry now', not 'use the backoff'. A date is not read: retryAfterSeconds returns empty, and then the backoff applies.",
           "Last hint: Duration wait = retryAfter.isPresent() ? Duration.ofSeconds(retryAfter.getAsLong()) : policy.delayBeforeRetry(attempt, random.getAsDouble());"})
    void retryAfterZeroAndDates() {
        paymentsAnswerInTurn(aResponse().withStatus(429).withHeader("Retry-After", "0"), charged());
        var payments = payments(THREE_ATTEMPTS, HALF);
        Expect.returns(() -> payments.charge("o-23", 4999), "payments answered 429 (Retry-After: 0), then 201");
        assertThat(calls()).withFailMessage("429 then 201 should be 2 calls, but were %d", calls()).isEqualTo(2);
        assertThat(sleeper.total()).withFailMessage("Retry-After: 0 says retry at once: no time should pass (the backoff would be 50 ms), but the waits were %s", sleeper.sleeps())
            .isEqualTo(Duration.ZERO);

        paymentsPeer.resetAll();
        var waitsBefore = sleeper.sleeps().size();
        paymentsAnswerInTurn(unavailable().withHeader("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT"), charged());
        Expect.returns(() -> payments.charge("o-24", 4999), "payments answered 503 (Retry-After as a date), then 201");
        var waits = sleeper.sleeps().subList(waitsBefore, sleeper.sleeps().size());
        assertThat(waits).withFailMessage("a Retry-After that is a date is not read here: the wait should be the backoff, 50 ms, but the waits were %s", waits)
            .isEqualTo(List.of(Duration.ofMillis(50)));
    }

    @Test
    @DisplayName("No wait after the last attempt, even when it says Retry-After: 2 attempts answered 503 with Retry-After: 5 wait 5 s once")
    @Hint({"Is a wait worth it when no attempt follows?",
           "Nothing follows the last attempt, so there is no wait after it, wherever the wait would come from: Retry-After or the backoff.",
           "Last hint: if (attempt == policy.maxAttempts()) break; comes before choosing and sleeping the wait."})
    void noWaitAfterTheLastEvenWithRetryAfter() {
        paymentsAnswerInTurn(unavailable().withHeader("Retry-After", "5"));
        var payments = payments(new RetryPolicy(2, Duration.ofMillis(100), Duration.ofSeconds(1)), HALF);

        var failure = Expect.thrown(PaymentsUnavailable.class, () -> payments.charge("o-25", 4999), "payments always answers 503: PaymentsUnavailable");

        assertThat(failure.attempts()).isEqualTo(2);
        assertThat(sleeper.sleeps()).withFailMessage("2 attempts need one wait, 5 s as Retry-After says, and none after the last, but the waits were %s", sleeper.sleeps())
            .isEqualTo(List.of(Duration.ofSeconds(5)));
    }

    @Test
    @Points(2)
    @DisplayName("A refusal after a flicker ends the charge: 503 then 404 is ChargeRejected(404) after 2 calls; 429 every time is PaymentsUnavailable, not ChargeRejected")
    @Hint({"Is a 404 that comes on a retry less final than one on the first call? Is a 429 ever a refusal?",
           "Each answer is judged on its own, on every attempt: 201 returns, a retryable status goes on, anything else ends the charge with ChargeRejected. A 429 every time runs out as PaymentsUnavailable.",
           "Last hint: inside the loop, for every attempt: if (status == 201) return ...; if (!RetryPolicy.retryable(status)) throw new ChargeRejected(status, body);"})
    void refusalOnARetry() {
        paymentsAnswerInTurn(unavailable(), aResponse().withStatus(404).withBody("{\"error\": \"no such order\"}"), charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        var rejected = Expect.thrown(ChargeRejected.class, () -> payments.charge("o-26", 4999), "payments answered 503, then 404: ChargeRejected");
        assertThat(rejected.status()).withFailMessage("ChargeRejected should carry the 404, but had %d", rejected.status()).isEqualTo(404);
        assertThat(calls()).withFailMessage("503 then 404 should be 2 calls, no third, but were %d", calls()).isEqualTo(2);
        assertThat(sleeper.sleeps()).withFailMessage("one wait, before the second call, and none after the 404, but the waits were %s", sleeper.sleeps()).hasSize(1);

        paymentsPeer.resetAll();
        paymentsAnswerInTurn(aResponse().withStatus(429).withBody("{\"error\": \"slow down\"}"));
        var failure = Expect.thrown(PaymentsUnavailable.class, () -> payments.charge("o-27", 4999),
            "payments answered 429 three times: that is 'not now' every time, so PaymentsUnavailable, not ChargeRejected");
        assertThat(failure.attempts()).withFailMessage("429 three times should be 3 attempts, but PaymentsUnavailable said %d", failure.attempts()).isEqualTo(3);
    }

    @Test
    @DisplayName("Only 201 is a charge: a 200 with a chargeId is ChargeRejected(200) after one call, not a charge")
    @Hint({"Which status says the charge was made? Is a 200 retryable?",
           "201 Created is the one answer that says the charge was made. A 200 is neither a charge nor retryable: ChargeRejected.",
           "Last hint: if (status == 201) return ...; if (!RetryPolicy.retryable(status)) throw new ChargeRejected(status, answer.body());"})
    void onlyCreatedIsACharge() {
        paymentsAnswerInTurn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"chargeId\": \"ch-200\"}"), charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        var rejected = Expect.thrown(ChargeRejected.class, () -> payments.charge("o-28", 4999), "payments answered 200, which is not 201 Created: ChargeRejected");
        assertThat(rejected.status()).isEqualTo(200);
        assertThat(calls()).withFailMessage("a 200 is not retryable: 1 call, but payments received %d", calls()).isEqualTo(1);
    }

    @Test
    @Points(2)
    @DisplayName("Every attempt is the same charge: after a reset and a 503, all three carry the same UUID key, POST /charges, JSON and the same body")
    @Hint({"Is a retry after a lost connection the same request as the first?",
           "A retry is the very same request again, whatever went wrong before it: same key, same path, same body.",
           "Last hint: String key = UUID.randomUUID().toString(); HttpRequest request = HttpRequest.newBuilder(base.resolve(\"/charges\")).header(...).POST(...).build(); then loop over http.send(request, ...)."})
    void everyAttemptTheSameCharge() {
        paymentsAnswerInTurn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), unavailable(), charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        Expect.returns(() -> payments.charge("o-29", 1999), "payments reset, answered 503, then 201: the charge should have worked");

        var requests = paymentsPeer.findAll(postRequestedFor(urlEqualTo("/charges")));
        assertThat(requests).withFailMessage("payments should have received 3 POST /charges, but received %d", requests.size()).hasSize(3);
        var keys = requests.stream().map(r -> r.getHeader(Payments.IDEMPOTENCY_KEY)).distinct().toList();
        assertThat(keys).withFailMessage("all three attempts should carry one and the same key, but the keys were %s", keys).hasSize(1).doesNotContainNull();
        assertThat(Expect.returns(() -> UUID.fromString(keys.getFirst()), "the Idempotency-Key should be a UUID, but was " + keys.getFirst())).isNotNull();
        for (LoggedRequest r : requests) {
            assertThat(r.getHeader("Content-Type") + " " + r.getBodyAsString()).withFailMessage("every attempt should send application/json with chargeBody(\"o-29\", 1999), but one sent %s %s",
                r.getHeader("Content-Type"), r.getBodyAsString()).startsWith("application/json").contains("\"orderId\":\"o-29\"").contains("\"amountCents\":1999");
        }
        assertThat(sleeper.sleeps()).withFailMessage("a reset and a 503 are two failures: the waits should be 50 and 100 ms, but were %s", sleeper.sleeps())
            .isEqualTo(List.of(Duration.ofMillis(50), Duration.ofMillis(100)));
    }

    @Test
    @DisplayName("Payments never answering (every connection reset) uses every attempt too: 3 calls, 2 waits, then PaymentsUnavailable")
    @Hint({"Is no answer at all retryable to the very end?",
           "An IOException is retryable like a 503, on every attempt. When the last attempt fails that way too, the charge gives up with PaymentsUnavailable.",
           "Last hint: catch (IOException e) { remember it; } inside the loop, and after the last attempt throw new PaymentsUnavailable(orderId, policy.maxAttempts(), what went wrong last, e);"})
    void resetsUseEveryAttempt() {
        paymentsAnswerInTurn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        var payments = payments(THREE_ATTEMPTS, HALF);

        var failure = Expect.thrown(PaymentsUnavailable.class, () -> payments.charge("o-30", 4999), "every connection was reset: PaymentsUnavailable");

        assertThat(calls()).withFailMessage("3 attempts should be 3 calls, but payments received %d", calls()).isEqualTo(3);
        assertThat(failure.attempts()).withFailMessage("PaymentsUnavailable should say 3 attempts, but said %d", failure.attempts()).isEqualTo(3);
        assertThat(sleeper.sleeps()).withFailMessage("3 attempts need 2 waits, but the waits were %s", sleeper.sleeps()).hasSize(2);
    }

    @Test
    @DisplayName("Interrupted while waiting to retry: the charge stops with PaymentsUnavailable after that one call, and the thread is still interrupted")
    @Hint({"An interrupt while waiting to retry: what is the caller asking for?",
           "An interrupt means stop: no more attempts. Catching InterruptedException clears the flag, so set it again before you give up.",
           "Last hint: catch (InterruptedException e) { Thread.currentThread().interrupt(); throw new PaymentsUnavailable(orderId, attempt, \"interrupted while waiting to retry\", e); }"})
    void interruptedWhileWaiting() {
        paymentsAnswerInTurn(unavailable(), charged());
        Sleeper interrupted = duration -> { throw new InterruptedException("the shop is shutting down"); };
        var payments = new Payments(HTTP, URI.create(paymentsPeer.baseUrl()), THREE_ATTEMPTS, interrupted, HALF);

        var failure = unavailableAndStillInterrupted(() -> payments.charge("o-31", 4999), "the wait before the retry was interrupted");
        assertThat(failure.attempts()).withFailMessage("one attempt was made before the interrupt: PaymentsUnavailable should say 1, but said %d", failure.attempts()).isEqualTo(1);
        assertThat(calls()).withFailMessage("no attempt should follow an interrupt, but payments received %d calls", calls()).isEqualTo(1);
    }

    @Test
    @DisplayName("Interrupted while waiting for payments' answer: PaymentsUnavailable at once, no retry, no wait, and the thread is still interrupted")
    @Hint({"An interrupt during http.send: is that payments failing?",
           "It is this thread being told to stop, not payments failing. Do not retry it: stop at once, and keep the interrupt flag.",
           "Last hint: catch (InterruptedException e) apart from IOException around http.send: { Thread.currentThread().interrupt(); throw new PaymentsUnavailable(orderId, attempt, \"interrupted\", e); }"})
    void interruptedWhileSending() throws IOException {
        try (var silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) { // accepts, never answers
            var payments = new Payments(HTTP, URI.create("http://127.0.0.1:" + silent.getLocalPort()), THREE_ATTEMPTS, sleeper, HALF);
            Thread.currentThread().interrupt();
            var failure = unavailableAndStillInterrupted(() -> payments.charge("o-32", 4999), "the wait for payments' answer was interrupted");
            assertThat(failure.attempts()).withFailMessage("the first attempt was interrupted: PaymentsUnavailable should say 1 attempt, but said %d", failure.attempts()).isEqualTo(1);
            assertThat(sleeper.sleeps()).withFailMessage("an interrupt is no reason to wait and retry, but the waits were %s", sleeper.sleeps()).isEmpty();
        }
    }

    // ---- helpers ----

    private Payments payments(RetryPolicy policy, DoubleSupplier random) {
        return new Payments(HTTP, URI.create(paymentsPeer.baseUrl()), policy, sleeper, random);
    }

    /** Runs a charge that an interrupt stops: it must throw PaymentsUnavailable and leave the interrupt flag set (cleared here for the next test). */
    private static PaymentsUnavailable unavailableAndStillInterrupted(Callable<String> charge, String what) {
        try {
            return Expect.thrown(PaymentsUnavailable.class, charge, what + ": charge should stop with PaymentsUnavailable");
        } finally {
            boolean stillInterrupted = Thread.interrupted();
            assertThat(stillInterrupted).withFailMessage("%s: charge should leave the thread's interrupt flag set (Thread.currentThread().interrupt() after "
                + "catching InterruptedException), but it was cleared", what).isTrue();
        }
    }

    private static ResponseDefinitionBuilder charged() {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"chargeId\": \"ch-1\", \"status\": \"captured\"}");
    }

    private static ResponseDefinitionBuilder unavailable() {
        return aResponse().withStatus(503).withBody("{\"error\": \"database unavailable\"}");
    }

    /** Payments gives these answers in turn, then keeps giving the last one (a WireMock scenario: exact, no timing). */
    private static void paymentsAnswerInTurn(ResponseDefinitionBuilder... answers) {
        for (int i = 0; i < answers.length; i++) {
            String state = i == 0 ? Scenario.STARTED : "answer " + i;
            var stub = post("/charges").inScenario("payments").whenScenarioStateIs(state);
            if (i + 1 < answers.length) stub = stub.willSetStateTo("answer " + (i + 1));
            paymentsPeer.stubFor(stub.willReturn(answers[i]));
        }
    }

    private static int calls() {
        return paymentsPeer.findAll(postRequestedFor(urlEqualTo("/charges"))).size();
    }

    private static LoggedRequest calls(int index) {
        return paymentsPeer.findAll(postRequestedFor(urlEqualTo("/charges"))).get(index);
    }
}
