package timeouts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("06 · Orders' checkout: the budget from the gateway, 504 when it runs out")
class ServiceTest {
    @RegisterExtension static WireMockExtension payments = WireMockExtension.newInstance()
        .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    /** Orders works at most this long on one checkout. */
    static final Duration OWN_BUDGET = Duration.ofSeconds(2);
    /** Orders' time: it moves only when the order book "takes time". */
    static final ManualClock CLOCK = new ManualClock();
    /** How long the order book takes to look an order up, on the manual clock; each test sets it. */
    static volatile long bookMillis;

    static final PaymentsTest.CountingClient TO_PAYMENTS = new PaymentsTest.CountingClient(HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build());
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    static OrdersApi orders;

    @BeforeAll
    static void startOrders() {
        OrderBook book = orderId -> {
            CLOCK.advanceMillis(bookMillis); // the lookup takes its time
            if (orderId.equals("o-broken")) throw new IllegalStateException("order book offline");
            return orderId.equals("o-2") ? 1250 : 4999;
        };
        orders = new OrdersApi(new Payments(TO_PAYMENTS, URI.create(payments.baseUrl()), Duration.ofSeconds(5)), book, OWN_BUDGET, CLOCK).start();
    }

    @AfterAll
    static void stopOrders() {
        if (orders != null) orders.close();
    }

    @BeforeEach
    void quietDay() {
        bookMillis = 0;
        TO_PAYMENTS.sent.set(0);
        TO_PAYMENTS.last = null;
        TO_PAYMENTS.failWith = null;
        payments.stubFor(any(anyUrl()).willReturn(PaymentsTest.charged("ch-9")));
    }

    @Test
    @Points(2)
    @DisplayName("A checkout has payments charge the order's amount, and answers 201 with the order and the charge id")
    @Hint({"Read 'Passing the deadline on' in the lesson's README. What does pay need before it can charge?",
           "pay reads the order id from the path, asks the order book for the amount, has payments charge it within the request's deadline, and answers 201 with the charge.",
           "Last hint: Deadline.fromHeader(ctx.header(Deadline.HEADER), ownBudget, clock); orderBook.amountDue(orderId); payments.charge(orderId, amount, deadline); then charged(ctx, orderId, chargeId)."})
    void checkout() {
        var answer = checkout("o-1", "1000");

        assertThat(answer.statusCode() + " " + json(answer.body())).withFailMessage(
                "payments charged the order (ch-9): orders should answer 201 {\"orderId\": \"o-1\", \"chargeId\": \"ch-9\"}, but answered %s", describe(answer))
            .isEqualTo("201 " + json("{\"orderId\": \"o-1\", \"chargeId\": \"ch-9\"}"));
        LoggedRequest sent = onlyRequestToPayments();
        assertThat(json(sent.getBodyAsString())).withFailMessage("payments should be asked to charge {\"orderId\": \"o-1\", \"amountCents\": 4999}, but received %s", sent.getBodyAsString())
            .isEqualTo(json("{\"orderId\": \"o-1\", \"amountCents\": 4999}"));
    }

    @Test
    @Points(3)
    @DisplayName("Payments is told the caller's budget minus the time orders spent: the gateway allows 1000 ms, the order book takes 300, payments hears 700")
    @Hint({"When did the caller's clock start: before or after orders looked at the order? (The 'Subtract your own time' point in the lesson's README.)",
           "Take the time at arrival, before any work. A deadline made after the order book lookup passes on time that is already gone.",
           "Last hint: Deadline deadline = Deadline.fromHeader(...) as the first line of pay, before orderBook.amountDue(...); Payments sends deadline.headerValue()."})
    void budgetShrinksOnTheWay() {
        bookMillis = 300;

        var answer = checkout("o-1", "1000");

        assertThat(answer.statusCode()).withFailMessage("the budget was enough: orders should answer 201, but answered %s", describe(answer)).isEqualTo(201);
        LoggedRequest sent = onlyRequestToPayments();
        assertThat(sent.getHeader(Deadline.HEADER)).withFailMessage(
                "the gateway allowed 1000 ms and the order book took 300 of them: payments should be told X-Deadline-Ms: 700, but was told %s",
                sent.containsHeader(Deadline.HEADER) ? sent.getHeader(Deadline.HEADER) : "nothing (no header)")
            .isEqualTo("700");
    }

    @Test
    @DisplayName("Without X-Deadline-Ms, orders uses its own budget: 2000 ms, of which payments hears 1700 after the order book's 300")
    @Hint({"Not every caller sends a deadline. What does orders pass on then?",
           "Without a header, orders has its own limit, and passes on what is left of it, like any other budget.",
           "Last hint: Deadline.fromHeader(null, ownBudget, clock) gives ownBudget; pass ctx.header(Deadline.HEADER) to it as it is, null included."})
    void ownBudgetWhenTheCallerSendsNone() {
        bookMillis = 300;

        var answer = checkout("o-1", null);

        assertThat(answer.statusCode()).withFailMessage("the budget was enough: orders should answer 201, but answered %s", describe(answer)).isEqualTo(201);
        LoggedRequest sent = onlyRequestToPayments();
        assertThat(sent.getHeader(Deadline.HEADER)).withFailMessage(
                "no deadline came with the request, so orders' own 2000 ms apply, and the order book took 300: payments should be told X-Deadline-Ms: 1700, but was told %s",
                sent.containsHeader(Deadline.HEADER) ? sent.getHeader(Deadline.HEADER) : "nothing (no header)")
            .isEqualTo("1700");
    }

    @Test
    @Points(2)
    @DisplayName("A caller with no time left (X-Deadline-Ms: 0) gets 504 Gateway Timeout, and payments is never called")
    @Hint({"The caller has already given up. Will anyone read what orders does now? ('No time, no call' in the lesson's README.)",
           "No time left: orders answers 504 at once and calls nobody.",
           "Last hint: Payments.charge throws DeadlineExceeded without calling payments; pay catches it and answers error(ctx, 504, e.getMessage())."})
    void noTimeLeft() {
        var answer = checkout("o-1", "0");

        assertThat(answer.statusCode()).withFailMessage("the caller had no time left: orders should answer 504 Gateway Timeout, but answered %s", describe(answer)).isEqualTo(504);
        nothingReachedPayments("the caller had no time left");
    }

    @Test
    @Points(2)
    @DisplayName("The order book takes 600 ms of a 500 ms budget: 504, and payments is never called")
    @Hint({"Can the budget run out before orders calls anyone? ('No time, no call' in the lesson's README.)",
           "The time orders spends counts too. If the order book takes the whole budget, there is no time left for the call: 504, no call.",
           "Last hint: make the deadline before the order book lookup; Payments.charge then finds it expired, does not call, and throws DeadlineExceeded, which pay answers with 504."})
    void budgetSpentInsideOrders() {
        bookMillis = 600;

        var answer = checkout("o-1", "500");

        assertThat(answer.statusCode()).withFailMessage("the order book used up the caller's 500 ms (and 100 more): orders should answer 504, but answered %s", describe(answer))
            .isEqualTo(504);
        nothingReachedPayments("the budget was spent before the charge");
    }

    @Test
    @DisplayName("Payments fails (500): the caller gets 502 Bad Gateway, not 500 and not 504")
    @Hint({"Payments answered in time, with an error. Whose failure is that? ('502 or 504' in the lesson's README.)",
           "A usable answer did not come: that is 502 Bad Gateway. Not 504, which is for time, and not 500, which is orders' own failure.",
           "Last hint: catch (PaymentsUnavailable e) { error(ctx, 502, e.getMessage()); } in pay."})
    void paymentsFails() {
        payments.stubFor(any(anyUrl()).willReturn(serverError()));

        var answer = checkout("o-1", "1000");

        assertThat(answer.statusCode()).withFailMessage("payments answered 500: orders should answer 502 Bad Gateway, but answered %s", describe(answer)).isEqualTo(502);
    }

    // ---- the rules at their edges ----

    @Test
    @Points(2)
    @DisplayName("The budget's edge inside orders: of a 500 ms budget, an order book taking 499 ms leaves a call with \"1\"; one taking exactly 500 ms is 504 with no call")
    @Hint({"Is a deadline spent one tick after its end, or at exactly its end?",
           "The deadline is spent at exactly its end. Until then there is time for a call, even 1 ms; from then on there is none.",
           "Last hint: in charge, if (deadline.expired()) throw new DeadlineExceeded(...); where expired() means !remaining().isPositive(); make the deadline before the lookup."})
    void budgetEdgeInsideOrders() {
        TO_PAYMENTS.failWith = new HttpTimeoutException("request timed out"); // 1 ms is too short for a real answer: the client gives up at once
        bookMillis = 499;
        checkout("o-1", "500");
        assertThat(TO_PAYMENTS.sent.get()).withFailMessage("the order book left 1 ms of 500: orders should still hand one call to payments' HttpClient, but handed %d",
            TO_PAYMENTS.sent.get()).isEqualTo(1);
        assertThat(TO_PAYMENTS.last.headers().firstValue(Deadline.HEADER)).withFailMessage("with 1 ms left, payments should be told X-Deadline-Ms: 1, but the request said %s",
            TO_PAYMENTS.last.headers().firstValue(Deadline.HEADER)).hasValue("1");

        TO_PAYMENTS.sent.set(0);
        bookMillis = 500;
        var spent = checkout("o-1", "500");
        assertThat(spent.statusCode()).withFailMessage("the order book took exactly the 500 ms budget: orders should answer 504, but answered %s", describe(spent))
            .isEqualTo(504);
        nothingReachedPayments("the order book used exactly the whole budget");
    }

    @Test
    @Points(2)
    @DisplayName("The budget rules hold in the service too: \"5000\" is capped at orders' 2000 and \"soon\" is no budget, so payments hears 1700 after the book's 300 ms")
    @Hint({"Does pay read the header itself, or with Deadline.fromHeader?",
           "The budget rules (the cap, and no budget for what is not a number) live in Deadline.fromHeader. pay uses it, with no parsing of its own.",
           "Last hint: Deadline deadline = Deadline.fromHeader(ctx.header(Deadline.HEADER), ownBudget, clock); as the first line of pay."})
    void budgetRulesInTheService() {
        bookMillis = 300;
        for (String header : new String[] {"5000", "soon"}) {
            payments.resetRequests();
            var answer = checkout("o-1", header);
            assertThat(answer.statusCode()).withFailMessage("X-Deadline-Ms: \"%s\" leaves time enough: orders should answer 201, but answered %s", header, describe(answer))
                .isEqualTo(201);
            LoggedRequest sent = onlyRequestToPayments();
            assertThat(sent.getHeader(Deadline.HEADER)).withFailMessage("X-Deadline-Ms: \"%s\" gives orders' own 2000 ms, and the order book took 300: payments should be told 1700, but was told %s",
                    header, sent.containsHeader(Deadline.HEADER) ? sent.getHeader(Deadline.HEADER) : "nothing (no header)")
                .isEqualTo("1700");
        }
    }

    @Test
    @Points(2)
    @DisplayName("Every failure of payments is 502 with an error: 503, 504 (payments' own timeout is not ours), 400, a 200 and a dropped connection")
    @Hint({"When payments itself answers 504, is that our deadline? ('502 or 504' in the lesson's README.)",
           "502 says: the service behind me failed. 504 is for orders' own deadline only. So every PaymentsUnavailable is 502, whatever payments said.",
           "Last hint: catch (DeadlineExceeded e) { error(ctx, 504, e.getMessage()); } catch (PaymentsUnavailable e) { error(ctx, 502, e.getMessage()); }"})
    void everyPaymentsFailureIs502() {
        Map<String, ResponseDefinitionBuilder> failures = new LinkedHashMap<>();
        for (int status : new int[] {503, 504, 400, 200}) failures.put(Integer.toString(status), aResponse().withStatus(status).withBody("{\"error\": \"no\"}"));
        failures.put("a dropped connection", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        for (var failure : failures.entrySet()) {
            payments.resetAll();
            payments.stubFor(any(anyUrl()).willReturn(failure.getValue()));

            var answer = checkout("o-1", "1000");

            assertThat(answer.statusCode()).withFailMessage("payments answered %s: orders should answer 502 Bad Gateway, but answered %s", failure.getKey(), describe(answer))
                .isEqualTo(502);
            assertThat(errorIn(answer.body())).withFailMessage("the 502 should say what went wrong in {\"error\": ...}, but the body was %s", answer.body()).isNotBlank();
        }
    }

    @Test
    @Points(2)
    @DisplayName("Payments does not answer in time (the HttpClient times out): 504 Gateway Timeout with an error")
    @Hint({"When the HttpClient times out, who gave up: payments, or orders? ('502 or 504' in the lesson's README.)",
           "A timeout means the deadline, or the call's share of it, ran out: orders gave up in time. That is 504 Gateway Timeout.",
           "Last hint: Payments.charge turns HttpTimeoutException into DeadlineExceeded; pay answers it: catch (DeadlineExceeded e) { error(ctx, 504, e.getMessage()); }"})
    void paymentsTimeoutIs504() {
        TO_PAYMENTS.failWith = new HttpTimeoutException("request timed out");

        var answer = checkout("o-1", "1000");

        assertThat(answer.statusCode()).withFailMessage("payments did not answer in time: orders should answer 504 Gateway Timeout, but answered %s", describe(answer))
            .isEqualTo(504);
        assertThat(errorIn(answer.body())).withFailMessage("the 504 should say what went wrong in {\"error\": ...}, but the body was %s", answer.body()).isNotBlank();
    }

    @Test
    @DisplayName("Each order is charged its own amount, and the answer names it: o-2 costs 1250")
    @Hint({"Where do the order id and the amount come from?",
           "The order id comes from the path, the amount from the order book, for this very order. Both go to payments, and the order id into the answer.",
           "Last hint: orderId = ctx.pathParam(\"orderId\"); charged(ctx, orderId, payments.charge(orderId, orderBook.amountDue(orderId), deadline));"})
    void eachOrderItsOwnAmount() {
        var answer = checkout("o-2", "1000");

        assertThat(answer.statusCode() + " " + json(answer.body())).withFailMessage("orders should answer 201 {\"orderId\": \"o-2\", \"chargeId\": \"ch-9\"}, but answered %s",
                describe(answer))
            .isEqualTo("201 " + json("{\"orderId\": \"o-2\", \"chargeId\": \"ch-9\"}"));
        LoggedRequest sent = onlyRequestToPayments();
        assertThat(json(sent.getBodyAsString())).withFailMessage("payments should be asked to charge {\"orderId\": \"o-2\", \"amountCents\": 1250}, but received %s", sent.getBodyAsString())
            .isEqualTo(json("{\"orderId\": \"o-2\", \"amountCents\": 1250}"));
    }

    @Test
    @DisplayName("When the order book itself fails, that is orders' own failure: 500 naming it, not 502 or 504, and payments is not called")
    @Hint({"502 and 504 speak of the service behind orders. Is the order book behind orders?",
           "A failure inside orders is orders' own: 500. Catch only what payments throws, and let anything else escape to the given wiring.",
           "Last hint: no catch (Exception e) or catch (RuntimeException e) in pay: two catch blocks, for DeadlineExceeded and PaymentsUnavailable, and nothing else."})
    void orderBookFailureIs500() {
        var answer = checkout("o-broken", "1000");

        assertThat(answer.statusCode()).withFailMessage("the order book failed inside orders: orders should answer 500, but answered %s", describe(answer)).isEqualTo(500);
        assertThat(errorIn(answer.body())).withFailMessage("the 500 should name what failed, but the body was %s", answer.body()).contains("order book offline");
        nothingReachedPayments("the order book failed before the charge");
    }

    // ---- helpers ----

    /** POST /orders/{id}/payment, as the gateway sends it; a 500 naming a TODO means the code is not written yet. */
    private static HttpResponse<String> checkout(String orderId, String deadlineHeader) {
        var builder = HttpRequest.newBuilder(orders.uri().resolve("/orders/" + orderId + "/payment")).timeout(Duration.ofSeconds(15))
            .POST(BodyPublishers.noBody());
        if (deadlineHeader != null) builder.header(Deadline.HEADER, deadlineHeader);
        HttpRequest request = builder.build();
        HttpResponse<String> answer = Expect.returns(() -> CLIENT.send(request, BodyHandlers.ofString()), "orders should answer POST /orders/" + orderId + "/payment");
        if (answer.statusCode() == 500) {
            String error = errorIn(answer.body());
            int todo = error.indexOf("TODO");
            if (todo >= 0) throw new UnsupportedOperationException(error.substring(todo));
        }
        return answer;
    }

    private static LoggedRequest onlyRequestToPayments() {
        List<LoggedRequest> all = payments.getAllServeEvents().stream().map(ServeEvent::getRequest).toList();
        assertThat(all).withFailMessage("payments should receive exactly one charge, but received %d: %s", all.size(),
            all.stream().map(r -> r.getMethod() + " " + r.getUrl()).toList()).hasSize(1);
        return all.getFirst();
    }

    private static void nothingReachedPayments(String why) {
        assertThat(TO_PAYMENTS.sent.get()).withFailMessage("%s, yet orders handed %d request(s) to its HttpClient for payments: no call should even be attempted",
                why, TO_PAYMENTS.sent.get())
            .isZero();
        assertThat(payments.getAllServeEvents()).withFailMessage("%s: payments should receive nothing, but received %d request(s)", why, payments.getAllServeEvents().size())
            .isEmpty();
    }

    private static String errorIn(String body) {
        try {
            return JSON.readTree(body).path("error").asText(body);
        } catch (IOException notJson) {
            return body;
        }
    }

    private static Object json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException | RuntimeException notJson) {
            return text;
        }
    }

    private static String describe(HttpResponse<String> answer) {
        String body = answer.body() == null || answer.body().isEmpty() ? "(no body)" : answer.body();
        return answer.statusCode() + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
    }
}
