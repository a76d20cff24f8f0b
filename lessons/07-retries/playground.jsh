// Lesson 07 playground: a flickering payments, and Resilience4j's retry in front of it.
// Open it with: ./jbang workbook play 07   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import com.github.tomakehurst.wiremock.http.Fault;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.*;
import java.net.URI;
import java.net.http.*;
import java.time.Duration;
import java.util.UUID;
import kit.Peer;

var payments = Peer.start("payments");
var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

/** Payments answers 503 `failures` times, then charges the card. */
void flickers(int failures) {
    payments.reset();
    var answers = new com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder[failures + 1];
    for (int i = 0; i < failures; i++) answers[i] = serviceUnavailable();
    answers[failures] = aResponse().withStatus(201).withBody("{\"chargeId\": \"ch-1\"}");
    payments.answerInTurn(post("/charges"), answers);
}

/** Payments always answers this status (400, 429 with Retry-After: 1, 503, ...). */
void answers(int status) {
    payments.reset();
    payments.stub(post("/charges").willReturn(aResponse().withStatus(status).withHeader("Retry-After", "1")));
}

/** Payments charges, then the connection breaks before the answer arrives; a repeat of the key gets the charge back. */
void losesAnswers() {
    payments.reset();
    payments.answerInTurn(post("/charges"), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
        aResponse().withStatus(201).withBody("{\"chargeId\": \"ch-2\"}"));
}

var retry = Retry.of("payments", RetryConfig.<HttpResponse<String>>custom()
    .maxAttempts(4)
    .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(100), 2.0, 0.5, Duration.ofSeconds(1)))
    .retryOnResult(r -> r.statusCode() == 429 || r.statusCode() >= 500)
    .retryExceptions(java.io.IOException.class)
    .build());
retry.getEventPublisher().onRetry(e -> System.out.println("  retry " + e.getNumberOfRetryAttempts() + " after " + e.getWaitInterval().toMillis() + " ms"));

/** One charge through the retry, with an Idempotency-Key (or none, given null). Real waits: 100 ms and up. */
String charge(String key) throws Throwable {
    var builder = HttpRequest.newBuilder(URI.create(payments.url("/charges"))).POST(HttpRequest.BodyPublishers.ofString("{}"));
    if (key != null) builder.header("Idempotency-Key", key);
    var request = builder.build();
    var answer = retry.executeCheckedSupplier(() -> http.send(request, HttpResponse.BodyHandlers.ofString()));
    return answer.statusCode() + " " + answer.body() + "  (payments received " + payments.hits() + " calls in all)";
}

flickers(2);
System.out.println("""
    payments is up at %s, and flickers: two 503s, then 201.
    Resilience4j's retry: 4 attempts, 100 ms doubling, ±50 %%, at most 1 s.
    Try:
      charge(UUID.randomUUID().toString())   two retries, then charged
      answers(400); charge(null)             not retried: one call
      answers(503); charge(null)             4 attempts, then the last 503
      losesAnswers(); charge(null)           two calls: payments charged twice
      payments.journal()                     what payments received (headers included)
    Leave with /exit.
    """.formatted(payments.uri()));
