package ratelimit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Peer;
import kit.Points;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("03 · Rate limiting at the gateway")
class GatewayTest {
    // The orders service behind the gateway: a WireMock server that answers every order and counts every hit.
    private static Peer orders;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final ManualClock clock = new ManualClock();
    private Gateway gateway;

    @BeforeAll
    static void startOrders() {
        orders = Peer.start("orders");
    }

    @AfterAll
    static void stopOrders() {
        orders.close();
    }

    @BeforeEach
    void stubOrders() {
        orders.reset();
        orders.stub(get(urlPathMatching("/orders.*")).willReturn(okJson("{\"id\": \"o-1\", \"status\": \"placed\"}")));
    }

    @AfterEach
    void stopGateway() {
        if (gateway != null) gateway.close();
    }

    @Test
    @DisplayName("A request with tokens to spare goes through to orders, and orders' answer comes back")
    @Hint({"Read 'At the gateway' in the lesson's README. What does admit(...) return when the client has a token?",
           "When the client's bucket gives a token, admit says yes and writes nothing. The gateway then forwards the request, and orders answers.",
           "Last hint: if (limiter.tryAcquire(clientKey).allowed()) return true; with no ctx.status(...) and no ctx.result(...)."})
    void forwardsWhenAllowed() throws Exception {
        gateway = start(new Limit(3, 1));

        var answer = send("web-shop", "/orders/o-1");

        assertThat(answer.statusCode()).withFailMessage("web-shop's first request should pass the full bucket and reach orders (200), but the gateway answered %d %s",
            answer.statusCode(), answer.body()).isEqualTo(200);
        assertThat(answer.body()).withFailMessage("the gateway should answer with what orders answered, but answered %s", answer.body()).contains("\"o-1\"");
        assertThat(orders.hits()).withFailMessage("orders should have received exactly one request, but received %d", orders.hits()).isEqualTo(1);
    }

    @Test
    @Points(3)
    @DisplayName("Once a client's bucket is empty the gateway answers 429 itself, and orders never sees the denied requests")
    @Hint({"Read 'At the gateway' in the lesson's README. Who answers a refused request, and when?",
           "A denied request is answered by the gateway itself with 429, and never forwarded. A gateway that writes its 429 but forwards anyway protects nobody.",
           "Last hint: if (!decision.allowed()) { ctx.status(429).header(\"Retry-After\", ...).result(...); return false; }"})
    void deniedRequestsNeverReachOrders() throws Exception {
        gateway = start(new Limit(3, 1));

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) statuses.add(send("bargain-bot", "/orders/o-" + i).statusCode());

        assertThat(statuses).withFailMessage("bargain-bot sent 5 requests at the same instant against a bucket of 3: expected 200, 200, 200, 429, 429, but got %s",
            statuses).containsExactly(200, 200, 200, 429, 429);
        assertThat(orders.count(anyRequestedFor(anyUrl()))).withFailMessage("orders should have seen only the 3 allowed requests, but saw %d:"
            + " a throttled request must stop at the gateway", orders.hits()).isEqualTo(3);
    }

    @Test
    @Points(2)
    @DisplayName("The 429 carries Retry-After in whole seconds, rounded up: 5 when empty at 0.2 per second, 4 after 1.5 s more")
    @Hint({"Read 'Saying when to come back' in the lesson's README. What unit does Retry-After count in?",
           "Retry-After counts whole seconds, rounded up. Rounding 3.5 s down to 3 sends the client back too early, to be refused again.",
           "Last hint: ctx.header(\"Retry-After\", String.valueOf(retryAfterSeconds(decision.retryAfter()))), with retryAfterSeconds rounding up."})
    void retryAfterHeader() throws Exception {
        gateway = start(new Limit(1, 0.2));
        send("bargain-bot", "/orders/o-1");

        var empty = send("bargain-bot", "/orders/o-2");
        clock.advanceMillis(1500);
        var later = send("bargain-bot", "/orders/o-3");
        clock.advanceMillis(3500);
        var afterWaiting = send("bargain-bot", "/orders/o-4");

        assertThat(empty.statusCode()).withFailMessage("the bucket of 1 is empty: the second request should get 429, not %d", empty.statusCode()).isEqualTo(429);
        String whenEmpty = retryAfterOf(empty);
        String whenLater = retryAfterOf(later);
        assertThat(whenEmpty).withFailMessage("an empty bucket at 0.2 tokens per second has its next token in exactly 5 s:"
            + " expected the header Retry-After: 5, but got Retry-After: %s", whenEmpty).isEqualTo("5");
        assertThat(whenLater).withFailMessage("1.5 s later the next token is 3.5 s away, which is Retry-After: 4 (rounded up),"
            + " but got Retry-After: %s", whenLater).isEqualTo("4");
        assertThat(afterWaiting.statusCode()).withFailMessage("after waiting the 3.5 s, the request should pass (200), but got %d", afterWaiting.statusCode())
            .isEqualTo(200);
    }

    @Test
    @DisplayName("Through the gateway too, a greedy client is throttled while another client is served")
    @Hint({"Which bucket does the gateway ask: the client's own, or one for everybody? ('One bucket per client' in the lesson's README.)",
           "The client key comes from the header X-Api-Key. Each client is throttled on its own bucket, so a greedy client does not stop the others.",
           "Last hint: admit(ctx, limiter, clientKey) asks limiter.tryAcquire(clientKey), with the key as it came."})
    void otherClientsStillServed() throws Exception {
        gateway = start(new Limit(2, 1));
        for (int i = 0; i < 4; i++) send("bargain-bot", "/orders/o-" + i);

        var web = send("web-shop", "/orders/o-9");

        assertThat(web.statusCode()).withFailMessage("bargain-bot emptied its own bucket; web-shop's first request should still pass (200), but got %d",
            web.statusCode()).isEqualTo(200);
    }

    @Test
    @Points(2)
    @DisplayName("retryAfterSeconds rounds up to whole seconds: 200 ms is 1, 3.5 s is 4, exactly 5 s is 5, one nanosecond is 1")
    @Hint({"Read the second paragraph of 'Saying when to come back' in the lesson's README. Is 5 s rounded up to 6?",
           "Whole seconds, rounded up: any part of a second counts as one more second. An exact number of seconds stays as it is.",
           "Last hint: wait.getSeconds() plus one when wait.getNano() > 0."})
    void roundsUp() {
        var seconds = Expect.returns(() -> List.of(
            Throttle.retryAfterSeconds(Duration.ofMillis(200)),
            Throttle.retryAfterSeconds(Duration.ofMillis(3500)),
            Throttle.retryAfterSeconds(Duration.ofSeconds(5)),
            Throttle.retryAfterSeconds(Duration.ofNanos(1))), "retryAfterSeconds should turn any positive wait into whole seconds");

        assertThat(seconds).withFailMessage("retryAfterSeconds of 200 ms, 3.5 s, 5 s and 1 ns should be 1, 4, 5 and 1, but were %s", seconds)
            .containsExactly(1L, 4L, 5L, 1L);
    }

    @Test
    @Points(2)
    @DisplayName("retryAfterSeconds at the edges of a second: 999,999,999 ns is 1, exactly 1 s is 1, 1 s and 1 ns is 2, 59.000000001 s is 60")
    @Hint({"How does a Duration hold 1 s and 1 ns? Look at getSeconds() and getNano().",
           "Rounding up changes nothing for an exact number of seconds, and adds one for even one nanosecond beyond it. Milliseconds and Math.round lose that nanosecond.",
           "Last hint: return wait.getSeconds() + (wait.getNano() > 0 ? 1 : 0); never toMillis() / 1000 + 1, and never Math.round."})
    void roundsUpAtTheEdges() {
        var seconds = Expect.returns(() -> List.of(
            Throttle.retryAfterSeconds(Duration.ofNanos(999_999_999)),
            Throttle.retryAfterSeconds(Duration.ofSeconds(1)),
            Throttle.retryAfterSeconds(Duration.ofSeconds(1, 1)),
            Throttle.retryAfterSeconds(Duration.ofSeconds(59, 1)),
            Throttle.retryAfterSeconds(Duration.ofSeconds(60))), "retryAfterSeconds should turn any positive wait into whole seconds");

        assertThat(seconds).withFailMessage("retryAfterSeconds of 999,999,999 ns, 1 s, 1.000000001 s, 59.000000001 s and 60 s should be 1, 1, 2, 60 and 60, but were %s",
            seconds).containsExactly(1L, 1L, 2L, 60L, 60L);
    }

    @Test
    @Points(2)
    @DisplayName("Every throttled request, a POST /orders too, is answered 429 with Retry-After and a JSON body naming the same wait, and never reaches orders")
    @Hint({"Does a POST get the same 429 as a GET? ('Saying when to come back' and 'At the gateway' in the lesson's README.)",
           "The gateway throttles every route the same way. Its answer says when to come back twice: in the header for machines, in a JSON body for people.",
           "Last hint: ctx.status(429).header(\"Retry-After\", Long.toString(n)).contentType(\"application/json\").result(\"{\\\"error\\\": \\\"too many requests\\\", \\\"retryAfterSeconds\\\": \" + n + \"}\"); return false;"})
    void every429SaysWhenToComeBack() throws Exception {
        orders.stub(post(urlPathMatching("/orders")).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"id\": \"o-7\"}")));
        gateway = start(new Limit(2, 1));
        var first = send("web-shop", "POST", "/orders");
        send("web-shop", "GET", "/orders/o-7");

        var denied = send("web-shop", "POST", "/orders");
        clock.advanceMillis(250);
        var deniedLater = send("web-shop", "GET", "/orders");

        assertThat(first.statusCode()).withFailMessage("web-shop's first POST /orders should reach orders and come back 201, but got %d %s", first.statusCode(), first.body())
            .isEqualTo(201);
        for (var answer : List.of(denied, deniedLater)) {
            String where = answer.request().method() + " " + answer.request().uri().getPath();
            assertThat(answer.statusCode()).withFailMessage("%s came after the bucket of 2 ran dry: expected 429, but got %d", where, answer.statusCode()).isEqualTo(429);
            assertThat(retryAfterOf(answer)).withFailMessage("the next token is 1 s away (then 750 ms): %s should carry Retry-After: 1, but had %s", where, retryAfterOf(answer))
                .isEqualTo("1");
            assertThat(answer.headers().firstValue("Content-Type").orElse("none")).withFailMessage("the 429 to %s should be JSON, but had Content-Type %s",
                where, answer.headers().firstValue("Content-Type").orElse("none")).startsWith("application/json");
            assertThat(jsonOrText(answer.body())).withFailMessage("the 429 to %s should have the body {\"error\": \"too many requests\", \"retryAfterSeconds\": 1},"
                + " but had %s", where, answer.body()).isEqualTo(JSON.readTree("{\"error\": \"too many requests\", \"retryAfterSeconds\": 1}"));
        }
        assertThat(orders.hits()).withFailMessage("orders should have seen only the 2 allowed requests, but saw %d: a throttled POST must stop at the gateway too",
            orders.hits()).isEqualTo(2);
    }

    // ---- helpers ----

    private Gateway start(Limit limit) {
        return Gateway.start(new RateLimiter(limit, clock), orders.uri());
    }

    /** The body as JSON, or as one JSON string when it is not JSON, so that a comparison fails with a message instead of a parse error. */
    private static JsonNode jsonOrText(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException notJson) {
            return TextNode.valueOf(body);
        }
    }

    private static String retryAfterOf(HttpResponse<String> answer) {
        return answer.headers().firstValue("Retry-After").orElse("(no such header)");
    }

    private HttpResponse<String> send(String client, String path) throws Exception {
        return send(client, "GET", path);
    }

    private HttpResponse<String> send(String client, String method, String path) throws Exception {
        var body = method.equals("POST") ? BodyPublishers.ofString("{\"sku\": \"KB-42\"}") : BodyPublishers.noBody();
        var request = HttpRequest.newBuilder(gateway.uri().resolve(path)).header(Gateway.API_KEY, client).header("Content-Type", "application/json")
            .method(method, body).timeout(Duration.ofSeconds(10)).build();
        var answer = HTTP.send(request, BodyHandlers.ofString());
        if (answer.statusCode() == 501 && answer.body().startsWith("TODO")) throw new UnsupportedOperationException(answer.body());
        return answer;
    }
}
