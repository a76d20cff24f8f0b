package eventsourcing;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/*
 * Lesson 13 · Event sourcing: the cart
 *
 * Ada applied the coupon TENOFF, removed the mouse, and paid 99.98 for two keyboards. "Where did my coupon go?"
 * A carts table says: no coupon. The cart's events say when it was applied and why it was dropped. Here a cart
 * is never saved: it is rebuilt from its events, and a command changes it only by recording new ones.
 *
 * Write handle (decide: refuse, or record the events a command causes) and apply (evolve: what each event does
 * to the fields). Check your work with: ./jbang workbook check 13
 */
public final class Cart {
    /** One line of the cart: a sku, how many, and the price each was added at. */
    public record Line(String sku, int quantity, long unitPriceCents) {
        public long cents() { return quantity * unitPriceCents; }
    }

    /** The coupon on the cart: so much off, as long as the subtotal stays at its minimum or above. */
    public record Coupon(String code, long amountOffCents, long minimumCents) {}

    /** Everything the cart holds now, as one value: two carts with equal contents are the same cart. */
    public record Contents(List<Line> lines, Optional<Coupon> coupon, long totalCents, boolean checkedOut, int version) {}

    private final String id;
    private final Map<String, Line> lines = new LinkedHashMap<>();
    private Coupon coupon;                                   // null: no coupon
    private boolean checkedOut;
    private int version;                                     // how many events made this cart, old and new
    private final List<CartEvent> changes = new ArrayList<>(); // recorded by handle, not yet in the store

    private Cart(String id) {
        this.id = id;
    }

    /** A cart nobody has touched yet: version 0, no events. */
    public static Cart empty(String id) {
        return new Cart(id);
    }

    /** The cart its history made: every event applied, in order. Replaying decides nothing and records nothing. */
    public static Cart rebuild(String id, List<CartEvent> history) {
        Cart cart = new Cart(id);
        history.forEach(cart::applyAndCount);
        return cart;
    }

    /**
     * Decides what {@code command} means for this cart now: throws CartRejected, recording nothing, or records
     * the events it causes with {@link #record}. Never changes a field itself: only apply does.
     * <ul>
     * <li>Any command on a checked-out cart is refused.</li>
     * <li>AddItem: a quantity below 1 is refused; otherwise ItemAdded.</li>
     * <li>RemoveItem: a sku not in the cart is refused; otherwise ItemRemoved with the line's quantity, and then,
     *     if a coupon is on the cart and the subtotal is now below its minimum, CouponDropped with that subtotal.</li>
     * <li>ApplyCoupon: refused when a coupon is already on the cart, or when the subtotal is below its minimum;
     *     otherwise CouponApplied.</li>
     * <li>CheckOut: an empty cart is refused; otherwise CheckedOut with the total.</li>
     * </ul>
     */
    public void handle(CartCommand command) {
        // switch (command) { case AddItem add -> ...; case RemoveItem remove -> ...; ... }: check the rules on the
        // fields, throw CartRejected, or record(new ItemAdded(...)). After record(...) the fields already show it.
        throw new UnsupportedOperationException("TODO: decide what the command means: refuse it, or record the events it causes");
    }

    /**
     * What one event does to the cart's fields. It only applies a fact: it never refuses one (the event already
     * happened) and calls nobody, so replaying a cart's history always gives the same cart.
     */
    private void apply(CartEvent event) {
        // switch (event) { case ItemAdded added -> ...; ... }: change lines, coupon and checkedOut; nothing else.
        throw new UnsupportedOperationException("TODO: apply the event to the cart's fields (lines, coupon, checkedOut)");
    }

    /** A new fact: it changes the cart now, and waits in changes() to be appended to the store. */
    private void record(CartEvent event) {
        applyAndCount(event);
        changes.add(event);
    }

    private void applyAndCount(CartEvent event) {
        apply(event);
        version++;
    }

    public String id() { return id; }

    /** How many events made this cart, including the changes not yet appended. */
    public int version() { return version; }

    /** The events handle recorded since the cart was rebuilt: what the store must append. */
    public List<CartEvent> changes() { return List.copyOf(changes); }

    public List<Line> lines() { return List.copyOf(lines.values()); }

    public Optional<Coupon> coupon() { return Optional.ofNullable(coupon); }

    public boolean checkedOut() { return checkedOut; }

    public long subtotalCents() { return lines.values().stream().mapToLong(Line::cents).sum(); }

    /** The subtotal less the coupon, never below zero. */
    public long totalCents() { return Math.max(0, subtotalCents() - (coupon == null ? 0 : coupon.amountOffCents())); }

    public Contents contents() { return new Contents(lines(), coupon(), totalCents(), checkedOut, version); }

    @Override
    public String toString() {
        return "cart " + id + " v" + version + " " + lines() + (coupon == null ? "" : " " + coupon.code()) + " total " + totalCents();
    }
}
