package outbox;

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
        // One connection, setAutoCommit(false), three statements (Schema.ORDERS has the tables), commit;
        // rollback when anything fails. "update stock ... where sku = ? and on_hand >= ?" tells you if there was enough.
        throw new UnsupportedOperationException("TODO: deduct the stock, insert the order and its outbox row in one transaction");
    }
}
