package outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/*
 * Lesson 11 · Transactional outbox
 *
 * The checkout deducted the stock, committed, and then told payments over HTTP. One night the process died
 * between the two: the keyboard left the shelf, and payments never heard of the order. Two writes to two
 * systems cannot be one transaction. An outbox makes them one: the order and the message to payments go into
 * the same database in the same transaction, and a relay (Relay.java) sends the message afterwards.
 *
 * Write placeOrder so it never talks to payments: it deducts the stock, records the order and writes the
 * OrderPlaced message to the outbox, all in one JDBC transaction, or nothing at all.
 * Check your work with: ./jbang workbook check 11
 */
public final class OrderService {
    private final DataSource db;
    private final Publisher payments;

    /**
     * @param payments how the old checkout told payments, straight after its commit; kept here because the old
     *                 code used it. The outbox version does not need it: the relay publishes.
     */
    public OrderService(DataSource db, Publisher payments) {
        this.db = db;
        this.payments = payments;
    }

    /**
     * Deducts {@code order.quantity()} from the sku's stock, inserts the order, and inserts its OrderPlaced
     * message (a new unique id, the order id as aggregate, {@code order.toJson()} as payload) into the outbox,
     * in one transaction. Throws OutOfStock, having written nothing, when there is not enough on hand.
     * @return the message's id
     */
    public String placeOrder(Order order) {
        String messageId = UUID.randomUUID().toString();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                deductStock(c, order);
                insertOrder(c, order);
                insertIntoOutbox(c, new Message(messageId, order.orderId(), Message.ORDER_PLACED, order.toJson()));
                c.commit();
                return messageId;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not place order " + order.orderId() + ": " + e.getMessage(), e);
        }
    }

    private static void deductStock(Connection c, Order order) throws SQLException {
        try (var update = c.prepareStatement("update stock set on_hand = on_hand - ? where sku = ? and on_hand >= ?")) {
            update.setInt(1, order.quantity());
            update.setString(2, order.sku());
            update.setInt(3, order.quantity());
            if (update.executeUpdate() != 1) throw new OutOfStock(order.sku(), order.quantity());
        }
    }

    private static void insertOrder(Connection c, Order order) throws SQLException {
        try (var insert = c.prepareStatement("insert into orders (order_id, sku, quantity, amount_cents) values (?, ?, ?, ?)")) {
            insert.setString(1, order.orderId());
            insert.setString(2, order.sku());
            insert.setInt(3, order.quantity());
            insert.setLong(4, order.amountCents());
            insert.executeUpdate();
        }
    }

    private static void insertIntoOutbox(Connection c, Message message) throws SQLException {
        try (var insert = c.prepareStatement("insert into outbox (message_id, aggregate_id, type, payload) values (?, ?, ?, ?)")) {
            insert.setString(1, message.id());
            insert.setString(2, message.aggregateId());
            insert.setString(3, message.type());
            insert.setString(4, message.payload());
            insert.executeUpdate();
        }
    }
}
