package outbox;

/** The sku has fewer items on hand than the order asks for: nothing was written. */
public final class OutOfStock extends RuntimeException {
    public OutOfStock(String sku, int quantity) {
        super("not enough " + sku + " on hand for " + quantity);
    }
}
