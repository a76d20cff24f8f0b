package outbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/*
 * Lesson 11 · Idempotent consumer
 *
 * The relay sends every message at least once: after a crash between payments' confirmation and the relay's
 * mark, the same message comes again. Payments must charge each order once however often its message arrives.
 * It remembers the id of every message it has processed, in its own database, in the same transaction as the
 * charge: both happen, or neither does, and a restart forgets nothing.
 * Check your work with: ./jbang workbook check 11
 */
public final class PaymentsConsumer {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The SQL state of a duplicate key: the message id is already in processed_messages. */
    private static final String DUPLICATE_KEY = "23505";

    private final DataSource db;

    public PaymentsConsumer(DataSource db) {
        this.db = db;
    }

    /**
     * Handles one delivery of an OrderPlaced message: charges the order's amount (a row in charges) and records
     * the message id in processed_messages, in one transaction. A message whose id is already recorded changes
     * nothing. If the charge fails, the id is not recorded either, so a redelivery charges it.
     * @return true when this delivery charged, false when it was a duplicate
     */
    public boolean handle(Message message) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean firstDelivery = remember(c, message.id());
                if (firstDelivery) charge(c, message);
                c.commit(); // for a duplicate, an empty transaction: its insert was refused and nothing else ran
                return firstDelivery;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not handle message " + message.id() + ": " + e.getMessage(), e);
        }
    }

    /** Records the id; false when it was already there. The primary key decides, even between two consumers. */
    private static boolean remember(Connection c, String messageId) throws SQLException {
        try (var insert = c.prepareStatement("insert into processed_messages (message_id) values (?)")) {
            insert.setString(1, messageId);
            insert.executeUpdate();
        } catch (SQLException e) {
            if (DUPLICATE_KEY.equals(e.getSQLState())) return false;
            throw e;
        }
        return true;
    }

    private static void charge(Connection c, Message message) throws SQLException {
        long amount;
        try {
            amount = JSON.readTree(message.payload()).path("amountCents").asLong();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("message " + message.id() + " has no readable payload", e);
        }
        try (var insert = c.prepareStatement("insert into charges (order_id, amount_cents) values (?, ?)")) {
            insert.setString(1, message.aggregateId());
            insert.setLong(2, amount);
            insert.executeUpdate();
        }
    }
}
