package eventsourcing;

import static org.assertj.core.api.Assertions.assertThat;

import eventsourcing.CartCommand.AddItem;
import eventsourcing.CartCommand.ApplyCoupon;
import eventsourcing.CartCommand.CheckOut;
import eventsourcing.CartCommand.RemoveItem;
import eventsourcing.CartEvent.CouponApplied;
import eventsourcing.CartEvent.CouponDropped;
import eventsourcing.CartEvent.ItemAdded;
import eventsourcing.CartEvent.ItemRemoved;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import kit.Database;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("13 · The carts service: expected versions, time travel, replay")
class ServiceTest {
    static final Instant NINE_TEN = Instant.parse("2026-03-02T09:10:00Z");

    private final ManualClock clock = new ManualClock(NINE_TEN);
    private Database db;
    private Carts carts;

    @BeforeEach
    void freshDatabase() {
        db = Database.inMemory("carts");
        db.run(Schema.EVENTS);
        carts = new Carts(new EventStore(db.dataSource(), clock));
    }

    @AfterEach
    void deleteDatabase() { db.delete(); }

    /**
     * Ada's morning, as the story tells it: 09:10 two keyboards, 09:11 a mouse, 09:14 TENOFF (version 3),
     * 09:16 the mouse removed and the coupon dropped with it (versions 4 and 5).
     */
    private void adasMorning() {
        at("09:10");
        expectVersion(carts.handle("c-7", 0, new AddItem("KB-42", 2, 4999)), 1, "adding two keyboards to a new cart");
        at("09:11");
        expectVersion(carts.handle("c-7", 1, new AddItem("MS-7", 1, 1999)), 2, "adding a mouse");
        at("09:14");
        expectVersion(carts.handle("c-7", 2, new ApplyCoupon("TENOFF", 1000, 10000)), 3, "applying TENOFF");
        at("09:16");
        expectVersion(carts.handle("c-7", 3, new RemoveItem("MS-7")), 5, "removing the mouse (ItemRemoved and CouponDropped)");
    }

    @Test
    @Points(2)
    @DisplayName("Ada's morning: each command is appended after the version its writer saw, and the cart loads as its events made it")
    @Hint({"Read 'Two writers, one cart' in the lesson's README. What does the service do with each command?",
           "The service rebuilds the cart from its events, lets it decide, and appends what it recorded after the version the writer saw.",
           "Last hint: Cart cart = load(cartId); cart.handle(command); return store.append(cartId, expectedVersion, cart.changes());"})
    void adasMorningIsRecorded() {
        adasMorning();

        var events = new EventStore(db.dataSource(), clock).load("c-7").stream().map(RecordedEvent::event).toList();
        assertThat(events).withFailMessage("c-7's diary should read%n  %s%nbut reads%n  %s", diary(), events).isEqualTo(diary());
        Cart now = carts.load("c-7");
        assertThat(now.totalCents()).withFailMessage("two keyboards and no coupon: 9998 cents, not %d", now.totalCents()).isEqualTo(9998);
        assertThat(now.coupon()).withFailMessage("the coupon was dropped: the cart should have none, but has %s", now.coupon()).isEmpty();
    }

    @Test
    @Points(3)
    @DisplayName("The laptop still shows version 3 (109.97 with TENOFF) and checks out: refused, the phone has moved the cart to version 5")
    @Hint({"The laptop decided on a cart of 109.97. Is that the cart now? ('Two writers, one cart' in the lesson's README.)",
           "A writer that decided on an old version decided on a cart that is gone. It gets a ConcurrencyConflict, reloads, and decides again.",
           "Last hint: if (cart.version() != expectedVersion) throw new ConcurrencyConflict(cartId, expectedVersion, cart.version()); and pass expectedVersion, the writer's, to store.append, never the version you just loaded."})
    void staleWriterRefused() {
        adasMorning();

        var conflict = Expect.thrown(ConcurrencyConflict.class, () -> carts.handle("c-7", 3, new CheckOut()),
            "the laptop decided on version 3, and the cart is at version 5");

        assertThat(conflict.actualVersion()).withFailMessage("the conflict should say the cart is at version 5, not %d", conflict.actualVersion()).isEqualTo(5);
        assertThat(carts.load("c-7").checkedOut()).withFailMessage("the stale checkout must not be appended: the cart should not be checked out").isFalse();
        int paid = Expect.returns(() -> carts.handle("c-7", 5, new CheckOut()), "the phone, at version 5, should be able to check out");
        assertThat(paid).isEqualTo(6);
    }

    @Test
    @DisplayName("A refused command appends nothing: a second coupon leaves the cart at its version")
    @Hint({"A second coupon is refused. Should the store hear of the command?",
           "CartRejected is the cart's answer: it reaches the caller, and nothing is appended.",
           "Last hint: let the CartRejected from cart.handle(...) propagate, so store.append is never reached; no catch around it."})
    void refusedAppendsNothing() {
        at("09:10");
        carts.handle("c-7", 0, new AddItem("KB-42", 3, 4999));
        carts.handle("c-7", 1, new ApplyCoupon("TENOFF", 1000, 10000));

        Expect.thrown(CartRejected.class, () -> carts.handle("c-7", 2, new ApplyCoupon("WELCOME5", 500, 0)), "a cart takes one coupon");

        assertThat(carts.load("c-7").version()).withFailMessage("the refused coupon should leave c-7 at version 2").isEqualTo(2);
    }

    @Test
    @Points(3)
    @DisplayName("Time travel by version: as of version 3, Ada's cart held two keyboards, a mouse and TENOFF, for 109.97")
    @Hint({"Read 'Time travel' in the lesson's README. What is the cart as of version 3?",
           "The cart as of version N is what its first N events make: the same replay as load, on fewer events. Version 0 is the empty cart; a version it never reached is a mistake.",
           "Last hint: Cart.rebuild(cartId, store.load(cartId).subList(0, version), mapped to their events); throw IllegalArgumentException when version < 0 or version > the number of events."})
    void asOfVersion() {
        adasMorning();

        Cart then = carts.asOf("c-7", 3);

        var expected = new Cart.Contents(List.of(new Cart.Line("KB-42", 2, 4999), new Cart.Line("MS-7", 1, 1999)),
            Optional.of(new Cart.Coupon("TENOFF", 1000, 10000)), 10997, false, 3);
        assertThat(then.contents()).withFailMessage("as of version 3, c-7 should be%n  %s%nbut was%n  %s", expected, then.contents()).isEqualTo(expected);
        assertThat(carts.asOf("c-7", 0).contents().version()).withFailMessage("as of version 0, the cart is empty").isZero();
        assertThat(carts.asOf("c-7", 5).contents()).withFailMessage("as of its latest version, 5, the cart is the cart now")
            .isEqualTo(carts.load("c-7").contents());
        Expect.thrown(IllegalArgumentException.class, () -> carts.asOf("c-7", 6), "c-7 has versions 0 to 5; there is no version 6 to travel to");
        Expect.thrown(IllegalArgumentException.class, () -> carts.asOf("c-7", -1), "c-7 has versions 0 to 5; there is no version -1 to travel to");
    }

    @Test
    @Points(3)
    @DisplayName("Time travel by clock: at 09:15, when Ada took her screenshot, the cart was 109.97 with TENOFF; at 09:09 it was empty")
    @Hint({"Each event carries the time it was recorded. What was the cart at 09:15? ('Time travel' in the lesson's README.)",
           "The cart at an instant is what its events recorded at or before that instant make, in version order.",
           "Last hint: take the loaded events while !e.recordedAt().isAfter(at) (Stream.takeWhile), map them to their events, and Cart.rebuild from those."})
    void asOfInstant() {
        adasMorning();

        Cart screenshot = carts.asOf("c-7", Instant.parse("2026-03-02T09:15:00Z"));
        Cart atNineFourteen = carts.asOf("c-7", Instant.parse("2026-03-02T09:14:00Z"));
        Cart beforeShopping = carts.asOf("c-7", Instant.parse("2026-03-02T09:09:00Z"));

        assertThat(screenshot.totalCents() + " " + screenshot.coupon().map(Cart.Coupon::code).orElse("no coupon") + " v" + screenshot.version())
            .withFailMessage("at 09:15 the cart was 10997 cents with TENOFF at version 3, but asOf gave %s", screenshot).isEqualTo("10997 TENOFF v3");
        assertThat(atNineFourteen.version()).withFailMessage("TENOFF was applied at 09:14 exactly: at 09:14 the cart is at version 3 (at or before counts), not %d",
            atNineFourteen.version()).isEqualTo(3);
        assertThat(beforeShopping.version()).withFailMessage("at 09:09 Ada had not started: the cart should be empty (version 0), but was %s", beforeShopping).isZero();
    }

    @Test
    @Points(2)
    @DisplayName("A writer behind or ahead of the cart gets a ConcurrencyConflict before the cart decides, even for a command the cart would refuse")
    @Hint({"The laptop at version 3 removes a mouse the phone already removed. Is 'not in the cart' an answer about the cart the laptop saw?",
           "Check the version first. A command judged on a cart the writer never saw gives a misleading answer, and the store's own check comes too late for a refused command.",
           "Last hint: Cart cart = load(cartId); if (cart.version() != expectedVersion) throw new ConcurrencyConflict(cartId, expectedVersion, cart.version()); cart.handle(command); ..."})
    void conflictComesBeforeTheCartDecides() {
        adasMorning();

        for (int seen : new int[] {3, 6}) {
            var conflict = Expect.thrown(ConcurrencyConflict.class, () -> carts.handle("c-7", seen, new RemoveItem("MS-7")),
                "a writer that saw version " + seen + " removes the mouse, and the cart is at version 5");
            assertThat(conflict.actualVersion()).withFailMessage("the conflict should say the cart is at version 5, not %d", conflict.actualVersion()).isEqualTo(5);
        }
        assertThat(carts.load("c-7").version()).withFailMessage("nothing should have been appended: c-7 should stay at version 5").isEqualTo(5);
    }

    @Test
    @DisplayName("Time travel by clock at the edges: exactly 09:10 is version 1, exactly 09:16 takes both of that minute's events, and 10:00 is the cart now")
    @Hint({"Does 'at or before 09:10' include an event recorded at exactly 09:10?",
           "At or before includes the instant itself. The two events of one command share their instant, so they come or go together.",
           "Last hint: history.stream().takeWhile(e -> !e.recordedAt().isAfter(at)).map(RecordedEvent::event).toList(), into Cart.rebuild."})
    void asOfInstantAtTheEdges() {
        adasMorning();

        int atTheFirst = carts.asOf("c-7", Instant.parse("2026-03-02T09:10:00Z")).version();
        int atTheLast = carts.asOf("c-7", Instant.parse("2026-03-02T09:16:00Z")).version();
        Cart later = carts.asOf("c-7", Instant.parse("2026-03-02T10:00:00Z"));

        assertThat(atTheFirst).withFailMessage("the keyboards were added at 09:10 exactly: at 09:10 the cart is at version 1, not %d", atTheFirst).isEqualTo(1);
        assertThat(atTheLast).withFailMessage("the mouse and the coupon went at 09:16 exactly, in one command: at 09:16 the cart is at version 5, not %d",
            atTheLast).isEqualTo(5);
        assertThat(later.contents()).withFailMessage("at 10:00, after every event, the cart is the cart now").isEqualTo(carts.load("c-7").contents());
    }

    @Test
    @Points(2)
    @DisplayName("Replay after a restart equals the live cart: no carts table, the events alone give back the same cart")
    @Hint({"Read 'Replay' in the lesson's README. Is there any state outside the events?",
           "After a restart the events alone give back the cart, equal in every field to the live one. State kept elsewhere (a field set in handle, a cache in Carts) is lost.",
           "Last hint: if only this test fails, look for a field that handle sets by itself, or a map of carts in Carts: load must always be Cart.rebuild(cartId, events from store.load(cartId))."})
    void replayAfterRestart() {
        adasMorning();
        Cart live = carts.load("c-7");
        live.handle(new AddItem("CB-1", 1, 899));            // a cable, decided on the live cart...
        carts.handle("c-7", 5, new AddItem("CB-1", 1, 899));  // ...and the same command through the service

        db.close();
        db = db.reopen();
        Cart replayed = new Carts(new EventStore(db.dataSource(), clock)).load("c-7");

        assertThat(replayed.contents()).withFailMessage("after the restart, replaying c-7 should give the live cart%n  live:     %s%n  replayed: %s",
            live.contents(), replayed.contents()).isEqualTo(live.contents());
    }

    // ---- helpers ----

    private void at(String hhmm) {
        clock.set(Instant.parse("2026-03-02T" + hhmm + ":00Z"));
    }

    private static void expectVersion(int actual, int expected, String what) {
        assertThat(actual).withFailMessage("%s should take c-7 to version %d, but handle returned %d", what, expected, actual).isEqualTo(expected);
    }

    private static List<CartEvent> diary() {
        return List.of(new ItemAdded("KB-42", 2, 4999), new ItemAdded("MS-7", 1, 1999), new CouponApplied("TENOFF", 1000, 10000),
            new ItemRemoved("MS-7", 1), new CouponDropped("TENOFF", 9998));
    }
}
