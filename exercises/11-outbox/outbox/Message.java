package outbox;

/**
 * One event on its way from the order service to payments: what an outbox row holds, what goes over the wire,
 * and what payments' consumer receives. {@code id} is unique per message (a consumer deduplicates by it);
 * {@code aggregateId} is the order it is about, and messages about one order must arrive in the order written.
 */
public record Message(String id, String aggregateId, String type, String payload) {
    /** The type of the event placeOrder writes. */
    public static final String ORDER_PLACED = "OrderPlaced";
}
