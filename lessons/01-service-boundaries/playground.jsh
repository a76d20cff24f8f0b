// Lesson 01 playground: the shop's three peers are up, stubbed as in the lesson. Try them with the JDK's HttpClient.
// Open it with: ./jbang workbook play 01   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import java.net.URI;
import java.net.http.*;
import kit.Peer;

var peers = Peer.startAll("inventory", "payments", "profiles");
var inventory = peers.get(0);
var payments = peers.get(1);
var profiles = peers.get(2);
inventory.stub(get(urlPathMatching("/stock/.*")).willReturn(okJson("{\"sku\": \"KB-42\", \"available\": 7}").withFixedDelay(60)));
inventory.stub(get("/stock/NOPE-1").willReturn(notFound()));
profiles.stub(get(urlPathMatching("/customers/.*")).willReturn(okJson("{\"id\": \"c-7\", \"name\": \"Ada\", \"tier\": \"gold\"}")));
payments.stub(post("/charges").willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"chargeId\": \"ch-1\", \"status\": \"captured\"}")));
var http = HttpClient.newHttpClient();

/** Sends a GET and prints the status and body. */
void show(String url) throws Exception {
    var response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    System.out.println(response.statusCode() + " " + response.body());
}

System.out.println("""
    The shop's peers are up: inventory, payments, profiles (each a kit.Peer around a WireMock server).
    Try:
      show(inventory.url("/stock/KB-42"))
      show(inventory.url("/stock/NOPE-1"))
      inventory.stub(get(urlPathMatching("/stock/.*")).willReturn(serverError().withBody("<html>oops</html>")))
      show(inventory.url("/stock/KB-42"))
      inventory.journal()
    Leave with /exit.
    """);
