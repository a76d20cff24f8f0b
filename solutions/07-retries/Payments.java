package retries;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.DoubleSupplier;
import kit.Sleeper;

/**
 * Orders' client for payments: {@code POST /charges}, retried with exponential backoff and full jitter when
 * payments flickers, and safe to retry because every attempt of one charge carries the same Idempotency-Key.
 */
public final class Payments {
    /** The header payments deduplicates charges by: the same key twice is the same charge, made once. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final HttpClient http;
    private final URI base;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param http    the client to send with
     * @param base    where payments listens, for example {@code http://127.0.0.1:41237}
     * @param policy  how many attempts, and how long to wait between them
     * @param sleeper how to wait: {@code Sleeper.REAL} in production, a recording one in tests
     * @param random  numbers in [0, 1) for the jitter: {@code new SplittableRandom()::nextDouble} in production
     */
    public Payments(HttpClient http, URI base, RetryPolicy policy, Sleeper sleeper, DoubleSupplier random) {
        this.http = http;
        this.base = base;
        this.policy = policy;
        this.sleeper = sleeper;
        this.random = random;
    }

    /**
     * Charges an order and returns payments' {@code chargeId}: see the task in README.adoc.
     *
     * @throws ChargeRejected      payments answered a 4xx other than 429: no retry
     * @throws PaymentsUnavailable every attempt failed (5xx, 429, or no answer)
     */
    public String charge(String orderId, int amountCents) {
        String key = UUID.randomUUID().toString(); // one charge, one key: every attempt sends the same
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/charges"))
            .header("Content-Type", "application/json")
            .header(IDEMPOTENCY_KEY, key)
            .POST(BodyPublishers.ofString(chargeBody(orderId, amountCents)))
            .build();
        for (int attempt = 1; ; attempt++) { // every way out is inside: a charge, a refusal, the last attempt, an interrupt
            String problem;
            IOException failure = null;
            OptionalLong retryAfter = OptionalLong.empty();
            try {
                HttpResponse<String> answer = http.send(request, BodyHandlers.ofString());
                int status = answer.statusCode();
                if (status == 201) return json.readTree(answer.body()).path("chargeId").asText();
                if (!RetryPolicy.retryable(status)) throw new ChargeRejected(status, answer.body());
                problem = "payments answered " + status;
                retryAfter = retryAfterSeconds(answer);
            } catch (IOException e) {
                problem = "payments could not be reached: " + e;
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PaymentsUnavailable(orderId, attempt, "interrupted", e);
            }
            if (attempt == policy.maxAttempts()) throw new PaymentsUnavailable(orderId, attempt, problem, failure); // no wait after the last
            Duration wait = retryAfter.isPresent()
                ? Duration.ofSeconds(retryAfter.getAsLong())
                : policy.delayBeforeRetry(attempt, random.getAsDouble());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PaymentsUnavailable(orderId, attempt, "interrupted while waiting to retry", e);
            }
        }
    }

    /** Retry-After in whole seconds ({@code Retry-After: 2}); none, a date, or anything else: empty. Done for you. */
    static OptionalLong retryAfterSeconds(HttpResponse<?> answer) {
        var header = answer.headers().firstValue("Retry-After");
        if (header.isEmpty() || !header.get().strip().matches("\\d{1,9}")) return OptionalLong.empty();
        return OptionalLong.of(Long.parseLong(header.get().strip()));
    }

    /** The charge's JSON: {@code {"orderId": "o-1", "amountCents": 4999}}. Done for you. */
    String chargeBody(String orderId, int amountCents) {
        return json.createObjectNode().put("orderId", orderId).put("amountCents", amountCents).toString();
    }
}
