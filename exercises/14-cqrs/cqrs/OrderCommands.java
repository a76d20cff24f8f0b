package cqrs;

import cqrs.OrderEvent.Line;
import cqrs.OrderEvent.OrderCancelled;
import cqrs.OrderEvent.OrderPaid;
import cqrs.OrderEvent.OrderPlaced;
import cqrs.OrderEvent.OrderShipped;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;

/**
 * Given: the command side. Each command changes the normalized write tables and appends its event, in one
 * transaction of the write store, and returns the event's position: the version the caller can wait for.
 */
public final class OrderCommands {
    private final DataSource writeStore;
    private final Clock clock;

    public OrderCommands(DataSource writeStore, Clock clock) {
        this.writeStore = writeStore;
        this.clock = clock;
    }

    public long placeOrder(String orderId, String customerId, List<Line> lines) {
        var placed = new OrderPlaced(orderId, customerId, lines, clock.instant());
        return inTransaction(placed, c -> {
            try (var order = c.prepareStatement("insert into orders (order_id, customer_id, placed_at) values (?, ?, ?)");
                 var line = c.prepareStatement("insert into order_lines (order_id, line_no, sku, quantity, unit_price_cents) values (?, ?, ?, ?, ?)")) {
                order.setString(1, orderId);
                order.setString(2, customerId);
                order.setTimestamp(3, Timestamp.from(placed.placedAt()));
                order.executeUpdate();
                for (int i = 0; i < lines.size(); i++) {
                    line.setString(1, orderId);
                    line.setInt(2, i + 1);
                    line.setString(3, lines.get(i).sku());
                    line.setInt(4, lines.get(i).quantity());
                    line.setLong(5, lines.get(i).unitPriceCents());
                    line.executeUpdate();
                }
            }
        });
    }

    public long pay(String orderId) {
        var paid = new OrderPaid(orderId, clock.instant());
        return inTransaction(paid, c -> insert(c, "insert into payments (order_id, paid_at) values (?, ?)", orderId, paid.paidAt()));
    }

    public long ship(String orderId, String trackingCode) {
        var shipped = new OrderShipped(orderId, trackingCode, clock.instant());
        return inTransaction(shipped, c -> insert(c, "insert into shipments (order_id, shipped_at, tracking_code) values (?, ?, ?)",
            orderId, shipped.shippedAt(), trackingCode));
    }

    public long cancel(String orderId, String reason) {
        var cancelled = new OrderCancelled(orderId, reason, clock.instant());
        return inTransaction(cancelled, c -> insert(c, "insert into cancellations (order_id, cancelled_at, reason) values (?, ?, ?)",
            orderId, cancelled.cancelledAt(), reason));
    }

    private interface Change { void in(Connection c) throws SQLException; }

    /** The change and its event commit together; returns the event's position. */
    private long inTransaction(OrderEvent event, Change change) {
        try (Connection c = writeStore.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!(event instanceof OrderPlaced) && !exists(c, event.orderId())) throw new UnknownOrder(event.orderId());
                change.in(c);
                long position = EventTable.append(c, event);
                c.commit();
                return position;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(event.getClass().getSimpleName() + " for " + event.orderId() + " failed: " + e.getMessage(), e);
        }
    }

    private static boolean exists(Connection c, String orderId) throws SQLException {
        try (var select = c.prepareStatement("select 1 from orders where order_id = ?")) {
            select.setString(1, orderId);
            try (var rs = select.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void insert(Connection c, String sql, String orderId, Instant at, String... more) throws SQLException {
        try (var insert = c.prepareStatement(sql)) {
            insert.setString(1, orderId);
            insert.setTimestamp(2, Timestamp.from(at));
            for (int i = 0; i < more.length; i++) insert.setString(3 + i, more[i]);
            insert.executeUpdate();
        }
    }
}
