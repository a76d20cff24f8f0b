package outbox;

/** An order as the checkout places it: one line, one sku. */
public record Order(String orderId, String sku, int quantity, long amountCents) {
    /** The OrderPlaced event's payload: what payments needs to charge the card. */
    public String toJson() {
        return "{\"orderId\": \"%s\", \"sku\": \"%s\", \"quantity\": %d, \"amountCents\": %d}"
            .formatted(orderId, sku, quantity, amountCents);
    }
}
