///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 11 · Transactional outbox: the stock left the shelf, and payments never heard of the order.

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static kit.Crash.untilTheCrash;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import kit.Crash.Crashed;
import kit.Database;
import kit.Mine;
import kit.Narrator;
import kit.Peer;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static Narrator story;
    static Peer payments;
    /** The order service's own database. "The process dies" is this database closed; "it restarts" is its files opened again. */
    static Database orders;
    /** Payments' own database: its charges and the ids of the messages it has processed. */
    static Database paymentsDb;

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("11-outbox", args);
        story.caller("relay");   // who calls the peers, on the live view (--view)
        boolean mine = story.mine();
        theNightPaymentsNeverHeard();
        theOtherOrderIsNoBetter();
        anOutbox();
        paymentsHasABadMinute();
        atLeastOnceSoDeduplicate();
        if (mine) yourOutbox();
        story.serve("curl -s " + payments.url("/__admin/requests") + "      (what payments received: every Message-Id, twice for one of them)");
        story.end(); // exits the process, servers and all
    }

    // ---- the steps ----

    static void theNightPaymentsNeverHeard() throws Exception {
        story.tell("""
            At checkout the order service deducts the stock and records the order in its database, then tells
            payments over HTTP, and payments charges the card. Two writes to two systems, one after the other.
            One night the order service was redeployed in the middle of a checkout.""");
        story.step("The night payments never heard of the order");
        // Payments and its database start while the order service's database opens: it is mostly class loading.
        var starting = CompletableFuture.supplyAsync(() -> warmedUp(Peer.start("payments")));
        var paymentsStarting = CompletableFuture.supplyAsync(() -> Database.start("payments"));
        orders = Database.start("orders");
        orders.run(ORDERS_SCHEMA);
        payments = starting.join();
        paymentsDb = paymentsStarting.join();
        paymentsDb.run(PAYMENTS_SCHEMA);
        payments.stub(post("/events").willReturn(ok()));
        story.listen(payments);
        story.say("payments is up at " + payments.uri() + "; the order service's database is H2, in " + orders.folder());
        story.state("H2 start", orders.startTime().toMillis() + " ms (files created, first connection)");
        story.state("stock of KB-42", onHand());

        untilTheCrash(() -> placeOrderTheOldWay("o-1", () -> {
            story.say("the order is committed; the process is killed before it calls payments");
            crash();
        }));
        restart();

        story.state("stock of KB-42", onHand() + " (after the restart)");
        story.say("payments received " + payments.hits() + " requests");
        story.tell("""
            The keyboard left the shelf and the order is in the database, but payments never heard of it: nobody
            will charge the card, and nobody will notice until the accounts disagree at the end of the month.
            After the restart nothing remembers that a message was due: it only ever lived in memory.""");
        story.check(onHand() == 9, "inventory was deducted: 9 of 10 KB-42 left, after the restart too");
        story.check(orders.count("select count(*) from orders where order_id = 'o-1'") == 1, "order o-1 is in the order service's database");
        story.check(payments.hits() == 0, "payments never heard of o-1");
    }

    static void theOtherOrderIsNoBetter() throws Exception {
        story.step("Tell payments first, then commit? No better");
        payments.forgetRequests();
        untilTheCrash(() -> placeOrderPaymentsFirst("o-2", () -> {
            story.say("payments has the message; the process is killed before the commit");
            crash();
        }));
        restart();
        story.tell("""
            Swapping the two only swaps the damage: now payments charges a card for an order that, after the
            restart, does not exist, and the keyboard is still on the shelf. No order of a commit and a network
            call is safe when the process can die between them. This is the dual write, and no retry fixes it:
            after the crash, nothing is left to retry.""");
        story.check(payments.hits() == 1, "payments was told about o-2");
        story.check(orders.count("select count(*) from orders where order_id = 'o-2'") == 0, "but order o-2 is not in the database after the restart");
        story.check(onHand() == 9, "and its stock was never deducted: still 9");
    }

    static void anOutbox() throws Exception {
        story.step("An outbox: the message commits with the order");
        payments.forgetRequests();
        placeOrder("o-3");
        story.say("the order, its stock and its message are committed in one transaction; the process is killed before the relay runs");
        untilTheCrash(Lesson::crash);
        long restartMs = restart();
        story.state("outbox after the restart", outboxRows());
        story.state("H2 reopened from its files", restartMs + " ms");

        int sent = relayAll();
        story.state("outbox after the relay's run", outboxRows());
        story.tell("""
            The message to payments is a row in the order service's own database, written in the same
            transaction as the order. Either both are committed, or neither is: the crash cannot split them.
            After the restart a relay finds the unsent row, publishes it, and marks it sent once payments has
            confirmed. Payments hears of the order late, a few moments after the restart, but it does hear.""");
        story.check(onHand() == 8, "o-3 took a keyboard: 8 left");
        story.check(sent == 1 && payments.hits() == 1, "after the restart the relay delivered o-3's message to payments");
        story.check(unsent() == 0, "and then marked its row sent");
    }

    static void paymentsHasABadMinute() throws Exception {
        story.step("Payments has a bad minute: the message waits in the outbox");
        payments.reset();
        payments.answerInTurn(post("/events"), serviceUnavailable(), serviceUnavailable(), ok());
        payments.forgetRequests();
        placeOrder("o-4");
        placeOrder("o-5");
        List<Integer> sentPerRun = new ArrayList<>();
        for (int run = 1; run <= 3; run++) {
            sentPerRun.add(relayAll());
            story.state("relay run " + run, sentPerRun.getLast() + " sent; outbox " + outboxRows());
        }
        story.tell("""
            A message payments did not confirm is not sent: its row stays, and the next run tries again. The
            relay keeps the order, too: o-5 waited behind o-4 instead of overtaking it, because payments
            might care that an order's messages come in the order they happened (placed, then cancelled).""");
        story.check(sentPerRun.equals(List.of(0, 0, 2)), "two runs sent nothing (503), the third sent both");
        story.check(acceptedIds().equals(List.of("o-4", "o-5")), "payments accepted o-4, then o-5, in the order they were placed");
    }

    static void atLeastOnceSoDeduplicate() throws Exception {
        story.step("At least once: a crash after payments confirmed, and a consumer that deduplicates");
        payments.reset();
        payments.stub(post("/events").willReturn(ok()));
        payments.forgetRequests();
        placeOrder("o-6");
        untilTheCrash(() -> {
            var row = oldestUnsent();
            publish(row);
            story.say("payments confirmed o-6; the process is killed before the relay marks the row sent");
            crash();
            markSent(row);
        });
        restart();
        relayAll();
        story.say("after the restart the row was still unsent, so the relay sent it again");

        var handled = new ArrayList<Boolean>();
        for (var delivery : deliveries()) handled.add(consume(delivery));
        story.state("payments' consumer", handled.stream().map(charged -> charged ? "charged" : "duplicate (ignored)").toList());
        story.state("charges in payments' database", paymentsDb.count("select count(*) from charges"));
        story.tell("""
            The relay cannot know whether a message whose mark was lost arrived, so it sends it again: an outbox
            delivers at least once, never exactly once. The other half of the pattern is on the receiving side:
            payments records the id of every message it processes, in its own database and in the same
            transaction as the charge, and a message it has seen changes nothing.""");
        var ids = deliveries().stream().map(d -> d.messageId).toList();
        story.check(ids.size() == 2 && ids.get(0).equals(ids.get(1)), "payments received o-6's message twice, with the same Message-Id");
        story.check(handled.equals(List.of(true, false)), "the first delivery charged the card, the second was recognised as a duplicate");
        story.check(paymentsDb.count("select count(*) from charges where order_id = 'o-6'") == 1, "o-6 was charged exactly once");
    }

    static void yourOutbox() {
        story.step("Your outbox, relay and consumer, through the same crashes (--mine)");
        Mine mine = Mine.compile("11-outbox");
        Database yourOrders = null;
        Database yourPayments = null;
        try {
            payments.reset();
            payments.stub(post("/events").willReturn(ok()));
            // tag::mine[]
            String ordersSchema = (String) mine.type("outbox.Schema").getField("ORDERS").get(null);
            String paymentsSchema = (String) mine.type("outbox.Schema").getField("PAYMENTS").get(null);
            yourOrders = Database.start("your-orders");
            yourOrders.run(ordersSchema);
            yourOrders.run("insert into stock (sku, on_hand) values ('KB-42', 10)");
            Object http = mine.create("outbox.HttpPublisher", HTTP, payments.uri());
            Object dies = crashingPublisher(mine, yourOrders);      // if your placeOrder calls payments, the process dies there
            Object service = mine.create("outbox.OrderService", yourOrders.dataSource(), dies);
            try {
                mine.call(service, "placeOrder", mine.create("outbox.Order", "o-9", "KB-42", 1, 4999L));
            } catch (RuntimeException e) {
                if (!diedInYourCall) throw e;
                story.say("your placeOrder called payments itself, and the process died in that call");
            }
            yourOrders.close();                                     // the crash, before any relay ran
            yourOrders = yourOrders.reopen();                       // the restart
            Object relay = mine.create("outbox.Relay", yourOrders.dataSource(), http);
            mine.call(relay, "runOnce");
            // end::mine[]
            story.say("payments received " + payments.hits() + " message(s) from your relay after the restart");
            story.check(payments.hits() == 1 && !diedInYourCall, "your order service and relay delivered o-9 after a crash right after the commit");

            yourPayments = Database.start("your-payments");
            yourPayments.run(paymentsSchema);
            Object consumer = mine.create("outbox.PaymentsConsumer", yourPayments.dataSource());
            Object message = mine.create("outbox.Message", UUID.randomUUID().toString(), "o-9", "OrderPlaced", payload("o-9"));
            Object first = mine.call(consumer, "handle", message);
            Object second = mine.call(consumer, "handle", message);
            story.say("your consumer, given the message twice: " + first + ", then " + second);
            story.check(yourPayments.count("select count(*) from charges") == 1, "your consumer charged o-9 once for two deliveries");
        } catch (Exception e) {
            story.check(false, "your exercise ran the scenario (it threw " + e + ")");
        } finally {
            if (yourOrders != null) yourOrders.delete();
            if (yourPayments != null) yourPayments.delete();
        }
    }

    static volatile boolean diedInYourCall;

    /** An outbox.Publisher of yours whose every call is the moment the process dies. */
    static Object crashingPublisher(Mine mine, Database db) {
        Class<?> type = mine.type("outbox.Publisher");
        return java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) return method.getName().equals("toString") ? "the crash" : null;
            diedInYourCall = true;
            db.close();
            throw new Crashed();
        });
    }

    // ---- the order service, before ----

    // tag::dual-write[]
    /** The old checkout: commit, then tell payments. Two writes to two systems, with a gap between them. */
    static void placeOrderTheOldWay(String orderId, Runnable betweenTheTwo) throws Exception {
        inTransaction(c -> {
            deductKeyboard(c);
            insertOrder(c, orderId);
        });
        betweenTheTwo.run();           // the process dies here, sometimes
        tellPayments(orderId);
    }

    /** Or the other way round: tell payments, then commit. */
    static void placeOrderPaymentsFirst(String orderId, Runnable betweenTheTwo) throws Exception {
        inTransaction(c -> {
            deductKeyboard(c);
            insertOrder(c, orderId);
            tellPayments(orderId);
            betweenTheTwo.run();       // the process dies here, sometimes
        });
    }
    // end::dual-write[]

    /** One request to WireMock's admin API (not in payments' journal), so the HTTP client is loaded before the story needs it. */
    static Peer warmedUp(Peer peer) {
        try {
            HTTP.send(HttpRequest.newBuilder(peer.uri().resolve("/__admin/health")).build(), BodyHandlers.discarding());
        } catch (IOException | InterruptedException e) {
            // only a warm-up
        }
        return peer;
    }

    static void tellPayments(String orderId) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(payments.uri().resolve("/events")).header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(payload(orderId))).build();
        HTTP.send(request, BodyHandlers.discarding());
    }

    // ---- the order service, with an outbox ----

    // tag::outbox[]
    /** The order, its stock and the message to payments: one transaction in the order service's own database. */
    static void placeOrder(String orderId) throws Exception {
        inTransaction(c -> {
            deductKeyboard(c);
            insertOrder(c, orderId);
            try (var outbox = c.prepareStatement(
                    "insert into outbox (message_id, aggregate_type, aggregate_id, type, payload) values (?, 'order', ?, 'OrderPlaced', ?)")) {
                outbox.setString(1, UUID.randomUUID().toString());
                outbox.setString(2, orderId);
                outbox.setString(3, payload(orderId));
                outbox.executeUpdate();
            }
        });
    }
    // end::outbox[]

    // tag::relay[]
    /**
     * The relay, as small as it gets: take the oldest unsent row, publish it, and mark it sent only once payments
     * has confirmed. Until payments confirms, the same row stays the oldest: nothing overtakes it.
     * @return how many it sent in this run
     */
    static int relayAll() throws Exception {
        int sent = 0;
        for (OutboxRow row = oldestUnsent(); row != null; row = oldestUnsent()) {
            if (!publish(row)) break;        // not confirmed: try again on the next run
            markSent(row);                   // a crash just before this line means: sent again, later
            sent++;
        }
        return sent;
    }
    // end::relay[]

    record OutboxRow(long id, String messageId, String aggregateId, String payload) {}

    static OutboxRow oldestUnsent() throws SQLException {
        try (var c = orders.connect(); var rs = c.createStatement().executeQuery(
                "select id, message_id, aggregate_id, payload from outbox where published_at is null order by id fetch first row only")) {
            return rs.next() ? new OutboxRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)) : null;
        }
    }

    /** True when payments confirmed the message (2xx). */
    static boolean publish(OutboxRow row) throws InterruptedException {
        var request = HttpRequest.newBuilder(payments.uri().resolve("/events"))
            .header("Content-Type", "application/json")
            .header("Message-Id", row.messageId())
            .header("Aggregate-Id", row.aggregateId())
            .POST(BodyPublishers.ofString(row.payload())).build();
        try {
            return HTTP.send(request, BodyHandlers.discarding()).statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        }
    }

    static void markSent(OutboxRow row) throws SQLException {
        try (var c = orders.connect(); var update = c.prepareStatement("update outbox set published_at = current_timestamp where id = ?")) {
            update.setLong(1, row.id());
            update.executeUpdate();
        }
    }

    // ---- payments' side: an idempotent consumer ----

    record Delivery(String messageId, String orderId, long amountCents) {}

    // tag::consumer[]
    /** Payments charges once per message id: the id and the charge commit together, or neither does. */
    static boolean consume(Delivery delivery) throws Exception {
        boolean[] charged = {false};
        try (Connection c = paymentsDb.connect()) {
            c.setAutoCommit(false);
            try (var seen = c.prepareStatement(
                    "insert into processed_messages (message_id) select ? where not exists (select 1 from processed_messages where message_id = ?)");
                 var charge = c.prepareStatement("insert into charges (order_id, amount_cents) values (?, ?)")) {
                seen.setString(1, delivery.messageId());
                seen.setString(2, delivery.messageId());
                if (seen.executeUpdate() == 1) {      // a message we have not processed yet
                    charge.setString(1, delivery.orderId());
                    charge.setLong(2, delivery.amountCents());
                    charge.executeUpdate();
                    charged[0] = true;
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        return charged[0];
    }
    // end::consumer[]

    // ---- plumbing ----

    // tag::schema[]
    static final String ORDERS_SCHEMA = """
        create table stock (sku varchar(32) primary key, on_hand int not null);
        create table orders (order_id varchar(64) primary key, sku varchar(32) not null);
        create table outbox (
            id bigint generated always as identity primary key,
            message_id varchar(36) not null unique,
            aggregate_type varchar(32) not null,
            aggregate_id varchar(64) not null,
            type varchar(64) not null,
            payload varchar(4000) not null,
            published_at timestamp);
        insert into stock values ('KB-42', 10);
        """;

    static final String PAYMENTS_SCHEMA = """
        create table charges (order_id varchar(64) not null, amount_cents bigint not null);
        create table processed_messages (message_id varchar(36) primary key);
        """;
    // end::schema[]

    interface Work { void in(Connection c) throws Exception; }

    static void inTransaction(Work work) throws Exception {
        try (Connection c = orders.connect()) {
            c.setAutoCommit(false);
            try {
                work.in(c);
                c.commit();
            } catch (Exception e) {
                try {
                    c.rollback();
                } catch (SQLException closed) {
                    // the database went down with the process: nothing to roll back
                }
                throw e;
            }
        }
    }

    static void deductKeyboard(Connection c) throws SQLException {
        try (var s = c.prepareStatement("update stock set on_hand = on_hand - 1 where sku = 'KB-42' and on_hand > 0")) {
            if (s.executeUpdate() != 1) throw new IllegalStateException("out of stock");
        }
    }

    static void insertOrder(Connection c, String orderId) throws SQLException {
        try (var s = c.prepareStatement("insert into orders values (?, 'KB-42')")) {
            s.setString(1, orderId);
            s.executeUpdate();
        }
    }

    static String payload(String orderId) { return "{\"orderId\": \"" + orderId + "\", \"amountCents\": 4999}"; }

    /** The process dies: its database goes down mid-flight, and whatever it was doing stops here. */
    static void crash() {
        orders.close();
        throw new Crashed();
    }

    /** The process comes back: the same files, opened again. Returns how long that took, in ms. */
    static long restart() {
        orders.close();
        orders = orders.reopen();
        story.say("the order service restarts: H2 opens its files again");
        return orders.startTime().toMillis();
    }

    static long onHand() { return orders.count("select on_hand from stock where sku = 'KB-42'"); }

    static long unsent() { return orders.count("select count(*) from outbox where published_at is null"); }

    static String outboxRows() throws SQLException {
        var rows = new ArrayList<String>();
        try (var c = orders.connect(); var rs = c.createStatement().executeQuery("select aggregate_id, published_at is not null from outbox order by id")) {
            while (rs.next()) rows.add(rs.getString(1) + (rs.getBoolean(2) ? " sent" : " unsent"));
        }
        return rows.toString();
    }

    /** What payments accepted (2xx), oldest first. */
    static List<Delivery> deliveries() {
        var events = new ArrayList<>(payments.server().getAllServeEvents());
        Collections.reverse(events); // WireMock lists the newest first
        return events.stream().filter(Lesson::accepted).map(e -> {
            try {
                var body = JSON.readTree(e.getRequest().getBodyAsString());
                return new Delivery(e.getRequest().getHeader("Message-Id"), body.path("orderId").asText(), body.path("amountCents").asLong());
            } catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }).toList();
    }

    static List<String> acceptedIds() { return deliveries().stream().map(Delivery::orderId).toList(); }

    static boolean accepted(ServeEvent e) {
        return e.getResponse() != null && e.getResponse().getStatus() / 100 == 2;
    }
}
