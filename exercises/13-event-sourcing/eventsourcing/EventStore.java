package eventsourcing;

import java.time.InstantSource;
import java.util.List;
import javax.sql.DataSource;

/*
 * Lesson 13 · Event sourcing: the event store
 *
 * Every change to every cart is a row in the events table (Schema.EVENTS), appended and never updated or deleted:
 * the diary the support team reads when a customer asks where her coupon went. Two writers may have loaded the
 * same version of a cart; only the first may append after it. The second gets a ConcurrencyConflict, reloads,
 * and decides again on what the cart is now.
 *
 * Write append (expected-version concurrency, one transaction) and load (in version order).
 * Check your work with: ./jbang workbook check 13
 */
public final class EventStore {
    /** H2's SQL state for a duplicate key: here, another writer's row already holds this (stream_id, version). */
    private static final String DUPLICATE_KEY = "23505";

    private final DataSource db;
    private final InstantSource clock;

    /** @param clock stamps each event's recordedAt; tests and lessons give a clock they move themselves */
    public EventStore(DataSource db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Appends {@code events} to the stream, as versions expectedVersion + 1, + 2, ..., all stamped with the clock's
     * time now, in one transaction: all of them or none. When the stream is not at {@code expectedVersion} (0 for a
     * stream with no events yet), or another writer appends the same version first, throws ConcurrencyConflict and
     * writes nothing. Never updates or deletes a row.
     * @return the stream's new version
     */
    public int append(String streamId, int expectedVersion, List<CartEvent> events) {
        if (events.isEmpty()) throw new IllegalArgumentException("no events to append to " + streamId);
        // One connection, setAutoCommit(false): "select coalesce(max(version), 0) from events where stream_id = ?",
        // compare, then one insert per event (Codec.type, Codec.toJson, clock.instant().atOffset(ZoneOffset.UTC)),
        // commit; roll back on any failure. A duplicate key (SQL state DUPLICATE_KEY) is a conflict too.
        throw new UnsupportedOperationException("TODO: append the events at expectedVersion + 1, ..., or throw ConcurrencyConflict");
    }

    /** Every event of the stream, oldest first: in version order, whatever the clock said when each was recorded. */
    public List<RecordedEvent> load(String streamId) {
        // rows.getObject(column, OffsetDateTime.class).toInstant() reads recorded_at; Codec.fromJson(type, payload) the event.
        throw new UnsupportedOperationException("TODO: load the stream's events in version order");
    }
}
