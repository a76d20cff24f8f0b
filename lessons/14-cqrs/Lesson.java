///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 14 · CQRS: the "my orders" page gets a read model of its own, a moment behind the orders it shows.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import kit.Database;
import kit.ManualClock;
import kit.Mine;
import kit.Narrator;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** How long a query waits for the version it was given before it answers 503 (longer with --serve, for hands on a keyboard). */
    static volatile Duration maxWait = Duration.ofMillis(300);

    static Narrator story;
    static final ManualClock clock = new ManualClock();
    /** The order service's own database: normalized tables that take orders safely, and the events table. */
    static Database writeStore;
    /** The "my orders" read model: one table shaped like the page, and the projection's checkpoint. */
    static Database readStore;
    /** The order service: commands on the write store, the page's query on the read store. */
    static Javalin orders;
    static final Progress progress = new Progress();

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("14-cqrs", args);
        boolean mine = story.mine();
        thePageOnTheCheckoutTables();
        aReadModelShapedForThePage();
        adaOrdersAndHerPageLagsBehind();
        readYourOwnWrites();
        theProjectorDiesHalfway();
        rebuildFromTheFirstEvent();
        theCheckoutDatabaseGoesDown();
        if (mine) yourReadModel();
        if (story.serving()) projectEveryFewSeconds();
        story.serve(
            "curl -s " + url("/customers/c-7/orders") + "      (Ada's page, from the read model)",
            "curl -s -X POST " + url("/orders") + " -d '{\"orderId\": \"o-7\", \"customerId\": \"c-7\", \"lines\": [{\"sku\": \"KB-42\", "
                + "\"quantity\": 1, \"unitPriceCents\": 4999}]}'      (answers the version it wrote)",
            "curl -s '" + url("/customers/c-7/orders?atLeast=VERSION") + "'      (waits until the projector, every 3 s now, has got there)");
        orders.stop();
        story.end(); // exits the process, databases and all
    }

    // ---- the steps ----

    static void thePageOnTheCheckoutTables() throws Exception {
        story.tell("""
            "My orders" is the most visited page of the shop: every customer checks on her parcel, again and again.
            The order service answers it from the tables that take the orders: orders, order_lines, payments,
            shipments, cancellations. They are normalized for writing safely, so the page is a join of all five,
            a sum per order, and a CASE to work out a status that no table holds. On the day of the flash sale,
            every visit to the page ran that join on the database that was busy taking the orders.""");
        story.step("The \"my orders\" page, on the checkout's tables");
        var reading = CompletableFuture.supplyAsync(() -> Database.start("my-orders")); // both open while the service starts
        writeStore = Database.start("orders");
        writeStore.run(WRITE_SCHEMA);
        readStore = reading.join();
        readStore.run(READ_SCHEMA);
        orders = startOrderService();
        story.say("the order service is up at " + url("") + ", with two H2 databases: its write store and the page's read store");
        story.state("H2 start", writeStore.startTime().toMillis() + " ms");
        int placed = aMonthOfOrders();
        story.state("write store", placed + " orders in five tables, " + lastPosition() + " events");

        long start = System.nanoTime();
        var fromTheJoin = pageFromTheWriteTables("c-7");
        story.say("Ada's page from the five-table join (" + millisSince(start) + " ms):");
        fromTheJoin.forEach(row -> story.say("  " + row));
        story.tell("""
            It works, and every customer's visit costs five index lookups per order, a GROUP BY, and a share of
            the locks and the cache of the database that must take the next order. The page cannot be tuned
            without touching the checkout's schema, and the checkout cannot change its schema without breaking
            the page.""");
        story.check(fromTheJoin.stream().map(Row::orderId).toList().equals(List.of("o-3", "o-2", "o-1")), "Ada's page lists o-3, o-2, o-1, newest first");
        story.check(fromTheJoin.get(2).status().equals("SHIPPED") && fromTheJoin.get(1).status().equals("CANCELLED"),
            "o-1 shows SHIPPED and o-2 CANCELLED: statuses the join works out from which tables have a row");
    }

    static void aReadModelShapedForThePage() throws Exception {
        story.step("A read model shaped for the page");
        story.state("checkpoint", checkpoint() + " (the read model is empty)");
        long start = System.nanoTime();
        int applied = projectAll();
        story.state("checkpoint", "0 -> " + checkpoint() + " (" + applied + " events applied in " + millisSince(start) + " ms)");
        var page = get("/customers/c-7/orders");
        story.say("GET /customers/c-7/orders -> " + page.statusCode() + " " + page.body());
        story.tell("""
            The read model is a table with one row per order, already in the shape the page shows: items, total,
            status, tracking code. The page's query is one indexed SELECT on one table. A projection fills it
            from the order service's events, in order, and remembers how far it got: the checkpoint, the position
            of the last event it applied. Commands go to the write store, queries to the read store: Command
            Query Responsibility Segregation.""");
        story.check(rowsOf(page).equals(pageFromTheWriteTables("c-7")), "the read model's page equals the five-table join's, row for row");
        story.check(checkpoint() == lastPosition(), "the checkpoint is at the last event (" + lastPosition() + ")");
    }

    static void adaOrdersAndHerPageLagsBehind() throws Exception {
        story.step("Ada orders, and her page does not show it yet");
        var answer = post("/orders", "{\"orderId\": \"o-4\", \"customerId\": \"c-7\", \"lines\": [{\"sku\": \"CB-1\", \"quantity\": 2, \"unitPriceCents\": 999}]}");
        long version = versionOf(answer);
        story.say("POST /orders (o-4) -> " + answer.statusCode() + " " + answer.body());
        var stale = get("/customers/c-7/orders");
        story.state("read model", "at version " + versionIn(stale) + ", the order was written as version " + version);
        story.say("GET /customers/c-7/orders -> " + orderIds(stale) + "   (stale: no o-4)");
        projectAll();
        var fresh = get("/customers/c-7/orders");
        story.state("read model", "at version " + versionIn(fresh) + " after the projector ran");
        story.say("GET /customers/c-7/orders -> " + orderIds(fresh));
        story.tell("""
            The command answered as soon as the write store committed; the read model learns of the order when
            the projector next runs: a few milliseconds in a healthy system, minutes when the projector is down.
            The two sides are eventually consistent. For a page of other people's orders nobody notices. For
            Ada, who has just pressed "Buy", a page without her order looks like a lost order.""");
        story.check(!orderIds(stale).contains("o-4"), "right after the command the page did not show o-4 (eventual consistency)");
        story.check(orderIds(fresh).getFirst().equals("o-4") && versionIn(fresh) == version, "once the projector ran, o-4 was first and the page's version was " + version);
    }

    static void readYourOwnWrites() throws Exception {
        story.step("Read your own writes: the query waits for the version the command wrote");
        var answer = post("/orders/o-4/payment", "");
        long version = versionOf(answer);
        story.say("POST /orders/o-4/payment -> " + answer.statusCode() + " " + answer.body());

        var timeline = new CopyOnWriteArrayList<String>();
        var pending = HTTP.sendAsync(request("/customers/c-7/orders?atLeast=" + version).GET().build(), BodyHandlers.ofString())
            .thenApply(r -> { timeline.add("page answered"); return r; });
        progress.awaitWaiting(1);
        story.state("waiting", progress.waiting() + " query for version " + version + "; the read model is at " + progress.position());
        timeline.add("projector ran");
        projectAll();
        var page = pending.get(10, TimeUnit.SECONDS);
        story.say("GET ...?atLeast=" + version + " -> " + page.statusCode() + ", o-4 " + statusOf(page, "o-4") + " (version " + versionIn(page) + ")");

        var tooFar = get("/customers/c-7/orders?atLeast=" + (version + 1));
        story.say("GET ...?atLeast=" + (version + 1) + " (a version nobody wrote) -> " + tooFar.statusCode() + " after " + maxWait.toMillis()
            + " ms, Retry-After: " + tooFar.headers().firstValue("Retry-After").orElse("-"));
        story.tell("""
            Every command answers with the version it wrote: the position of its event. The app passes it to the
            next query (atLeast), and the query side holds that query until the projection has got that far. Ada
            sees her payment; other customers' queries do not wait for anything. If the projection does not get
            there in time, an honest 503 with Retry-After is better than a page that hides her own write.""");
        story.check(timeline.equals(List.of("projector ran", "page answered")), "the query waited for the projector before it answered");
        story.check(page.statusCode() == 200 && "PAID".equals(statusOf(page, "o-4")), "and then showed o-4 PAID");
        story.check(tooFar.statusCode() == 503, "a version the projection did not reach in time got 503, not a stale page");
    }

    static void theProjectorDiesHalfway() throws Exception {
        story.step("The projector dies halfway, and resumes from its checkpoint");
        post("/orders/o-4/shipment", "{\"trackingCode\": \"TRK-4\"}");
        post("/orders", "{\"orderId\": \"o-5\", \"customerId\": \"c-7\", \"lines\": [{\"sku\": \"KB-42\", \"quantity\": 1, \"unitPriceCents\": 4999}]}");
        post("/orders/o-5/payment", "");
        long before = checkpoint();
        story.state("events waiting", lastPosition() - before + " after the checkpoint " + before);
        int beforeTheCrash = project(events(before, 2));
        story.say("the projector applied " + beforeTheCrash + " events; then its process was killed");
        readStore.close();                 // the crash: whatever was not committed is gone
        readStore = readStore.reopen();    // the restart: the same files
        progress.reached(checkpoint());
        story.state("checkpoint after the restart", checkpoint() + " (read from the read store)");

        var missed = events(checkpoint(), 100);
        int afterTheRestart = project(missed);
        var redelivered = missed.getLast();
        boolean appliedAgain = apply(readStore, redelivered);
        story.say("the stream delivers event " + redelivered.position() + " a second time: " + (appliedAgain ? "applied again!" : "skipped, it is at or before the checkpoint"));
        var page = get("/customers/c-7/orders");
        story.say("GET /customers/c-7/orders -> " + orderIds(page) + ", o-4 " + statusOf(page, "o-4") + ", o-5 " + statusOf(page, "o-5"));
        story.tell("""
            The checkpoint is saved in the read store, in the same transaction as the change it records: both
            commit, or neither does. So after a crash the projection starts exactly after the last event whose
            change survived, and an event at or before the checkpoint (a redelivery, a replay) changes nothing.
            A checkpoint kept in memory, or saved in a transaction of its own, gives either lost events or events
            counted twice.""");
        story.check(beforeTheCrash == 2 && checkpoint() == lastPosition(), "2 events before the crash, the rest after it, and the checkpoint at the last event");
        story.check(afterTheRestart == lastPosition() - before - 2, "after the restart the projector started at the checkpoint: nothing applied twice, nothing skipped");
        story.check(!appliedAgain, "a duplicate delivery was skipped");
        story.check("SHIPPED".equals(statusOf(page, "o-4")) && "PAID".equals(statusOf(page, "o-5")), "the page shows o-4 SHIPPED and o-5 PAID");
    }

    static void rebuildFromTheFirstEvent() throws Exception {
        story.step("A rebuild: the same read model, from the first event");
        var live = dump(readStore);
        var scratch = Database.start("my-orders-rebuilt");
        try {
            scratch.run(READ_SCHEMA);
            long start = System.nanoTime();
            int replayed = rebuild(scratch);
            story.state("rebuilt", replayed + " events into an empty read store in " + millisSince(start) + " ms");
            story.tell("""
                The read model holds nothing that the events do not: throw it away, replay the stream from the
                first event, and the same rows come back. That is how a read model gets a new column, a fix for a
                projection bug, or a whole new shape for a new screen: build the new one beside the old from
                position 0, let it catch up, switch the queries over, drop the old.""");
            story.check(dump(scratch).equals(live), "the rebuilt read model equals the one built event by event (" + live.size() + " rows and the checkpoint)");
        } finally {
            scratch.delete();
        }
    }

    static void theCheckoutDatabaseGoesDown() throws Exception {
        story.step("The checkout's database goes down; the page stays up");
        writeStore.close();
        var page = get("/customers/c-7/orders");
        var order = post("/orders", "{\"orderId\": \"o-6\", \"customerId\": \"c-7\", \"lines\": []}");
        story.say("GET /customers/c-7/orders -> " + page.statusCode() + " " + orderIds(page));
        story.say("POST /orders -> " + order.statusCode() + " " + order.body());
        story.tell("""
            The query side was never given the write store, so it does not notice that it is gone: customers still
            see their orders and their parcels. Taking orders stops until the database is back. The two sides fail,
            scale and change on their own: the page's store can be a replica in every region, a search index or a
            cache, and the checkout's schema can change without asking the page.""");
        story.check(page.statusCode() == 200 && orderIds(page).size() == 5, "the page answered 200 with Ada's five orders");
        story.check(order.statusCode() == 503, "the command side answered 503: its store is down");
        writeStore = writeStore.reopen();
    }

    static void yourReadModel() {
        story.step("Your projection and query side, through the same story (--mine)");
        Mine mine = Mine.compile("14-cqrs");
        Database yourWrites = null;
        Database yourReads = null;
        AutoCloseable yourService = null;
        try {
            // tag::mine[]
            yourWrites = Database.start("your-orders");
            yourWrites.run((String) mine.type("cqrs.Schema").getField("WRITE").get(null));
            yourReads = Database.start("your-my-orders");
            yourReads.run((String) mine.type("cqrs.Schema").getField("READ").get(null));
            Object progress = mine.create("cqrs.ProjectionProgress", 0L);
            Object projection = mine.create("cqrs.MyOrdersProjection", yourReads.dataSource());
            Object feed = mine.create("cqrs.EventTable", yourWrites.dataSource());
            Object projector = mine.create("cqrs.Projector", projection, feed, progress);
            yourService = (AutoCloseable) mine.create("cqrs.OrderService", yourWrites.dataSource(), yourReads.dataSource(), progress,
                Clock.systemUTC(), Duration.ofSeconds(5));
            mine.call(yourService, "start");
            String base = mine.call(yourService, "uri").toString();

            long version = versionOf(send(base, "/orders", "{\"orderId\": \"o-9\", \"customerId\": \"c-7\", \"lines\": [{\"sku\": \"KB-42\", \"quantity\": 1, \"unitPriceCents\": 4999}]}"));
            var stale = send(base, "/customers/c-7/orders", null);
            var waiting = HTTP.sendAsync(HttpRequest.newBuilder(java.net.URI.create(base + "/customers/c-7/orders?atLeast=" + version)).build(), BodyHandlers.ofString());
            var parked = CompletableFuture.supplyAsync(() -> mine.call(progress, "awaitWaiting", 1, Duration.ofSeconds(10)));
            CompletableFuture.anyOf(waiting, parked).get(15, TimeUnit.SECONDS); // your query waits for the version (or answered at once)
            mine.call(projector, "runOnce");
            var fresh = waiting.get(10, TimeUnit.SECONDS);
            yourReads.close();                                                 // the projector's process dies...
            yourReads = yourReads.reopen();                                    // ...and restarts
            Object restarted = mine.create("cqrs.MyOrdersProjection", yourReads.dataSource());
            Object checkpoint = mine.call(restarted, "checkpoint");
            Object replayed = mine.call(restarted, "rebuild", feed);
            // end::mine[]
            story.say("your page right after the order: " + stale.statusCode() + " " + stale.body());
            story.say("your page with ?atLeast=" + version + ": " + fresh.statusCode() + " " + fresh.body());
            story.say("after a restart your checkpoint was " + checkpoint + "; your rebuild replayed " + replayed + " event(s)");
            story.check(stale.statusCode() == 200 && !stale.body().contains("o-9"), "your page was stale right after the command: no o-9 yet");
            story.check(fresh.statusCode() == 200 && fresh.body().contains("o-9"), "your query waited for version " + version + " and then showed o-9");
            story.check(Long.valueOf(version).equals(checkpoint) && Integer.valueOf(1).equals(replayed), "your checkpoint survived the restart, and your rebuild replayed the one event");
        } catch (Exception e) {
            story.check(false, "your exercise ran the scenario (it threw " + e + ")");
        } finally {
            try {
                if (yourService != null) yourService.close();
            } catch (Exception ignored) {
                // the lesson ends anyway
            }
            if (yourWrites != null) yourWrites.delete();
            if (yourReads != null) yourReads.delete();
        }
    }

    // ---- the command side: normalized tables, and one event per change ----

    /** What happened to an order. Sealed: the projection's switch is checked to cover every kind. */
    sealed interface Event {
        String orderId();
    }

    record OrderPlaced(String orderId, String customerId, int items, long totalCents, Instant placedAt) implements Event {}

    record OrderPaid(String orderId) implements Event {}

    record OrderShipped(String orderId, String trackingCode) implements Event {}

    record OrderCancelled(String orderId) implements Event {}

    record StoredEvent(long position, Event event) {}

    record Line(String sku, int quantity, long unitPriceCents) {}

    /** Writes the order and its lines, and appends OrderPlaced: one transaction. Returns the event's position: the version. */
    static long placeOrder(String orderId, String customerId, List<Line> lines) throws SQLException {
        Instant now = clock.instant();
        clock.advance(Duration.ofMinutes(7));
        int items = lines.stream().mapToInt(Line::quantity).sum();
        long total = lines.stream().mapToLong(l -> l.quantity() * l.unitPriceCents()).sum();
        return command(new OrderPlaced(orderId, customerId, items, total, now), c -> {
            sql(c, "insert into orders (order_id, customer_id, placed_at) values (?, ?, ?)", orderId, customerId, Timestamp.from(now));
            for (int i = 0; i < lines.size(); i++) {
                sql(c, "insert into order_lines values (?, ?, ?, ?, ?)", orderId, i + 1, lines.get(i).sku(), lines.get(i).quantity(), lines.get(i).unitPriceCents());
            }
        });
    }

    static long pay(String orderId) throws SQLException {
        return command(new OrderPaid(orderId), c -> sql(c, "insert into payments values (?, ?)", orderId, Timestamp.from(clock.instant())));
    }

    static long ship(String orderId, String trackingCode) throws SQLException {
        return command(new OrderShipped(orderId, trackingCode), c -> sql(c, "insert into shipments values (?, ?)", orderId, trackingCode));
    }

    static long cancel(String orderId) throws SQLException {
        return command(new OrderCancelled(orderId), c -> sql(c, "insert into cancellations values (?, ?)", orderId, Timestamp.from(clock.instant())));
    }

    interface Change { void in(Connection c) throws SQLException; }

    static long command(Event event, Change change) throws SQLException {
        try (Connection c = writeStore.connect()) {
            c.setAutoCommit(false);
            try {
                change.in(c);
                long position = appendEvent(c, event);
                c.commit();
                return position;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    // ---- the page, the old way ----

    /** One line of the "my orders" page. */
    record Row(String orderId, int items, long totalCents, String status, String trackingCode) {
        @Override public String toString() {
            return "%s  %d items  %7.2f  %-9s %s".formatted(orderId, items, totalCents / 100.0, status, trackingCode == null ? "" : trackingCode);
        }
    }

    // tag::join[]
    /** The page from the write store: five tables, a sum per order, and a status no table holds. */
    static List<Row> pageFromTheWriteTables(String customerId) throws SQLException {
        return rows(writeStore, """
            select o.order_id, sum(l.quantity), sum(l.quantity * l.unit_price_cents),
                   case when x.order_id is not null then 'CANCELLED'
                        when s.order_id is not null then 'SHIPPED'
                        when p.order_id is not null then 'PAID'
                        else 'PLACED' end,
                   s.tracking_code
            from orders o
            join order_lines l on l.order_id = o.order_id
            left join payments p on p.order_id = o.order_id
            left join shipments s on s.order_id = o.order_id
            left join cancellations x on x.order_id = o.order_id
            where o.customer_id = ?
            group by o.order_id, o.placed_at, p.order_id, s.order_id, s.tracking_code, x.order_id
            order by o.placed_at desc""", customerId);
    }
    // end::join[]

    // ---- the read side: a projection, its checkpoint, and the query ----

    // tag::projection[]
    /** Applies one event and moves the checkpoint, in one transaction of the read store. False: seen it already. */
    static boolean apply(Database store, StoredEvent stored) throws SQLException {
        try (Connection c = store.connect()) {
            c.setAutoCommit(false);
            try {
                if (stored.position() <= checkpoint(c)) return false;      // a redelivery or a replay: changes nothing
                switch (stored.event()) {
                    case OrderPlaced p -> sql(c, "insert into my_orders values (?, ?, ?, ?, ?, 'PLACED', null)",
                        p.orderId(), p.customerId(), Timestamp.from(p.placedAt()), p.items(), p.totalCents());
                    case OrderPaid p -> sql(c, "update my_orders set status = 'PAID' where order_id = ?", p.orderId());
                    case OrderShipped s -> sql(c, "update my_orders set status = 'SHIPPED', tracking_code = ? where order_id = ?",
                        s.trackingCode(), s.orderId());
                    case OrderCancelled x -> sql(c, "update my_orders set status = 'CANCELLED' where order_id = ?", x.orderId());
                }
                sql(c, "update checkpoint set position = ?", stored.position());
                c.commit();                                                 // the change and its checkpoint, together
                return true;
            } finally {
                if (!c.getAutoCommit()) c.rollback();                       // nothing left uncommitted, whatever happened
            }
        }
    }
    // end::projection[]

    // tag::catch-up[]
    /** The projector: every event after the checkpoint, then it wakes the queries waiting for them. */
    static int projectAll() throws SQLException {
        int applied = 0;
        for (var batch = events(checkpoint(), 100); !batch.isEmpty(); batch = events(checkpoint(), 100)) applied += project(batch);
        return applied;
    }
    // end::catch-up[]

    /** For --serve: the projector runs by itself, as it would in production, and queries wait up to 5 s for a version. */
    static void projectEveryFewSeconds() {
        maxWait = Duration.ofSeconds(5);
        Thread.ofVirtual().start(() -> {
            while (true) {
                try {
                    Thread.sleep(3000);
                    projectAll();
                } catch (SQLException | InterruptedException e) {
                    return; // the lesson is ending
                }
            }
        });
    }

    static int project(List<StoredEvent> events) throws SQLException {
        int applied = 0;
        for (StoredEvent event : events) if (apply(readStore, event)) applied++;
        progress.reached(checkpoint());   // after the commits: a woken query finds the rows there
        return applied;
    }

    // tag::rebuild[]
    /** A rebuild: an empty read store, and every event from position 0. */
    static int rebuild(Database into) throws SQLException {
        int applied = 0;
        for (var batch = events(0, 100); !batch.isEmpty(); batch = events(checkpoint(into), 100)) {
            for (StoredEvent event : batch) if (apply(into, event)) applied++;
        }
        return applied;
    }
    // end::rebuild[]

    // tag::query[]
    /** GET /customers/{customerId}/orders[?atLeast=VERSION]: from the read store only, never the write store. */
    static void myOrders(Context ctx) throws Exception {
        String atLeast = ctx.queryParam("atLeast");
        if (atLeast != null && !progress.awaitAtLeast(Long.parseLong(atLeast), maxWait)) {
            ctx.status(503).header("Retry-After", "1").result("the read model has not reached version " + atLeast + " yet");
            return;
        }
        ObjectNode page = JSON.createObjectNode();
        try (Connection c = readStore.connect()) {
            page.put("customerId", ctx.pathParam("customerId")).put("version", checkpoint(c));
            var orders = page.putArray("orders");
            for (Row row : rows(c, "select order_id, items, total_cents, status, tracking_code from my_orders where customer_id = ? order by placed_at desc",
                    ctx.pathParam("customerId"))) {
                orders.add(JSON.valueToTree(row));
            }
        }
        ctx.contentType("application/json").result(page.toString());
    }
    // end::query[]

    /** How far the projection has come; a query that must show a write waits here for its version. */
    static final class Progress {
        private long position;
        private int waiting;

        // tag::read-your-writes[]
        /** The projector has committed every event up to {@code position}: wake the queries waiting for it. */
        synchronized void reached(long position) {
            if (position > this.position) this.position = position;
            notifyAll();
        }

        /** A query waits here until the projection has reached its version, or the timeout runs out (false). */
        synchronized boolean awaitAtLeast(long version, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            waiting++;
            notifyAll();
            try {
                while (position < version) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return false;
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                return true;
            } finally {
                waiting--;
            }
        }
        // end::read-your-writes[]

        synchronized long position() { return position; }

        synchronized int waiting() { return waiting; }

        /** For the story: returns once that many queries wait, so it can let the projector go knowing they do. */
        synchronized void awaitWaiting(int queries) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (waiting < queries && System.nanoTime() < deadline) TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
        }
    }

    // ---- the order service: two sides of one HTTP API ----

    static Javalin startOrderService() {
        var app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            story.watch(config, "orders");   // its calls on the live view (--view)
            config.concurrency.useVirtualThreads = true;
            config.routes.post("/orders", ctx -> {
                JsonNode order = JSON.readTree(ctx.body());
                var lines = new ArrayList<Line>();
                order.path("lines").forEach(l -> lines.add(new Line(l.path("sku").asText(), l.path("quantity").asInt(), l.path("unitPriceCents").asLong())));
                String orderId = order.path("orderId").asText();
                written(ctx, 201, orderId, placeOrder(orderId, order.path("customerId").asText(), lines));
            });
            config.routes.post("/orders/{orderId}/payment", ctx -> written(ctx, 200, ctx.pathParam("orderId"), pay(ctx.pathParam("orderId"))));
            config.routes.post("/orders/{orderId}/shipment", ctx -> written(ctx, 200, ctx.pathParam("orderId"),
                ship(ctx.pathParam("orderId"), JSON.readTree(ctx.body()).path("trackingCode").asText())));
            config.routes.get("/customers/{customerId}/orders", Lesson::myOrders);
            config.routes.exception(SQLException.class, (e, ctx) -> ctx.status(503).result("the store is unavailable: " + e.getMessage()));
            story.malformedBodiesAre400(config);
        });
        return app.start("127.0.0.1", 0);
    }

    /** A command's answer: the version it wrote, to wait for when reading. */
    static void written(Context ctx, int status, String orderId, long version) {
        ctx.status(status).contentType("application/json").result("{\"orderId\": \"" + orderId + "\", \"version\": " + version + "}");
    }

    // ---- plumbing ----

    // tag::schema[]
    static final String WRITE_SCHEMA = """
        create table orders (order_id varchar(64) primary key, customer_id varchar(64) not null, placed_at timestamp with time zone not null);
        create index orders_by_customer on orders (customer_id);
        create table order_lines (order_id varchar(64) references orders, line_no int, sku varchar(32) not null,
                                  quantity int not null, unit_price_cents bigint not null, primary key (order_id, line_no));
        create table payments (order_id varchar(64) primary key references orders, paid_at timestamp with time zone not null);
        create table shipments (order_id varchar(64) primary key references orders, tracking_code varchar(64) not null);
        create table cancellations (order_id varchar(64) primary key references orders, cancelled_at timestamp with time zone not null);
        create table events (position bigint generated always as identity primary key, type varchar(32) not null,
                             order_id varchar(64) not null, customer_id varchar(64), items int, total_cents bigint,
                             tracking_code varchar(64), placed_at timestamp with time zone);
        """;

    static final String READ_SCHEMA = """
        create table my_orders (order_id varchar(64) primary key, customer_id varchar(64) not null,
                                placed_at timestamp with time zone not null, items int not null, total_cents bigint not null,
                                status varchar(16) not null, tracking_code varchar(64));
        create index my_orders_by_customer on my_orders (customer_id, placed_at);
        create table checkpoint (position bigint not null);
        insert into checkpoint values (0);
        """;
    // end::schema[]

    /** Ada (c-7) and 20 other customers: 60 orders, most paid, many shipped, some cancelled. Returns how many. */
    static int aMonthOfOrders() throws SQLException {
        placeOrder("o-1", "c-7", List.of(new Line("KB-42", 1, 4999)));
        pay("o-1");
        ship("o-1", "TRK-1");
        placeOrder("o-2", "c-7", List.of(new Line("MS-3", 2, 1500), new Line("PAD-1", 1, 899)));
        cancel("o-2");
        placeOrder("o-3", "c-7", List.of(new Line("CB-1", 3, 999)));
        pay("o-3");
        for (int i = 100; i < 157; i++) {
            String orderId = "o-" + i;
            placeOrder(orderId, "c-" + (10 + i % 20), List.of(new Line("KB-42", 1 + i % 3, 4999), new Line("CB-1", 1, 999)));
            if (i % 5 != 0) pay(orderId);
            if (i % 5 > 1) ship(orderId, "TRK-" + i);
            if (i % 17 == 0) cancel(orderId);
        }
        return 3 + 57;
    }

    static long appendEvent(Connection c, Event event) throws SQLException {
        String insert = "insert into events (type, order_id, customer_id, items, total_cents, tracking_code, placed_at) values (?, ?, ?, ?, ?, ?, ?)";
        try (var s = c.prepareStatement(insert, java.sql.Statement.RETURN_GENERATED_KEYS)) {
            s.setString(1, event.getClass().getSimpleName());
            s.setString(2, event.orderId());
            for (int i = 3; i <= 7; i++) s.setObject(i, null);
            switch (event) {
                case OrderPlaced p -> {
                    s.setString(3, p.customerId());
                    s.setInt(4, p.items());
                    s.setLong(5, p.totalCents());
                    s.setTimestamp(7, Timestamp.from(p.placedAt()));
                }
                case OrderShipped sh -> s.setString(6, sh.trackingCode());
                case OrderPaid p -> { }
                case OrderCancelled x -> { }
            }
            s.executeUpdate();
            try (var keys = s.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** The stream: up to {@code limit} events after {@code position}, oldest first. */
    static List<StoredEvent> events(long position, int limit) throws SQLException {
        var events = new ArrayList<StoredEvent>();
        try (Connection c = writeStore.connect(); var s = c.prepareStatement(
                "select position, type, order_id, customer_id, items, total_cents, tracking_code, placed_at from events where position > ? order by position fetch first ? rows only")) {
            s.setLong(1, position);
            s.setInt(2, limit);
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    String orderId = rs.getString(3);
                    Event event = switch (rs.getString(2)) {
                        case "OrderPlaced" -> new OrderPlaced(orderId, rs.getString(4), rs.getInt(5), rs.getLong(6), rs.getObject(8, OffsetDateTime.class).toInstant());
                        case "OrderPaid" -> new OrderPaid(orderId);
                        case "OrderShipped" -> new OrderShipped(orderId, rs.getString(7));
                        case "OrderCancelled" -> new OrderCancelled(orderId);
                        default -> throw new IllegalStateException("unknown event " + rs.getString(2));
                    };
                    events.add(new StoredEvent(rs.getLong(1), event));
                }
            }
        }
        return events;
    }

    static long lastPosition() { return writeStore.count("select coalesce(max(position), 0) from events"); }

    static long checkpoint() { return checkpoint(readStore); }

    static long checkpoint(Database store) { return store.count("select position from checkpoint"); }

    static long checkpoint(Connection c) throws SQLException {
        try (var s = c.createStatement(); var rs = s.executeQuery("select position from checkpoint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void sql(Connection c, String sql, Object... parameters) throws SQLException {
        try (var s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) s.setObject(i + 1, parameters[i]);
            s.executeUpdate();
        }
    }

    static List<Row> rows(Database db, String sql, String customerId) throws SQLException {
        try (Connection c = db.connect()) {
            return rows(c, sql, customerId);
        }
    }

    static List<Row> rows(Connection c, String sql, String customerId) throws SQLException {
        var rows = new ArrayList<Row>();
        try (var s = c.prepareStatement(sql)) {
            s.setString(1, customerId);
            try (var rs = s.executeQuery()) {
                while (rs.next()) rows.add(new Row(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getString(4), rs.getString(5)));
            }
        }
        return rows;
    }

    /** Every row of a read store and its checkpoint, to compare two read models. */
    static List<String> dump(Database db) throws SQLException {
        var lines = new ArrayList<String>();
        try (Connection c = db.connect(); var rs = c.createStatement().executeQuery("select * from my_orders order by order_id")) {
            while (rs.next()) {
                var line = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) line.append(rs.getObject(i)).append(' ');
                lines.add(line.toString());
            }
            lines.add("checkpoint " + checkpoint(c));
        }
        return lines;
    }

    // ---- HTTP, as the app would send it ----

    static String url(String path) { return "http://127.0.0.1:" + orders.port() + path; }

    static HttpRequest.Builder request(String path) { return HttpRequest.newBuilder(java.net.URI.create(url(path))).timeout(Duration.ofSeconds(10)); }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(request(path).GET().build(), BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(url(""), path, json);
    }

    /** A POST with a JSON body, or a GET when there is none, to the service at {@code base}. */
    static HttpResponse<String> send(String base, String path, String json) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(java.net.URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (json != null) request.header("Content-Type", "application/json").POST(BodyPublishers.ofString(json));
        return HTTP.send(request.build(), BodyHandlers.ofString());
    }

    static long versionOf(HttpResponse<String> commandAnswer) throws IOException {
        if (commandAnswer.statusCode() / 100 != 2) throw new IllegalStateException("the command failed: " + commandAnswer.statusCode() + " " + commandAnswer.body());
        return JSON.readTree(commandAnswer.body()).path("version").asLong();
    }

    static long versionIn(HttpResponse<String> page) throws IOException { return JSON.readTree(page.body()).path("version").asLong(); }

    static List<Row> rowsOf(HttpResponse<String> page) throws IOException {
        var rows = new ArrayList<Row>();
        for (JsonNode o : JSON.readTree(page.body()).path("orders")) rows.add(JSON.treeToValue(o, Row.class));
        return rows;
    }

    static List<String> orderIds(HttpResponse<String> page) throws IOException {
        return rowsOf(page).stream().map(Row::orderId).toList();
    }

    static String statusOf(HttpResponse<String> page, String orderId) throws IOException {
        return rowsOf(page).stream().filter(r -> r.orderId().equals(orderId)).map(Row::status).findFirst().orElse("missing");
    }

    static long millisSince(long startNanos) { return (System.nanoTime() - startNanos) / 1_000_000; }
}
