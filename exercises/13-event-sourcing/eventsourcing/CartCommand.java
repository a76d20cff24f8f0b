package eventsourcing;

/**
 * Given: what a customer asks of a cart, in the imperative. A command may be refused (CartRejected); when it is
 * accepted, the cart records one or more CartEvents, and only those change it.
 */
public sealed interface CartCommand {
    record AddItem(String sku, int quantity, long unitPriceCents) implements CartCommand {}

    /** Removes the whole line of {@code sku}. */
    record RemoveItem(String sku) implements CartCommand {}

    record ApplyCoupon(String code, long amountOffCents, long minimumCents) implements CartCommand {}

    record CheckOut() implements CartCommand {}
}
