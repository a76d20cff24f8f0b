// Lesson 03 playground: orders is up behind a gateway that gives each client a token bucket (Bucket4j), on a
// clock that moves only when you move it. Open it with: ./jbang workbook play 03
// (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.net.http.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.ConcurrentHashMap;
import kit.ManualClock;
import kit.Peer;

var orders = Peer.start("orders");
orders.stub(get(urlPathMatching("/orders/.*")).willReturn(okJson("{\"id\": \"o-1\", \"status\": \"placed\"}")));
var http = HttpClient.newHttpClient();

// The gateway's time: clock.advanceMillis(200) is 200 ms later for every bucket.
var clock = new ManualClock();
TimeMeter time = new TimeMeter() {
    public long currentTimeNanos() { return clock.elapsed().toNanos(); }
    public boolean isWallClockBased() { return false; }
};

// One bucket per client: a burst of 10, then 5 tokens a second. To try other numbers, redefine bucketOf, then buckets.clear().
var buckets = new ConcurrentHashMap<String, Bucket>();
Bucket bucketOf(String client) {
    return buckets.computeIfAbsent(client, c -> Bucket.builder()
        .addLimit(limit -> limit.capacity(10).refillGreedy(5, Duration.ofSeconds(1)))
        .withCustomTimePrecision(time)
        .build());
}

// The gateway's decision: 0 lets the request through, anything else is the nanoseconds to wait.
// Redefine it at the prompt and the running gateway uses yours, for example: long admit(String client) { return 0; }
long admit(String client) {
    ConsumptionProbe probe = bucketOf(client).tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? 0 : probe.getNanosToWaitForRefill();
}

void handle(Context ctx) throws Exception {
    String client = ctx.header("X-Api-Key");
    if (client == null) { ctx.status(401).result("send your key in X-Api-Key"); return; }
    long wait = admit(client);
    if (wait > 0) {
        ctx.status(429).header("Retry-After", Long.toString(Math.ceilDiv(wait, 1_000_000_000L))).result("too many requests");
        return;
    }
    var answer = http.send(HttpRequest.newBuilder(orders.uri().resolve(ctx.path())).build(), HttpResponse.BodyHandlers.ofString());
    ctx.status(answer.statusCode()).result(answer.body());
}

var gateway = Javalin.create(config -> {
    config.startup.showJavalinBanner = false;
    config.routes.get("/orders/{id}", ctx -> handle(ctx));
}).start("127.0.0.1", 0);

// Sends n requests to the gateway as one client, at the clock's current time, and prints what came back.
void send(String client, int n) throws Exception {
    var line = new StringBuilder(client + " at +" + clock.elapsed().toMillis() + " ms:");
    for (int i = 0; i < n; i++) {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/orders/o-1")).header("X-Api-Key", client).build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        line.append(" ").append(response.statusCode());
        response.headers().firstValue("Retry-After").ifPresent(s -> line.append("(Retry-After ").append(s).append(")"));
    }
    System.out.println(line);
}

System.out.println("""
    orders is up at %s, behind a rate-limiting gateway at http://127.0.0.1:%d
    (a Bucket4j token bucket per X-Api-Key: 10 at once, then 5 a second, on a manual clock). Try:
      send("bargain-bot", 12)
      send("web-shop", 3)
      clock.advanceMillis(400); send("bargain-bot", 3)
      clock.advance(Duration.ofHours(1)); bucketOf("bargain-bot").getAvailableTokens()
      orders.hits()
      long admit(String client) { return 0; }        (no limit: redefine the decision)
    Leave with /exit.
    """.formatted(orders.uri(), gateway.port()));
