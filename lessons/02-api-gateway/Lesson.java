///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 02 · API gateway: one entrance for the mobile app, in front of users, carts and orders.

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.unauthorized;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import kit.Mine;
import kit.Narrator;
import kit.Peer;

public class Lesson {
    static final String ADA_TOKEN = "ada-7f3a9c";
    /** The mobile app's HTTP client. */
    static final HttpClient APP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static Narrator story;
    static Peer users, carts, orders;
    static ShopGateway gateway;
    static final Map<String, URI> services = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("02-api-gateway", args);
        boolean mine = story.mine();
        withoutAGateway();
        oneEntrance();
        noTokenNoEntry();
        aServiceIsDown();
        aServiceIsSlow();
        aMadeUpIdentity();
        if (mine) yourGateway();
        story.serve(
            "curl -i -H 'Authorization: Bearer " + ADA_TOKEN + "' " + gateway.url("/api/users/ada"),
            "curl -i " + gateway.url("/api/orders/ada") + "      (no token: 401)",
            "curl -i -H 'Authorization: Bearer " + ADA_TOKEN + "' " + gateway.url("/api/carts/ada") + "      (carts is down: 502)",
            "curl -i -H 'Authorization: Bearer " + ADA_TOKEN + "' " + gateway.url("/api/orders/ada/history") + "      (too slow: 504)",
            "curl -i -H 'Authorization: Bearer " + ADA_TOKEN + "' -H 'X-User-Id: admin' " + gateway.url("/api/users/ada") + "      (admin is dropped: users is told ada)",
            "curl -i -H 'Authorization: Bearer " + ADA_TOKEN + "' " + gateway.url("/api/payments/ada") + "      (no such service: 404)");
        story.end(); // exits the process, servers and all: closing orders first would wait out its slow request
    }

    // ---- the steps ----

    static void withoutAGateway() throws Exception {
        story.tell("""
            The shop's mobile app talks to its services directly: users for Ada's profile, carts for her cart,
            orders for her orders. Soon there will be a dozen. The app carries every service's address, every
            service checks Ada's token itself, and every one of them must get that check right.""");
        story.step("Without a gateway: the app knows every service");
        var peers = Peer.startAll("users", "carts", "orders");
        users = peers.get(0);
        carts = peers.get(1);
        orders = peers.get(2);
        listen(peers);
        // tag::checks-in-every-service[]
        // users and carts check the token; orders forgot.
        users.stub(get("/ada").withHeader("Authorization", equalTo("Bearer " + ADA_TOKEN)).willReturn(okJson(PROFILE)));
        users.stub(get(anyUrl()).atPriority(9).willReturn(unauthorized()));
        carts.stub(get("/ada").withHeader("Authorization", equalTo("Bearer " + ADA_TOKEN)).willReturn(okJson(CART)));
        carts.stub(get(anyUrl()).atPriority(9).willReturn(unauthorized()));
        orders.stub(get("/ada").willReturn(okJson(ORDERS)));
        // end::checks-in-every-service[]
        Map<String, URI> appConfig = new LinkedHashMap<>();
        for (Peer peer : peers) appConfig.put(peer.name(), peer.uri());
        story.state("the app's configuration", appConfig);

        var profile = send("the app", users.url("/ada"), ADA_TOKEN);
        var cart = send("the app", carts.url("/ada"), ADA_TOKEN);
        var ordersOfAda = send("the app", orders.url("/ada"), ADA_TOKEN);
        story.say("Now someone without any token tries each service:");
        var anonymousUsers = send("anonymous", users.url("/ada"), null);
        var anonymousOrders = send("anonymous", orders.url("/ada"), null);
        story.tell("""
            Three addresses in the app, three copies of the token check, and one of them missing. Every service
            is a door to the outside, and the shop is only as safe as the most careless one.""");
        story.check(appConfig.values().stream().map(URI::getPort).distinct().count() == 3, "the app needs three addresses, one per service");
        story.check(profile.status() == 200 && cart.status() == 200 && ordersOfAda.status() == 200, "with Ada's token, all three services answer 200");
        story.check(anonymousUsers.status() == 401, "users refuses a caller without a token (401)");
        story.check(anonymousOrders.status() == 200 && anonymousOrders.body().contains("o-1001"),
            "orders, which forgot its check, hands Ada's orders to anyone (200)");
    }

    static void oneEntrance() throws Exception {
        story.step("One entrance: the gateway routes by prefix");
        // Behind the gateway, the services trust it: they read who is calling from X-User-Id.
        for (Peer peer : List.of(users, carts, orders)) peer.reset();
        users.stub(get("/ada").withHeader("X-User-Id", equalTo("ada")).willReturn(okJson(PROFILE)));
        carts.stub(get("/ada").withHeader("X-User-Id", equalTo("ada")).willReturn(okJson(CART)));
        orders.stub(get("/ada").withHeader("X-User-Id", equalTo("ada")).willReturn(okJson(ORDERS)));
        // tag::start-gateway[]
        services.put("users", users.uri());
        services.put("carts", carts.uri());
        services.put("orders", orders.uri());
        gateway = new ShopGateway(services, Map.of(ADA_TOKEN, "ada"), Duration.ofMillis(300));
        // end::start-gateway[]
        story.state("the app's configuration", Map.of("gateway", gateway.url("")));
        story.state("routes", "/api/users/** -> users, /api/carts/** -> carts, /api/orders/** -> orders");

        var answers = new ArrayList<Answer>();
        for (String service : services.keySet()) answers.add(send("the app", gateway.url("/api/" + service + "/ada"), ADA_TOKEN));
        var unknown = send("the app", gateway.url("/api/payments/ada"), ADA_TOKEN);
        List<LoggedRequest> received = List.of(users, carts, orders).stream().flatMap(p -> p.journal().stream()).toList();
        for (Peer peer : List.of(users, carts, orders)) {
            LoggedRequest r = peer.journal().getFirst();
            story.say(peer.name() + " received " + r.getMethod() + " " + r.getUrl() + "  X-User-Id: " + r.getHeader("X-User-Id")
                + "  Authorization: " + (r.containsHeader("Authorization") ? r.getHeader("Authorization") : "(none)"));
        }
        story.tell("""
            The app knows one address. The gateway reads the first segments of the path, /api/users, to pick the
            service, cuts them off, and forwards the rest: the services keep their own paths and never learn the
            public ones. It checked Ada's token once, for everybody, and told each service who is calling in
            X-User-Id. The token itself stayed at the gateway.""");
        story.check(answers.stream().allMatch(a -> a.status() == 200), "all three services answer through the gateway (200)");
        story.check(received.size() == 3 && received.stream().allMatch(r -> r.getUrl().equals("/ada")),
            "each service received GET /ada: the prefix /api/{service} was cut off");
        story.check(received.stream().allMatch(r -> "ada".equals(r.getHeader("X-User-Id"))), "each service was told X-User-Id: ada");
        story.check(received.stream().noneMatch(r -> r.containsHeader("Authorization")), "no service saw the token");
        story.check(unknown.status() == 404, "a service the gateway does not know, /api/payments, is 404 at the gateway");
    }

    static void noTokenNoEntry() throws Exception {
        story.step("No token, no entry");
        orders.forgetRequests();
        var anonymous = send("anonymous", gateway.url("/api/orders/ada"), null);
        var forged = send("anonymous", gateway.url("/api/orders/ada"), "ada-000000");
        story.tell("""
            orders still has no token check of its own, and it does not matter any more: the gateway refuses the
            request before it calls anyone. A request that never reaches a service cannot make it leak.
            (The services must only be reachable through the gateway: in production, a private network.)""");
        story.check(anonymous.status() == 401, "a request without a token is refused at the gateway (401)");
        story.check(forged.status() == 401, "a token the gateway does not know is refused too (401)");
        story.check(orders.hits() == 0, "orders received nothing at all");
    }

    static void aServiceIsDown() throws Exception {
        story.step("A service is down: 502 Bad Gateway");
        URI where = carts.uri();
        carts.close();
        story.state("carts", "stopped: nothing listens at " + where);
        var cart = send("the app", gateway.url("/api/carts/ada"), ADA_TOKEN);
        var profile = send("the app", gateway.url("/api/users/ada"), ADA_TOKEN);
        story.tell("""
            The gateway could not reach carts, and says so: 502 Bad Gateway means "the service behind me failed",
            not "I am broken" (that would be 500). The other services do not notice.""");
        story.check(cart.status() == 502, "with carts down, the gateway answers 502");
        story.check(profile.status() == 200, "users still answers through the gateway (200)");
    }

    /** How long orders takes over Ada's order history: far beyond the gateway's timeout. */
    static final int SLOW_HISTORY_MS = 2_000;

    static void aServiceIsSlow() throws Exception {
        story.step("A service is slow: 504 Gateway Timeout");
        orders.stub(get("/ada/history").willReturn(okJson("[]").withFixedDelay(SLOW_HISTORY_MS)));
        story.state("orders", "GET /ada/history takes " + SLOW_HISTORY_MS + " ms (a report over three years of orders)");
        story.state("gateway's upstream timeout", gateway.timeout.toMillis() + " ms");
        var history = send("the app", gateway.url("/api/orders/ada/history"), ADA_TOKEN);
        story.tell("""
            The gateway stops waiting after its timeout and answers 504 Gateway Timeout. The app hears "no" in a
            third of a second instead of hanging for two, and the gateway's thread is free for the next request.
            Lesson 06 is all about timeouts.""");
        story.check(history.status() == 504, "the gateway gives up on orders and answers 504");
        // Compared with orders' own time, not with a guess about how fast this machine is: a gateway that waited for
        // orders cannot have answered before orders did.
        story.check(history.millis() < SLOW_HISTORY_MS, "the app waited about the gateway's timeout (" + history.millis() + " ms), not orders' " + SLOW_HISTORY_MS + " ms");
    }

    static void aMadeUpIdentity() throws Exception {
        story.step("A made-up identity is dropped");
        users.forgetRequests();
        var answer = send("the app", gateway.url("/api/users/ada"), ADA_TOKEN, "X-User-Id", "admin");
        LoggedRequest received = users.journal().getFirst();
        story.say("users received X-User-Id: " + received.header("X-User-Id").values());
        story.tell("""
            The services trust X-User-Id, so the client must never be able to set it. Ada sent X-User-Id: admin
            along with her own token; users saw only the identity the gateway vouches for. This gateway passes on
            a short list of headers and nothing else, so the made-up one never had a chance. A gateway that passes
            on everything (as yours will, in the exercise) must remove it on purpose.""");
        story.check(answer.status() == 200, "Ada's request went through (200)");
        story.check(received.header("X-User-Id").values().equals(List.of("ada")), "users saw X-User-Id: ada, and not admin");
    }

    /** With --mine: the same story against the learner's gateway from exercises/02-api-gateway. */
    static void yourGateway() throws Exception {
        story.step("Your gateway, in the same story (--mine)");
        Mine mine = Mine.compile("02-api-gateway");
        Object routes = mine.create("gateway.Routes");
        services.forEach((name, uri) -> mine.call(routes, "add", "/api/" + name, name, uri));
        Object tokens = mine.type("gateway.TokenVerifier").getMethod("of", Map.class).invoke(null, Map.of(ADA_TOKEN, "ada"));
        Object yours = mine.call(mine.create("gateway.Gateway", routes, tokens, gateway.timeout), "start");
        String url = "http://127.0.0.1:" + mine.call(yours, "port");
        story.state("your gateway", url + ", the same routes, tokens and timeout");

        List.of(users, orders).forEach(Peer::forgetRequests);
        var profile = send("the app", url + "/api/users/ada", ADA_TOKEN, "x-user-id", "admin");
        var anonymous = send("anonymous", url + "/api/orders/ada", null);
        var cart = send("the app", url + "/api/carts/ada", ADA_TOKEN);
        var history = send("the app", url + "/api/orders/ada/history", ADA_TOKEN);
        if (profile.status() == 500) story.say("your gateway said: " + profile.body());
        LoggedRequest received = users.journal().isEmpty() ? null : users.journal().getFirst();
        story.check(profile.status() == 200, "Ada's request reaches users through your gateway (200)");
        story.check(received != null && received.getUrl().equals("/ada"), "users received GET /ada: your gateway cut off /api/users");
        story.check(received != null && received.header("X-User-Id").values().equals(List.of("ada")),
            "users was told X-User-Id: ada, and not the x-user-id: admin Ada made up");
        story.check(received != null && !received.containsHeader("Authorization"), "users did not see the token");
        story.check(anonymous.status() == 401 && orders.journal().stream().noneMatch(r -> r.getUrl().equals("/ada")),
            "without a token your gateway answers 401, and orders receives nothing");
        story.check(cart.status() == 502, "with carts down, your gateway answers 502");
        story.check(history.status() == 504, "with orders too slow, your gateway answers 504");
    }

    // ---- the gateway ----

    /**
     * The lesson's gateway, kept short on purpose: GET only, one route per service name, and a short list of headers
     * passed on. The exercise's gateway forwards every method, the query string, the body and the headers.
     */
    static final class ShopGateway {
        // tag::forwarded-headers[]
        /** The only headers the gateway passes on, besides its own X-User-Id: safe by default. */
        static final List<String> FORWARDED = List.of("Accept", "Accept-Language", "Content-Type");
        // end::forwarded-headers[]

        final Map<String, URI> services;
        final Map<String, String> tokens;
        final Duration timeout;
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        final Javalin app;

        ShopGateway(Map<String, URI> services, Map<String, String> tokens, Duration timeout) {
            this.services = services;
            this.tokens = tokens;
            this.timeout = timeout;
            // tag::routes[]
            this.app = Javalin.create(config -> {
                config.startup.showJavalinBanner = false;
                story.watch(config, "gateway");   // its calls on the live view (--view)
                config.concurrency.useVirtualThreads = true;
                // {service} is one path segment; <rest> is everything after it, slashes included.
                config.routes.get("/api/{service}/<rest>", ctx -> forward(ctx, "/" + ctx.pathParam("rest")));
                config.routes.get("/api/{service}", ctx -> forward(ctx, "/"));
            }).start("127.0.0.1", 0);
            // end::routes[]
        }

        void forward(Context ctx, String rest) throws InterruptedException {
            URI service = services.get(ctx.pathParam("service"));
            if (service == null) {
                ctx.status(404).result("no such service: " + ctx.pathParam("service"));
                return;
            }
            // tag::authenticate[]
            String user = userOf(ctx.header("Authorization"));
            if (user == null) {
                ctx.status(401).header("WWW-Authenticate", "Bearer").result("a valid bearer token is required");
                return; // before any service is called
            }
            // end::authenticate[]
            // tag::forward[]
            HttpRequest.Builder request = HttpRequest.newBuilder(service.resolve(rest))
                .timeout(timeout)
                .header("X-User-Id", user); // who is calling, as the gateway has verified; never the token
            for (String name : FORWARDED) {
                String value = ctx.header(name);
                if (value != null) request.header(name, value);
            }
            // end::forward[]
            // tag::failures[]
            try {
                var answer = http.send(request.build(), BodyHandlers.ofString());
                ctx.status(answer.statusCode())
                    .contentType(answer.headers().firstValue("Content-Type").orElse("text/plain"))
                    .result(answer.body());
            } catch (HttpTimeoutException e) {
                ctx.status(504).result(ctx.pathParam("service") + " did not answer within " + timeout.toMillis() + " ms");
            } catch (ConnectException e) {
                ctx.status(502).result(ctx.pathParam("service") + " could not be reached");
            } catch (IOException e) {
                ctx.status(502).result(ctx.pathParam("service") + " failed: " + e.getClass().getSimpleName());
            }
            // end::failures[]
        }

        /** The user a bearer token was issued to, or null. */
        String userOf(String authorization) {
            if (authorization == null || !authorization.startsWith("Bearer ")) return null;
            return tokens.get(authorization.substring("Bearer ".length()));
        }

        String url(String path) { return "http://127.0.0.1:" + app.port() + path; }
    }

    // ---- plumbing ----

    static final String PROFILE = "{\"id\": \"ada\", \"name\": \"Ada Lovelace\"}";
    static final String CART = "{\"owner\": \"ada\", \"items\": [{\"sku\": \"KB-42\", \"quantity\": 1}]}";
    static final String ORDERS = "[{\"id\": \"o-1001\", \"total\": \"49.99 EUR\"}]";

    record Answer(int status, String body, long millis) {}

    /** Released once for every request a service has served and the narrator has printed. */
    static final Semaphore PRINTED = new Semaphore(0);

    /** Prints every request the services serve, and counts them, so each line can appear before the app's answer. */
    static void listen(List<Peer> peers) {
        story.listen(peers.toArray(Peer[]::new));
        for (Peer peer : peers) peer.onExchange(e -> PRINTED.release());
    }

    static int served() {
        return List.of(users, carts, orders).stream().mapToInt(p -> p.server().isRunning() ? p.hits() : 0).sum();
    }

    /** Sends a GET as the app (or an anonymous caller) and prints the answer. Extra headers come in name, value pairs. */
    static Answer send(String who, String url, String token, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) request.header("Authorization", "Bearer " + token);
        for (int i = 0; i + 1 < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        int servedBefore = served();
        long start = System.nanoTime();
        var response = APP.send(request.build(), BodyHandlers.ofString());
        var answer = new Answer(response.statusCode(), response.body(), (System.nanoTime() - start) / 1_000_000);
        // A service prints its line just after it has answered; wait for it, unless the gateway stopped waiting.
        if (answer.status() != 504) PRINTED.tryAcquire(served() - servedBefore, 2, TimeUnit.SECONDS);
        String sent = (token == null ? "no token" : "token " + token) + (headers.length > 0 ? ", " + headers[0] + ": " + headers[1] : "");
        String body = answer.body().length() > 60 ? answer.body().substring(0, 59) + "…" : answer.body();
        story.say(who + ": GET " + URI.create(url).getRawPath() + " (" + sent + ") <- " + answer.status() + (body.isEmpty() ? "" : " " + body));
        return answer;
    }
}
