// Lesson 04 playground: profiles, orders and recommendations are up, stubbed as in the lesson (100, 150, 300 ms).
// Open it with: ./jbang workbook play 04   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import java.net.URI;
import java.net.http.*;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.*;
import kit.Peer;

var peers = Peer.startAll("profiles", "orders", "recommendations");
var profiles = peers.get(0);
var orders = peers.get(1);
var recommendations = peers.get(2);
profiles.stub(get(urlPathMatching("/profiles/.*")).willReturn(okJson("{\"id\": \"c-7\", \"name\": \"Ada\", \"tier\": \"gold\"}").withFixedDelay(100)));
orders.stub(get(urlPathEqualTo("/orders")).willReturn(okJson("[{\"orderId\": \"o-41\", \"status\": \"shipped\"}]").withFixedDelay(150)));
recommendations.stub(get(urlPathMatching("/recommendations/.*")).willReturn(okJson("[{\"sku\": \"KB-42\", \"title\": \"Split keyboard\"}]").withFixedDelay(300)));
var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

/** GET a peer's path and wait for the body. */
String fetch(Peer peer, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(peer.uri().resolve(path)).build(), BodyHandlers.ofString()).body();
}

/** GET a peer's path without waiting: the body comes in the future. */
CompletableFuture<String> fetchAsync(Peer peer, String path) {
    return http.sendAsync(HttpRequest.newBuilder(peer.uri().resolve(path)).build(), BodyHandlers.ofString()).thenApply(HttpResponse::body);
}

/** Runs the code and prints how long it took. */
void timed(Callable<?> code) throws Exception {
    long start = System.nanoTime();
    Object result = code.call();
    System.out.println(((System.nanoTime() - start) / 1_000_000) + " ms: " + result);
}

System.out.println("""
    The home screen's services are up: profiles (100 ms), orders (150 ms), recommendations (300 ms).
    In turn, then at once:
      timed(() -> fetch(profiles, "/profiles/c-7") + fetch(recommendations, "/recommendations/c-7"))
      timed(() -> { var p = fetchAsync(profiles, "/profiles/c-7"); var r = fetchAsync(recommendations, "/recommendations/c-7"); return p.join() + r.join(); })
    Recommendations slows down; a deadline of 400 ms:
      recommendations.stub(get(urlPathMatching("/recommendations/.*")).willReturn(okJson("[]").withFixedDelay(2000)))
      timed(() -> fetchAsync(recommendations, "/recommendations/c-7").completeOnTimeout("(too late)", 400, TimeUnit.MILLISECONDS).join())
    On virtual threads, with the same deadline. Why does this take 2 s, not 400 ms? (Hint: what does close() do?)
      timed(() -> { try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
          var r = threads.submit(() -> fetch(recommendations, "/recommendations/c-7"));
          try { return r.get(400, TimeUnit.MILLISECONDS); } catch (TimeoutException e) { return "(too late)"; } } })
    The journal of a peer: recommendations.journal()
    Leave with /exit.
    """);
