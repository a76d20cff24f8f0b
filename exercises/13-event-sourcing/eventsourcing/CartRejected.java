package eventsourcing;

/** Given: the cart refused a command (an empty checkout, a second coupon, ...). Nothing was recorded. */
public final class CartRejected extends RuntimeException {
    public CartRejected(String reason) {
        super(reason);
    }
}
