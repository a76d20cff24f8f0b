package cqrs;

/** Given: one row of the "my orders" page, as the page shows it. {@code placedAt} is an ISO-8601 instant. */
public record MyOrder(String orderId, String placedAt, int items, long totalCents, String status, String trackingCode) {
    /** The statuses a row can have, in the order they usually come. */
    public static final String PLACED = "PLACED", PAID = "PAID", SHIPPED = "SHIPPED", CANCELLED = "CANCELLED";
}
