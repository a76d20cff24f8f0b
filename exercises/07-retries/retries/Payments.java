package retries;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.OptionalLong;
import java.util.function.DoubleSupplier;
import kit.Sleeper;

/*
 * Lesson 07 · Retries
 *
 * Payments flickers: now and then it answers 503 for a moment, and a checkout that gives up at the first 503
 * loses the order. Retrying fixes that, if it is done with care: wait a little longer after each failure, and a
 * random part of it, so a thousand checkouts do not all come back at the same instant; retry only what may work
 * the second time (5xx, 429, no answer), never a 400; honour payments' Retry-After; and send every attempt of
 * one charge with the same Idempotency-Key, so a charge whose answer was lost is not made twice.
 *
 * Write RetryPolicy.delayBeforeRetry and RetryPolicy.retryable first, then charge() below. The task is in
 * README.adoc. Check your work with: ./jbang workbook check 07
 */

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
     * Charges an order and returns payments' {@code chargeId}:
     * <ul>
     * <li>{@code POST {base}/charges}, {@code Content-Type: application/json}, the body {@link #chargeBody}, and
     *     the header {@link #IDEMPOTENCY_KEY} with a new random key (a UUID): the same key on every attempt.</li>
     * <li>201 {@code {"chargeId": "ch-1"}}: return {@code "ch-1"}.</li>
     * <li>A status {@link RetryPolicy#retryable} says no to (400, 402, 404, ...): throw {@link ChargeRejected} at once.</li>
     * <li>A retryable status, or an {@code IOException}: try again, at most {@code maxAttempts} calls in all. Before
     *     retry n, sleep {@code policy.delayBeforeRetry(n, random.getAsDouble())} through the sleeper, or exactly
     *     the answer's Retry-After when it has one ({@link #retryAfterSeconds}). No sleep after the last attempt.</li>
     * <li>Every attempt failed: throw {@link PaymentsUnavailable} with the number of attempts made.</li>
     * </ul>
     *
     * @throws ChargeRejected      payments answered a 4xx other than 429: no retry
     * @throws PaymentsUnavailable every attempt failed (5xx, 429, or no answer)
     */
    public String charge(String orderId, int amountCents) {
        throw new UnsupportedOperationException("TODO: Payments.charge: POST /charges with one Idempotency-Key for all attempts; retry 5xx, 429 and IOExceptions up to maxAttempts calls, sleeping the backoff (or Retry-After) in between");
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
