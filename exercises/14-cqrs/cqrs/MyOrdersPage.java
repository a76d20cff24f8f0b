package cqrs;

import java.util.List;

/**
 * Given: what {@code GET /customers/{customerId}/orders} answers, as JSON. {@code version} is the read model's
 * checkpoint when the page was read: the page shows every event up to that position. {@code orders} counts every
 * order the customer placed, {@code spentCents} what the orders that were not cancelled cost, and {@code recent}
 * lists the orders newest first.
 */
public record MyOrdersPage(String customerId, long version, int orders, long spentCents, List<MyOrder> recent) {}
