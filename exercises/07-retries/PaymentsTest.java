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
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.function.DoubleSupplier;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import kit.RecordingSleeper;
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
    @Hint({"Send POST /charges once; a 201 ends the loop at once with the chargeId from the body.",
           "json.readTree(answer.body()).path(\"chargeId\").asText() reads it; no sleep before the first attempt.",
           "The README's section 'The task'."})
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
    @Hint({"A 503 is retryable: wait, then send the same request again, until an answer is 201 or the attempts run out.",
           "for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) { send; 201 returns; otherwise, unless it was the last attempt, sleep }.",
           "The README's section 'The task'."})
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
    @Hint({"Before retry n, sleep policy.delayBeforeRetry(n, random.getAsDouble()) through the sleeper you were given.",
           "Retry 1 is the wait after the first attempt. Thread.sleep waits for real and the tests cannot see it: use sleeper.sleep.",
           "The README's section 'Backoff: exponential, capped, with jitter'."})
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
    @Hint({"3 attempts means one call and two retries, not one call and three retries. And there is no point waiting after the last one.",
           "Count attempts from 1 up to and including maxAttempts; when the last one fails, throw new PaymentsUnavailable(orderId, attempts, what went wrong, cause).",
           "The README's section 'Counting attempts'."})
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
    @Hint({"A policy of 1 attempt is the first call and nothing else.",
           "The loop runs for attempt = 1 only; the check 'was this the last attempt?' comes before the sleep.",
           "The README's section 'Counting attempts'."})
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
    @Hint({"A 400 means the request is wrong; sending it again gets 400 again, and adds load for nothing.",
           "if (!RetryPolicy.retryable(status)) throw new ChargeRejected(status, body); before any sleep or retry.",
           "The README's section 'What to retry'."})
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
    @Hint({"Every 4xx except 429 is the caller's problem, not payments' moment of weakness.",
           "Ask RetryPolicy.retryable(status), and make sure it says no to every 4xx but 429.",
           "The README's section 'What to retry'."})
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
    @Hint({"Payments says how long to wait: Retry-After: 2 means two seconds. Its word beats your backoff.",
           "retryAfterSeconds(answer) is written for you; when it has a value, sleep Duration.ofSeconds(that) instead of delayBeforeRetry.",
           "The README's section 'Retry-After'."})
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
    @Hint({"The key names the charge, not the attempt: make it once, before the first attempt, and send it every time.",
           "String key = UUID.randomUUID().toString(); before the loop, and .header(IDEMPOTENCY_KEY, key) on the request (or build the request once).",
           "The README's section 'Idempotency keys'."})
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
    @Hint({"A key shared by all charges would make payments treat the second order as a retry of the first, and charge it never.",
           "Make the key inside charge(), not in the constructor or a static field.",
           "The README's section 'Idempotency keys'."})
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
    @Hint({"No answer at all may be payments restarting: worth another try. The JDK reports it as an IOException.",
           "catch (IOException e) inside the loop: remember what happened and go on to the next attempt, as for a 503.",
           "The README's section 'What to retry'."})
    void connectionResetIsRetried() {
        paymentsAnswerInTurn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), charged());
        var payments = payments(THREE_ATTEMPTS, HALF);

        var chargeId = Expect.returns(() -> payments.charge("o-12", 4999), "the first call was reset and the second answered 201, so the charge should have worked");

        assertThat(chargeId).withFailMessage("the second answer's chargeId should come back, but got %s", chargeId).isEqualTo("ch-1");
        assertThat(calls()).withFailMessage("payments should have received 2 calls (reset, then 201), but received %d", calls()).isEqualTo(2);
        assertThat(sleeper.sleeps()).withFailMessage("one wait should come before the retry, but the sleeps were %s", sleeper.sleeps()).hasSize(1);
    }

    // ---- helpers ----

    private Payments payments(RetryPolicy policy, DoubleSupplier random) {
        return new Payments(HTTP, URI.create(paymentsPeer.baseUrl()), policy, sleeper, random);
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
