package boundaries;

/**
 * Everything that can go wrong on the other side of the boundary, said in the order service's terms.
 * Callers handle these and nothing else: no HTTP status, no IOException, no Jackson exception gets past ShopPeers.
 */
public abstract sealed class OrderProblem extends RuntimeException {
    OrderProblem(String message, Throwable cause) {
        super(message, cause);
    }

    /** Inventory has never heard of this sku (it answered 404). */
    public static final class UnknownSku extends OrderProblem {
        private final String sku;

        public UnknownSku(String sku) {
            super("unknown sku: " + sku, null);
            this.sku = sku;
        }

        public String sku() { return sku; }
    }

    /** Inventory cannot set aside that many (it answered 409). */
    public static final class OutOfStock extends OrderProblem {
        private final String sku;
        private final int requested;

        public OutOfStock(String sku, int requested) {
            super("out of stock: " + requested + " x " + sku, null);
            this.sku = sku;
            this.requested = requested;
        }

        public String sku() { return sku; }

        public int requested() { return requested; }
    }

    /** Profiles has no such customer (it answered 404). */
    public static final class UnknownCustomer extends OrderProblem {
        private final String customerId;

        public UnknownCustomer(String customerId) {
            super("unknown customer: " + customerId, null);
            this.customerId = customerId;
        }

        public String customerId() { return customerId; }
    }

    /** Payments refused the charge (it answered 402 with a reason). */
    public static final class PaymentDeclined extends OrderProblem {
        private final String reason;

        public PaymentDeclined(String reason) {
            super("payment declined: " + reason, null);
            this.reason = reason;
        }

        public String reason() { return reason; }
    }

    /**
     * A peer could not give a usable answer: it failed (5xx), the connection broke, or what came back was not
     * what its contract promises. The cause is kept for the logs; callers only need to know who.
     */
    public static final class PeerUnavailable extends OrderProblem {
        private final String peer;

        public PeerUnavailable(String peer, String detail, Throwable cause) {
            super(peer + " is unavailable: " + detail, cause);
            this.peer = peer;
        }

        public String peer() { return peer; }
    }
}
