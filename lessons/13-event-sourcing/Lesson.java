///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 13 · Event sourcing: "where did my coupon go?" A table of carts cannot say; the cart's diary can.

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import kit.Database;
import kit.ManualClock;
import kit.Mine;
import kit.Narrator;
import kit.Peer;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The morning of the story, on a clock the story moves: every run prints the same times. */
    static final ManualClock morning = new ManualClock(Instant.parse("2026-03-02T09:10:00Z"));

    static Narrator story;
    static Peer catalog;
    /** The carts service's database: the event store, and nothing else. No carts table. */
    static Database db;
    static Javalin carts;
    /** What stamps new events: the story's morning, or the real clock once the lesson serves (--serve). */
    static volatile InstantSource clock = morning;

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("13-event-sourcing", args);
        boolean mine = story.mine();
        aMorningOfShopping();
        theLaptopPaysForACartThatIsGone();
        whereDidMyCouponGo();
        timeTravel();
        twoInstancesOneCart();
        aRestartReplaysTheDiary();
        if (mine) yourEventStore();
        clock = InstantSource.system();
        story.serve(
            "curl -s " + cartsUrl() + "/carts/c-7/events                   (Ada's diary)",
            "curl -s '" + cartsUrl() + "/carts/c-7?at=2026-03-02T09:15:00Z'   (her cart at 09:15)",
            "curl -si -X POST " + cartsUrl() + "/carts/c-9/items -H 'If-Match: \"0\"' -d '{\"sku\": \"KB-42\", \"quantity\": 1}'",
            "curl -si -X POST " + cartsUrl() + "/carts/c-9/coupon -H 'If-Match: \"0\"' -d '{\"code\": \"TENOFF\"}'   (a stale version: 412)");
        story.end(); // exits the process, servers and all
    }

    // ---- the steps ----

    static void aMorningOfShopping() throws Exception {
        story.tell("""
            Ada fills her cart on her phone, and finishes on her laptop. The carts service keeps no table of carts:
            it keeps every change to every cart as an event, in the order they happened, and a cart is whatever
            its events make it. Each device sends the version of the cart it is looking at (If-Match).""");
        story.step("A morning of shopping, on two devices");
        // The catalog and the database start while the carts service does: most of it is class loading.
        var catalogStarting = CompletableFuture.supplyAsync(() -> Peer.start("catalog"));
        var dbStarting = CompletableFuture.supplyAsync(() -> Database.start("carts"));
        carts = startCartsService();
        db = dbStarting.join();
        db.run(SCHEMA);
        catalog = catalogStarting.join();
        catalog.stub(get("/products/KB-42").willReturn(okJson("{\"sku\": \"KB-42\", \"name\": \"keyboard\", \"priceCents\": 4999}")));
        catalog.stub(get("/products/MS-7").willReturn(okJson("{\"sku\": \"MS-7\", \"name\": \"mouse\", \"priceCents\": 1999}")));
        catalog.stub(get("/products/CB-1").willReturn(okJson("{\"sku\": \"CB-1\", \"name\": \"cable\", \"priceCents\": 899}")));
        story.listen(catalog);
        story.say("catalog is up at " + catalog.uri() + "; carts at " + cartsUrl() + ", its event store in H2 (" + db.startTime().toMillis() + " ms to start)");

        at("09:10");
        var one = send("phone", "POST", "/carts/c-7/items", "{\"sku\": \"KB-42\", \"quantity\": 2}", 0);
        at("09:11");
        var two = send("phone", "POST", "/carts/c-7/items", "{\"sku\": \"MS-7\", \"quantity\": 1}", 1);
        at("09:14");
        var three = send("laptop", "POST", "/carts/c-7/coupon", "{\"code\": \"TENOFF\"}", 2);
        at("09:16");
        var four = send("phone", "DELETE", "/carts/c-7/items/MS-7", null, 3);
        story.tell("""
            Each command was checked against the cart its events make, and recorded as events: facts in the past
            tense. Removing the mouse took the subtotal to 99.98, below TENOFF's minimum of 100.00, so that one
            command recorded two events: the mouse left, and the coupon was dropped. Nobody set a total anywhere;
            the total is what the events add up to.""");
        story.check(List.of(one.status(), two.status(), three.status(), four.status()).equals(List.of(200, 200, 200, 200)), "the four commands were accepted");
        story.check(four.version() == 5 && four.events().equals(List.of("ItemRemoved", "CouponDropped")),
            "removing the mouse recorded ItemRemoved and CouponDropped: versions 4 and 5");
        story.check(four.totalCents() == 9998, "the cart is now 99.98: two keyboards, no coupon");
    }

    static void theLaptopPaysForACartThatIsGone() throws Exception {
        story.step("Two writers, one cart: the laptop pays for a cart that is gone");
        at("09:17");
        story.say("the laptop still shows version 3: two keyboards, a mouse, TENOFF, \"Pay 109.97\"");
        var stale = send("laptop", "POST", "/carts/c-7/checkout", null, 3);
        story.say("the laptop reloads: GET /carts/c-7 is version " + view("/carts/c-7").path("version").asInt() + ", 99.98; Ada pays on her phone");
        var paid = send("phone", "POST", "/carts/c-7/checkout", null, 5);
        story.tell("""
            The laptop decided on version 3, and the cart was at version 5: its "Pay 109.97" was about a cart
            that no longer existed. The carts service refused it with 412 Precondition Failed instead of charging
            a total Ada never saw. This is optimistic concurrency: nobody locks the cart while Ada looks at it;
            a writer says which version it decided on, and a writer that is behind is refused and reloads.""");
        story.check(stale.status() == 412, "the laptop's checkout on version 3 was refused: 412 Precondition Failed");
        story.check(paid.status() == 200 && paid.version() == 6 && paid.totalCents() == 9998, "the phone's checkout on version 5 was recorded as version 6: paid 99.98");
    }

    static void whereDidMyCouponGo() throws Exception {
        story.step("The support ticket: \"where did my coupon go?\"");
        story.say("Ada writes: \"I applied TENOFF and you charged me 99.98 for two keyboards. Where is my 10.00?\"");
        JsonNode now = view("/carts/c-7");
        story.state("a carts table would hold", "c-7 | " + now.path("lines") + " | coupon: " + now.path("coupon").asText("none")
            + " | total " + money(now.path("totalCents").asLong()) + " | checked out");
        story.say("support reads the cart's diary instead: GET /carts/c-7/events");
        var diary = diary("c-7");
        diary.forEach(line -> story.say("  " + line));
        story.tell("""
            The table of current state says "no coupon", which is true and useless: it cannot tell a coupon
            never applied from one that was dropped. The diary can. TENOFF was applied at 09:14 and dropped at
            09:16, in the same breath as the mouse, because two keyboards make 99.98 and the coupon wants
            100.00. Support can explain it in one sentence, and can prove it. Nothing was ever overwritten, so
            the answer was there before anyone thought to ask the question.""");
        story.check(now.path("coupon").isNull() || now.path("coupon").isMissingNode(), "the cart as it is now has no coupon, and says nothing about TENOFF");
        story.check(diary.get(2).contains("CouponApplied TENOFF") && diary.get(2).contains("09:14"), "the diary says TENOFF was applied at 09:14 (version 3)");
        story.check(diary.get(3).contains("ItemRemoved MS-7") && diary.get(4).contains("CouponDropped TENOFF") && diary.get(4).contains("09:16"),
            "and dropped at 09:16 (version 5), right after the mouse was removed (version 4)");
    }

    static void timeTravel() throws Exception {
        story.step("Time travel: the cart at 09:15, when Ada took her screenshot");
        JsonNode atQuarterPast = view("/carts/c-7?at=2026-03-02T09:15:00Z");
        JsonNode atVersion3 = view("/carts/c-7?version=3");
        JsonNode atVersion4 = view("/carts/c-7?version=4");
        story.state("GET /carts/c-7?at=09:15", summary(atQuarterPast));
        story.state("GET /carts/c-7?version=3", summary(atVersion3));
        story.state("GET /carts/c-7?version=4", summary(atVersion4) + "  (between the two events of one command: nobody ever saw this cart)");
        story.tell("""
            The cart as it was at any moment is its first events, replayed: nothing had to be saved for it. Ada's
            screenshot of 109.97 was right at 09:15. The same replay answers the auditor ("what did this order
            cost when it was placed?"), the developer ("what state was the cart in when the bug hit?"), and the
            analyst ("how many carts lose their coupon this way?").""");
        story.check(atQuarterPast.path("totalCents").asLong() == 10997 && "TENOFF".equals(atQuarterPast.path("coupon").asText()),
            "at 09:15 the cart was 109.97 with TENOFF");
        story.check(atQuarterPast.equals(atVersion3), "which is the cart as of version 3");
        story.check(view("/carts/c-7?at=2026-03-02T09:09:00Z").path("version").asInt() == 0, "at 09:09, before Ada started, the cart was empty (version 0)");
    }

    static void twoInstancesOneCart() throws Exception {
        story.step("Two instances of the carts service, one cart: the database lets one in");
        at("09:20");
        send("bob", "POST", "/carts/c-8/items", "{\"sku\": \"KB-42\", \"quantity\": 2}", 0);
        send("bob", "POST", "/carts/c-8/items", "{\"sku\": \"MS-7\", \"quantity\": 1}", 1);
        story.say("Bob's cart c-8 is at version 2, 119.97. Two requests arrive at once, at two instances of the carts service:");
        // tag::race[]
        CartState seenByA = CartState.replay(events(load("c-8")));       // instance A: Bob removes the mouse
        CartState seenByB = CartState.replay(events(load("c-8")));       // instance B: Bob applies TENOFF
        List<Event> decidedByA = decide(seenByA, new RemoveItem("MS-7"));
        List<Event> decidedByB = decide(seenByB, new ApplyCoupon("TENOFF"));  // 119.97 >= 100.00: fine, on what B saw
        int appendedByA = append("c-8", seenByA.version(), decidedByA);
        String outcomeOfB;
        try {
            append("c-8", seenByB.version(), decidedByB);
            outcomeOfB = "appended";
        } catch (Conflict conflict) {
            outcomeOfB = "refused: " + conflict.getMessage();
        }
        // end::race[]
        story.say("A loaded version " + seenByA.version() + ", decided " + names(decidedByA) + ", appended: now version " + appendedByA);
        story.say("B loaded version " + seenByB.version() + ", decided " + names(decidedByB) + ", " + outcomeOfB);
        // What a table of carts would have done: each instance saves the cart it computed, and the last one wins.
        Map<String, CartState> cartsTable = new HashMap<>();
        cartsTable.put("c-8", seenByA.thenAll(decidedByA));
        cartsTable.put("c-8", seenByB.thenAll(decidedByB));
        story.state("with a carts table, the last save wins", summary(cartsTable.get("c-8")) + "  (the mouse is back, with a coupon)");
        story.state("with the event store", summary(CartState.replay(events(load("c-8")))));
        story.tell("""
            Both instances checked the version when the requests came in, and both saw version 2: the If-Match
            check passed twice. What stops B is the append: it asks for version 3 after version 2, and the
            primary key (cart_id, version) already holds A's version 3. B's decision, a coupon on a cart of
            119.97, was made on a cart that was gone; appended, it would have put TENOFF on a cart of 99.98.
            Rebuilt at version 3, the same command is refused, which is what the rule says. A carts table,
            saved by both, would have kept B's cart: the mouse Bob removed is back, and Bob never knows.""");
        story.check(appendedByA == 3 && outcomeOfB.startsWith("refused"), "A appended version 3; B's append after version 2 was refused by the primary key");
        story.check(CartState.replay(events(load("c-8"))).coupon() == null, "c-8 has no coupon: B's stale decision was never recorded");
        String again;
        try {
            decide(CartState.replay(events(load("c-8"))), new ApplyCoupon("TENOFF"));
            again = "accepted";
        } catch (Refused refused) {
            again = refused.getMessage();
        }
        story.say("B reloads (version 3, 99.98) and decides again: " + again);
        story.check(!again.equals("accepted"), "decided again on version 3, TENOFF is refused: 99.98 is below its minimum");
    }

    static void aRestartReplaysTheDiary() throws Exception {
        story.step("A restart: no carts table, the diary alone gives every cart back");
        JsonNode before = view("/carts/c-7");
        catalog.stub(get("/products/KB-42").willReturn(okJson("{\"sku\": \"KB-42\", \"name\": \"keyboard\", \"priceCents\": 5999}")));
        story.state("catalog", "the keyboard's sale ended: 49.99 -> 59.99");
        db.close();
        db = db.reopen();
        story.say("the carts service restarts: H2 opens its files again (" + db.startTime().toMillis() + " ms); nothing else is kept");
        catalog.forgetRequests();
        long start = System.nanoTime();
        JsonNode after = view("/carts/c-7");
        long replayMs = (System.nanoTime() - start) / 1_000_000;
        story.state("c-7 before the restart", summary(before));
        story.state("c-7 replayed after it", summary(after) + "  (" + load("c-7").size() + " events, " + replayMs + " ms)");
        story.tell("""
            The cart came back exactly as it was: replaying events is the only way the service reads a cart, so
            there is nothing else to restore. The replay called nobody: ItemAdded holds the price of 09:10, a
            fact, and the catalog's new price changes a cart only through a new event. Replaying also decides
            nothing again: a rule added tomorrow does not rewrite what happened today.""");
        story.check(after.equals(before), "the cart replayed after the restart equals the cart before it, field for field");
        story.check(catalog.hits() == 0, "the replay called nobody: the catalog received no request");
        story.check(after.path("totalCents").asLong() == 9998, "Ada's keyboards still cost what she paid for them: 99.98");
    }

    /** With --mine: Ada's morning, the laptop's stale checkout, time travel and a restart, on the learner's classes. */
    static void yourEventStore() {
        story.step("Your event store and cart, through Ada's morning (--mine)");
        Mine mine = Mine.compile("13-event-sourcing");
        Database yours = null;
        try {
            // tag::mine[]
            var yourClock = new ManualClock(Instant.parse("2026-03-02T09:10:00Z"));
            yours = Database.start("your-carts");
            yours.run((String) mine.type("eventsourcing.Schema").getField("EVENTS").get(null));
            Object carts = mine.create("eventsourcing.Carts", mine.create("eventsourcing.EventStore", yours.dataSource(), yourClock));
            mine.call(carts, "handle", "c-7", 0, mine.create("eventsourcing.CartCommand$AddItem", "KB-42", 2, 4999L));
            yourClock.set(Instant.parse("2026-03-02T09:11:00Z"));
            mine.call(carts, "handle", "c-7", 1, mine.create("eventsourcing.CartCommand$AddItem", "MS-7", 1, 1999L));
            yourClock.set(Instant.parse("2026-03-02T09:14:00Z"));
            mine.call(carts, "handle", "c-7", 2, mine.create("eventsourcing.CartCommand$ApplyCoupon", "TENOFF", 1000L, 10000L));
            yourClock.set(Instant.parse("2026-03-02T09:16:00Z"));
            Object afterRemoval = mine.call(carts, "handle", "c-7", 3, mine.create("eventsourcing.CartCommand$RemoveItem", "MS-7"));
            // end::mine[]
            Object now = mine.call(carts, "load", "c-7");
            story.say("your cart after the morning: " + now);
            story.check(Objects.equals(afterRemoval, 5) && Objects.equals(mine.call(now, "totalCents"), 9998L),
                "your carts service recorded the mouse's removal and the coupon's drop: version 5, 99.98");
            String laptop = outcome(() -> mine.call(carts, "handle", "c-7", 3, mine.create("eventsourcing.CartCommand$CheckOut")));
            story.say("the laptop's checkout on version 3: " + laptop);
            story.check(laptop.startsWith("ConcurrencyConflict"), "your service refused the laptop's stale checkout with a ConcurrencyConflict");
            Object screenshot = mine.call(carts, "asOf", "c-7", Instant.parse("2026-03-02T09:15:00Z"));
            story.say("your cart at 09:15: " + screenshot);
            story.check(Objects.equals(mine.call(screenshot, "totalCents"), 10997L), "your time travel to 09:15 found 109.97 with TENOFF");
            Object contentsBefore = mine.call(now, "contents");
            yours.close();
            yours = yours.reopen();
            Object replayed = mine.call(mine.create("eventsourcing.Carts", mine.create("eventsourcing.EventStore", yours.dataSource(), yourClock)), "load", "c-7");
            story.check(mine.call(replayed, "contents").equals(contentsBefore), "your cart replayed after a restart equals your cart before it");
        } catch (Exception e) {
            story.check(false, "your exercise ran the scenario (it threw " + e + ")");
        } finally {
            if (yours != null) yours.delete();
        }
    }

    interface Call { Object call() throws Exception; }

    /** "returned X", or the simple name and message of what the learner's code threw. */
    static String outcome(Call call) {
        try {
            return "returned " + call.call();
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    // ---- the cart: events, commands, and the rules ----

    // tag::events[]
    /** What can happen to a cart: facts, in the past tense. The only way a cart changes. */
    sealed interface Event {}
    record ItemAdded(String sku, int quantity, long unitPriceCents) implements Event {}
    record ItemRemoved(String sku, int quantity) implements Event {}
    record CouponApplied(String code, long amountOffCents, long minimumCents) implements Event {}
    record CouponDropped(String code, long subtotalCents) implements Event {}
    record CheckedOut(long totalCents) implements Event {}

    /** What a customer asks for: it may be refused. */
    sealed interface Command {}
    record AddItem(String sku, int quantity, long unitPriceCents) implements Command {}
    record RemoveItem(String sku) implements Command {}
    record ApplyCoupon(String code) implements Command {}
    record CheckOut() implements Command {}
    // end::events[]

    record Line(String sku, int quantity, long unitPriceCents) {
        long cents() { return quantity * unitPriceCents; }
    }

    record Coupon(String code, long amountOffCents, long minimumCents) {}

    /** The shop's coupons: so much off a subtotal of at least so much. */
    static final Map<String, Coupon> COUPONS = Map.of("TENOFF", new Coupon("TENOFF", 1000, 10000), "WELCOME5", new Coupon("WELCOME5", 500, 0));

    // tag::evolve[]
    /** A cart as its events made it: an immutable value. {@code then} is the one place an event changes it. */
    record CartState(Map<String, Line> lines, Coupon coupon, boolean checkedOut, int version) {
        static final CartState EMPTY = new CartState(Map.of(), null, false, 0);

        /** Replay: the empty cart, then every event, in order. No rule is checked again, and nobody is called. */
        static CartState replay(List<Event> history) {
            return EMPTY.thenAll(history);
        }

        CartState thenAll(List<Event> events) {
            CartState cart = this;
            for (Event event : events) cart = cart.then(event);
            return cart;
        }

        CartState then(Event event) {
            var next = new LinkedHashMap<>(lines);
            return switch (event) {
                case ItemAdded a -> {
                    next.merge(a.sku(), new Line(a.sku(), a.quantity(), a.unitPriceCents()),
                        (line, more) -> new Line(line.sku(), line.quantity() + more.quantity(), more.unitPriceCents()));
                    yield new CartState(next, coupon, checkedOut, version + 1);
                }
                case ItemRemoved r -> {
                    next.remove(r.sku());
                    yield new CartState(next, coupon, checkedOut, version + 1);
                }
                case CouponApplied c -> new CartState(lines, new Coupon(c.code(), c.amountOffCents(), c.minimumCents()), checkedOut, version + 1);
                case CouponDropped d -> new CartState(lines, null, checkedOut, version + 1);
                case CheckedOut o -> new CartState(lines, coupon, true, version + 1);
            };
        }

        long subtotal() { return lines.values().stream().mapToLong(Line::cents).sum(); }

        long total() { return Math.max(0, subtotal() - (coupon == null ? 0 : coupon.amountOffCents())); }
    }
    // end::evolve[]

    static final class Refused extends Exception {
        Refused(String reason) { super(reason, null, false, false); }
    }

    // tag::decide[]
    /** The rules: what a command means for the cart as it is now. Refuses it, or says which events it causes. */
    static List<Event> decide(CartState cart, Command command) throws Refused {
        if (cart.checkedOut()) throw new Refused("the cart is checked out");
        return switch (command) {
            case AddItem add -> List.of(new ItemAdded(add.sku(), add.quantity(), add.unitPriceCents()));
            case RemoveItem remove -> {
                Line line = cart.lines().get(remove.sku());
                if (line == null) throw new Refused(remove.sku() + " is not in the cart");
                var removed = new ItemRemoved(line.sku(), line.quantity());
                CartState after = cart.then(removed);       // the rule is checked on the cart the removal leaves
                yield after.coupon() != null && after.subtotal() < after.coupon().minimumCents()
                    ? List.of(removed, new CouponDropped(after.coupon().code(), after.subtotal()))
                    : List.of(removed);
            }
            case ApplyCoupon apply -> {
                Coupon coupon = COUPONS.get(apply.code());
                if (coupon == null) throw new Refused("no coupon " + apply.code());
                if (cart.coupon() != null) throw new Refused("the cart already has " + cart.coupon().code());
                if (cart.subtotal() < coupon.minimumCents()) {
                    throw new Refused(coupon.code() + " needs " + money(coupon.minimumCents()) + ", the cart has " + money(cart.subtotal()));
                }
                yield List.of(new CouponApplied(coupon.code(), coupon.amountOffCents(), coupon.minimumCents()));
            }
            case CheckOut checkOut -> {
                if (cart.lines().isEmpty()) throw new Refused("the cart is empty");
                yield List.of(new CheckedOut(cart.total()));
            }
        };
    }
    // end::decide[]

    // ---- the event store: one table, rows appended and never changed ----

    // tag::schema[]
    static final String SCHEMA = """
        create table cart_events (
            cart_id varchar(64) not null,
            version int not null,
            type varchar(64) not null,
            data varchar(1000) not null,
            recorded_at timestamp with time zone not null,
            primary key (cart_id, version));
        """;
    // end::schema[]

    record Recorded(int version, Instant at, Event event) {}

    static final class Conflict extends Exception {
        Conflict(String message) { super(message, null, false, false); }
    }

    // tag::store[]
    /**
     * Appends the events after {@code afterVersion}, in one transaction. The primary key (cart_id, version) is the
     * concurrency check: if another writer has appended version afterVersion + 1 since we loaded, our insert of it
     * fails, and nothing of ours is written.
     */
    static int append(String cartId, int afterVersion, List<Event> events) throws Conflict, SQLException {
        int version = afterVersion;
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (var insert = c.prepareStatement("insert into cart_events (cart_id, version, type, data, recorded_at) values (?, ?, ?, ?, ?)")) {
                for (Event event : events) {
                    insert.setString(1, cartId);
                    insert.setInt(2, ++version);
                    insert.setString(3, event.getClass().getSimpleName());
                    insert.setString(4, JSON.writeValueAsString(event));
                    insert.setObject(5, clock.instant().atOffset(ZoneOffset.UTC));
                    insert.executeUpdate();
                }
                c.commit();
                return version;
            } catch (SQLException | JsonProcessingException e) {
                c.rollback();
                if (e instanceof SQLException sql && "23505".equals(sql.getSQLState())) { // duplicate key: the version is taken
                    throw new Conflict("cart " + cartId + " has a version " + (afterVersion + 1) + " already");
                }
                throw new SQLException(e);
            }
        }
    }

    /** The cart's events, in the order of their versions: the order they happened in, whatever any clock said. */
    static List<Recorded> load(String cartId) throws SQLException {
        var events = new ArrayList<Recorded>();
        try (Connection c = db.connect();
             var select = c.prepareStatement("select version, recorded_at, type, data from cart_events where cart_id = ? order by version")) {
            select.setString(1, cartId);
            try (var rows = select.executeQuery()) {
                while (rows.next()) {
                    events.add(new Recorded(rows.getInt(1), rows.getObject(2, OffsetDateTime.class).toInstant(), read(rows.getString(3), rows.getString(4))));
                }
            }
        }
        return events;
    }
    // end::store[]

    static Event read(String type, String data) throws SQLException {
        Class<?> kind = Arrays.stream(Event.class.getPermittedSubclasses()).filter(c -> c.getSimpleName().equals(type)).findFirst()
            .orElseThrow(() -> new SQLException("unknown event type " + type));
        try {
            return (Event) JSON.readValue(data, kind);
        } catch (JsonProcessingException e) {
            throw new SQLException("cannot read " + type + " " + data, e);
        }
    }

    static List<Event> events(List<Recorded> recorded) {
        return recorded.stream().map(Recorded::event).toList();
    }

    // ---- the carts service: commands in over HTTP, with the version the device saw ----

    static Javalin startCartsService() {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            story.watch(config, "carts");   // its calls on the live view (--view)
            config.concurrency.useVirtualThreads = true;
            config.routes.post("/carts/{id}/items", ctx -> {
                JsonNode body = JSON.readTree(ctx.body());
                String sku = body.path("sku").asText();
                handle(ctx, new AddItem(sku, body.path("quantity").asInt(1), priceOf(sku)));
            });
            config.routes.exception(UnknownSku.class, (e, ctx) -> problem(ctx, 422, e.getMessage()));
            story.malformedBodiesAre400(config);
            config.routes.delete("/carts/{id}/items/{sku}", ctx -> handle(ctx, new RemoveItem(ctx.pathParam("sku"))));
            config.routes.post("/carts/{id}/coupon", ctx -> handle(ctx, new ApplyCoupon(JSON.readTree(ctx.body()).path("code").asText())));
            config.routes.post("/carts/{id}/checkout", ctx -> handle(ctx, new CheckOut()));
            config.routes.get("/carts/{id}", Lesson::showCart);
            config.routes.get("/carts/{id}/events", Lesson::showEvents);
        }).start("127.0.0.1", 0);
    }

    // tag::handle[]
    /** Load, check the version the device saw, decide, append: the whole of a command's life. */
    static void handle(Context ctx, Command command) throws Exception {
        String cartId = ctx.pathParam("id");
        String ifMatch = ctx.header("If-Match");
        if (ifMatch == null) { problem(ctx, 428, "say which version of the cart you saw: If-Match: \"<version>\""); return; }
        CartState cart = CartState.replay(events(load(cartId)));
        int seen = versionIn(ifMatch);
        if (seen != cart.version()) {
            problem(ctx, 412, "cart " + cartId + " is at version " + cart.version() + ", you saw version " + seen + ": reload it");
            return;
        }
        try {
            List<Event> events = decide(cart, command);
            int version = append(cartId, cart.version(), events);
            ctx.header("ETag", "\"" + version + "\"").json(Map.of("version", version, "events", names(events),
                "cart", cartView(cartId, cart.thenAll(events))));
        } catch (Refused refused) {
            problem(ctx, 422, refused.getMessage());
        } catch (Conflict conflict) {          // another request appended between our load and our append
            problem(ctx, 412, conflict.getMessage() + ": reload it");
        }
    }
    // end::handle[]

    // tag::as-of[]
    /** GET /carts/{id}, ?version=N or ?at=INSTANT: the cart now, or as it was, replayed from its first events. */
    static void showCart(Context ctx) throws SQLException {
        String cartId = ctx.pathParam("id");
        List<Recorded> history = load(cartId);
        if (ctx.queryParam("version") != null) {
            int version = Math.clamp(Integer.parseInt(ctx.queryParam("version")), 0, history.size());
            history = history.subList(0, version);
        } else if (ctx.queryParam("at") != null) {
            Instant at = Instant.parse(ctx.queryParam("at"));
            history = history.stream().takeWhile(e -> !e.at().isAfter(at)).toList();
        }
        CartState cart = CartState.replay(events(history));
        ctx.header("ETag", "\"" + cart.version() + "\"").json(cartView(cartId, cart));
    }
    // end::as-of[]

    static void showEvents(Context ctx) throws SQLException {
        var diary = new ArrayList<Map<String, Object>>();
        for (Recorded r : load(ctx.pathParam("id"))) {
            diary.add(Map.of("version", r.version(), "recordedAt", r.at().toString(), "type", r.event().getClass().getSimpleName(), "data", r.event()));
        }
        ctx.json(diary);
    }

    static Map<String, Object> cartView(String cartId, CartState cart) {
        var view = new LinkedHashMap<String, Object>();
        view.put("cartId", cartId);
        view.put("version", cart.version());
        view.put("lines", cart.lines().values().stream().map(l -> l.sku() + " x" + l.quantity() + " at " + money(l.unitPriceCents())).toList());
        view.put("coupon", cart.coupon() == null ? null : cart.coupon().code());
        view.put("totalCents", cart.total());
        view.put("checkedOut", cart.checkedOut());
        return view;
    }

    /** The version in an If-Match header such as "3" (an ETag is quoted); -1, which never matches, for anything else. */
    static int versionIn(String ifMatch) {
        try {
            return Integer.parseInt(ifMatch.replace("\"", "").strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static void problem(Context ctx, int status, String problem) {
        ctx.status(status).json(Map.of("problem", problem));
    }

    /** The catalog's price now: asked when an item is added, and written into ItemAdded, never asked again. */
    static long priceOf(String sku) throws IOException, InterruptedException {
        var answer = HTTP.send(HttpRequest.newBuilder(catalog.uri().resolve("/products/" + URLEncoder.encode(sku, StandardCharsets.UTF_8))).build(),
            BodyHandlers.ofString());
        if (answer.statusCode() == 404) throw new UnknownSku(sku);
        if (answer.statusCode() != 200) throw new IOException("catalog answered " + answer.statusCode() + " for " + sku);
        return JSON.readTree(answer.body()).path("priceCents").asLong();
    }

    static final class UnknownSku extends RuntimeException {
        UnknownSku(String sku) { super("the catalog has no " + sku, null, false, false); }
    }

    // ---- plumbing: the devices' requests, and printing ----

    record Reply(int status, int version, List<String> events, long totalCents, String body) {}

    /** One request from a device, with the version it shows in If-Match; prints the request and what it caused. */
    static Reply send(String device, String method, String path, String body, int seenVersion) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(cartsUrl() + path)).header("If-Match", "\"" + seenVersion + "\"")
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build();
        var response = HTTP.send(request, BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(response.body());
        var events = new ArrayList<String>();
        answer.path("events").forEach(e -> events.add(e.asText()));
        var reply = new Reply(response.statusCode(), answer.path("version").asInt(), events, answer.path("cart").path("totalCents").asLong(), response.body());
        String outcome = reply.status() == 200
            ? "200, version " + reply.version() + ": " + String.join(", ", events) + ", total " + money(reply.totalCents())
            : reply.status() + " " + answer.path("problem").asText();
        story.say("%s %-6s %-7s %-22s %-34s If-Match \"%d\" -> %s".formatted(time(), device, method, path, body == null ? "" : body, seenVersion, outcome));
        return reply;
    }

    static JsonNode view(String pathAndQuery) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(cartsUrl() + pathAndQuery)).build(), BodyHandlers.ofString()).body());
    }

    /** The diary as support reads it: one line per event. */
    static List<String> diary(String cartId) throws Exception {
        var lines = new ArrayList<String>();
        for (JsonNode e : view("/carts/" + cartId + "/events")) {
            JsonNode data = e.path("data");
            String what = switch (e.path("type").asText()) {
                case "ItemAdded" -> "ItemAdded " + data.path("sku").asText() + " x" + data.path("quantity").asInt() + " at " + money(data.path("unitPriceCents").asLong());
                case "ItemRemoved" -> "ItemRemoved " + data.path("sku").asText() + " x" + data.path("quantity").asInt();
                case "CouponApplied" -> "CouponApplied " + data.path("code").asText() + ": " + money(data.path("amountOffCents").asLong())
                    + " off from " + money(data.path("minimumCents").asLong());
                case "CouponDropped" -> "CouponDropped " + data.path("code").asText() + ": the subtotal fell to " + money(data.path("subtotalCents").asLong());
                case "CheckedOut" -> "CheckedOut, paid " + money(data.path("totalCents").asLong());
                default -> e.path("type").asText();
            };
            lines.add("v" + e.path("version").asInt() + "  " + e.path("recordedAt").asText().substring(11, 16) + "  " + what);
        }
        return lines;
    }

    static String summary(JsonNode cart) {
        return "v" + cart.path("version").asInt() + " " + cart.path("lines") + " coupon " + cart.path("coupon").asText("none")
            + ", total " + money(cart.path("totalCents").asLong()) + (cart.path("checkedOut").asBoolean() ? ", checked out" : "");
    }

    static String summary(CartState cart) {
        return summary(JSON.valueToTree(cartView("", cart)));
    }

    static List<String> names(List<Event> events) {
        return events.stream().map(e -> e.getClass().getSimpleName()).toList();
    }

    static String money(long cents) { return "%d.%02d".formatted(cents / 100, cents % 100); }

    static void at(String hhmm) { morning.set(Instant.parse("2026-03-02T" + hhmm + ":00Z")); }

    static String time() { return morning.instant().toString().substring(11, 16); }

    static String cartsUrl() { return "http://127.0.0.1:" + carts.port(); }
}
