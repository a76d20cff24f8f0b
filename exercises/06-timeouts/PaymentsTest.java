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
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("06 · The call to payments: a timeout, and the deadline passed on")
class PaymentsTest {
    // One server for the whole class (a start costs most of a second); stubs and journal reset per test.
    @RegisterExtension static WireMockExtension payments = WireMockExtension.newInstance()
        .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();

    /** Sends for real, and counts every request handed to it: "no call" means not even an attempt. */
    static final CountingClient HTTP = new CountingClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build());
    /** Long enough never to matter, except where a test says otherwise. */
    static final Duration GENEROUS = Duration.ofSeconds(5);
    /** The order the slow test charges: payments answers it after that test is over. */
    static final String LATE = "o-late";
    private static final ObjectMapper JSON = new ObjectMapper();

    final ManualClock clock = new ManualClock();

    @BeforeEach
    void countFromZero() { HTTP.sent.set(0); }

    @Test
    @DisplayName("The HttpClient for payments gives up connecting after the connect timeout it is given (250 ms)")
    @Hint({"A host that never accepts the connection is a hang of its own, before any request is sent. The JDK's default is to wait as long as the operating system does.",
           "HttpClient.newBuilder().connectTimeout(connectTimeout) (with .version(HttpClient.Version.HTTP_1_1)), then build().",
           "The lesson's README, section 'Two timeouts: connecting and answering'."})
    void connectTimeout() {
        HttpClient client = Payments.client(Duration.ofMillis(250));

        assertThat(client.connectTimeout()).withFailMessage("Payments.client(250 ms) should build an HttpClient with a connect timeout of 250 ms, but its connectTimeout() was %s",
                client.connectTimeout())
            .hasValue(Duration.ofMillis(250));
    }

    @Test
    @Points(2)
    @DisplayName("With time to spare, a call waits at most its own timeout: 500 ms, though the deadline has 2 s left")
    @Hint({"The HttpClient's connect timeout does not limit the wait for the answer: each request needs a timeout of its own.",
           "HttpRequest.newBuilder(...).timeout(...): here callTimeout, because the deadline has more time than that.",
           "The lesson's README, section 'Two timeouts: connecting and answering'."})
    void callTimeout() {
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), Duration.ofMillis(500));

        HttpRequest request = client.chargeRequest("o-1", 4999, Deadline.after(Duration.ofSeconds(2), clock));

        assertThat(request.timeout()).withFailMessage("with a call timeout of 500 ms and 2 s left on the deadline, the request should wait at most 500 ms, but its timeout() was %s",
                request.timeout().map(Object::toString).orElse("none (it would wait forever)"))
            .hasValue(Duration.ofMillis(500));
    }

    @Test
    @Points(3)
    @DisplayName("Late in the budget, a call waits only what the deadline has left: 150 ms, though its own timeout is 5 s")
    @Hint({"A timeout per call is not a deadline: three calls of 5 s each may take 15 s. The caller is gone long before that.",
           "The request's timeout is the shorter of callTimeout and deadline.remaining().",
           "The lesson's README, section 'A deadline, not a timeout per call'."})
    void deadlineShortensTheTimeout() {
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), GENEROUS);
        Deadline deadline = Deadline.after(Duration.ofMillis(1000), clock);
        clock.advanceMillis(850);

        HttpRequest request = client.chargeRequest("o-1", 4999, deadline);

        assertThat(request.timeout()).withFailMessage("850 ms into a budget of 1000 ms, the call may wait 150 ms and no more, but its timeout() was %s",
                request.timeout().map(Object::toString).orElse("none (it would wait forever)"))
            .hasValue(Duration.ofMillis(150));
    }

    @Test
    @Points(3)
    @DisplayName("Payments receives POST /charges with the order's JSON and X-Deadline-Ms: the milliseconds left when the call starts (650 of 1000)")
    @Hint({"The next service should know how long it has, so it can stop when nobody is waiting any more. Tell it what is left, not what the budget was.",
           "Set the header Deadline.HEADER to deadline.headerValue(), along with Content-Type: application/json and the body chargeBody(orderId, amountCents); send it with http.send.",
           "The lesson's README, section 'Passing the deadline on'."})
    void passesTheBudgetOn() {
        payments.stubFor(any(anyUrl()).willReturn(charged("ch-1")));
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), GENEROUS);
        Deadline deadline = Deadline.after(Duration.ofMillis(1000), clock);
        clock.advanceMillis(350);

        String chargeId = Expect.returns(() -> client.charge("o-1", 4999, deadline), "payments answered 201 with {\"chargeId\": \"ch-1\"}, so charge should return \"ch-1\"");

        assertThat(chargeId).withFailMessage("payments answered 201 {\"chargeId\": \"ch-1\"}: charge should return \"ch-1\", but returned %s", chargeId).isEqualTo("ch-1");
        LoggedRequest sent = onlyRequest();
        assertThat(sent.getMethod().getName() + " " + sent.getUrl()).withFailMessage("payments should receive POST /charges, but received %s %s", sent.getMethod(), sent.getUrl())
            .isEqualTo("POST /charges");
        assertThat(sent.getHeader(Deadline.HEADER)).withFailMessage("350 ms of a 1000 ms budget are spent: payments should be told X-Deadline-Ms: 650, but was told %s",
                sent.containsHeader(Deadline.HEADER) ? sent.getHeader(Deadline.HEADER) : "nothing (no header)")
            .isEqualTo("650");
        assertThat(sent.getHeader("Content-Type")).withFailMessage("the charge is JSON: payments should receive Content-Type: application/json, but had %s", sent.getHeader("Content-Type"))
            .isEqualTo("application/json");
        assertThat(json(sent.getBodyAsString())).withFailMessage("payments should receive {\"orderId\": \"o-1\", \"amountCents\": 4999}, but received %s", sent.getBodyAsString())
            .isEqualTo(json("{\"orderId\": \"o-1\", \"amountCents\": 4999}"));
    }

    @Test
    @Points(3)
    @DisplayName("No time left, no call: charge throws DeadlineExceeded, and payments receives nothing at all")
    @Hint({"A call started after the deadline can only do harm: nobody will read its answer, and payments does the work anyway.",
           "First thing in charge: if (deadline.expired()) throw new DeadlineExceeded(...), before building or sending any request.",
           "The lesson's README, section 'No time, no call'."})
    void noCallWhenTheBudgetIsSpent() {
        payments.stubFor(any(anyUrl()).willReturn(charged("ch-1")));
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), GENEROUS);
        Deadline deadline = Deadline.after(Duration.ofMillis(300), clock);
        clock.advanceMillis(300);

        Expect.thrown(DeadlineExceeded.class, () -> client.charge("o-1", 4999, deadline),
            "the 300 ms budget is spent: charge should refuse to call payments with DeadlineExceeded");

        assertThat(HTTP.sent.get()).withFailMessage("the budget was spent, yet %d request(s) went to the HttpClient: no call should even be attempted", HTTP.sent.get())
            .isZero();
        assertThat(requests()).withFailMessage("the budget was spent: payments should receive nothing, but received %s", requests()).isEmpty();
    }

    @Test
    @Points(3)
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // preemptive: a hang fails here, not forever
    @DisplayName("Payments takes three times the call's timeout (600 ms of 200): the call gives up with DeadlineExceeded, within the timeout plus a margin")
    @Hint({"Without a timeout on the request, the call waits as long as payments takes: forever, if it never answers.",
           "With .timeout(...) on the request, http.send throws HttpTimeoutException when the time is up. It is an IOException: catch it first, and throw DeadlineExceeded.",
           "The lesson's README, sections 'Two timeouts: connecting and answering' and '502 or 504'."})
    void givesUpOnASlowPeer() {
        payments.stubFor(any(anyUrl()).willReturn(charged("ch-1").withFixedDelay(600)));
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), Duration.ofMillis(200));
        Deadline deadline = Deadline.after(GENEROUS, clock); // the deadline is far away: only the call's own timeout can stop it

        // The only test that waits for real time: a real socket read has to give up.
        long start = System.nanoTime();
        Expect.thrown(DeadlineExceeded.class, () -> client.charge(LATE, 4999, deadline),
            "payments takes 600 ms and the call's timeout is 200 ms: charge should give up with DeadlineExceeded");
        long waited = (System.nanoTime() - start) / 1_000_000;

        assertThat(waited).withFailMessage("the call's timeout is 200 ms, yet charge took %d ms to give up", waited).isLessThan(200 + 1_000);
    }

    @Test
    @DisplayName("Payments answers 500: PaymentsUnavailable (orders will say 502), not DeadlineExceeded")
    @Hint({"An answer that came in time, but is not a charge, is a failure of payments, not of time.",
           "Any status other than 201 throws PaymentsUnavailable.",
           "The lesson's README, section '502 or 504'."})
    void serverError500() {
        payments.stubFor(any(anyUrl()).willReturn(serverError().withBody("{\"error\": \"ledger locked\"}")));
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), GENEROUS);

        Expect.thrown(PaymentsUnavailable.class, () -> client.charge("o-1", 4999, Deadline.after(GENEROUS, clock)),
            "payments answered 500: charge should throw PaymentsUnavailable");
    }

    @Test
    @DisplayName("Payments drops the connection: PaymentsUnavailable too")
    @Hint({"A reset connection is an IOException, but not a timeout.",
           "Catch HttpTimeoutException first (DeadlineExceeded), then IOException (PaymentsUnavailable).",
           "The lesson's README, section '502 or 504'."})
    void connectionDropped() {
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), GENEROUS);

        Expect.thrown(PaymentsUnavailable.class, () -> client.charge("o-1", 4999, Deadline.after(GENEROUS, clock)),
            "payments reset the connection: charge should throw PaymentsUnavailable");
    }

    // ---- helpers ----

    static ResponseDefinitionBuilder charged(String chargeId) {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"chargeId\": \"" + chargeId + "\"}");
    }

    /**
     * What payments received, oldest first (WireMock lists the newest first). WireMock journals a request once it
     * has answered it, so the slow test's charge, answered after that test has ended, may show up in a later test's
     * journal: it is left out.
     */
    static List<LoggedRequest> requests() {
        return payments.getAllServeEvents().stream().map(ServeEvent::getRequest)
            .filter(r -> !r.getBodyAsString().contains(LATE))
            .sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
    }

    private static LoggedRequest onlyRequest() {
        List<LoggedRequest> all = requests();
        assertThat(all).withFailMessage("payments should receive exactly one request, but received %d: %s", all.size(),
            all.stream().map(r -> r.getMethod() + " " + r.getUrl()).toList()).hasSize(1);
        return all.getFirst();
    }

    private static Object json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return text;
        }
    }

    /** An HttpClient that counts the requests handed to it, and sends them with a real one. */
    static final class CountingClient extends HttpClient {
        final AtomicInteger sent = new AtomicInteger();
        private final HttpClient real;

        CountingClient(HttpClient real) { this.real = real; }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
            sent.incrementAndGet();
            return real.send(request, handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
            sent.incrementAndGet();
            return real.sendAsync(request, handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                                HttpResponse.PushPromiseHandler<T> push) {
            sent.incrementAndGet();
            return real.sendAsync(request, handler, push);
        }

        @Override public Optional<CookieHandler> cookieHandler() { return real.cookieHandler(); }
        @Override public Optional<Duration> connectTimeout() { return real.connectTimeout(); }
        @Override public Redirect followRedirects() { return real.followRedirects(); }
        @Override public Optional<ProxySelector> proxy() { return real.proxy(); }
        @Override public SSLContext sslContext() { return real.sslContext(); }
        @Override public SSLParameters sslParameters() { return real.sslParameters(); }
        @Override public Optional<Authenticator> authenticator() { return real.authenticator(); }
        @Override public Version version() { return real.version(); }
        @Override public Optional<Executor> executor() { return real.executor(); }
    }
}
