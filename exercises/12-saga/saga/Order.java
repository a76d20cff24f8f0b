package saga;

/** An order as the checkout takes it: one line, one sku, and what the card is charged. */
public record Order(String id, String sku, int quantity, long amountCents) {}
