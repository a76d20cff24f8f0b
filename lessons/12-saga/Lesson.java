///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 12 · Saga: the keyboard was reserved and the card charged, and then shipping had no courier.

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.created;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static kit.Crash.untilTheCrash;

import com.github.tomakehurst.wiremock.http.Fault;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import kit.Crash.Crashed;
import kit.Database;
import kit.ManualClock;
import kit.Mine;
import kit.Narrator;
import kit.Peer;
import kit.RecordingSleeper;

public class Lesson {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static Narrator story;
    static final Map<String, Peer> services = new LinkedHashMap<>();
    /** The order service's own database, where the orchestrator keeps its saga log. Closed is a crash; reopened, a restart. */
    static Database orders;
    /** Every request the three services received, in order: "payments POST /charges/o-2/refund". */
    static final List<String> calls = new CopyOnWriteArrayList<>();
    /** Waits between retries pass on this clock, not in real time: the story prints them, and they cost nothing. */
    static final RecordingSleeper sleeper = new RecordingSleeper(new ManualClock());
    /** How many times a compensation is called, in all, before the saga is stuck: the exercise's number too. */
    static final int COMPENSATION_ATTEMPTS = 4;

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("12-saga", args);
        story.caller("orchestrator");   // who calls the peers, on the live view (--view)
        boolean mine = story.mine();
        aGoodDay();
        shippingHasNoCourier();
        theCardIsDeclined();
        theRefundHasABadMinute();
        theOrchestratorDies();
        choreography();
        whereIsTheOrder();
        if (mine) yourOrchestrator();
        story.serve(
            "curl -s -X POST " + services.get("payments").url("/charges") + " -H 'Idempotency-Key: o-1/charge' -d '{}' -w ' %{http_code}\\n'",
            "curl -s " + services.get("payments").url("/__admin/requests") + "   (every call payments received, with its Idempotency-Key)");
        story.end(); // exits the process, servers and all
    }

    // ---- the steps ----

    static void aGoodDay() throws Exception {
        story.tell("""
            An order for a keyboard needs three services: inventory reserves it, payments charges the card,
            shipping books a courier. Each one commits in its own database; no transaction spans the three.
            The order service drives them, one after the other: it is the saga's orchestrator.""");
        story.step("A good day: reserve, charge, ship");
        // The peers and H2 start side by side: most of either is class loading, and there may be only two cores.
        var starting = CompletableFuture.supplyAsync(() -> Peer.startAll("inventory", "payments", "shipping"));
        orders = Database.start("orders");
        orders.run(SAGA_LOG);
        for (Peer peer : starting.join()) {
            services.put(peer.name(), peer);
            peer.onExchange(e -> calls.add(e.peer() + " " + e.method() + " " + e.url()));
            story.listen(peer);
        }
        everyServiceSaysYes();
        warmUp();
        story.say("inventory, payments and shipping are up; the saga log is in H2, in " + orders.folder());

        String outcome = orchestrate("o-1");

        story.state("saga log of o-1", sagaLog("o-1"));
        story.tell("""
            The orchestrator walks a list of steps and writes a line in its saga log after each one, in its own
            database, before it moves on. The log is what makes the next steps of the story possible: it says
            how far a saga got, what to undo when a step fails, and where to carry on after a crash.""");
        story.check(calls.equals(List.of(RESERVE, CHARGE, SHIP)),
            "inventory, payments and shipping were called once each, in that order");
        story.check(outcome.equals("COMPLETED"), "the saga completed");
    }

    static void shippingHasNoCourier() throws Exception {
        story.step("Shipping has no courier: undo the charge, then the reservation");
        services.get("shipping").stub(post("/shipments").willReturn(aResponse().withStatus(409).withBody("no courier for this postcode")));
        calls.clear();

        String outcome = orchestrate("o-2");

        story.state("saga log of o-2", sagaLog("o-2"));
        story.tell("""
            The keyboard was reserved and the card charged before shipping said no. Nothing can roll those back:
            they are committed, in other services' databases, and the customer may already have seen the charge.
            So the saga runs the steps' compensations: new actions that make up for the old ones. Last done, first
            undone: the refund, then the release. The booking that failed is not cancelled: it never happened.""");
        story.check(calls.equals(List.of(RESERVE, CHARGE, SHIP, refund("o-2"), release("o-2"))),
            "reserve, charge, ship (409), then refund, then release: compensations in reverse order");
        story.check(calls.stream().noneMatch(c -> c.endsWith("/cancel")), "the failed booking was not cancelled");
        story.check(outcome.equals("COMPENSATED"), "the saga ended COMPENSATED: nothing is left half done");
    }

    static void theCardIsDeclined() throws Exception {
        story.step("The card is declined: only the reservation is undone");
        services.get("payments").stub(post("/charges").withRequestBody(matchingJsonPath("$.orderId", equalTo("o-3")))
            .willReturn(aResponse().withStatus(402).withBody("card declined")));
        calls.clear();

        String outcome = orchestrate("o-3");

        story.state("saga log of o-3", sagaLog("o-3"));
        story.tell("""
            Where a saga fails decides how much is undone. Payments said no, so there is no charge to refund and
            shipping is never asked: one compensation, the release. This is the picture on the course's pattern
            page: the step that committed is compensated, the step that failed is not.""");
        story.check(calls.equals(List.of(RESERVE, CHARGE, release("o-3"))), "reserve, charge (402), release; no refund, no shipping");
    }

    static void theRefundHasABadMinute() throws Exception {
        story.step("The refund has a bad minute: a compensation must not give up");
        var payments = services.get("payments");
        payments.answerInTurn(post("/charges/o-4/refund"), serviceUnavailable(), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), ok());
        calls.clear();

        String outcome = orchestrate("o-4");

        var keys = payments.requests(postRequestedFor(urlEqualTo("/charges/o-4/refund"))).stream().map(r -> r.getHeader("Idempotency-Key")).toList();
        story.state("waits before the retries", sleeper.sleeps().stream().map(d -> d.toMillis() + " ms").toList() + " (on the lesson's clock: no real time)");
        story.state("Idempotency-Key of the refund's attempts", keys);
        story.state("saga log of o-4", sagaLog("o-4"));
        story.tell("""
            A failed step ends the saga's way forward; a failed compensation cannot end anything, or the customer
            pays for a keyboard that never ships. A 503 or a dropped connection is not an answer, so the saga
            asks again, waiting longer each time, up to 4 calls in all. It is safe because every attempt carries
            the same idempotency key: if the first refund went through and only its answer was lost, payments
            refunds once.""");
        story.check(calls.stream().filter(c -> c.endsWith("/o-4/refund")).count() == 3,
            "the refund was tried three times of its " + COMPENSATION_ATTEMPTS + ": 503, a dropped connection, 200");
        story.check(keys.size() == 3 && keys.stream().distinct().count() == 1, "all three attempts carried the same Idempotency-Key");
        story.check(calls.getLast().endsWith("/o-4/release") && outcome.equals("COMPENSATED"), "then the stock was released, and the saga ended COMPENSATED");
    }

    static void theOrchestratorDies() throws Exception {
        story.step("The orchestrator dies between shipping's yes and its note of it");
        var shipping = services.get("shipping");
        shipping.reset();
        // Shipping deduplicates by key: the same key again gets the first booking back, marked as a replay.
        shipping.answerInTurn(post("/shipments").withHeader("Idempotency-Key", equalTo("o-5/ship")),
            created(), ok().withHeader("Idempotent-Replayed", "true"));
        calls.clear();

        diesAfter = "o-5/ship";
        untilTheCrash(() -> orchestrate("o-5"));
        story.say("the order service died; its database is closed");
        restart();
        story.state("saga log of o-5 after the restart", sagaLog("o-5") + ": the saga is at step 3");

        String outcome = orchestrate("o-5");

        var keys = shipping.requests(postRequestedFor(urlEqualTo("/shipments"))).stream().map(r -> r.getHeader("Idempotency-Key")).toList();
        story.state("saga log of o-5", sagaLog("o-5"));
        story.tell("""
            The saga log is the orchestrator's memory, and it is in the database, written after each step: after
            the restart it says reserve and charge are done, so they are not done again. It cannot say whether
            shipping booked: the process died between shipping's answer and the note. So the booking is sent again,
            with the same key, and shipping answers with the booking it already made. A saga is at least once,
            like the outbox of lesson 11: repeats are harmless because every call carries its idempotency key.""");
        story.check(calls.stream().filter(c -> c.startsWith(RESERVE) || c.startsWith(CHARGE)).count() == 2, "after the restart, nothing was reserved or charged again");
        story.check(keys.size() == 2 && keys.stream().distinct().count() == 1, "the booking was sent twice, with the same key, and shipping replayed the first");
        story.check(outcome.equals("COMPLETED"), "the saga completed after the restart");
    }

    static void choreography() throws Exception {
        story.tell("""
            There is another way to run the same saga: no orchestrator at all. Each service reacts to the events
            of the others and publishes its own. The lesson's event bus is a queue in this process, delivered
            one event at a time: it keeps the story in one order on every run, and who reacts to what is the
            point here, not delivery (lessons 10 and 11 showed a real broker and an outbox).""");
        story.step("Choreography: no orchestrator, services react to events");
        everyServiceSaysYes();
        services.get("shipping").stub(post("/shipments").withRequestBody(matchingJsonPath("$.orderId", equalTo("o-6")))
            .willReturn(aResponse().withStatus(409).withBody("no courier for this postcode")));
        calls.clear();
        subscribeTheServices();
        story.state("subscriptions", subscriptionsByService());

        placeOrder("o-6");
        bus.deliverAll();

        story.state("events, in order", eventsOf("o-6"));
        story.tell("""
            Nobody drives this saga. Each service listens for events and publishes its own: inventory reserves when
            an order is placed, payments charges when stock is reserved, shipping books when a card is charged.
            When shipping fails, payments refunds because it hears ShippingFailed, and inventory releases because
            it hears PaymentRefunded. The calls are the same as the orchestrator's, in the same order.""");
        story.check(calls.equals(List.of(RESERVE, CHARGE, SHIP, refund("o-6"), release("o-6"))),
            "the same calls as the orchestrated saga: reserve, charge, ship (409), refund, release");
        story.check("REJECTED".equals(view.get("orders").get("o-6")), "the order service learned the end from StockReleased: o-6 REJECTED");
    }

    static void whereIsTheOrder() throws Exception {
        story.step("Where is the order? Orchestration and choreography side by side");
        calls.clear();
        placeOrder("o-7");
        bus.deliver(2); // the customer asks "where is my order?" while o-7 is on its way
        var answers = new TreeMap<String, String>();
        for (String service : List.of("orders", "inventory", "payments", "shipping")) {
            answers.put(service, view.get(service).getOrDefault("o-7", "never heard of o-7"));
        }
        story.state("choreography: where is o-7? (ask every service)", answers);
        story.state("orchestration: where is o-5? (one query)", sagaLog("o-5"));
        bus.deliverAll();
        story.state("o-7 in the end", view.get("orders").get("o-7"));
        story.state("who reacts to whose events", whoListensToWhom());

        story.tell("""
            Who knows the flow? With an orchestrator, one list in one service: add a fraud check and you add a
            line there. With choreography, nobody: the flow is the sum of every service's subscriptions, and a
            new step means changing the services around it (payments would listen for FraudCleared instead).
            Where is an order? The orchestrator's log says, in one query; with choreography you ask every service
            or collect their events, and the order service only knows what its own events told it.
            Coupling: the orchestrator knows three services' APIs, and they know nothing of the saga. Choreography
            calls nobody, but payments must know shipping's events and inventory payments': the coupling moved
            into the events. Few steps and teams that own whole reactions: choreography. A flow that changes,
            that someone must be able to see and answer for: an orchestrator.""");
        story.check(answers.get("orders").equals("PLACED") && answers.get("payments").equals("charged"),
            "mid-way, the order service still said PLACED while payments had already charged o-7");
        story.check("CONFIRMED".equals(view.get("orders").get("o-7")), "once every event was delivered, o-7 was CONFIRMED");
        story.check(whoListensToWhom().get("payments").equals(List.of("inventory", "shipping")),
            "payments reacts to events of two other services: the coupling is in the events");
    }

    static void yourOrchestrator() {
        story.step("Your orchestrator: no courier, then a crash before the refund (--mine)");
        Mine mine = Mine.compile("12-saga");
        Database yours = null;
        try {
            everyServiceSaysYes();
            services.get("shipping").stub(post("/shipments").willReturn(aResponse().withStatus(409).withBody("no courier for this postcode")));
            calls.clear();
            // tag::mine[]
            yours = Database.start("your-orders");
            yours.run((String) mine.type("saga.Schema").getField("SAGAS").get(null));
            Object order = mine.create("saga.Order", "o-9", "KB-42", 1, 4999L);
            List<?> steps = yourSteps(mine);
            Object dying = diesBeforeTheRefund(mine, steps, yours);     // the process dies as the refund is about to leave
            try {
                mine.call(mine.create("saga.Orchestrator", yours.dataSource(), dying, sleeper), "run", order);
            } catch (Crashed e) {
                story.say("the process died as your orchestrator was about to refund");
            }
            yours.close();                                              // the crash
            yours = yours.reopen();                                     // the restart: new objects, the same files
            Object outcome = mine.call(mine.create("saga.Orchestrator", yours.dataSource(), steps, sleeper), "run", order);
            // end::mine[]
            story.state("your outcome", outcome);
            story.check(calls.equals(List.of(RESERVE, CHARGE, SHIP, refund("o-9"), release("o-9"))),
                "your saga reserved, charged, failed to ship, died, and after the restart refunded and released, nothing twice");
            story.check(outcome.toString().startsWith("Compensated"), "your run() returned Compensated");
        } catch (Exception e) {
            story.check(false, "your exercise ran the scenario (it threw " + e + ")");
        } finally {
            if (yours != null) yours.delete();
        }
    }

    // ---- the orchestrator ----

    /** One step of the checkout: which service does it, and how it is undone. */
    record SagaStep(String name, String service, String path, String undo, String undoPath) {}

    // tag::checkout[]
    /** The whole flow, in one place: the steps in the order they run, each with its compensation. */
    static final List<SagaStep> CHECKOUT = List.of(
        new SagaStep("reserve", "inventory", "/reservations", "release", "/reservations/%s/release"),
        new SagaStep("charge", "payments", "/charges", "refund", "/charges/%s/refund"),
        new SagaStep("ship", "shipping", "/shipments", "cancel", "/shipments/%s/cancel"));
    // end::checkout[]

    // tag::orchestrate[]
    /** Runs the order's saga, or carries it on from what its log says: a restart repeats nothing the log has. */
    static String orchestrate(String orderId) throws SQLException {
        SagaLog log = SagaLog.read(orderId);
        if (log.ended()) return log.last();
        if (!log.failing()) {
            for (SagaStep step : CHECKOUT) {
                if (log.has(step.name() + " done")) continue;             // done before a restart
                Answer answer = call(step.service(), step.path(), orderId, orderId + "/" + step.name());
                if (!(answer instanceof Answer.Yes)) {
                    log.write(step.name() + " failed", answer.toString());  // it did not happen: nothing of it to undo
                    return compensate(log);
                }
                log.write(step.name() + " done", null);                    // a crash before this line: the step goes again
            }
            log.write("COMPLETED", null);
            return "COMPLETED";
        }
        return compensate(log);
    }

    /** Undoes the steps that were done, last first. A compensation is retried until it works. */
    static String compensate(SagaLog log) throws SQLException {
        for (SagaStep step : CHECKOUT.reversed()) {
            if (!log.has(step.name() + " done") || log.has(step.name() + " compensated")) continue;
            String path = step.undoPath().formatted(log.orderId());
            Answer answer = untilItAnswers(() -> call(step.service(), path, log.orderId(), log.orderId() + "/" + step.undo()));
            if (!(answer instanceof Answer.Yes)) return "STUCK at " + step.undo() + " (" + answer + "): a person must look";
            log.write(step.name() + " compensated", step.undo());
        }
        log.write("COMPENSATED", null);
        return "COMPENSATED";
    }
    // end::orchestrate[]

    // tag::retry[]
    /** Asks again while there is no real answer (5xx, no answer at all), waiting 100 ms, 200 ms, 400 ms: 4 calls at most. */
    static Answer untilItAnswers(Supplier<Answer> call) {
        Duration wait = Duration.ofMillis(100);
        Answer answer = call.get();
        for (int attempt = 2; attempt <= COMPENSATION_ATTEMPTS && answer instanceof Answer.NoAnswer; attempt++) {
            story.say("  " + answer + ": waiting " + wait.toMillis() + " ms, then attempt " + attempt + " of " + COMPENSATION_ATTEMPTS);
            sleeper.sleep(wait); // the lesson's clock moves; a real service sleeps (or schedules the retry)
            wait = wait.multipliedBy(2);
            answer = call.get();
        }
        return answer;
    }
    // end::retry[]

    // tag::saga-log[]
    static final String SAGA_LOG = """
        create table saga_log (
            order_id varchar(64) not null,
            seq int not null,
            entry varchar(64) not null,
            detail varchar(200),
            primary key (order_id, seq));
        """;
    // end::saga-log[]

    /** The entries of one saga, as read from the database; each write is committed before the saga moves on. */
    record SagaLog(String orderId, List<String> entries) {
        static SagaLog read(String orderId) throws SQLException {
            var entries = new ArrayList<String>();
            try (var c = orders.connect(); var select = c.prepareStatement("select entry from saga_log where order_id = ? order by seq")) {
                select.setString(1, orderId);
                try (var rows = select.executeQuery()) {
                    while (rows.next()) entries.add(rows.getString(1));
                }
            }
            return new SagaLog(orderId, entries);
        }

        boolean has(String entry) { return entries.contains(entry); }

        boolean failing() { return entries.stream().anyMatch(e -> e.endsWith(" failed")); }

        boolean ended() { return has("COMPLETED") || has("COMPENSATED"); }

        String last() { return entries.getLast(); }

        void write(String entry, String detail) throws SQLException {
            try (var c = orders.connect(); var insert = c.prepareStatement("insert into saga_log values (?, ?, ?, ?)")) {
                insert.setString(1, orderId);
                insert.setInt(2, entries.size());
                insert.setString(3, entry);
                insert.setString(4, detail);
                insert.executeUpdate();
            }
            entries.add(entry);
            story.state("saga " + orderId, describe(entry, detail));
        }

        /** "charge compensated" as the story says it: "step 2 (charge) compensated: refund". */
        private static String describe(String entry, String detail) {
            for (int i = 0; i < CHECKOUT.size(); i++) {
                String name = CHECKOUT.get(i).name();
                if (entry.startsWith(name + " ")) {
                    return "step " + (i + 1) + " (" + name + ") " + entry.substring(name.length() + 1) + (detail == null ? "" : ": " + detail);
                }
            }
            return entry;
        }
    }

    // ---- calls to the services ----

    /** What a service made of a call. Only NoAnswer is worth asking again: the others are answers. */
    sealed interface Answer {
        record Yes(int status) implements Answer {
            @Override public String toString() { return "yes, " + status; }
        }

        record No(int status) implements Answer {
            @Override public String toString() { return "refused, " + status; }
        }

        record NoAnswer(String why) implements Answer {
            @Override public String toString() { return "no answer, " + why; }
        }
    }

    /** The crash, for the story: after the call with this idempotency key has its answer, the process dies. */
    static volatile String diesAfter;

    static Answer call(String service, String path, String orderId, String idempotencyKey) {
        var request = HttpRequest.newBuilder(services.get(service).uri().resolve(path))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(BodyPublishers.ofString("{\"orderId\": \"%s\", \"sku\": \"KB-42\", \"quantity\": 1, \"amountCents\": 4999}".formatted(orderId)))
            .build();
        Answer answer;
        try {
            int status = HTTP.send(request, BodyHandlers.discarding()).statusCode();
            answer = status >= 500 ? new Answer.NoAnswer(Integer.toString(status)) : status >= 400 ? new Answer.No(status) : new Answer.Yes(status);
        } catch (IOException e) {
            answer = new Answer.NoAnswer(e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer = new Answer.NoAnswer("interrupted");
        }
        if (idempotencyKey.equals(diesAfter)) {
            diesAfter = null;
            orders.close();
            throw new Crashed();
        }
        return answer;
    }

    // The calls as the services' journals show them, for the story's checks.
    static final String RESERVE = "inventory POST /reservations";
    static final String CHARGE = "payments POST /charges";
    static final String SHIP = "shipping POST /shipments";

    static String refund(String orderId) { return CHARGE + "/" + orderId + "/refund"; }

    static String release(String orderId) { return RESERVE + "/" + orderId + "/release"; }

    /** Every step and every compensation succeeds, until a step of the story says otherwise. */
    static void everyServiceSaysYes() {
        for (Peer peer : services.values()) peer.reset();
        services.get("inventory").stub(post("/reservations").willReturn(created()));
        services.get("inventory").stub(post(urlPathMatching("/reservations/[^/]+/release")).willReturn(ok()));
        services.get("payments").stub(post("/charges").willReturn(created()));
        services.get("payments").stub(post(urlPathMatching("/charges/[^/]+/refund")).willReturn(ok()));
        services.get("shipping").stub(post("/shipments").willReturn(created()));
        services.get("shipping").stub(post(urlPathMatching("/shipments/[^/]+/cancel")).willReturn(ok()));
    }

    /** One request to WireMock's admin API (not in any journal), so the HTTP client is loaded before the story needs it. */
    static void warmUp() {
        try {
            HTTP.send(HttpRequest.newBuilder(services.get("inventory").uri().resolve("/__admin/health")).build(), BodyHandlers.discarding());
        } catch (IOException | InterruptedException e) {
            // only a warm-up
        }
    }

    // ---- choreography ----

    /** Something that happened, told to whoever listens. */
    record Event(String type, String orderId, String from) {}

    // tag::bus[]
    /**
     * The simplest event bus: subscribers by event type, and a queue. publish() only queues; deliver() hands the
     * oldest event to each of its subscribers in turn, whose reactions queue new events behind it. One thread,
     * first in first out: the same order on every run.
     */
    static final class EventBus {
        record Subscription(String service, Consumer<Event> reaction) {}

        private final Map<String, List<Subscription>> subscribers = new LinkedHashMap<>();
        private final Deque<Event> queue = new ArrayDeque<>();
        private final List<Event> history = new ArrayList<>();

        void subscribe(String service, String type, Consumer<Event> reaction) {
            subscribers.computeIfAbsent(type, t -> new ArrayList<>()).add(new Subscription(service, reaction));
        }

        void publish(Event event) {
            history.add(event);
            queue.add(event);
        }

        void deliver(int events) {
            for (int i = 0; i < events && !queue.isEmpty(); i++) {
                Event event = queue.poll();
                for (var subscription : subscribers.getOrDefault(event.type(), List.of())) {
                    story.say("  ⇢ " + event.type() + " (" + event.orderId() + ", from " + event.from() + ") reaches " + subscription.service());
                    subscription.reaction().accept(event);
                }
            }
        }

        void deliverAll() { deliver(Integer.MAX_VALUE); }

        Map<String, List<Subscription>> subscribers() { return subscribers; }

        List<Event> history() { return history; }
    }
    // end::bus[]

    static List<String> eventsOf(String orderId) {
        return bus.history().stream().filter(e -> e.orderId().equals(orderId)).map(Event::type).toList();
    }

    /** Per service, the events it reacts to: "payments=[StockReserved, ShippingFailed]". */
    static Map<String, List<String>> subscriptionsByService() {
        var byService = new TreeMap<String, List<String>>();
        bus.subscribers().forEach((type, subs) -> subs.forEach(s -> byService.computeIfAbsent(s.service(), x -> new ArrayList<>()).add(type)));
        return byService;
    }

    /** For each service, the other services whose events it must know about. */
    static Map<String, List<String>> whoListensToWhom() {
        var who = new TreeMap<String, TreeSet<String>>();
        bus.subscribers().forEach((type, subs) -> subs.forEach(s -> who.computeIfAbsent(s.service(), x -> new TreeSet<>()).add(PUBLISHED_BY.get(type))));
        var lists = new TreeMap<String, List<String>>();
        who.forEach((service, publishers) -> lists.put(service, List.copyOf(publishers)));
        return lists;
    }

    static final EventBus bus = new EventBus();

    /** What each service knows about each order, in its own database (a map here): "payments: o-7 charged". */
    static final Map<String, Map<String, String>> view = new TreeMap<>(Map.of(
        "orders", new TreeMap<>(), "inventory", new TreeMap<>(), "payments", new TreeMap<>(), "shipping", new TreeMap<>()));

    /** Who publishes each event: the services' public contracts. */
    static final Map<String, String> PUBLISHED_BY = Map.of(
        "OrderPlaced", "orders",
        "StockReserved", "inventory", "OutOfStock", "inventory", "StockReleased", "inventory",
        "PaymentCharged", "payments", "PaymentDeclined", "payments", "PaymentRefunded", "payments",
        "ShipmentBooked", "shipping", "ShippingFailed", "shipping");

    // tag::choreography[]
    /** The same saga as CHECKOUT, with nobody in charge: each service's reactions, registered with the bus. */
    static void subscribeTheServices() {
        bus.subscribe("inventory", "OrderPlaced", e ->
            react("inventory", e, "/reservations", "reserve", "reserved", "StockReserved", "OutOfStock"));
        bus.subscribe("payments", "StockReserved", e ->
            react("payments", e, "/charges", "charge", "charged", "PaymentCharged", "PaymentDeclined"));
        bus.subscribe("shipping", "PaymentCharged", e ->
            react("shipping", e, "/shipments", "ship", "booked", "ShipmentBooked", "ShippingFailed"));
        // the way back: each service must know which events of others undo its own work
        bus.subscribe("payments", "ShippingFailed", e ->
            react("payments", e, "/charges/" + e.orderId() + "/refund", "refund", "refunded", "PaymentRefunded", null));
        bus.subscribe("inventory", "PaymentRefunded", e ->
            react("inventory", e, "/reservations/" + e.orderId() + "/release", "release", "released", "StockReleased", null));
        bus.subscribe("inventory", "PaymentDeclined", e ->
            react("inventory", e, "/reservations/" + e.orderId() + "/release", "release", "released", "StockReleased", null));
        // and the order service must know every way the saga can end
        bus.subscribe("orders", "ShipmentBooked", e -> view.get("orders").put(e.orderId(), "CONFIRMED"));
        bus.subscribe("orders", "OutOfStock", e -> view.get("orders").put(e.orderId(), "REJECTED"));
        bus.subscribe("orders", "StockReleased", e -> view.get("orders").put(e.orderId(), "REJECTED"));
    }

    /** The order service takes the order and says so; from here on, it only listens. */
    static void placeOrder(String orderId) {
        view.get("orders").put(orderId, "PLACED");
        bus.publish(new Event("OrderPlaced", orderId, "orders"));
    }

    /** One service's reaction: its own call (retried when it has no answer), then the event that tells what happened. */
    static void react(String service, Event cause, String path, String action, String done, String yes, String no) {
        Answer answer = untilItAnswers(() -> call(service, path, cause.orderId(), cause.orderId() + "/" + action));
        boolean worked = answer instanceof Answer.Yes;
        view.get(service).put(cause.orderId(), worked ? done : action + " failed");
        if (worked || no != null) bus.publish(new Event(worked ? yes : no, cause.orderId(), service));
    }
    // end::choreography[]

    // ---- --mine: the learner's orchestrator ----

    /** The exercise's own ShopSteps.checkout, pointed at the lesson's services. */
    static List<?> yourSteps(Mine mine) throws ReflectiveOperationException {
        var checkout = mine.type("saga.ShopSteps").getMethod("checkout", HttpClient.class, URI.class, URI.class, URI.class);
        return (List<?>) checkout.invoke(null, HTTP, services.get("inventory").uri(), services.get("payments").uri(), services.get("shipping").uri());
    }

    /** The same steps, except that the charge's compensation is the moment the process dies: the database closes, the call fails. */
    static List<?> diesBeforeTheRefund(Mine mine, List<?> steps, Database db) {
        Class<?> callType = mine.type("saga.Step$Call");
        Object dies = java.lang.reflect.Proxy.newProxyInstance(callType.getClassLoader(), new Class<?>[] {callType}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) return method.getName().equals("toString") ? "the crash" : null;
            db.close();
            throw new Crashed();
        });
        var changed = new ArrayList<Object>(steps);
        Object charge = steps.get(1);
        changed.set(1, mine.create("saga.Step", mine.call(charge, "name"), mine.call(charge, "action"), dies));
        return changed;
    }

    // ---- crash and restart ----

    /** The order service comes back: the same files, opened again. */
    static void restart() {
        orders.close();
        orders = orders.reopen();
        story.say("the order service restarts: H2 opens its files again (" + orders.startTime().toMillis() + " ms)");
    }

    /** The saga's log as the database has it now. */
    static String sagaLog(String orderId) throws SQLException {
        return String.join(" → ", SagaLog.read(orderId).entries());
    }
}
