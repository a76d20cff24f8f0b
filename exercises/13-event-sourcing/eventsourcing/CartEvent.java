package eventsourcing;

/**
 * Given: what can happen to a cart, as facts in the past tense. These are the only way a cart changes, and the
 * store keeps every one of them forever, in order: the cart's diary. An event never says "set the total to X";
 * it says what happened, and the total follows from all of them.
 */
public sealed interface CartEvent {
    /** {@code quantity} of {@code sku} went into the cart at the catalog's price of that moment. */
    record ItemAdded(String sku, int quantity, long unitPriceCents) implements CartEvent {}

    /** The whole line of {@code sku} left the cart: {@code quantity} items. */
    record ItemRemoved(String sku, int quantity) implements CartEvent {}

    /** A coupon took {@code amountOffCents} off a cart whose subtotal was at least {@code minimumCents}. */
    record CouponApplied(String code, long amountOffCents, long minimumCents) implements CartEvent {}

    /** The coupon no longer applied: the subtotal fell to {@code subtotalCents}, below its minimum. */
    record CouponDropped(String code, long subtotalCents) implements CartEvent {}

    /** The customer paid {@code totalCents}; the cart takes no more changes. */
    record CheckedOut(long totalCents) implements CartEvent {}
}
