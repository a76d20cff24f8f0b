// Lesson 15 playground: inventory and payments are up, and every request they receive keeps its traceparent header.
// Open it with: ./jbang workbook play 15   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import io.github.resilience4j.circuitbreaker.*;
import java.net.URI;
import java.net.http.*;
import java.util.HexFormat;
import java.util.SplittableRandom;
import kit.Peer;

var peers = Peer.startAll("inventory", "payments");
var inventory = peers.get(0);
var payments = peers.get(1);
inventory.stub(post("/reservations").willReturn(aResponse().withStatus(201).withBody("{\"reservationId\": \"r-1\"}")));
payments.stub(post("/charges").willReturn(aResponse().withStatus(201).withBody("{\"chargeId\": \"ch-1\"}")));
var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
var random = new SplittableRandom(15);

/** A new id of so many bytes, as lowercase hex: 16 bytes for a trace id, 8 for a span id. */
String newId(int bytes) {
    byte[] id = new byte[bytes];
    random.nextBytes(id);
    return HexFormat.of().formatHex(id);
}

/** POSTs to a peer with this traceparent (or none, with null) and prints the answer. */
void send(Peer peer, String path, String traceparent) throws Exception {
    var request = HttpRequest.newBuilder(URI.create(peer.url(path))).POST(HttpRequest.BodyPublishers.ofString("{}"));
    if (traceparent != null) request.header("traceparent", traceparent);
    var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    System.out.println(response.statusCode() + " " + response.body());
}

/** What a peer received: each request with its traceparent header. */
void received(Peer peer) {
    peer.journal().forEach(r -> System.out.println(r.getMethod() + " " + r.getUrl() + "  traceparent: " + r.getHeader("traceparent")));
}

var breaker = CircuitBreaker.of("payments", CircuitBreakerConfig.custom().slidingWindowSize(4).minimumNumberOfCalls(4).build());

System.out.println("""
    inventory and payments are up (each a kit.Peer around a WireMock server). Try:
      var trace = newId(16)
      send(inventory, "/reservations", "00-" + trace + "-" + newId(8) + "-01")
      send(payments, "/charges", "00-" + trace + "-" + newId(8) + "-01")
      received(inventory); received(payments)
      breaker.getState(); breaker.transitionToOpenState(); breaker.getState()
    Leave with /exit.
    """);
