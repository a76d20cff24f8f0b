package timeouts;

/**
 * Orders' own database: what an order costs. Looking it up takes time, and that time comes out of the request's
 * budget like any other (the tests' order book moves their manual clock).
 */
@FunctionalInterface
public interface OrderBook {
    /** The amount due for an order, in cents. */
    int amountDue(String orderId);
}
