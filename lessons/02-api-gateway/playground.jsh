// Lesson 02 playground: users, carts and orders are up, stubbed as in the lesson, behind a tiny gateway.
// Open it with: ./jbang workbook play 02   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.net.http.*;
import java.time.Duration;
import java.util.*;
import kit.Peer;

var peers = Peer.startAll("users", "carts", "orders");
var users = peers.get(0);
var carts = peers.get(1);
var orders = peers.get(2);
users.stub(get("/ada").willReturn(okJson("{\"id\": \"ada\", \"name\": \"Ada Lovelace\"}")));
carts.stub(get("/ada").willReturn(okJson("{\"owner\": \"ada\", \"items\": [{\"sku\": \"KB-42\", \"quantity\": 1}]}")));
orders.stub(get("/ada").willReturn(okJson("[{\"id\": \"o-1001\", \"total\": \"49.99 EUR\"}]")));
orders.stub(get("/ada/history").willReturn(okJson("[]").withFixedDelay(2000)));
var services = new LinkedHashMap<String, URI>();
for (Peer peer : peers) services.put(peer.name(), peer.uri()); // kept: a stopped peer no longer knows its address
var tokens = Map.of("ada-7f3a9c", "ada");
var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

/** The gateway's work for one request. Redefine this method at the prompt and the running gateway uses yours. */
void forward(Context ctx) throws Exception {
    String name = ctx.pathParam("service");
    URI service = services.get(name);
    if (service == null) { ctx.status(404).result("no such service"); return; }
    String auth = ctx.header("Authorization");
    String user = auth != null && auth.startsWith("Bearer ") ? tokens.get(auth.substring(7)) : null;
    if (user == null) { ctx.status(401).header("WWW-Authenticate", "Bearer").result("token required"); return; }
    var request = HttpRequest.newBuilder(service.resolve("/" + ctx.pathParam("rest")))
        .timeout(Duration.ofMillis(300)).header("X-User-Id", user).build();
    try {
        var answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        ctx.status(answer.statusCode()).result(answer.body());
    } catch (HttpTimeoutException e) {
        ctx.status(504).result(name + " is too slow");
    } catch (java.io.IOException e) {
        ctx.status(502).result(name + " cannot be reached");
    }
}

var gateway = Javalin.create(config -> {
    config.startup.showJavalinBanner = false;
    config.routes.get("/api/{service}/<rest>", ctx -> forward(ctx));
}).start("127.0.0.1", 0);

/** Sends a GET to the gateway, with a token or without (null), and prints the status and body. */
void show(String path, String token) throws Exception {
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path));
    if (token != null) request.header("Authorization", "Bearer " + token);
    var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    System.out.println(response.statusCode() + " " + response.body());
}

System.out.println("""
    users, carts and orders are up (each a kit.Peer around a WireMock server), behind a gateway at
    http://127.0.0.1:%d. Try:
      show("/api/users/ada", "ada-7f3a9c")
      show("/api/users/ada", null)
      show("/api/orders/ada/history", "ada-7f3a9c")
      users.journal().get(0).getHeaders()
      carts.close(); show("/api/carts/ada", "ada-7f3a9c")
    Redefine forward(Context ctx) to change what the gateway does; it takes effect at once.
    Leave with /exit.
    """.formatted(gateway.port()));
