package gateway;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import kit.Expect;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("02 · The shop's gateway")
class GatewayTest {
    // One server per service for the whole class (a start costs most of a second); stubs and journals reset per test.
    @RegisterExtension static WireMockExtension users = peer();
    @RegisterExtension static WireMockExtension carts = peer();
    @RegisterExtension static WireMockExtension orders = peer();

    static final String ADA = "Bearer ada-7f3a9c";
    static final String BOB = "Bearer bob-91e4d2";
    static final TokenVerifier TOKENS = TokenVerifier.of(Map.of("ada-7f3a9c", "ada", "bob-91e4d2", "bob"));

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The gateway under test, started once. Its services never keep it waiting, so its timeout is generous. */
    static Gateway gateway;
    /** The same routes with a 200 ms upstream timeout: only the test about slow services uses it. */
    static Gateway impatient;

    private static WireMockExtension peer() {
        return WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();
    }

    @BeforeAll
    static void openTheGateway() throws IOException {
        Routes routes = new Routes()
            .add("/api/users", "users", URI.create(users.baseUrl()))
            .add("/api/carts", "carts", URI.create(carts.baseUrl()))
            .add("/api/orders", "orders", URI.create(orders.baseUrl()))
            .add("/api/wishlists", "wishlists", URI.create("http://127.0.0.1:" + portNobodyListensOn()));
        gateway = new Gateway(routes, TOKENS, Duration.ofSeconds(10)).start();
        impatient = new Gateway(routes, TOKENS, Duration.ofMillis(200)).start();
    }

    @AfterAll
    static void closeTheGateway() {
        if (gateway != null) gateway.close();
        if (impatient != null) impatient.close();
    }

    // ---- routing ----

    @Test
    @Points(2)
    @DisplayName("GET /api/users/42 reaches the users service as GET /42, and users' answer comes back to the client")
    @Hint({"Read 'One entrance: routing by prefix' in the lesson's README. Which part of the path is the gateway's, and which part is the service's?",
           "The gateway finds the route whose prefix matches, cuts the prefix off, and sends the rest of the path to that service. The service's answer goes back to the client as it is.",
           "Last hint: Routes.match keeps path.substring(prefix.length()) as the rest. In handle: HttpRequest.newBuilder(URI.create(upstream + rest)).method(ctx.method().name(), ...), then http.send(request, BodyHandlers.ofByteArray()) and Http.respond(...)."})
    void routesByPrefix() {
        users.stubFor(any(anyUrl()).willReturn(okJson("{\"id\": \"42\", \"name\": \"Ada\"}")));

        var answer = call(request("/api/users/42").header("Authorization", ADA).GET());

        assertThat(answer.statusCode()).withFailMessage("GET /api/users/42 with Ada's token should get users' 200, but the gateway answered %s", describe(answer))
            .isEqualTo(200);
        assertThat(answer.body()).withFailMessage("the client should get users' body {\"id\": \"42\", \"name\": \"Ada\"} unchanged, but got %s", answer.body())
            .isEqualTo("{\"id\": \"42\", \"name\": \"Ada\"}");
        LoggedRequest sent = onlyRequestTo(users, "users");
        assertThat(sent.getMethod().getName() + " " + sent.getUrl()).withFailMessage(
            "users should receive GET /42 (the gateway cuts off its prefix /api/users), but received %s %s", sent.getMethod(), sent.getUrl())
            .isEqualTo("GET /42");
        nothingReached(carts, "carts", "the request was for users");
        nothingReached(orders, "orders", "the request was for users");
    }

    @Test
    @DisplayName("The prefix alone, GET /api/carts, reaches carts as GET / (the service's root), with its query string if it has one")
    @Hint({"When the path is exactly the prefix, nothing is left after cutting it off. What path does the service get then? ('One entrance: routing by prefix' in the lesson's README.)",
           "A path never starts with nothing: GET /api/users reaches users as GET /, its root. The rest of a match always starts with '/'.",
           "Last hint: if (path.equals(prefix)) the rest is \"/\"; otherwise it is path.substring(prefix.length())."})
    void prefixAlone() {
        carts.stubFor(any(anyUrl()).willReturn(okJson("[]")));

        var answer = call(request("/api/carts").header("Authorization", ADA).GET());

        assertThat(answer.statusCode()).withFailMessage("GET /api/carts with Ada's token should get carts' 200, but the gateway answered %s", describe(answer))
            .isEqualTo(200);
        LoggedRequest sent = onlyRequestTo(carts, "carts");
        assertThat(sent.getUrl()).withFailMessage("carts should receive GET / for the bare prefix /api/carts, but received %s", sent.getUrl())
            .isEqualTo("/");

        call(request("/api/carts?page=2&size=10").header("Authorization", ADA).GET());
        String withQuery = requestsTo(carts).get(1).getUrl();
        assertThat(withQuery).withFailMessage("carts should receive GET /?page=2&size=10 for /api/carts?page=2&size=10, but received %s", withQuery)
            .isEqualTo("/?page=2&size=10");
    }

    @Test
    @Points(2)
    @DisplayName("A prefix matches whole path segments only: /api/userss and /api/users-admin are no route (404), not users")
    @Hint({"\"/api/userss\".startsWith(\"/api/users\") is true. Is /api/userss a path under /api/users? ('One entrance: routing by prefix' in the lesson's README.)",
           "A prefix matches whole path segments only: the path equals the prefix, or the prefix is followed by a '/'. Anything else is another path, and no route is a 404.",
           "Last hint: if (path.equals(prefix)) return \"/\"; if (path.startsWith(prefix + \"/\")) return path.substring(prefix.length()); otherwise this route does not match."})
    void wholeSegmentsOnly() {
        users.stubFor(any(anyUrl()).willReturn(okJson("{\"id\": \"admin\"}")));

        for (String path : List.of("/api/userss/42", "/api/users-admin")) {
            var answer = call(request(path).header("Authorization", ADA).GET());
            assertThat(answer.statusCode()).withFailMessage("%s is not under /api/users: the gateway should answer 404, but answered %s", path, describe(answer))
                .isEqualTo(404);
        }
        nothingReached(users, "users", "/api/userss and /api/users-admin are not paths under /api/users");
    }

    @Test
    @DisplayName("A path no route knows, like /api/payments/1 or /, is answered 404 by the gateway itself")
    @Hint({"Read the end of 'One entrance: routing by prefix' in the lesson's README: what does the gateway do when no route fits?",
           "No route means there is no service to ask. The gateway answers 404 itself, and does not guess a service.",
           "Last hint: if (routes.match(ctx.path()).isEmpty()) { Http.error(ctx, 404, \"no route for \" + ctx.path()); return; } before anything is sent."})
    void unknownRoute() {
        for (String path : List.of("/api/payments/1", "/")) {
            var answer = call(request(path).header("Authorization", ADA).GET());
            assertThat(answer.statusCode()).withFailMessage("no route matches %s: the gateway should answer 404, but answered %s", path, describe(answer))
                .isEqualTo(404);
        }
        nothingReached(users, "users", "no route matched");
        nothingReached(carts, "carts", "no route matched");
        nothingReached(orders, "orders", "no route matched");
    }

    // ---- forwarding ----

    @Test
    @Points(2)
    @DisplayName("The query string reaches the service exactly as the client wrote it, encoding included")
    @Hint({"Where is the query string? ctx.path() does not have it. ('What crosses the gateway' in the lesson's README.)",
           "The query string crosses the gateway exactly as the client wrote it. Do not decode it or build it again: pass it on as it came.",
           "Last hint: String query = ctx.queryString(); and add \"?\" + query to the upstream URI when query is not null."})
    void queryString() {
        orders.stubFor(any(anyUrl()).willReturn(okJson("[]")));

        var answer = call(request("/api/orders/search?status=open&sort=-placedAt&q=blue%20mug").header("Authorization", ADA).GET());

        assertThat(answer.statusCode()).withFailMessage("the search should get orders' 200, but the gateway answered %s", describe(answer)).isEqualTo(200);
        LoggedRequest sent = onlyRequestTo(orders, "orders");
        assertThat(sent.getUrl()).withFailMessage("orders should receive /search?status=open&sort=-placedAt&q=blue%%20mug, but received %s", sent.getUrl())
            .isEqualTo("/search?status=open&sort=-placedAt&q=blue%20mug");
    }

    @Test
    @Points(2)
    @DisplayName("A POST reaches the service with its body and Content-Type, and the service's 201, Location and body come back")
    @Hint({"'What crosses the gateway' in the lesson's README: what does a POST carry besides its path?",
           "The method, the body byte for byte and its Content-Type cross the gateway. On the way back, so do the status, the headers (Location too) and the body.",
           "Last hint: .method(ctx.method().name(), BodyPublishers.ofByteArray(ctx.bodyAsBytes())); Content-Type is a client header that Headers.toUpstream keeps; copy the answer back with Http.respond."})
    void postWithBody() {
        carts.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withHeader("Location", "/c-7/items/KB-42").withBody("{\"sku\": \"KB-42\", \"quantity\": 2}")));
        String body = "{\"sku\": \"KB-42\", \"quantity\": 2}";

        var answer = call(request("/api/carts/c-7/items").header("Authorization", ADA).header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(body)));

        assertThat(answer.statusCode()).withFailMessage("carts answered 201 Created; the client should get 201 too, but the gateway answered %s", describe(answer))
            .isEqualTo(201);
        assertThat(answer.headers().firstValue("Location")).withFailMessage("carts' header Location: /c-7/items/KB-42 should reach the client, but it got %s",
            answer.headers().firstValue("Location").orElse("none")).hasValue("/c-7/items/KB-42");
        assertThat(answer.body()).withFailMessage("carts' body should reach the client unchanged, but it got %s", answer.body()).isEqualTo(body);
        LoggedRequest sent = onlyRequestTo(carts, "carts");
        assertThat(sent.getMethod().getName() + " " + sent.getUrl()).withFailMessage("carts should receive POST /c-7/items, but received %s %s", sent.getMethod(), sent.getUrl())
            .isEqualTo("POST /c-7/items");
        assertThat(sent.getBodyAsString()).withFailMessage("carts should receive the client's body %s byte for byte, but received %s", body, sent.getBodyAsString())
            .isEqualTo(body);
        assertThat(sent.getHeader("Content-Type")).withFailMessage("carts should receive the client's Content-Type: application/json, but had %s", sent.getHeader("Content-Type"))
            .isEqualTo("application/json");
    }

    @Test
    @DisplayName("PUT, PATCH and DELETE reach the service as PUT, PATCH and DELETE, and a 204 comes back as 204")
    @Hint({"Who chooses the method, the client or the gateway? ('What crosses the gateway' in the lesson's README.)",
           "A transparent gateway forwards the client's method as it came: PUT stays PUT, DELETE stays DELETE. The status comes back as the service sent it, 204 included.",
           "Last hint: HttpRequest.Builder.method(ctx.method().name(), BodyPublishers.ofByteArray(ctx.bodyAsBytes())) works for every method, with a body or without."})
    void everyMethod() {
        carts.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(204)));

        for (String method : List.of("PUT", "PATCH", "DELETE")) {
            var body = method.equals("DELETE") ? BodyPublishers.noBody() : BodyPublishers.ofString("{\"quantity\": 3}");
            var answer = call(request("/api/carts/c-7/items/KB-42").header("Authorization", ADA).header("Content-Type", "application/json").method(method, body));
            assertThat(answer.statusCode()).withFailMessage("carts answered %s with 204 No Content; the client should get 204, but the gateway answered %s", method, describe(answer))
                .isEqualTo(204);
        }
        List<String> received = requestsTo(carts).stream().map(r -> r.getMethod().getName() + " " + r.getUrl()).toList();
        assertThat(received).withFailMessage("carts should receive PUT, PATCH and DELETE of /c-7/items/KB-42, in that order, but received %s", received)
            .containsExactly("PUT /c-7/items/KB-42", "PATCH /c-7/items/KB-42", "DELETE /c-7/items/KB-42");
    }

    @Test
    @DisplayName("A service's own 404 or 503 reaches the client unchanged: only a missing route is the gateway's 404")
    @Hint({"Read 'When a service fails: 502 and 504' in the lesson's README. When does the gateway speak for itself?",
           "When the service answered, with any status, its answer is the client's answer: its 404 is the client's 404, its 503 the client's 503. The gateway speaks only when it has no answer.",
           "Last hint: copy answer.statusCode() and answer.body() to the client for every status, with Http.respond; do not turn a service's 4xx or 5xx into something else."})
    void servicesOwnErrors() {
        users.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json").withBody("{\"error\": \"no such user\"}")));
        orders.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503).withHeader("Content-Type", "application/json").withBody("{\"error\": \"maintenance\"}")));

        var notFound = call(request("/api/users/nobody").header("Authorization", ADA).GET());
        var unavailable = call(request("/api/orders/o-1").header("Authorization", ADA).GET());

        assertThat(notFound.statusCode() + " " + notFound.body()).withFailMessage("users answered 404 {\"error\": \"no such user\"}; the client should get exactly that, but got %s", describe(notFound))
            .isEqualTo("404 {\"error\": \"no such user\"}");
        assertThat(unavailable.statusCode() + " " + unavailable.body()).withFailMessage("orders answered 503 {\"error\": \"maintenance\"}; the client should get exactly that, but got %s", describe(unavailable))
            .isEqualTo("503 {\"error\": \"maintenance\"}");
    }

    // ---- authentication ----

    @Test
    @Points(3)
    @DisplayName("Without a token the gateway answers 401 with WWW-Authenticate: Bearer, and no service receives anything")
    @Hint({"Read 'No token, no entry' in the lesson's README. When is the token checked: before or after the service is called?",
           "No token, no call: the gateway refuses with 401 and WWW-Authenticate: Bearer, and sends nothing upstream. A service that is never asked cannot leak.",
           "Last hint: String auth = ctx.header(\"Authorization\"); if it is null or does not start with \"Bearer \": ctx.header(\"WWW-Authenticate\", \"Bearer\"); Http.error(ctx, 401, ...); return; before http.send."})
    void noToken() {
        orders.stubFor(any(anyUrl()).willReturn(okJson("[{\"id\": \"o-1\", \"customer\": \"ada\"}]")));

        var answer = call(request("/api/orders/o-1").GET());

        assertThat(answer.statusCode()).withFailMessage("a request without Authorization should be refused with 401, but the gateway answered %s", describe(answer))
            .isEqualTo(401);
        assertThat(answer.headers().firstValue("WWW-Authenticate")).withFailMessage(
            "a 401 tells the client how to authenticate: it needs the header WWW-Authenticate: Bearer (it had %s)",
            answer.headers().firstValue("WWW-Authenticate").orElse("none"))
            .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        nothingReached(orders, "orders", "the caller has no token: the gateway must refuse before it calls anyone");
    }

    @Test
    @Points(2)
    @DisplayName("A forged token, another scheme (Basic) or a bare token is refused with 401, and no service is called")
    @Hint({"A Basic header, a bare token and a forged token all have something in common. ('No token, no entry' in the lesson's README.)",
           "Only \"Bearer <a token the verifier knows>\" gets in. Another scheme, a token without the scheme, or a token nobody issued is a 401, and no service is called.",
           "Last hint: strip \"Bearer \" from the header, then tokens.userFor(token); an empty Optional means 401. \"Basic ...\" and a bare token never reach userFor."})
    void badTokens() {
        users.stubFor(any(anyUrl()).willReturn(okJson("{\"id\": \"ada\"}")));

        for (String authorization : List.of("Bearer forged-000000", "Basic YWRhOnNlY3JldA==", "ada-7f3a9c", "Bearer ")) {
            var answer = call(request("/api/users/ada").header("Authorization", authorization).GET());
            assertThat(answer.statusCode()).withFailMessage("Authorization: %s should be refused with 401, but the gateway answered %s", authorization, describe(answer))
                .isEqualTo(401);
        }
        nothingReached(users, "users", "none of the callers had a valid token");
    }

    @Test
    @Points(2)
    @DisplayName("The service learns who is calling from X-User-Id: ada for Ada's token, bob for Bob's")
    @Hint({"Once the token checks out, the gateway knows who is calling. How does the service learn it? ('No token, no entry' in the lesson's README.)",
           "The service needs the user, not the token. The gateway tells it in a header of its own, X-User-Id, with the user the token belongs to.",
           "Last hint: in Headers.toUpstream, headers.put(Headers.USER_ID, List.of(userId)), with userId from tokens.userFor(token)."})
    void identityForwarded() {
        users.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        answeredOk(call(request("/api/users/me").header("Authorization", ADA).GET()), "Ada's request");
        answeredOk(call(request("/api/users/me").header("Authorization", BOB).GET()), "Bob's request");

        List<String> ids = requestsTo(users).stream().map(r -> String.valueOf(r.getHeader("X-User-Id"))).toList();
        assertThat(ids).withFailMessage("users should receive X-User-Id: ada for Ada's request and X-User-Id: bob for Bob's, but received %s", ids)
            .containsExactly("ada", "bob");
    }

    @Test
    @Points(2)
    @DisplayName("The token itself stays at the gateway: no Authorization header reaches the service")
    @Hint({"Does the service need the token, once the gateway has checked it? ('No token, no entry' in the lesson's README.)",
           "The gateway keeps Authorization to itself. A service that never sees a token cannot leak it, log it or replay it.",
           "Last hint: in Headers.toUpstream, leave out the header whose name.toLowerCase(Locale.ROOT) is \"authorization\"."})
    void tokenNotForwarded() {
        users.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        answeredOk(call(request("/api/users/me").header("Authorization", ADA).GET()), "Ada's request");

        LoggedRequest sent = onlyRequestTo(users, "users");
        assertThat(sent.containsHeader("Authorization")).withFailMessage(
            "users received Authorization: %s; the gateway should keep the token to itself and send X-User-Id instead", sent.getHeader("Authorization"))
            .isFalse();
    }

    @Test
    @Points(2)
    @DisplayName("An X-User-Id sent by the client is dropped, whatever its case: the service sees only the verified user")
    @Hint({"Read 'A made-up identity' in the lesson's README. Who may say who is calling: the client or the gateway?",
           "A client can send any header, x-user-id: admin included. The gateway drops the client's X-User-Id, in any case, and then sets its own.",
           "Last hint: in Headers.toUpstream, skip a header when name.toLowerCase(Locale.ROOT) is \"x-user-id\", then headers.put(Headers.USER_ID, List.of(userId))."})
    void spoofedIdentity() {
        users.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        var answer = call(request("/api/users/me").header("Authorization", ADA).header("x-user-id", "admin").GET());

        assertThat(answer.statusCode()).withFailMessage("Ada's request should get users' 200, but the gateway answered %s", describe(answer)).isEqualTo(200);
        LoggedRequest sent = onlyRequestTo(users, "users");
        List<String> ids = sent.header("X-User-Id").isPresent() ? sent.header("X-User-Id").values() : List.of();
        assertThat(ids).withFailMessage("Ada sent x-user-id: admin herself; users should see only X-User-Id: ada, but saw %s", ids)
            .containsExactly("ada");
    }

    // ---- headers ----

    @Test
    @DisplayName("The client's own headers (Accept, Accept-Language, If-None-Match, X-Request-Id) reach the service")
    @Hint({"Read 'What crosses the gateway' in the lesson's README. The lesson's gateway forwards a short list of headers; should yours?",
           "A transparent gateway passes on everything about the message that is not its business. It leaves out only the headers it must, not all but a few.",
           "Last hint: Headers.toUpstream starts from all of fromClient and skips only hop-by-hop, SET_BY_HTTP_CLIENT, Authorization and X-User-Id; no list of allowed headers."})
    void endToEndHeaders() {
        users.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        answeredOk(call(request("/api/users/me").header("Authorization", ADA).header("Accept", "application/json").header("Accept-Language", "de-CH")
            .header("If-None-Match", "\"v7\"").header("X-Request-Id", "r-5f2c").GET()), "Ada's request");

        LoggedRequest sent = onlyRequestTo(users, "users");
        Map<String, String> expected = Map.of("Accept", "application/json", "Accept-Language", "de-CH", "If-None-Match", "\"v7\"", "X-Request-Id", "r-5f2c");
        expected.forEach((name, value) -> assertThat(sent.getHeader(name)).withFailMessage(
            "the client sent %s: %s; users should receive it unchanged, but received %s", name, value, sent.getHeader(name)).isEqualTo(value));
    }

    @Test
    @Points(2)
    @DisplayName("Hop-by-hop headers from the client (Connection, Keep-Alive, Proxy-Authorization, TE) stop at the gateway")
    @Hint({"Some headers are about the connection, not the message. Where does the client's connection end? ('What crosses the gateway' in the lesson's README.)",
           "Hop-by-hop headers describe one connection between two machines. The client's connection ends at the gateway, so they never go further.",
           "Last hint: in Headers.toUpstream, skip a header when HOP_BY_HOP or SET_BY_HTTP_CLIENT contains name.toLowerCase(Locale.ROOT): the client may write Keep-Alive or keep-alive."})
    void hopByHopFromClient() throws IOException {
        users.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        // Raw HTTP: the JDK HttpClient will not send most of these headers, which is rather the point.
        String status = rawRequest("GET /api/users/me HTTP/1.1\r\n"
            + "Host: 127.0.0.1:" + gateway.port() + "\r\n"
            + "Authorization: " + ADA + "\r\n"
            + "Connection: close\r\n"
            + "Keep-Alive: timeout=5\r\n"
            + "Proxy-Authorization: Basic Z2F0ZTprZWVwZXI=\r\n"
            + "TE: trailers\r\n"
            + "X-Request-Id: r-77\r\n"
            + "\r\n");

        assertThat(status).withFailMessage("Ada's request should get users' 200, but the gateway answered: %s", status).contains(" 200 ");
        LoggedRequest sent = onlyRequestTo(users, "users");
        for (String name : List.of("Keep-Alive", "Proxy-Authorization", "TE")) {
            assertThat(sent.containsHeader(name)).withFailMessage("%s is about the client's connection to the gateway; users should not receive it, but got %s: %s",
                name, name, sent.getHeader(name)).isFalse();
        }
        assertThat(sent.getHeader("Connection")).withFailMessage("Connection: close was for the gateway; users received Connection: %s", sent.getHeader("Connection"))
            .isNotEqualToIgnoringCase("close");
        assertThat(sent.getHeader("X-Request-Id")).withFailMessage("X-Request-Id is about the message and should still reach users (it had %s)", sent.getHeader("X-Request-Id"))
            .isEqualTo("r-77");
    }

    @Test
    @DisplayName("Hop-by-hop headers from the service (Keep-Alive, Proxy-Authenticate, Trailer, Upgrade) stop at the gateway too")
    @Hint({"The hop-by-hop rule has two directions. ('What crosses the gateway' in the lesson's README.)",
           "The service's connection to the gateway is not the client's connection. Its hop-by-hop headers stop at the gateway too.",
           "Last hint: Headers.toClient keeps every header of answer.headers().map() except those whose lower-case name is in HOP_BY_HOP."})
    void hopByHopFromService() {
        users.stubFor(any(anyUrl()).willReturn(okJson("{}").withHeader("Keep-Alive", "timeout=5").withHeader("Proxy-Authenticate", "Basic realm=\"users\"")
            .withHeader("Trailer", "X-Checksum").withHeader("Upgrade", "h2c").withHeader("X-Cart-Version", "7")));

        var answer = call(request("/api/users/me").header("Authorization", ADA).GET());

        assertThat(answer.statusCode()).withFailMessage("Ada's request should get users' 200, but the gateway answered %s", describe(answer)).isEqualTo(200);
        for (String name : List.of("Keep-Alive", "Proxy-Authenticate", "Trailer", "Upgrade")) {
            assertThat(answer.headers().firstValue(name)).withFailMessage("%s is about users' connection to the gateway; the client should not get it, but got %s: %s",
                name, name, answer.headers().firstValue(name).orElse("")).isEmpty();
        }
        assertThat(answer.headers().firstValue("X-Cart-Version")).withFailMessage("users' X-Cart-Version: 7 is about the message and should reach the client (it got %s)",
            answer.headers().firstValue("X-Cart-Version").orElse("none")).hasValue("7");
        assertThat(answer.headers().firstValue("Content-Type")).withFailMessage("users' Content-Type: application/json should reach the client (it got %s)",
            answer.headers().firstValue("Content-Type").orElse("none")).hasValue("application/json");
    }

    // ---- failures ----

    @Test
    @Points(2)
    @DisplayName("A service that is down (connection refused) makes the gateway answer 502 Bad Gateway, not 500")
    @Hint({"What does http.send do when nobody listens? ('When a service fails: 502 and 504' in the lesson's README.)",
           "A service that cannot be reached is the service's failure, not the gateway's: 502 Bad Gateway. A 500 says the gateway itself is broken.",
           "Last hint: catch (IOException e) around http.send and answer Http.error(ctx, 502, ...)."})
    void serviceDown() {
        var answer = call(request("/api/wishlists/ada").header("Authorization", ADA).GET());

        assertThat(answer.statusCode()).withFailMessage("nobody listens where wishlists should be; the gateway should answer 502 Bad Gateway, but answered %s", describe(answer))
            .isEqualTo(502);
    }

    @Test
    @DisplayName("A service that drops the connection mid-answer makes the gateway answer 502 too")
    @Hint({"A reset connection is not a refused connection. What does http.send throw then? ('When a service fails: 502 and 504' in the lesson's README.)",
           "Every IOException from send, other than a timeout, means the service gave no answer: 502.",
           "Last hint: catch IOException, not only ConnectException, and answer Http.error(ctx, 502, ...)."})
    void connectionDropped() {
        orders.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        var answer = call(request("/api/orders/o-1").header("Authorization", ADA).GET());

        assertThat(answer.statusCode()).withFailMessage("orders reset the connection; the gateway should answer 502 Bad Gateway, but answered %s", describe(answer))
            .isEqualTo(502);
    }

    @Test
    @Points(2)
    @DisplayName("A service slower than the gateway's timeout makes the gateway give up with 504 Gateway Timeout")
    @Hint({"The gateway was given upstreamTimeout. Does your request use it? ('When a service fails: 502 and 504' in the lesson's README.)",
           "A gateway must not wait forever: one slow service would hold its threads. A service that does not answer in time is 504 Gateway Timeout.",
           "Last hint: HttpRequest.newBuilder(...).timeout(upstreamTimeout); then catch (HttpTimeoutException e) { 504 } before catch (IOException e), since it is an IOException too."})
    void serviceTooSlow() {
        carts.stubFor(any(anyUrl()).willReturn(okJson("{}").withFixedDelay(2_000)));

        // The only test that waits for real time: the impatient gateway gives up after 200 ms.
        var answer = call(HttpRequest.newBuilder(impatient.uri().resolve("/api/carts/c-7")).header("Authorization", ADA).GET());

        assertThat(answer.statusCode()).withFailMessage("carts takes 2 s and the gateway's timeout is 200 ms; it should answer 504 Gateway Timeout, but answered %s",
            describe(answer)).isEqualTo(504);
    }

    // ---- every rule at its edges ----

    @Test
    @Points(2)
    @DisplayName("The route comes first: a path no route knows is 404 even without a token, and a bad token on a known route is 401")
    @Hint({"Two checks come before the call: which service, and who is calling. In which order? ('One entrance: routing by prefix' and 'No token, no entry' in the lesson's README.)",
           "The route comes first: no route is 404 whatever the token. Only a request that has a route gets a 401 for a missing or bad token.",
           "Last hint: Optional<Routes.Match> match = routes.match(ctx.path()); if (match.isEmpty()) { Http.error(ctx, 404, ...); return; } and only then read ctx.header(\"Authorization\")."})
    void routeBeforeToken() {
        for (String path : List.of("/api/payments/1", "/api/userss/42")) {
            var answer = call(request(path).GET());
            assertThat(answer.statusCode()).withFailMessage("no route matches %s, so the gateway should answer 404 before it asks for a token, but answered %s",
                path, describe(answer)).isEqualTo(404);
        }
        var post = call(request("/api/carts/c-7/items").header("Authorization", "Bearer forged-000000").header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString("{\"sku\": \"KB-42\"}")));
        assertThat(post.statusCode()).withFailMessage("a POST to carts with a forged token should be refused with 401, but the gateway answered %s", describe(post))
            .isEqualTo(401);
        nothingReached(users, "users", "no request had a route and a valid token");
        nothingReached(carts, "carts", "the POST had a forged token");
    }

    @Test
    @Points(2)
    @DisplayName("Header names are case-insensitive: a lower-case authorization is checked and kept back, an upper-case X-USER-ID dropped")
    @Hint({"Is authorization the same header as Authorization? ('A made-up identity' in the lesson's README.)",
           "HTTP header names have no case. Compare names in one case, everywhere: when you read the token and when you leave headers out.",
           "Last hint: ctx.header(\"Authorization\") finds it in any case; in Headers.toUpstream, String key = name.toLowerCase(Locale.ROOT); and leave out the header when key is \"authorization\" or \"x-user-id\"."})
    void headerNamesInAnyCase() {
        users.stubFor(any(anyUrl()).willReturn(okJson("{}")));

        answeredOk(call(request("/api/users/me").header("authorization", BOB).header("X-USER-ID", "admin").GET()), "Bob's request");

        LoggedRequest sent = onlyRequestTo(users, "users");
        assertThat(sent.containsHeader("Authorization")).withFailMessage("Bob sent his token as authorization: (lower case); users should not receive it, but got %s",
            sent.getHeader("Authorization")).isFalse();
        List<String> ids = sent.header("X-User-Id").isPresent() ? sent.header("X-User-Id").values() : List.of();
        assertThat(ids).withFailMessage("Bob sent X-USER-ID: admin; users should see only X-User-Id: bob, but saw %s", ids).containsExactly("bob");
    }

    @Test
    @Points(2)
    @DisplayName("Headers named by Connection are hop-by-hop too, in both directions: Connection: close, X-Debug-Hop keeps X-Debug-Hop at the gateway")
    @Hint({"Read the list of hop-by-hop headers in 'What crosses the gateway' (lesson's README) to its very end.",
           "Connection may name more headers that belong to this one connection: \"Connection: close, X-Debug-Hop\" makes X-Debug-Hop hop-by-hop too, in both directions.",
           "Last hint: for each value of the Connection header, for (String token : value.split(\",\")) named.add(token.strip().toLowerCase(Locale.ROOT)); then skip a header when named.contains(key), in toUpstream and toClient."})
    void headersNamedByConnection() throws IOException {
        // Access-Control-Expose-Headers lists a header name too, but only Connection makes the headers it names hop-by-hop.
        users.stubFor(any(anyUrl()).willReturn(okJson("{}").withHeader("Connection", "X-Upstream-Hop").withHeader("X-Upstream-Hop", "users-7")
            .withHeader("Access-Control-Expose-Headers", "X-Cart-Version").withHeader("X-Cart-Version", "7")));

        String status = rawRequest("GET /api/users/me HTTP/1.1\r\n"
            + "Host: 127.0.0.1:" + gateway.port() + "\r\n"
            + "Authorization: " + ADA + "\r\n"
            + "Connection: close, X-Debug-Hop , x-trace-hop\r\n"
            + "X-Debug-Hop: 1\r\n"
            + "X-Trace-Hop: t-1\r\n"
            + "X-Request-Id: r-78\r\n"
            + "\r\n");
        var answer = call(request("/api/users/me").header("Authorization", ADA).GET());

        assertThat(status).withFailMessage("Ada's request should get users' 200, but the gateway answered: %s", status).contains(" 200 ");
        LoggedRequest sent = requestsTo(users).get(0);
        for (String name : List.of("X-Debug-Hop", "X-Trace-Hop")) {
            assertThat(sent.containsHeader(name)).withFailMessage("the client's Connection: close, X-Debug-Hop , x-trace-hop names %s as hop-by-hop; users should not"
                + " receive it, but got %s: %s", name, name, sent.getHeader(name)).isFalse();
        }
        assertThat(sent.getHeader("X-Request-Id")).withFailMessage("X-Request-Id is not named by Connection and should still reach users (it had %s)",
            sent.getHeader("X-Request-Id")).isEqualTo("r-78");
        assertThat(answer.headers().firstValue("X-Upstream-Hop")).withFailMessage("users' Connection: X-Upstream-Hop names X-Upstream-Hop as hop-by-hop; the client"
            + " should not get it, but got X-Upstream-Hop: %s", answer.headers().firstValue("X-Upstream-Hop").orElse("")).isEmpty();
        assertThat(answer.headers().firstValue("X-Cart-Version")).withFailMessage("users' X-Cart-Version: 7 is named by Access-Control-Expose-Headers, not by"
            + " Connection, and should reach the client (it got %s)", answer.headers().firstValue("X-Cart-Version").orElse("none")).hasValue("7");
    }

    @Test
    @DisplayName("A header with several values keeps them all, both ways: two X-Tag values reach the service, two Set-Cookie values the client")
    @Hint({"A header may come more than once. How many of its values reach the other side?",
           "Headers are a Map<String, List<String>>. Keep each list whole in both directions, and send every value, not only the first.",
           "Last hint: headers.put(name, values) with the whole list, and values.forEach(value -> request.header(name, value)) when you build the request."})
    void everyValueOfAHeader() {
        carts.stubFor(any(anyUrl()).willReturn(okJson("{}").withHeader("Set-Cookie", "cart=c-7; Path=/", "seen=1; Path=/")));

        var answer = call(request("/api/carts/c-7").header("Authorization", ADA).header("X-Tag", "mobile").header("X-Tag", "beta").GET());

        assertThat(answer.statusCode()).withFailMessage("Ada's request should get carts' 200, but the gateway answered %s", describe(answer)).isEqualTo(200);
        LoggedRequest sent = onlyRequestTo(carts, "carts");
        List<String> tags = sent.header("X-Tag").isPresent() ? sent.header("X-Tag").values() : List.of();
        assertThat(String.join(",", tags).split("\\s*,\\s*")).withFailMessage("the client sent X-Tag: mobile and X-Tag: beta; carts should receive both, but received %s", tags)
            .containsExactly("mobile", "beta");
        assertThat(answer.headers().allValues("Set-Cookie")).withFailMessage("carts answered two Set-Cookie headers; the client should get both, but got %s",
            answer.headers().allValues("Set-Cookie")).containsExactly("cart=c-7; Path=/", "seen=1; Path=/");
    }

    @Test
    @Points(2)
    @DisplayName("A service's own 500, 502, 504, 401 and 302 reach the client unchanged, body and headers included: the gateway does not speak for a service that answered")
    @Hint({"When the service itself answers 502 or 504, who is speaking? ('When a service fails: 502 and 504' in the lesson's README.)",
           "502 and 504 are the gateway's words for no answer. When the service answered, whatever its status, that answer reaches the client unchanged, body and headers included.",
           "Last hint: after http.send returns, always Http.respond(ctx, answer.statusCode(), Headers.toClient(answer.headers().map()), answer.body()); never look at the status."})
    void servicesOwnStatuses() {
        record Own(int status, String body, String header, String value) {}
        List<Own> answers = List.of(
            new Own(500, "{\"error\": \"users crashed\"}", "X-Trace", "t-500"),
            new Own(502, "{\"error\": \"users' database proxy failed\"}", "X-Trace", "t-502"),
            new Own(504, "{\"error\": \"users' database timed out\"}", "X-Trace", "t-504"),
            new Own(401, "{\"error\": \"session expired\"}", "WWW-Authenticate", "Bearer error=\"invalid_token\""),
            new Own(302, "", "Location", "/ada/v2"));
        for (Own own : answers) {
            users.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(own.status()).withHeader("Content-Type", "application/json")
                .withHeader(own.header(), own.value()).withBody(own.body())));

            var answer = call(request("/api/users/ada").header("Authorization", ADA).GET());

            assertThat(answer.statusCode() + " " + answer.body()).withFailMessage("users answered %d %s; the client should get exactly that, but got %s",
                own.status(), own.body(), describe(answer)).isEqualTo(own.status() + " " + own.body());
            assertThat(answer.headers().firstValue(own.header())).withFailMessage("users answered %d with %s: %s; the client should get that header too, but got %s",
                own.status(), own.header(), own.value(), answer.headers().firstValue(own.header()).orElse("none")).hasValue(own.value());
        }
    }

    @Test
    @Points(2)
    @DisplayName("Every way a service can break the connection (reset, empty answer, garbage, a broken chunk) is 502, on every service")
    @Hint({"A reset, an empty answer, garbage, a broken chunk: what do they have in common? ('When a service fails: 502 and 504' in the lesson's README.)",
           "However the connection breaks, http.send throws an IOException, and there is no answer to pass on: 502, for every service.",
           "Last hint: catch (HttpTimeoutException e) { 504 } catch (IOException e) { Http.error(ctx, 502, service + \" could not be reached\"); }"})
    void everyBrokenConnectionIs502() {
        Map<String, WireMockExtension> services = Map.of("users", users, "carts", carts, "orders", orders);
        for (Fault fault : List.of(Fault.CONNECTION_RESET_BY_PEER, Fault.EMPTY_RESPONSE, Fault.RANDOM_DATA_THEN_CLOSE, Fault.MALFORMED_RESPONSE_CHUNK)) {
            services.forEach((name, service) -> {
                service.stubFor(any(anyUrl()).willReturn(aResponse().withFault(fault)));

                var answer = call(request("/api/" + name + "/x-1").header("Authorization", ADA).GET());

                assertThat(answer.statusCode()).withFailMessage("%s broke the connection (%s); the gateway should answer 502 Bad Gateway, but answered %s",
                    name, fault, describe(answer)).isEqualTo(502);
            });
        }
    }

    // ---- helpers ----

    private static HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(gateway.uri() + pathAndQuery));
    }

    /** Sends a request to the gateway. A 500 naming a TODO means the code is not written yet: say so, not "wrong". */
    private static HttpResponse<String> call(HttpRequest.Builder builder) {
        HttpRequest request = builder.timeout(Duration.ofSeconds(15)).build();
        HttpResponse<String> answer = Expect.returns(() -> CLIENT.send(request, BodyHandlers.ofString()),
            "the gateway should answer " + request.method() + " " + request.uri().getRawPath());
        throwIfTodo(answer.statusCode(), answer.body());
        return answer;
    }

    /** Sends raw bytes to the gateway and returns its status line ("HTTP/1.1 200 OK"), with the body of an error. */
    private static String rawRequest(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            String statusLine = response.lines().findFirst().orElse("(no answer)");
            int blank = response.indexOf("\r\n\r\n");
            String body = blank < 0 ? "" : response.substring(blank + 4);
            if (statusLine.contains(" 500 ")) throwIfTodo(500, body);
            return statusLine.contains(" 200 ") ? statusLine : statusLine + " " + body;
        }
    }

    private static void throwIfTodo(int status, String body) {
        if (status != 500 || body == null) return;
        String error = errorIn(body);
        int todo = error.indexOf("TODO");
        if (todo >= 0) throw new UnsupportedOperationException(error.substring(todo));
    }

    private static String errorIn(String body) {
        try {
            return JSON.readTree(body).path("error").asText(body);
        } catch (IOException notJson) {
            return body;
        }
    }

    private static void answeredOk(HttpResponse<String> answer, String what) {
        assertThat(answer.statusCode()).withFailMessage("%s should get users' 200, but the gateway answered %s", what, describe(answer)).isEqualTo(200);
    }

    private static String describe(HttpResponse<String> answer) {
        String body = answer.body() == null || answer.body().isEmpty() ? "(no body)" : answer.body();
        return answer.statusCode() + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
    }

    /** What a service received, oldest first (WireMock lists the newest first). */
    private static List<LoggedRequest> requestsTo(WireMockExtension peer) {
        return peer.getAllServeEvents().stream().map(ServeEvent::getRequest).toList().reversed();
    }

    private static LoggedRequest onlyRequestTo(WireMockExtension peer, String name) {
        List<LoggedRequest> requests = requestsTo(peer);
        assertThat(requests).withFailMessage("expected exactly one request to %s, but it received %d: %s", name, requests.size(),
            requests.stream().map(r -> r.getMethod() + " " + r.getUrl()).toList()).hasSize(1);
        return requests.get(0);
    }

    private static void nothingReached(WireMockExtension peer, String name, String why) {
        List<String> received = requestsTo(peer).stream().map(r -> r.getMethod() + " " + r.getUrl()).toList();
        assertThat(received).withFailMessage("%s should receive nothing (%s), but received %s", name, why, received).isEmpty();
    }

    /** A loopback port with nobody behind it: a service that is down. */
    private static int portNobodyListensOn() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
