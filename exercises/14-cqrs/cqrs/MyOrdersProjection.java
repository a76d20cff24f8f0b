package cqrs;

import java.sql.Connection;
import java.sql.SQLException;
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
        // One connection, setAutoCommit(false): compare the position with the checkpoint, switch over
        // stored.event() to change my_orders and customer_summary, update projection_checkpoint, commit.
        throw new UnsupportedOperationException("TODO: apply the event and save its position as the checkpoint in one transaction; skip an event at or before the checkpoint");
    }

    /**
     * Applies every event the feed has after the checkpoint, oldest first, batch by batch until the feed has
     * nothing more.
     * @return how many events it applied
     */
    public int catchUp(EventFeed feed) {
        // feed.after(checkpoint(), BATCH) until it answers an empty list.
        throw new UnsupportedOperationException("TODO: apply the feed's events after the saved checkpoint until there are none left");
    }

    /**
     * Throws the read model away and builds it again from the first event: the rows, the summaries and the
     * checkpoint are cleared in one transaction, then every event is applied.
     * @return how many events it applied
     */
    public int rebuild(EventFeed feed) {
        throw new UnsupportedOperationException("TODO: clear my_orders, customer_summary and the checkpoint in one transaction, then catch up from the first event");
    }

    /** The checkpoint as saved in the read store: Schema.READ inserts its one row, and nothing deletes it. */
    private static long checkpointIn(Connection c) throws SQLException {
        try (var select = c.prepareStatement("select position from projection_checkpoint where projection = 'my-orders'");
             var rs = select.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
