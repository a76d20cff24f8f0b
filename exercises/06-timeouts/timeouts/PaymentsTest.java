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
import java.net.InetAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    void countFromZero() {
        HTTP.sent.set(0);
        HTTP.last = null;
        HTTP.failWith = null;
    }

    @Test
    @DisplayName("The HttpClient for payments gives up connecting after the connect timeout it is given (250 ms)")
    @Hint({"Read 'Two timeouts: connecting and answering' in the lesson's README. How long does the JDK wait for a host that never accepts the connection?",
           "Connecting is a wait of its own, before any request is sent. Without a connect timeout it lasts as long as the operating system likes.",
           "Last hint: HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build()."})
    void connectTimeout() {
        HttpClient client = Payments.client(Duration.ofMillis(250));

        assertThat(client.connectTimeout()).withFailMessage("Payments.client(250 ms) should build an HttpClient with a connect timeout of 250 ms, but its connectTimeout() was %s",
                client.connectTimeout())
            .hasValue(Duration.ofMillis(250));
    }

    @Test
    @Points(2)
    @DisplayName("With time to spare, a call waits at most its own timeout: 500 ms, though the deadline has 2 s left")
    @Hint({"Does the HttpClient's connect timeout limit the wait for the answer? ('Two timeouts: connecting and answering' in the lesson's README.)",
           "The connect timeout covers connecting only. Each request needs a timeout of its own for the answer: here callTimeout, since the deadline has more time than that.",
           "Last hint: HttpRequest.newBuilder(base.resolve(\"/charges\")).timeout(...) on the request you build in chargeRequest."})
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
    @Hint({"Three calls of 5 s each may take 15 s. Is the caller still waiting? ('A deadline, not a timeout per call' in the lesson's README.)",
           "Each call waits the shorter of its own timeout and the time left until the deadline.",
           "Last hint: .timeout(Collections.min(List.of(callTimeout, deadline.remaining()))) on the request."})
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
    @Hint({"How does payments learn how long it has? ('Passing the deadline on' in the lesson's README.)",
           "Tell the next service what is left, not what the budget was, so it can stop when nobody waits any more. The charge itself is a JSON POST.",
           "Last hint: .header(Deadline.HEADER, deadline.headerValue()).header(\"Content-Type\", \"application/json\").POST(BodyPublishers.ofString(chargeBody(orderId, amountCents))), sent with http.send."})
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
    @Hint({"Read 'No time, no call' in the lesson's README. What does a call started after the deadline do?",
           "When no time is left, do not start the call: nobody will read its answer, and payments would do the work anyway.",
           "Last hint: first thing in charge: if (deadline.expired()) throw new DeadlineExceeded(...); before building or sending any request."})
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
    @Hint({"Without a timeout on the request, how long does the call wait for a slow payments? ('Two timeouts: connecting and answering' in the lesson's README.)",
           "With a timeout on the request, the JDK gives up when the time is up. No answer in time is DeadlineExceeded (orders will say 504).",
           "Last hint: with .timeout(...) on the request, http.send throws HttpTimeoutException: catch it before IOException (it is one) and throw new DeadlineExceeded(...)."})
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
    @Hint({"Payments answered in time, with a 500. Is that a problem of time? ('502 or 504' in the lesson's README.)",
           "An answer that came in time but is not a charge is a failure of payments, not of time: PaymentsUnavailable, which orders turns into 502.",
           "Last hint: if (answer.statusCode() != 201) throw new PaymentsUnavailable(\"payments answered \" + answer.statusCode(), null);"})
    void serverError500() {
        payments.stubFor(any(anyUrl()).willReturn(serverError().withBody("{\"error\": \"ledger locked\"}")));
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), GENEROUS);

        Expect.thrown(PaymentsUnavailable.class, () -> client.charge("o-1", 4999, Deadline.after(GENEROUS, clock)),
            "payments answered 500: charge should throw PaymentsUnavailable");
    }

    @Test
    @DisplayName("Payments drops the connection: PaymentsUnavailable too")
    @Hint({"A reset connection is an IOException. Is it a timeout? ('502 or 504' in the lesson's README.)",
           "A broken connection is payments failing, not time running out: PaymentsUnavailable.",
           "Last hint: catch (HttpTimeoutException e) { throw new DeadlineExceeded(...); } catch (IOException e) { throw new PaymentsUnavailable(..., e); }, in that order."})
    void connectionDropped() {
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), GENEROUS);

        Expect.thrown(PaymentsUnavailable.class, () -> client.charge("o-1", 4999, Deadline.after(GENEROUS, clock)),
            "payments reset the connection: charge should throw PaymentsUnavailable");
    }

    // ---- the rules at their edges ----

    @Test
    @DisplayName("The HttpClient speaks HTTP/1.1, and takes whatever connect timeout it is given: 3 s as well as 250 ms")
    @Hint({"Is the connect timeout a parameter or a constant in your client(...)?",
           "Use the connect timeout you are given, whatever it is, and pin the client to HTTP/1.1.",
           "Last hint: return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();"})
    void clientSettings() {
        HttpClient client = Payments.client(Duration.ofSeconds(3));

        assertThat(client.connectTimeout()).withFailMessage("Payments.client(3 s) should have a connect timeout of 3 s, but had %s", client.connectTimeout())
            .hasValue(Duration.ofSeconds(3));
        assertThat(client.version()).withFailMessage("Payments.client should speak HTTP/1.1, but its version() was %s", client.version())
            .isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    @Points(2)
    @DisplayName("The shorter of the two, at its edge: with a call timeout of 500 ms, 501 ms left gives 500, 500 left gives 500, and 499 left gives 499")
    @Hint({"Which wins when the deadline has just under, exactly, or just over the call's own timeout?",
           "The request's timeout is the smaller of callTimeout and deadline.remaining(). When they are equal it does not matter which.",
           "Last hint: .timeout(deadline.remaining().compareTo(callTimeout) < 0 ? deadline.remaining() : callTimeout), on the request builder."})
    void shorterTimeoutAtTheEdge() {
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), Duration.ofMillis(500));
        for (long left : new long[] {501, 500, 499}) {
            Deadline deadline = Deadline.after(Duration.ofMillis(left), clock);
            HttpRequest request = client.chargeRequest("o-1", 4999, deadline);
            Duration expected = Duration.ofMillis(Math.min(left, 500));
            assertThat(request.timeout()).withFailMessage("with a call timeout of 500 ms and %d ms left on the deadline, the request should wait at most %s, but its timeout() was %s",
                    left, expected, request.timeout().map(Object::toString).orElse("none"))
                .hasValue(expected);
        }
    }

    @Test
    @DisplayName("chargeRequest refuses a spent deadline with DeadlineExceeded: a request cannot wait for no time at all")
    @Hint({"What does HttpRequest.Builder.timeout(Duration.ZERO) do? Try it.",
           "A request needs some time to wait: timeout(Duration.ZERO) throws IllegalArgumentException. With nothing left, chargeRequest says so in our words: DeadlineExceeded.",
           "Last hint: Duration left = deadline.remaining(); if (!left.isPositive()) throw new DeadlineExceeded(\"no time left to charge order \" + orderId);"})
    void chargeRequestRefusesASpentDeadline() {
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), GENEROUS);
        Deadline deadline = Deadline.after(Duration.ofMillis(200), clock);
        clock.advanceMillis(200);

        Expect.thrown(DeadlineExceeded.class, () -> client.chargeRequest("o-1", 4999, deadline),
            "the deadline has exactly no time left: chargeRequest should throw DeadlineExceeded, not build a request that cannot wait");
    }

    @Test
    @Points(3)
    @DisplayName("Only 201 is a charge: 200 (even with a chargeId), 202, 400, 402, 409, 502, 503, 504 and a 201 that is not JSON are each PaymentsUnavailable after one call")
    @Hint({"Which status says a charge was made? Is a 200 one? ('502 or 504' in the lesson's README.)",
           "A charge is made when payments says 201 Created. Any other status, a 2xx or a 504 too, is not a charge: PaymentsUnavailable. A 504 from payments is payments' failure, not our deadline.",
           "Last hint: if (answer.statusCode() != 201) throw new PaymentsUnavailable(...); and a body that is not JSON is an IOException from readTree, which is PaymentsUnavailable too."})
    void onlyCreatedIsACharge() {
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), GENEROUS);
        Map<String, ResponseDefinitionBuilder> answers = new LinkedHashMap<>();
        answers.put("200 with a chargeId", aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"chargeId\": \"ch-200\"}"));
        for (int status : new int[] {202, 400, 402, 409, 502, 503, 504}) answers.put(Integer.toString(status), aResponse().withStatus(status).withBody("{\"error\": \"no\"}"));
        answers.put("201 that is not JSON", aResponse().withStatus(201).withBody("<html>created</html>"));
        for (var answer : answers.entrySet()) {
            payments.resetAll();
            HTTP.sent.set(0);
            payments.stubFor(any(anyUrl()).willReturn(answer.getValue()));

            Expect.thrown(PaymentsUnavailable.class, () -> client.charge("o-1", 4999, Deadline.after(GENEROUS, clock)),
                "payments answered " + answer.getKey() + ", which is not a charge: charge should throw PaymentsUnavailable");
            assertThat(HTTP.sent.get()).withFailMessage("payments answered %s: that is one call, but %d were made", answer.getKey(), HTTP.sent.get()).isEqualTo(1);
        }

        payments.resetAll();
        payments.stubFor(any(anyUrl()).willReturn(charged("ch_7Hq")));
        String chargeId = Expect.returns(() -> client.charge("o-2", 1250, Deadline.after(GENEROUS, clock)), "payments answered 201 {\"chargeId\": \"ch_7Hq\"}");
        assertThat(chargeId).withFailMessage("payments answered 201 {\"chargeId\": \"ch_7Hq\"}: charge should return \"ch_7Hq\", but returned %s", chargeId).isEqualTo("ch_7Hq");
    }

    @Test
    @DisplayName("Nobody listening on payments' port (connection refused): PaymentsUnavailable, not DeadlineExceeded")
    @Hint({"When nobody listens on the port, does the call wait, or fail at once?",
           "A refused connection comes at once, not after a timeout: nobody is there. It is payments' failure, PaymentsUnavailable, not DeadlineExceeded.",
           "Last hint: catch (HttpTimeoutException e) { DeadlineExceeded } catch (IOException e) { PaymentsUnavailable }, in that order: ConnectException is an IOException, not a timeout."})
    void connectionRefused() throws IOException {
        int closedPort;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Payments client = new Payments(HTTP, URI.create("http://127.0.0.1:" + closedPort), GENEROUS);

        Expect.thrown(PaymentsUnavailable.class, () -> client.charge("o-1", 4999, Deadline.after(GENEROUS, clock)),
            "nobody listens on payments' port: charge should throw PaymentsUnavailable");
    }

    @Test
    @Points(3)
    @DisplayName("charge sends the request chargeRequest builds, and a timeout of either kind is DeadlineExceeded: 300 ms left, a 5 s call timeout, the client waits 300 ms")
    @Hint({"Is the timeout on the request that is actually sent?",
           "The timeout helps only on the request charge really sends: the one chargeRequest builds. When the JDK gives up waiting, of either kind, it is DeadlineExceeded.",
           "Last hint: HttpRequest request = chargeRequest(...); http.send(request, BodyHandlers.ofString()); catch (HttpTimeoutException e) { throw new DeadlineExceeded(...); } before catch (IOException e). HttpConnectTimeoutException is one too."})
    void timeoutsAreDeadlineExceeded() {
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), GENEROUS);
        for (IOException timeout : new IOException[] {new HttpTimeoutException("request timed out"), new HttpConnectTimeoutException("HTTP connect timed out")}) {
            HTTP.failWith = timeout;
            Deadline deadline = Deadline.after(Duration.ofMillis(1000), clock);
            clock.advanceMillis(700);

            Expect.thrown(DeadlineExceeded.class, () -> client.charge("o-1", 4999, deadline),
                "the HttpClient gave up waiting (" + timeout.getClass().getSimpleName() + "): charge should throw DeadlineExceeded");
            HttpRequest sent = HTTP.last;
            assertThat(sent).withFailMessage("charge should hand its request to the HttpClient it was given").isNotNull();
            assertThat(sent.timeout()).withFailMessage("700 ms into a budget of 1000 ms, the request charge sends should have a timeout of 300 ms, but had %s",
                    sent.timeout().map(Object::toString).orElse("none (it would wait forever)"))
                .hasValue(Duration.ofMillis(300));
            assertThat(sent.headers().firstValue(Deadline.HEADER)).withFailMessage("the request charge sends should say X-Deadline-Ms: 300, but said %s",
                sent.headers().firstValue(Deadline.HEADER)).hasValue("300");
        }
    }

    @Test
    @DisplayName("Interrupted while waiting for payments: PaymentsUnavailable, and the thread is still interrupted afterwards")
    @Hint({"An interrupt is someone asking this thread to stop. Does your code hide it?",
           "Catching InterruptedException clears the thread's interrupt flag. Set it again, so the caller still sees it, and say that payments gave no answer.",
           "Last hint: catch (InterruptedException e) { Thread.currentThread().interrupt(); throw new PaymentsUnavailable(\"interrupted while waiting for payments\", e); }"})
    void interruptIsKept() {
        HTTP.failWith = new InterruptedException("the checkout was cancelled");
        Payments client = new Payments(HTTP, URI.create(payments.baseUrl()), GENEROUS);
        boolean stillInterrupted;
        try {
            Expect.thrown(PaymentsUnavailable.class, () -> client.charge("o-1", 4999, Deadline.after(GENEROUS, clock)),
                "the wait for payments was interrupted: charge should throw PaymentsUnavailable");
        } finally {
            stillInterrupted = Thread.interrupted(); // and clear it, for the next test, whatever happened
        }
        // Asserted after the finally block, so that a failure above (a TODO, a wrong exception) is the one reported.
        assertThat(stillInterrupted).withFailMessage("after an InterruptedException, charge should set the thread's interrupt flag again, but it was not set").isTrue();
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

    /**
     * An HttpClient that counts the requests handed to it and keeps the last one, and sends them with a real one,
     * or, when a test sets {@code failWith}, throws that instead of sending: a timeout or an interrupt, at once.
     */
    static final class CountingClient extends HttpClient {
        final AtomicInteger sent = new AtomicInteger();
        volatile HttpRequest last;
        volatile Exception failWith;
        private final HttpClient real;

        CountingClient(HttpClient real) { this.real = real; }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
            sent.incrementAndGet();
            last = request;
            if (failWith instanceof IOException e) throw e;
            if (failWith instanceof InterruptedException e) throw e;
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
