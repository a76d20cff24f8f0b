// Lesson 08 playground: payments is up, with a Resilience4j circuit breaker in front of it on a manual clock.
// Open it with: ./jbang workbook play 08   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import io.github.resilience4j.circuitbreaker.*;
import java.net.URI;
import java.net.http.*;
import java.time.Duration;
import kit.ManualClock;
import kit.Peer;

var payments = Peer.start("payments");
var http = HttpClient.newHttpClient();
var clock = new ManualClock();

/** Payments charges every card. */
void paymentsUp() {
    payments.reset();
    payments.stub(post("/charges").willReturn(aResponse().withStatus(201).withBody("{\"chargeId\": \"ch-1\", \"status\": \"captured\"}")));
}

/** Payments fails every charge, after 400 ms, as in the lesson. */
void paymentsDown() {
    payments.reset();
    payments.stub(post("/charges").willReturn(serviceUnavailable().withFixedDelay(400)));
}

/** Moves the breaker's clock: "ten seconds later" takes no time. */
void later(int seconds) { clock.advance(Duration.ofSeconds(seconds)); }

paymentsUp();
var breaker = CircuitBreaker.of("payments", CircuitBreakerConfig.custom()
    .slidingWindowSize(6).minimumNumberOfCalls(3).failureRateThreshold(50)
    .waitDurationInOpenState(Duration.ofSeconds(10)).permittedNumberOfCallsInHalfOpenState(2)
    .clock(clock).build());
breaker.getEventPublisher().onStateTransition(e -> System.out.println("  t+" + clock.elapsed().toSeconds() + "s " + e.getStateTransition()));

/** One charge through the breaker; says what happened. */
String charge() {
    try {
        return breaker.executeSupplier(() -> {
            try {
                var request = HttpRequest.newBuilder(URI.create(payments.url("/charges"))).POST(HttpRequest.BodyPublishers.noBody()).build();
                var response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 201) throw new IllegalStateException("payments answered " + response.statusCode());
                return "charged: " + response.body();
            } catch (java.io.IOException | InterruptedException e) {
                throw new IllegalStateException("payments could not be reached: " + e);
            }
        });
    } catch (CallNotPermittedException refused) {
        return "refused by the breaker, payments not called (" + breaker.getState() + ")";
    } catch (IllegalStateException failed) {
        return "failed: " + failed.getMessage() + " (breaker " + breaker.getState() + ")";
    }
}

System.out.println("""
    payments is up, behind a Resilience4j breaker (last 6 calls, at least 3, open at 50 %, 10 s, 2 trial calls).
    Try:
      charge()
      paymentsDown()
      charge(); charge()                    2 of the last 3 calls failed (67 %): the breaker opens
      charge()                              refused at once
      payments.hits()                       payments saw the 2 failed calls, not the refused one
      later(11); paymentsUp()
      charge(); charge()                    two trial calls close it
      breaker.getMetrics().getFailureRate()
    Leave with /exit.
    """);
