package cqrs;

import cqrs.OrderEvent.OrderCancelled;
import cqrs.OrderEvent.OrderPaid;
import cqrs.OrderEvent.OrderPlaced;
import cqrs.OrderEvent.OrderShipped;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import javax.sql.DataSource;

/*
 * Lesson 14 · CQRS: the projection
 *
 * The "my orders" page is the shop's most visited, and the order service answered it with a five-table join on
 * the same database that takes the orders. Now the page has a store of its own, shaped like the page: one row per
 * order, its items, total and status already worked out. This projection keeps it up to date from the order
 * service's events, remembering in the same store how far it got (the checkpoint), so a restart, a duplicate
 * delivery or a rebuild from scratch all end in the same read model.
 * Check your work with: ./jbang workbook check 14
 */
public final class MyOrdersProjection {
    /** How many events catchUp asks the feed for at a time. */
    static final int BATCH = 100;

    private final DataSource readStore;

    public MyOrdersProjection(DataSource readStore) {
        this.readStore = readStore;
    }

    /** The position of the last event applied to the read store, as saved there (0 before the first). */
    public long checkpoint() {
        try (Connection c = readStore.getConnection()) {
            return checkpointIn(c);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the checkpoint: " + e.getMessage(), e);
        }
    }

    /**
     * Applies one event to the read model and saves its position as the checkpoint, in one transaction of the
     * read store. An event at or before the checkpoint was applied already: it changes nothing.
     * @return true when the event was applied, false when it was a duplicate
     */
    public boolean apply(StoredEvent stored) {
        try (Connection c = readStore.getConnection()) {
            c.setAutoCommit(false);
            try {
                // At or before the checkpoint: seen it already, a redelivery or a replay of old events.
                boolean isNew = stored.position() > checkpointIn(c);
                if (isNew) {
                    switch (stored.event()) {
                        case OrderPlaced placed -> placed(c, placed);
                        case OrderPaid paid -> status(c, paid.orderId(), MyOrder.PAID);
                        case OrderShipped shipped -> shipped(c, shipped);
                        case OrderCancelled cancelled -> cancelled(c, cancelled);
                    }
                    update(c, "update projection_checkpoint set position = ? where projection = 'my-orders'", stored.position());
                }
                c.commit();                            // the change and its checkpoint: both, or neither
                return isNew;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not apply event " + stored.position() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies every event the feed has after the checkpoint, oldest first, batch by batch until the feed has
     * nothing more.
     * @return how many events it applied
     */
    public int catchUp(EventFeed feed) {
        int applied = 0;
        for (var batch = feed.after(checkpoint(), BATCH); !batch.isEmpty(); batch = feed.after(checkpoint(), BATCH)) {
            for (StoredEvent event : batch) {
                if (apply(event)) applied++;
            }
        }
        return applied;
    }

    /**
     * Throws the read model away and builds it again from the first event: the rows, the summaries and the
     * checkpoint are cleared in one transaction, then every event is applied.
     * @return how many events it applied
     */
    public int rebuild(EventFeed feed) {
        try (Connection c = readStore.getConnection()) {
            c.setAutoCommit(false);
            try (var clear = c.createStatement()) {
                clear.executeUpdate("delete from my_orders");
                clear.executeUpdate("delete from customer_summary");
                clear.executeUpdate("update projection_checkpoint set position = 0 where projection = 'my-orders'");
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not clear the read model: " + e.getMessage(), e);
        }
        return catchUp(feed);
    }

    /** The checkpoint as saved in the read store: Schema.READ inserts its one row, and nothing deletes it. */
    private static long checkpointIn(Connection c) throws SQLException {
        try (var select = c.prepareStatement("select position from projection_checkpoint where projection = 'my-orders'");
             var rs = select.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void placed(Connection c, OrderPlaced placed) throws SQLException {
        try (var row = c.prepareStatement(
                "insert into my_orders (order_id, customer_id, placed_at, items, total_cents, status) values (?, ?, ?, ?, ?, ?)")) {
            row.setString(1, placed.orderId());
            row.setString(2, placed.customerId());
            row.setTimestamp(3, Timestamp.from(placed.placedAt()));
            row.setInt(4, placed.itemCount());
            row.setLong(5, placed.totalCents());
            row.setString(6, MyOrder.PLACED);
            row.executeUpdate();
        }
        // Adding to a total is not idempotent by itself: only the checkpoint keeps a redelivery from counting twice.
        if (update(c, "update customer_summary set orders = orders + 1, spent_cents = spent_cents + ? where customer_id = ?",
                placed.totalCents(), placed.customerId()) == 0) {
            update(c, "insert into customer_summary (orders, spent_cents, customer_id) values (1, ?, ?)", placed.totalCents(), placed.customerId());
        }
    }

    private static void status(Connection c, String orderId, String status) throws SQLException {
        update(c, "update my_orders set status = ? where order_id = ?", status, orderId);
    }

    private static void shipped(Connection c, OrderShipped shipped) throws SQLException {
        update(c, "update my_orders set status = ?, tracking_code = ? where order_id = ?", MyOrder.SHIPPED, shipped.trackingCode(), shipped.orderId());
    }

    private static void cancelled(Connection c, OrderCancelled cancelled) throws SQLException {
        // A cancelled order no longer counts in what its customer spent.
        update(c, """
            update customer_summary s set spent_cents = spent_cents - (select total_cents from my_orders o where o.order_id = ?)
            where customer_id = (select customer_id from my_orders o where o.order_id = ?)""", cancelled.orderId(), cancelled.orderId());
        status(c, cancelled.orderId(), MyOrder.CANCELLED);
    }

    private static int update(Connection c, String sql, Object... parameters) throws SQLException {
        try (var update = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) update.setObject(i + 1, parameters[i]);
            return update.executeUpdate();
        }
    }
}
