// Lesson 06 playground: payments never answers (until you say so); calls with and without a timeout, and a deadline.
// Open it with: ./jbang workbook play 06   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import java.net.URI;
import java.net.http.*;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import kit.Peer;

var payments = Peer.start("payments");
var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(250)).build();

/** Payments accepts every request and answers after ms milliseconds (60_000: it never answers, as far as you care). */
void paymentsTakes(int ms) {
    payments.stub(post("/charges").willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
        .withBody("{\"chargeId\": \"ch-1\"}").withFixedDelay(ms)));
}
paymentsTakes(60_000);

/** Charges an order, waiting at most timeout for the answer (null: no timeout at all), and prints what happened. */
void charge(String orderId, Duration timeout) {
    var request = HttpRequest.newBuilder(payments.uri().resolve("/charges")).header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString("{\"orderId\": \"" + orderId + "\", \"amountCents\": 4999}"));
    if (timeout != null) request.timeout(timeout);
    long start = System.nanoTime();
    try {
        var answer = http.send(request.build(), BodyHandlers.ofString());
        System.out.println(answer.statusCode() + " " + answer.body() + " after " + (System.nanoTime() - start) / 1_000_000 + " ms");
    } catch (HttpTimeoutException e) {
        System.out.println("gave up after " + (System.nanoTime() - start) / 1_000_000 + " ms: " + e.getMessage() + "  (orders would answer 504)");
    } catch (Exception e) {
        System.out.println("failed: " + e + "  (orders would answer 502)");
    }
}

/** A deadline ms milliseconds from now, as a System.nanoTime() value. */
long deadlineIn(long ms) { return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms); }

/** The whole milliseconds left until a deadline, rounded down; 0 once it has passed. */
long left(long deadline) { return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())); }

/** Charges within what is left of a deadline: no call at all once it has passed. Redefine it at the prompt. */
void charge(String orderId, long deadline) {
    long ms = left(deadline);
    if (ms == 0) { System.out.println("no time left: payments not called"); return; }
    charge(orderId, Duration.ofMillis(ms));
}

System.out.println("""
    payments is up at %s and never answers (every charge waits 60 s). Try:
      charge("o-1", Duration.ofMillis(300))          gives up after 300 ms
      paymentsTakes(100); charge("o-2", Duration.ofMillis(300))
      var d = deadlineIn(2000); left(d)              then, a moment later: left(d), charge("o-3", d)
      paymentsTakes(60_000); charge("o-4", (Duration) null)   no timeout: press Ctrl-C to stop waiting
    Leave with /exit.
    """.formatted(payments.uri()));
