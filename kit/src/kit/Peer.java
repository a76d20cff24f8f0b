package kit;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A service of the shop that a lesson talks to, simulated by a WireMock server with a name
 * ({@code inventory}, {@code payments}, ...). It listens on a free loopback port, answers as its stubs say
 * (latency, errors, faults, scenarios, webhooks: all of WireMock's DSL), and keeps a journal of every
 * request it received, which tests and lessons read to prove what really went over the wire.
 */
public final class Peer implements AutoCloseable {
    /** One request the peer served, as the narrator prints it. */
    public record Exchange(String peer, String method, String url, int status, long millis, boolean fault) {}

    private final String name;
    private final WireMockServer server;
    private final List<Consumer<Exchange>> listeners = new CopyOnWriteArrayList<>();

    private Peer(String name) {
        this.name = name;
        this.server = new WireMockServer(options()
            .bindAddress("127.0.0.1")
            .dynamicPort()
            .containerThreads(32)
            .extensions(new Announcer()));
    }

    /** Starts one peer. */
    public static Peer start(String name) {
        Peer peer = new Peer(name);
        peer.server.start();
        Events.publish(new Event.Service(name, "peer"));
        return peer;
    }

    /** Starts several peers at once, in parallel: most of a server's start is class loading and socket setup. */
    public static List<Peer> startAll(String... names) {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Peer>> starting = new ArrayList<>();
            for (String name : names) starting.add(pool.submit(() -> start(name)));
            List<Peer> peers = new ArrayList<>();
            for (Future<Peer> f : starting) peers.add(f.get());
            return peers;
        } catch (Exception e) {
            throw new IllegalStateException("could not start peers " + List.of(names) + ": " + e.getMessage(), e);
        }
    }

    public String name() { return name; }

    public int port() { return server.port(); }

    /** The base URL, for example {@code http://127.0.0.1:41237}. */
    public URI uri() { return URI.create(baseUrl()); }

    public String url(String path) { return baseUrl() + path; }

    // WireMock says "localhost"; we bound to 127.0.0.1 and say so, so no lookup can pick ::1 instead.
    private String baseUrl() { return "http://127.0.0.1:" + server.port(); }

    /** Adds a stub: {@code inventory.stub(get("/stock/KB-42").willReturn(okJson("...")))}. */
    public StubMapping stub(MappingBuilder mapping) { return server.stubFor(mapping); }

    /**
     * Answers the same request differently each time, in order, then keeps giving the last answer:
     * {@code payments.answerInTurn(post("/charges"), serviceUnavailable(), serviceUnavailable(), okJson(...))}.
     * Built on a WireMock scenario, so the sequence is exact and needs no timing.
     */
    public void answerInTurn(MappingBuilder request, ResponseDefinitionBuilder... answers) {
        String scenario = name + " " + request.build().getRequest().toString().hashCode();
        for (int i = 0; i < answers.length; i++) {
            String state = i == 0 ? Scenario.STARTED : "answer " + i;
            String next = i + 1 < answers.length ? "answer " + (i + 1) : state;
            var step = copyOf(request).inScenario(scenario).whenScenarioStateIs(state);
            if (!next.equals(state)) step = step.willSetStateTo(next);
            server.stubFor(step.willReturn(answers[i]));
        }
    }

    // MappingBuilder is mutable and single-use; each scenario step needs its own.
    private static MappingBuilder copyOf(MappingBuilder request) {
        var pattern = request.build().getRequest();
        return WireMock.requestMatching(pattern);
    }

    /** Every request received, oldest first. */
    public List<LoggedRequest> journal() {
        return server.getAllServeEvents().stream()
            .sorted(Comparator.comparing(e -> e.getRequest().getLoggedDate()))
            .map(ServeEvent::getRequest)
            .toList();
    }

    /** The requests that match a pattern, oldest first: {@code inventory.requests(getRequestedFor(urlPathMatching("/stock/.*")))}. */
    public List<LoggedRequest> requests(RequestPatternBuilder pattern) {
        return server.findAll(pattern);
    }

    public int count(RequestPatternBuilder pattern) { return server.findAll(pattern).size(); }

    /** How many requests arrived, of any kind. */
    public int hits() { return server.getAllServeEvents().size(); }

    public void verify(int times, RequestPatternBuilder pattern) { server.verify(times, pattern); }

    /** Forgets stubs, scenarios and the journal: what tests do between cases. */
    public void reset() { server.resetAll(); }

    /** Forgets only the journal, keeping the stubs. */
    public void forgetRequests() { server.resetRequests(); }

    /** Called as each answer is about to leave: the narrator prints the exchange. */
    public void onExchange(Consumer<Exchange> listener) { listeners.add(listener); }

    /** The WireMock server itself, for anything the kit does not wrap. */
    public WireMockServer server() { return server; }

    @Override
    public void close() { server.stop(); }

    @Override
    public String toString() { return name + " at " + baseUrl(); }

    private final class Announcer implements ServeEventListener {
        @Override public String getName() { return "announcer"; }

        @Override
        public void beforeResponseSent(ServeEvent event, Parameters parameters) {
            if (listeners.isEmpty() && !Events.wanted()) return;
            var request = event.getRequest();
            var response = event.getResponse();
            var definition = event.getResponseDefinition();
            boolean fault = definition != null && definition.getFault() != null;
            // Announced just before the answer leaves (and before any stubbed delay), so the line prints before the
            // caller can react to the answer; the time shown is the work so far plus the stub's fixed delay.
            Integer delay = definition == null ? null : definition.getFixedDelayMilliseconds();
            long millis = System.currentTimeMillis() - request.getLoggedDate().getTime() + (delay == null ? 0 : delay);
            var exchange = new Exchange(name, request.getMethod().getName(), request.getUrl(),
                response == null ? 0 : response.getStatus(), millis, fault);
            listeners.forEach(l -> l.accept(exchange));
            Events.publish(new Event.Exchange(Events.caller(), name, exchange.method(), request.getUrl(), exchange.status(), millis, fault));
        }
    }
}
