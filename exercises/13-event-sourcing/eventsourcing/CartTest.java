package eventsourcing;

import static org.assertj.core.api.Assertions.assertThat;

import eventsourcing.CartCommand.AddItem;
import eventsourcing.CartCommand.ApplyCoupon;
import eventsourcing.CartCommand.CheckOut;
import eventsourcing.CartCommand.RemoveItem;
import eventsourcing.CartEvent.CheckedOut;
import eventsourcing.CartEvent.CouponApplied;
import eventsourcing.CartEvent.CouponDropped;
import eventsourcing.CartEvent.ItemAdded;
import eventsourcing.CartEvent.ItemRemoved;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import kit.Expect;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cart on its own, no database: given these events happened, when this command comes, then these events are
 * recorded (or the command is refused). Each test reads as that sentence, in the style of Axon's test fixtures.
 */
@DisplayName("13 · The cart: given events, when a command, then events")
class CartTest {
    // Ada's cart: two keyboards, a mouse, and a coupon for 10.00 off a subtotal of 100.00 or more.
    static final ItemAdded TWO_KEYBOARDS = new ItemAdded("KB-42", 2, 4999);
    static final ItemAdded A_MOUSE = new ItemAdded("MS-7", 1, 1999);
    static final CouponApplied TENOFF = new CouponApplied("TENOFF", 1000, 10000);
    static final ApplyCoupon APPLY_TENOFF = new ApplyCoupon("TENOFF", 1000, 10000);

    @Test
    @Points(2)
    @DisplayName("Given an empty cart, when Ada adds two keyboards, then ItemAdded is recorded and the total is 99.98")
    @Hint({"Read 'Decide, then apply' in the lesson's README. Which method decides, and which one changes the fields?",
           "handle decides: it refuses a command, or records the events it causes. apply is the only place the cart changes: it applies one event to the fields. Start with AddItem in handle and ItemAdded in apply.",
           "Last hint: in handle: case AddItem add -> record(new ItemAdded(add.sku(), add.quantity(), add.unitPriceCents())); in apply: case ItemAdded added -> lines.merge(...) (or lines.put(...)) a Line."})
    void addItem() {
        given()
            .when(new AddItem("KB-42", 2, 4999))
            .expectEvents(TWO_KEYBOARDS)
            .expectTotal(9998);
    }

    @Test
    @DisplayName("Given two keyboards in the cart, when Ada adds one more, then the line holds three")
    @Hint({"Ada adds a sku that is already in the cart. One line, or two?",
           "Adding a sku that is already in the cart adds to its line. That is apply's job: the event says how many were added, the line says how many there are.",
           "Last hint: in apply, case ItemAdded: lines.merge(sku, new Line(...), (line, more) -> new Line(line.sku(), line.quantity() + more.quantity(), more.unitPriceCents()));"})
    void addToALine() {
        given(TWO_KEYBOARDS)
            .when(new AddItem("KB-42", 1, 4999))
            .expectEvents(new ItemAdded("KB-42", 1, 4999))
            .expectLines(new Cart.Line("KB-42", 3, 4999))
            .expectTotal(14997);
    }

    @Test
    @DisplayName("Given an empty cart, when someone adds zero keyboards, then the command is refused and nothing is recorded")
    @Hint({"Can an event be refused? Can a command? ('Decide, then apply' in the lesson's README.)",
           "An event already happened, so it cannot be refused; a command can. Refusing is handle's job, before anything is recorded.",
           "Last hint: if (add.quantity() < 1) throw new CartRejected(\"...\"); before record(...)."})
    void addNothing() {
        given()
            .when(new AddItem("KB-42", 0, 4999))
            .expectRejection();
    }

    @Test
    @Points(2)
    @DisplayName("Given 119.97 in the cart, when Ada applies TENOFF (10.00 off from 100.00), then CouponApplied is recorded and the total is 109.97")
    @Hint({"Against which cart is the coupon's rule checked: the cart as it is now? ('Decide, then apply' in the lesson's README.)",
           "handle checks the rule on the cart as it is: its subtotal against the coupon's minimum, and records CouponApplied. apply sets the coupon, and totalCents() already subtracts it.",
           "Last hint: case ApplyCoupon apply -> if (subtotalCents() >= apply.minimumCents()) record(new CouponApplied(apply.code(), apply.amountOffCents(), apply.minimumCents())); in apply: coupon = new Coupon(...)."})
    void applyCoupon() {
        given(TWO_KEYBOARDS, A_MOUSE)
            .when(APPLY_TENOFF)
            .expectEvents(TENOFF)
            .expectTotal(10997);
    }

    @Test
    @DisplayName("Given 99.98 in the cart, when Ada applies TENOFF, then it is refused: the subtotal is below the coupon's 100.00")
    @Hint({"The coupon needs 10000 cents. How many do two keyboards make?",
           "A command the rules refuse records nothing: the cart stays as it was, and the caller gets CartRejected.",
           "Last hint: in handle: if (subtotalCents() < apply.minimumCents()) throw new CartRejected(...); before recording anything."})
    void couponBelowMinimum() {
        given(TWO_KEYBOARDS)
            .when(APPLY_TENOFF)
            .expectRejection();
    }

    @Test
    @DisplayName("Given a cart with TENOFF, when Ada applies a second coupon, then it is refused: one coupon per cart")
    @Hint({"How does the cart know it already has a coupon?",
           "The cart knows what its events told it: apply(CouponApplied) set the coupon field. One coupon per cart, so a second ApplyCoupon is refused.",
           "Last hint: in handle: if (coupon != null) throw new CartRejected(...);"})
    void secondCoupon() {
        given(TWO_KEYBOARDS, A_MOUSE, TENOFF)
            .when(new ApplyCoupon("WELCOME5", 500, 0))
            .expectRejection();
    }

    @Test
    @Points(3)
    @DisplayName("Given 109.97 with TENOFF, when Ada removes the mouse, then ItemRemoved and CouponDropped are recorded: the diary says why the coupon went")
    @Hint({"Read 'Decide, then apply' in the lesson's README, the part about RemoveItem. What happens to TENOFF when the subtotal falls to 99.98?",
           "Every change is an event, or it did not happen. The coupon going is a change to the cart, so the diary must say when and why: a CouponDropped, decided on the cart as the removal left it.",
           "Never set coupon = null in handle: the next replay would bring TENOFF back, because no event took it away.",
           "Last hint: record(new ItemRemoved(...)) first, so the fields show the cart without the mouse; then if (coupon != null && subtotalCents() < coupon.minimumCents()) record(new CouponDropped(coupon.code(), subtotalCents()));"})
    void removingDropsTheCoupon() {
        given(TWO_KEYBOARDS, A_MOUSE, TENOFF)
            .when(new RemoveItem("MS-7"))
            .expectEvents(new ItemRemoved("MS-7", 1), new CouponDropped("TENOFF", 9998))
            .expectTotal(9998)
            .expectNoCoupon();
    }

    @Test
    @DisplayName("Given three keyboards, a mouse and TENOFF, when Ada removes the mouse, then only ItemRemoved is recorded: 149.97 still earns the coupon")
    @Hint({"Three keyboards are 149.97. Does the coupon still apply once the mouse is gone?",
           "The coupon goes only when the subtotal falls below its minimum. Compare the subtotal after the removal, when apply has run, not before.",
           "Last hint: record(new ItemRemoved(...)); then the CouponDropped only if subtotalCents() < coupon.minimumCents()."})
    void removingKeepsTheCoupon() {
        given(new ItemAdded("KB-42", 3, 4999), A_MOUSE, TENOFF)
            .when(new RemoveItem("MS-7"))
            .expectEvents(new ItemRemoved("MS-7", 1))
            .expectTotal(13997);
    }

    @Test
    @DisplayName("Given two keyboards, when Ada removes a mouse that is not in the cart, then the command is refused")
    @Hint({"Ada removes a mouse that is not in the cart. What happened?",
           "Nothing happened, so there is no event: the command is refused.",
           "Last hint: Line line = lines.get(remove.sku()); if (line == null) throw new CartRejected(...);"})
    void removeWhatIsNotThere() {
        given(TWO_KEYBOARDS)
            .when(new RemoveItem("MS-7"))
            .expectRejection();
    }

    @Test
    @Points(2)
    @DisplayName("Given 109.97 with TENOFF, when Ada checks out, then CheckedOut(10997) is recorded, and the cart takes no more commands")
    @Hint({"What does Ada pay at checkout, and what can she do to the cart afterwards?",
           "CheckedOut records the total the customer pays: the subtotal less the coupon. After it, every command is refused.",
           "Last hint: case CheckOut -> record(new CheckedOut(totalCents())); apply(CheckedOut) sets checkedOut = true, which handle checks first."})
    void checkOut() {
        given(TWO_KEYBOARDS, A_MOUSE, TENOFF)
            .when(new CheckOut())
            .expectEvents(new CheckedOut(10997));
        given(TWO_KEYBOARDS, new CheckedOut(9998))
            .when(new AddItem("MS-7", 1, 1999))
            .expectRejection();
    }

    @Test
    @DisplayName("Given a keyboard added and removed again, when Ada checks out, then it is refused: the cart is empty")
    @Hint({"A keyboard added and removed again: is the cart empty? Who took the line out?",
           "The cart is empty only if apply(ItemRemoved) took the line out. An empty cart cannot be checked out.",
           "Last hint: apply: case ItemRemoved removed -> lines.remove(removed.sku()); handle: if (lines.isEmpty()) throw new CartRejected(...) for CheckOut."})
    void emptyCheckout() {
        given(new ItemAdded("KB-42", 1, 4999), new ItemRemoved("KB-42", 1))
            .when(new CheckOut())
            .expectRejection();
    }

    @Test
    @DisplayName("Given an empty cart, when Ada adds exactly one mouse, then ItemAdded is recorded; adding minus one is refused")
    @Hint({"Is exactly one mouse a quantity below 1?",
           "A quantity below 1 is refused: 1 itself is fine, 0 and anything negative are not.",
           "Last hint: if (add.quantity() < 1) throw new CartRejected(...); record(new ItemAdded(add.sku(), add.quantity(), add.unitPriceCents()));"})
    void addExactlyOne() {
        given()
            .when(new AddItem("MS-7", 1, 1999))
            .expectEvents(A_MOUSE)
            .expectTotal(1999);
        given(TWO_KEYBOARDS)
            .when(new AddItem("MS-7", -1, 1999))
            .expectRejection();
    }

    @Test
    @Points(2)
    @DisplayName("Given exactly 100.00 in the cart, when Ada applies TENOFF (from 100.00), then it is applied: at the minimum is enough")
    @Hint({"TENOFF asks for 100.00 or more. Does 100.00 itself qualify?",
           "At the minimum is enough: refuse only when the subtotal is below it.",
           "Last hint: if (subtotalCents() < apply.minimumCents()) throw new CartRejected(...); else record(new CouponApplied(apply.code(), apply.amountOffCents(), apply.minimumCents()));"})
    void couponAtExactlyTheMinimum() {
        given(new ItemAdded("KB-42", 2, 5000))
            .when(APPLY_TENOFF)
            .expectEvents(TENOFF)
            .expectTotal(9000);
    }

    @Test
    @Points(2)
    @DisplayName("Given two keyboards at 50.00, a mouse and TENOFF, when Ada removes the mouse, then the coupon stays: 100.00 left is still the minimum")
    @Hint({"After the removal exactly 100.00 is left. Is that below TENOFF's minimum?",
           "The coupon goes only when the subtotal falls below its minimum; landing exactly on it keeps it.",
           "Last hint: if (coupon != null && subtotalCents() < coupon.minimumCents()) record(new CouponDropped(coupon.code(), subtotalCents()));"})
    void removingDownToTheMinimumKeepsTheCoupon() {
        given(new ItemAdded("KB-42", 2, 5000), A_MOUSE, TENOFF)
            .when(new RemoveItem("MS-7"))
            .expectEvents(new ItemRemoved("MS-7", 1))
            .expectTotal(9000);
    }

    @Test
    @DisplayName("Given a cart without a coupon, when Ada removes a line added in two goes, then one ItemRemoved with the whole quantity is recorded")
    @Hint({"The line was added in two goes. How many does ItemRemoved say went? And is there a coupon to look at?",
           "ItemRemoved says how many went: the line's whole quantity, however many ItemAdded made it. With no coupon there is nothing to drop, and nothing to read a minimum from.",
           "Last hint: Line line = lines.get(remove.sku()); record(new ItemRemoved(line.sku(), line.quantity())); then the coupon check, only when coupon != null."})
    void removingWithoutACoupon() {
        given(TWO_KEYBOARDS, A_MOUSE, new ItemAdded("KB-42", 1, 4999))
            .when(new RemoveItem("KB-42"))
            .expectEvents(new ItemRemoved("KB-42", 3))
            .expectLines(new Cart.Line("MS-7", 1, 1999))
            .expectTotal(1999);
    }

    @Test
    @Points(2)
    @DisplayName("Given a checked-out cart, every command is refused: adding, removing, a coupon and a second checkout")
    @Hint({"After checkout, is only AddItem refused?",
           "Any command on a checked-out cart is refused. The check comes before the command is looked at.",
           "Last hint: the first line of handle is if (checkedOut) throw new CartRejected(\"cart \" + id + \" is checked out\"); before the switch."})
    void checkedOutRefusesEverything() {
        var paid = new CheckedOut(10997);
        for (CartCommand command : List.of(new AddItem("MS-7", 1, 1999), new RemoveItem("KB-42"), new ApplyCoupon("WELCOME5", 500, 0), new CheckOut())) {
            given(TWO_KEYBOARDS, A_MOUSE, TENOFF, paid)
                .when(command)
                .expectRejection();
        }
        Cart cart = Cart.rebuild("c-7", List.of(TWO_KEYBOARDS, A_MOUSE, TENOFF, paid));
        assertThat(cart.checkedOut()).withFailMessage("after CheckedOut, checkedOut() should say true: apply(CheckedOut) sets the field").isTrue();
        assertThat(Cart.rebuild("c-7", List.of(TWO_KEYBOARDS)).checkedOut()).withFailMessage("a cart never checked out should say false").isFalse();
    }

    @Test
    @DisplayName("The cart says which it is and, for the support team's log, its version, lines, coupon and total")
    @Hint({"id() and toString() are given: they show what apply put in the fields. Which field looks wrong?",
           "If the coupon or the total is wrong here, the events did not set the fields right: look at apply(CouponApplied) and apply(CouponDropped).",
           "Last hint: CouponApplied sets coupon = new Coupon(code, amountOffCents, minimumCents); CouponDropped sets it back to null."})
    void theCartDescribesItself() {
        Cart withCoupon = Cart.rebuild("c-7", List.of(TWO_KEYBOARDS, A_MOUSE, TENOFF));
        Cart dropped = Cart.rebuild("c-9", List.of(TWO_KEYBOARDS, A_MOUSE, TENOFF, new ItemRemoved("MS-7", 1), new CouponDropped("TENOFF", 9998)));

        assertThat(withCoupon.id()).withFailMessage("the cart rebuilt for c-7 should say it is c-7, but says %s", withCoupon.id()).isEqualTo("c-7");
        assertThat(withCoupon.toString()).withFailMessage("c-7 should read as version 3, two lines, TENOFF and 10997 cents, but reads %s", withCoupon)
            .isEqualTo("cart c-7 v3 [Line[sku=KB-42, quantity=2, unitPriceCents=4999], Line[sku=MS-7, quantity=1, unitPriceCents=1999]] TENOFF total 10997");
        assertThat(dropped.toString()).withFailMessage("c-9 lost its coupon, so it should read without one, but reads %s", dropped)
            .isEqualTo("cart c-9 v5 [Line[sku=KB-42, quantity=2, unitPriceCents=4999]] total 9998");
    }

    @Test
    @Points(3)
    @DisplayName("Replay equals live state: Ada's cart rebuilt from the events it recorded is the cart that recorded them")
    @Hint({"Read 'Replay' in the lesson's README. Is a cart rebuilt from its events the same cart as the one that recorded them?",
           "They must be equal in every field. If handle changes a field by itself, the change is in no event, and the rebuilt cart (after a restart, say) has lost it.",
           "Last hint: only apply may change lines, coupon and checkedOut; handle only checks rules and calls record(...)."})
    void replayEqualsLive() {
        Cart live = Cart.empty("c-7");
        List<CartEvent> recorded = new ArrayList<>();
        for (CartCommand command : List.of(new AddItem("KB-42", 2, 4999), new AddItem("MS-7", 1, 1999), APPLY_TENOFF,
                new RemoveItem("MS-7"), new AddItem("CB-1", 1, 899), new CheckOut())) {
            Expect.returns(() -> { live.handle(command); return null; }, "the live cart should accept " + command);
        }
        recorded.addAll(live.changes());

        Cart replayed = Cart.rebuild("c-7", recorded);

        assertThat(replayed.contents()).withFailMessage("the cart rebuilt from its %d events should equal the live cart%n  live:     %s%n  replayed: %s%n"
            + "a difference is a change the live cart made without recording an event", recorded.size(), live.contents(), replayed.contents())
            .isEqualTo(live.contents());
        assertThat(replayed.changes()).withFailMessage("rebuilding replays old events: it should record no new changes, but recorded %s", replayed.changes()).isEmpty();
    }

    // ---- the fixture: given(events...).when(command).expectEvents(...) / .expectRejection() ----

    static Scenario given(CartEvent... history) {
        return new Scenario(List.of(history));
    }

    record Scenario(List<CartEvent> history) {
        Outcome when(CartCommand command) {
            Cart cart = Expect.returns(() -> Cart.rebuild("c-7", history), "rebuilding the cart from " + history + " should work");
            int before = cart.version();
            try {
                cart.handle(command);
                return new Outcome(history, command, cart, before, null);
            } catch (CartRejected rejected) {
                return new Outcome(history, command, cart, before, rejected);
            } catch (UnsupportedOperationException todo) {
                throw todo;
            } catch (RuntimeException e) {
                throw new AssertionError(sentence(history, command) + ", the cart should decide, but it threw " + e, e);
            }
        }
    }

    record Outcome(List<CartEvent> history, CartCommand command, Cart cart, int versionBefore, CartRejected rejected) {
        Outcome expectEvents(CartEvent... expected) {
            String given = sentence(history, command);
            assertThat(rejected).withFailMessage("%s, the cart should record %s, but it refused: %s", given, Arrays.asList(expected),
                rejected == null ? "" : rejected.getMessage()).isNull();
            assertThat(cart.changes()).withFailMessage("%s,%n  then the cart should record %s%n  but it recorded    %s", given,
                Arrays.asList(expected), cart.changes()).containsExactly(expected);
            assertThat(cart.version()).withFailMessage("%s, the cart should be at version %d (one more per event), but is at %d",
                given, versionBefore + expected.length, cart.version()).isEqualTo(versionBefore + expected.length);
            return this;
        }

        Outcome expectRejection() {
            String given = sentence(history, command);
            assertThat(rejected).withFailMessage("%s, the cart should refuse with CartRejected, but it accepted and recorded %s", given, cart.changes()).isNotNull();
            assertThat(cart.changes()).withFailMessage("%s, the cart refused, so it should record nothing, but it recorded %s", given, cart.changes()).isEmpty();
            return this;
        }

        Outcome expectTotal(long cents) {
            assertThat(cart.totalCents()).withFailMessage("%s, the total should then be %d cents, but it is %d (the cart: %s)",
                sentence(history, command), cents, cart.totalCents(), cart).isEqualTo(cents);
            return this;
        }

        Outcome expectLines(Cart.Line... lines) {
            assertThat(cart.lines()).withFailMessage("%s, the cart's lines should then be %s, but they are %s",
                sentence(history, command), Arrays.asList(lines), cart.lines()).containsExactly(lines);
            return this;
        }

        Outcome expectNoCoupon() {
            assertThat(cart.coupon()).withFailMessage("%s, the cart should then have no coupon, but it has %s",
                sentence(history, command), cart.coupon()).isEmpty();
            return this;
        }
    }

    static String sentence(List<CartEvent> history, CartCommand command) {
        return "given " + (history.isEmpty() ? "no events" : history) + ", when " + command;
    }
}
