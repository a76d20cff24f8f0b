package boundaries;

/**
 * The order service's own words for what its peers tell it. These records are the inside of the boundary:
 * the rest of the order service sees only them, never a peer's JSON or status codes.
 */
public interface Shop {
    /** What inventory holds of one sku. */
    record StockLevel(String sku, int available) {}

    /** Stock set aside for an order by inventory. */
    record Reservation(String reservationId, String sku, int quantity) {}

    /** A customer, as profiles knows them. */
    record Customer(String id, String name, String tier) {}

    /** What we ask payments to charge. Sent as JSON exactly as these fields are named. */
    record ChargeRequest(String orderId, String customerId, long amountCents, String currency) {}

    /** What payments answers when the card was charged. */
    record Charge(String chargeId, String status) {}
}
