package cqrs;

/** A command named an order the order service does not have. */
public final class UnknownOrder extends RuntimeException {
    public UnknownOrder(String orderId) {
        super("no order " + orderId);
    }
}
