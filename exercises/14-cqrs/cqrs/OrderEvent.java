package cqrs;

import java.time.Instant;
import java.util.List;

/**
 * Given: what happened to an order, as the order service records it. Events are facts in the past tense; the
 * projection turns them into the "my orders" read model. Sealed, so a {@code switch} over them is checked to
 * cover every kind.
 */
public sealed interface OrderEvent {
    /** The order the event is about. */
    String orderId();

    /** A customer placed an order of one or more lines. */
    record OrderPlaced(String orderId, String customerId, List<Line> lines, Instant placedAt) implements OrderEvent {
        public OrderPlaced {
            lines = List.copyOf(lines);
        }

        /** How many items the order holds, over all its lines: what the page shows as "3 items". */
        public int itemCount() { return lines.stream().mapToInt(Line::quantity).sum(); }

        /** What the order costs, in cents. */
        public long totalCents() { return lines.stream().mapToLong(l -> l.quantity() * l.unitPriceCents()).sum(); }
    }

    /** Payments charged the card. */
    record OrderPaid(String orderId, Instant paidAt) implements OrderEvent {}

    /** Shipping handed the parcel to the carrier. */
    record OrderShipped(String orderId, String trackingCode, Instant shippedAt) implements OrderEvent {}

    /** The order was cancelled: it stays on the page, and no longer counts in what the customer spent. */
    record OrderCancelled(String orderId, String reason, Instant cancelledAt) implements OrderEvent {}

    /** One line of an order. */
    record Line(String sku, int quantity, long unitPriceCents) {}
}
