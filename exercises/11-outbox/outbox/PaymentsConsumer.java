package outbox;

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
        // The payload is JSON with "amountCents"; the order is message.aggregateId(). A duplicate message id in
        // processed_messages' primary key is an SQLException with getSQLState() "23505".
        throw new UnsupportedOperationException("TODO: charge once per message id, recording the id in the same transaction");
    }
}
