// Lesson 05 playground: the registry and catalog's three replicas are up; catalog-2 answers 503. Find them and take turns by hand.
// Open it with: ./jbang workbook play 05   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.*;
import java.util.*;
import kit.Peer;

var peers = Peer.startAll("registry", "catalog-1", "catalog-2", "catalog-3");
var registry = peers.get(0);
var replicas = peers.subList(1, 4);
for (var r : replicas) r.stub(get(urlPathMatching("/products/.*")).willReturn(okJson("{\"sku\": \"KB-42\", \"servedBy\": \"" + r.name() + "\"}")));
replicas.get(1).stub(get(urlPathMatching("/products/.*")).willReturn(serviceUnavailable().withBody("database pool exhausted")));
registry.stub(get("/services/catalog").willReturn(okJson("{\"service\": \"catalog\", \"instances\": ["
    + String.join(", ", replicas.stream().map(r -> "{\"id\": \"" + r.name() + "\", \"url\": \"" + r.uri() + "\"}").toList()) + "]}")));
var http = HttpClient.newHttpClient();
var json = new ObjectMapper();

/** Sends a GET and prints the status and body. */
void show(String url) throws Exception {
    var response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    System.out.println(response.statusCode() + " " + response.body());
}

/** The registry's list of catalog's addresses, in its order. */
List<URI> askRegistry() throws Exception {
    var body = http.send(HttpRequest.newBuilder(registry.uri().resolve("/services/catalog")).build(), HttpResponse.BodyHandlers.ofString()).body();
    List<URI> found = new ArrayList<>();
    for (var node : json.readTree(body).path("instances")) found.add(URI.create(node.path("url").asText()));
    return found;
}

/** How many requests each replica has received. */
void counts() {
    replicas.forEach(r -> System.out.print(r.name() + " " + r.hits() + "   "));
    System.out.println();
}

System.out.println("""
    The registry and catalog-1, catalog-2, catalog-3 are up (kit.Peer around WireMock); catalog-2 answers 503.
    Try:
      show(registry.url("/services/catalog"))
      var list = askRegistry()
      int turn = 0
      for (int i = 0; i < 6; i++) show(list.get(turn++ % list.size()).resolve("/products/KB-42").toString())
      counts()
      replicas.get(1).reset()                         // catalog-2 forgets its stubs: now it answers 404
      registry.stub(get("/services/catalog").willReturn(serviceUnavailable()))   // the registry goes down
    Leave with /exit.
    """);
