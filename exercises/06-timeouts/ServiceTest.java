package timeouts;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.Duration;
import java.util.List;
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
            return 4999;
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
        payments.stubFor(any(anyUrl()).willReturn(PaymentsTest.charged("ch-9")));
    }

    @Test
    @Points(2)
    @DisplayName("A checkout has payments charge the order's amount, and answers 201 with the order and the charge id")
    @Hint({"pay reads the order id from the path, asks the order book for the amount, and has payments charge it.",
           "Deadline.fromHeader(ctx.header(Deadline.HEADER), ownBudget, clock); orderBook.amountDue(orderId); payments.charge(orderId, amount, deadline); then charged(ctx, orderId, chargeId).",
           "The lesson's README, section 'Passing the deadline on'."})
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
    @Hint({"The caller's clock started before orders even looked at the order. So does the deadline: make it first, from the header, then do the work.",
           "Build the Deadline with Deadline.fromHeader(...) on the first line of pay, before orderBook.amountDue(...); Payments sends deadline.headerValue().",
           "The lesson's README, section 'Passing the deadline on'."})
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
    @Hint({"Not every caller sends a deadline. Orders still has its own limit, and passes on what is left of it.",
           "Deadline.fromHeader(null, ownBudget, clock) gives ownBudget; the rest is as with a header.",
           "The lesson's README, section 'Passing the deadline on'."})
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
    @Hint({"The caller has already given up. Whatever orders does now, nobody will read the answer.",
           "Payments.charge throws DeadlineExceeded without calling payments; pay catches it and answers error(ctx, 504, e.getMessage()).",
           "The lesson's README, sections 'No time, no call' and '502 or 504'."})
    void noTimeLeft() {
        var answer = checkout("o-1", "0");

        assertThat(answer.statusCode()).withFailMessage("the caller had no time left: orders should answer 504 Gateway Timeout, but answered %s", describe(answer)).isEqualTo(504);
        nothingReachedPayments("the caller had no time left");
    }

    @Test
    @Points(2)
    @DisplayName("The order book takes 600 ms of a 500 ms budget: 504, and payments is never called")
    @Hint({"The budget can run out inside orders, before the call: the time orders spends counts too.",
           "Make the deadline before the order book lookup; Payments.charge then finds it expired, does not call, and throws DeadlineExceeded: 504.",
           "The lesson's README, section 'No time, no call'."})
    void budgetSpentInsideOrders() {
        bookMillis = 600;

        var answer = checkout("o-1", "500");

        assertThat(answer.statusCode()).withFailMessage("the order book used up the caller's 500 ms (and 100 more): orders should answer 504, but answered %s", describe(answer))
            .isEqualTo(504);
        nothingReachedPayments("the budget was spent before the charge");
    }

    @Test
    @DisplayName("Payments fails (500): the caller gets 502 Bad Gateway, not 500 and not 504")
    @Hint({"Payments answered, in time, with an error. That is not a timeout, and not orders' own failure.",
           "Catch PaymentsUnavailable in pay and answer error(ctx, 502, e.getMessage()).",
           "The lesson's README, section '502 or 504'."})
    void paymentsFails() {
        payments.stubFor(any(anyUrl()).willReturn(serverError()));

        var answer = checkout("o-1", "1000");

        assertThat(answer.statusCode()).withFailMessage("payments answered 500: orders should answer 502 Bad Gateway, but answered %s", describe(answer)).isEqualTo(502);
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
