// Lesson 16 playground: legacy, catalog and carts are up, stubbed as in the lesson, behind a tiny facade.
// Open it with: ./jbang workbook play 16   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.net.http.*;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.*;
import java.util.concurrent.*;
import kit.Peer;

var peers = Peer.startAll("legacy", "catalog", "carts");
var legacy = peers.get(0);
var catalog = peers.get(1);
var carts = peers.get(2);
legacy.stub(get(urlPathMatching("/.*")).willReturn(okJson("{\"page\": \"legacy\"}").withFixedDelay(50)));
legacy.stub(get(urlPathMatching("/products/.*")).willReturn(okJson("{\"sku\": \"KB-42\", \"price\": \"49.99\"}").withFixedDelay(50)));
catalog.stub(get(urlPathMatching("/products/.*")).willReturn(okJson("{\"sku\": \"KB-42\", \"price\": 49.99}")));
carts.stub(get(urlPathMatching("/carts/.*")).willReturn(okJson("{\"owner\": \"ada\", \"items\": []}")));
var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

/** A route's stage: "legacy", "shadow", "migrated", or a number from 0 to 100 for a rollout. Change it at the prompt. */
var stages = new ConcurrentHashMap<String, String>(Map.of("products", "legacy", "carts", "legacy"));
var newServices = Map.of("products", catalog, "carts", carts);
var shadowLog = new CopyOnWriteArrayList<String>();

/** 0 to 99, from the user and the route: try it on a few users, and on two routes. */
int bucket(String user, String route) throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest((route + ":" + user).getBytes(StandardCharsets.UTF_8));
    return Math.floorMod(ByteBuffer.wrap(digest).getInt(), 100);
}

HttpResponse<String> fetch(Peer peer, String path, String user) throws Exception {
    var request = HttpRequest.newBuilder(peer.uri().resolve(path));
    if (user != null) request.header("X-User-Id", user);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
}

/** The facade's work for one request. Redefine this method at the prompt and the running facade uses yours. */
void route(Context ctx) throws Exception {
    String route = ctx.path().split("/")[1];
    String user = ctx.header("X-User-Id");
    String stage = stages.getOrDefault(route, "legacy");
    Peer side = switch (stage) {
        case "legacy", "shadow" -> legacy;
        case "migrated" -> newServices.get(route);
        default -> user != null && bucket(user, route) < Integer.parseInt(stage) ? newServices.get(route) : legacy;
    };
    var answer = fetch(side, ctx.path(), user);
    if (stage.equals("shadow")) {
        String path = ctx.path();
        CompletableFuture.runAsync(() -> {
            try {
                var shadow = fetch(newServices.get(route), path, user);
                shadowLog.add(path + ": " + (shadow.body().equals(answer.body()) ? "same" : answer.body() + " vs " + shadow.body()));
            } catch (Exception e) {
                shadowLog.add(path + ": failed " + e);
            }
        });
    }
    ctx.status(answer.statusCode()).header("X-Served-By", side.name()).result(answer.body());
}

var facade = Javalin.create(config -> {
    config.startup.showJavalinBanner = false;
    config.routes.get("/*", ctx -> route(ctx));
}).start("127.0.0.1", 0);

/** Sends a GET to the facade as a user (or null), and prints who answered. */
void show(String path, String user) throws Exception {
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + facade.port() + path));
    if (user != null) request.header("X-User-Id", user);
    var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    System.out.println(response.statusCode() + " from " + response.headers().firstValue("X-Served-By").orElse("?") + ": " + response.body());
}

System.out.println("""
    legacy, catalog and carts are up (each a kit.Peer around a WireMock server), behind a facade at
    http://127.0.0.1:%d. Try:
      show("/products/KB-42", "ada")
      stages.put("products", "shadow"); show("/products/KB-42", "ada"); shadowLog
      bucket("ada", "products"); bucket("ada", "carts")
      stages.put("products", "50"); for (var u : List.of("ada", "bob", "cy", "dee")) show("/products/KB-42", u);
      stages.put("products", "migrated"); show("/products/KB-42", null); legacy.journal().size()
    The shadow log compares bytes: try a catalog that answers the same JSON with other spacing.
    Redefine route(Context ctx) to change what the facade does; it takes effect at once.
    Leave with /exit.
    """.formatted(facade.port()));
