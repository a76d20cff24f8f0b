///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 01 · Service boundaries: the order service calls inventory, payments and profiles one after another.

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.notFound;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import kit.Mine;
import kit.Narrator;
import kit.Peer;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static Narrator story;
    static Peer inventory, payments, profiles;
    static Javalin orders;

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("01-service-boundaries", args);
        boolean mine = story.mine();
        theMonolithIsSplit();
        aCalmDay();
        inventorySlowsDown();
        inventoryHasABadDay();
        errorsInOurOwnWords();
        if (mine) yourBoundary();
        if (story.serving()) calmDayAgain();
        story.serve(
            "curl -s -X POST " + ordersUrl() + "/orders -d '{\"customerId\":\"c-7\",\"sku\":\"KB-42\",\"quantity\":1}'",
            "curl -s -X POST " + ordersUrl() + "/orders -d '{\"customerId\":\"c-7\",\"sku\":\"NOPE-1\",\"quantity\":1}'",
            "curl -s " + inventory.url("/stock/KB-42") + "     (inventory itself, the peer behind the boundary)");
        orders.stop();
        List.of(inventory, payments, profiles).forEach(Peer::close);
        story.end();
    }

    // ---- the steps ----

    static void theMonolithIsSplit() {
        story.tell("""
            Last year the shop was one program. Taking an order was a method call: check the stock, look up the
            customer, charge the card, all in one process, all in one database transaction.
            Now stock lives in the inventory service, customers in profiles, and cards are charged by payments.
            The order service calls all three over HTTP, one after another. A method call became a network call:
            it can be slow, it can fail, and the other side speaks its own language.""");
        story.step("Start the shop: three peers and the order service");
        // tag::peers[]
        var peers = Peer.startAll("inventory", "payments", "profiles");
        inventory = peers.get(0);
        payments = peers.get(1);
        profiles = peers.get(2);
        profiles.stub(get(urlPathMatching("/customers/.*"))
            .willReturn(okJson("{\"id\": \"c-7\", \"name\": \"Ada\", \"tier\": \"gold\"}").withFixedDelay(40)));
        inventory.stub(get(urlPathMatching("/stock/.*"))
            .willReturn(okJson("{\"sku\": \"KB-42\", \"available\": 7}").withFixedDelay(60)));
        payments.stub(post("/charges")
            .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                .withBody("{\"chargeId\": \"ch-1\", \"status\": \"captured\"}").withFixedDelay(120)));
        // end::peers[]
        orders = startOrderService();
        story.listen(inventory, payments, profiles);
        for (Peer peer : peers) story.say(peer.name() + " is up at " + peer.uri());
        story.say("orders (our service) is up at " + ordersUrl());
    }

    static void aCalmDay() throws Exception {
        story.step("A calm day: one order, three calls in a row");
        var order = placeOrder("c-7", "KB-42", 1);
        story.say("orders answered " + order.status() + " in " + order.millis() + " ms: " + order.body());
        story.tell("""
            The three calls run one after another, so their times add up: 40 ms for profiles, 60 ms for inventory
            and 120 ms for payments make an order take at least 220 ms. Each call is a dependency: the order
            service can only be as fast, and as available, as all of its peers together.""");
        story.check(order.status() == 201, "the order was accepted (201)");
        story.check(order.millis() >= 220, "the order took at least the sum of the three peers' times (220 ms)");
        story.check(callOrder().equals(List.of("profiles", "inventory", "payments")), "the peers were called in turn: profiles, inventory, payments");
    }

    static void inventorySlowsDown() throws Exception {
        story.step("Inventory slows down, and every order with it");
        inventory.stub(get(urlPathMatching("/stock/.*"))
            .willReturn(okJson("{\"sku\": \"KB-42\", \"available\": 7}").withFixedDelay(1500)));
        story.state("inventory latency", "60 ms -> 1500 ms (a slow database query)");
        var order = placeOrder("c-7", "KB-42", 1);
        story.say("orders answered " + order.status() + " in " + order.millis() + " ms");
        story.tell("""
            Nothing is broken, and yet every customer waits one and a half seconds longer. This is the latency
            chain: a synchronous call makes the caller's latency the sum of its peers'. One slow peer makes
            every order slow. Lesson 04 calls peers in parallel; lesson 06 stops waiting for good.""");
        story.check(order.status() == 201, "the order still succeeded");
        story.check(order.millis() >= 1500 + 160, "the order took at least inventory's 1500 ms plus the others' 160 ms");
        inventory.stub(get(urlPathMatching("/stock/.*"))
            .willReturn(okJson("{\"sku\": \"KB-42\", \"available\": 7}").withFixedDelay(60)));
    }

    static void inventoryHasABadDay() throws Exception {
        story.step("Inventory has a bad day: a careless client sells 'out of stock'");
        inventory.stub(get(urlPathMatching("/stock/.*"))
            .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                .withBody("{\"error\": \"database unavailable\"}")));
        story.state("inventory", "answers 500 {\"error\": \"database unavailable\"}");
        // tag::careless[]
        // A careless client: it reads every body as stock, whatever the status says.
        var response = HTTP.send(HttpRequest.newBuilder(URI.create(inventory.url("/stock/KB-42"))).build(), BodyHandlers.ofString());
        JsonNode stock = JSON.readTree(response.body());
        int available = stock.path("available").asInt(); // a missing field reads as 0
        // end::careless[]
        story.say("the careless client read: available = " + available + ", so the shop shows 'out of stock'");
        story.tell("""
            No exception, no alarm: the shop quietly tells customers there is nothing to buy, and nobody is paged
            because nothing failed. The peer's error crossed the boundary disguised as data.""");
        story.check(available == 0, "the careless client saw 0 in stock while inventory was down");

        var order = placeOrder("c-7", "KB-42", 1);
        story.say("the order service, at the boundary, answered " + order.status() + ": " + order.body());
        story.check(order.status() == 503 && order.body().contains("inventory"),
            "the order service, which checks the status first, reports inventory as unavailable (503)");
        story.check(payments.hits() == 0, "payments was never called, so no card was charged for an order that could not be checked");
    }

    static void errorsInOurOwnWords() throws Exception {
        story.step("Errors in our own words");
        inventory.stub(get(urlPathMatching("/stock/.*")).willReturn(okJson("{\"sku\": \"KB-42\", \"available\": 7}")));
        inventory.stub(get("/stock/NOPE-1").willReturn(notFound().withBody("<html>404 Not Found</html>")));
        payments.stub(post("/charges").willReturn(aResponse().withStatus(402)
            .withHeader("Content-Type", "application/json").withBody("{\"reason\": \"card expired\"}")));
        var unknown = placeOrder("c-7", "NOPE-1", 1);
        story.say("unknown sku:   " + unknown.status() + " " + unknown.body());
        var declined = placeOrder("c-7", "KB-42", 1);
        story.say("card declined: " + declined.status() + " " + declined.body());
        story.tell("""
            Inventory's 404 page and payments' 402 never reach the order service's callers. At the boundary each
            peer's answer is translated into the order service's own terms: an unknown sku, a declined payment,
            a peer that is unavailable. That translation layer is the anti-corruption layer, and it is what the
            exercise asks you to build: ./jbang workbook check 01""");
        story.check(unknown.status() == 422 && unknown.body().contains("unknown sku"), "inventory's 404 became our 422 'unknown sku'");
        story.check(declined.status() == 402 && declined.body().contains("card expired"), "payments' 402 became our 402 'payment declined: card expired'");
        story.check(!unknown.body().contains("html"), "no HTML from inventory leaked to the caller");
    }

    /** With --mine: the bad days of this story, met by the learner's ShopPeers from exercises/01-service-boundaries. */
    static void yourBoundary() {
        story.step("Your boundary on the same bad days (--mine)");
        Mine mine = Mine.compile("01-service-boundaries");
        Object yours = mine.create("boundaries.ShopPeers", HTTP, inventory.uri(), payments.uri(), profiles.uri());
        inventory.stub(get(urlPathMatching("/stock/.*")).willReturn(aResponse().withStatus(500)
            .withHeader("Content-Type", "application/json").withBody("{\"error\": \"database unavailable\"}")));
        story.check(problemName(() -> mine.call(yours, "stockOf", "KB-42")).equals("PeerUnavailable"),
            "inventory's 500 {\"error\": ...} is PeerUnavailable in your ShopPeers, not 0 in stock");
        inventory.stub(get(urlPathMatching("/stock/.*")).willReturn(notFound().withBody("<html>404 Not Found</html>")));
        story.check(problemName(() -> mine.call(yours, "stockOf", "NOPE-1")).equals("UnknownSku"),
            "inventory's 404 page is UnknownSku in your ShopPeers");
        story.check(problemName(() -> mine.call(yours, "customer", "c-7")).equals("returned"),
            "profiles' customer comes back as a record from your ShopPeers");
    }

    /** The simple name of what the learner's code threw, or "returned" when it returned normally. */
    static String problemName(java.util.concurrent.Callable<Object> call) {
        try {
            Object result = call.call();
            story.say("your code returned " + result);
            return "returned";
        } catch (Exception e) {
            story.say("your code threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return e.getClass().getSimpleName();
        }
    }

    /** For --serve: payments accepts charges again, so the learner can place orders with curl. */
    static void calmDayAgain() {
        payments.stub(post("/charges").willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"chargeId\": \"ch-2\", \"status\": \"captured\"}")));
        // the live view's buttons (--view --serve)
        story.fault("inventory", "slow", () -> inventoryAnswersIn(1500));
        story.repair("inventory", "fast again", () -> inventoryAnswersIn(60));
    }

    static void inventoryAnswersIn(int millis) {
        inventory.stub(get(urlPathMatching("/stock/.*")).willReturn(okJson("{\"sku\": \"KB-42\", \"available\": 7}").withFixedDelay(millis)));
    }

    // ---- the order service ----

    // tag::order-service[]
    static Javalin startOrderService() {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            story.watch(config, "orders");   // its calls on the live view (--view)
            config.concurrency.useVirtualThreads = true;
            config.routes.post("/orders", Lesson::placeOrder);
            story.malformedBodiesAre400(config);   // a typo in curl's body is 400, not a 500
        }).start("127.0.0.1", 0);
    }

    /** Customer, then stock, then payment: each call waits for the one before. */
    static void placeOrder(Context ctx) throws IOException {
        JsonNode order = JSON.readTree(ctx.body());
        String sku = order.path("sku").asText();
        int quantity = order.path("quantity").asInt(1);

        Reply customer = call("profiles", getFrom(profiles, "/customers/" + segment(order.path("customerId").asText())));
        if (!(customer instanceof Reply.Ok)) { answer(ctx, customer, "unknown customer"); return; }

        Reply stock = call("inventory", getFrom(inventory, "/stock/" + segment(sku)));
        if (!(stock instanceof Reply.Ok ok)) { answer(ctx, stock, "unknown sku " + sku); return; }
        if (ok.body().path("available").asInt() < quantity) { ctx.status(409).result("{\"problem\": \"out of stock\"}"); return; }

        ObjectNode charge = JSON.createObjectNode().put("orderId", "o-1").put("amountCents", 4999 * quantity).put("currency", "EUR");
        Reply paid = call("payments", HttpRequest.newBuilder(payments.uri().resolve("/charges"))
            .header("Content-Type", "application/json").POST(BodyPublishers.ofString(charge.toString())).build());
        if (!(paid instanceof Reply.Ok)) { answer(ctx, paid, "payment declined"); return; }
        ctx.status(201).result("{\"orderId\": \"o-1\", \"status\": \"placed\"}");
    }
    // end::order-service[]

    // tag::boundary[]
    /** What a peer's answer means to the order service: nothing HTTP-shaped gets further than this. */
    sealed interface Reply {
        record Ok(JsonNode body) implements Reply {}
        record Refused(String reason) implements Reply {}       // the peer understood and said no (4xx)
        record Unavailable(String peer) implements Reply {}     // the peer failed, or could not be reached
    }

    static Reply call(String peer, HttpRequest request) {
        try {
            var response = HTTP.send(request, BodyHandlers.ofString());
            int status = response.statusCode();
            if (status >= 200 && status < 300) return new Reply.Ok(JSON.readTree(response.body()));
            if (status >= 400 && status < 500) return new Reply.Refused(reasonIn(response.body()));
            return new Reply.Unavailable(peer); // 5xx: whatever the body says, it is not data
        } catch (IOException e) { // no answer, or a body that is not JSON
            return new Reply.Unavailable(peer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply.Unavailable(peer);
        }
    }

    /** A refusal may come with a JSON reason, or with an HTML page we ignore. */
    static String reasonIn(String body) {
        try {
            return JSON.readTree(body).path("reason").asText("");
        } catch (IOException notJson) {
            return "";
        }
    }

    /** Our own answer to our caller, in our own words. */
    static void answer(Context ctx, Reply reply, String refusal) {
        switch (reply) {
            case Reply.Refused r when refusal.startsWith("payment") -> ctx.status(402).result("{\"problem\": \"" + refusal + ": " + r.reason() + "\"}");
            case Reply.Refused r -> ctx.status(422).result("{\"problem\": \"" + refusal + "\"}");
            case Reply.Unavailable u -> ctx.status(503).result("{\"problem\": \"" + u.peer() + " is unavailable, try again later\"}");
            case Reply.Ok ok -> throw new IllegalStateException("not an error: " + ok);
        }
    }
    // end::boundary[]

    // ---- plumbing ----

    static HttpRequest getFrom(Peer peer, String path) {
        return HttpRequest.newBuilder(peer.uri().resolve(path)).header("Accept", "application/json").build();
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    record Answer(int status, String body, long millis) {}

    static Answer placeOrder(String customerId, String sku, int quantity) throws Exception {
        List.of(inventory, payments, profiles).forEach(Peer::forgetRequests);
        String body = JSON.createObjectNode().put("customerId", customerId).put("sku", sku).put("quantity", quantity).toString();
        long start = System.nanoTime();
        var response = HTTP.send(HttpRequest.newBuilder(URI.create(ordersUrl() + "/orders"))
            .POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body(), (System.nanoTime() - start) / 1_000_000);
    }

    /** Which peers the last order called, in the order the calls arrived. */
    static List<String> callOrder() {
        record Call(String peer, java.util.Date at) {}
        return java.util.stream.Stream.of(inventory, payments, profiles)
            .flatMap(p -> p.journal().stream().map(r -> new Call(p.name(), r.getLoggedDate())))
            .sorted(java.util.Comparator.comparing(Call::at))
            .map(Call::peer).toList();
    }

    static String ordersUrl() { return "http://127.0.0.1:" + orders.port(); }
}
