package eventsourcing;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
        Instant now = clock.instant();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                int current = currentVersion(c, streamId);
                if (current != expectedVersion) throw new ConcurrencyConflict(streamId, expectedVersion, current);
                int version = insert(c, streamId, expectedVersion, events, now);
                c.commit();
                return version;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                if (e instanceof SQLException sql && DUPLICATE_KEY.equals(sql.getSQLState())) {
                    // Another writer appended this version between our check and our insert: the unique
                    // (stream_id, version) refused ours. The same conflict, found a moment later.
                    throw new ConcurrencyConflict(streamId, expectedVersion, currentVersion(c, streamId));
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not append to " + streamId + ": " + e.getMessage(), e);
        }
    }

    /** Every event of the stream, oldest first: in version order, whatever the clock said when each was recorded. */
    public List<RecordedEvent> load(String streamId) {
        var events = new ArrayList<RecordedEvent>();
        try (Connection c = db.getConnection();
             var select = c.prepareStatement("select version, recorded_at, type, payload from events where stream_id = ? order by version")) {
            select.setString(1, streamId);
            try (var rows = select.executeQuery()) {
                while (rows.next()) {
                    events.add(new RecordedEvent(streamId, rows.getInt(1), rows.getObject(2, OffsetDateTime.class).toInstant(),
                        Codec.fromJson(rows.getString(3), rows.getString(4))));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not load " + streamId + ": " + e.getMessage(), e);
        }
        return events;
    }

    private static int currentVersion(Connection c, String streamId) throws SQLException {
        try (var select = c.prepareStatement("select coalesce(max(version), 0) from events where stream_id = ?")) {
            select.setString(1, streamId);
            try (var rows = select.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static int insert(Connection c, String streamId, int after, List<CartEvent> events, Instant now) throws SQLException {
        int version = after;
        try (var insert = c.prepareStatement("insert into events (stream_id, version, type, payload, recorded_at) values (?, ?, ?, ?, ?)")) {
            for (CartEvent event : events) {
                insert.setString(1, streamId);
                insert.setInt(2, ++version);
                insert.setString(3, Codec.type(event));
                insert.setString(4, Codec.toJson(event));
                insert.setObject(5, now.atOffset(ZoneOffset.UTC));
                insert.executeUpdate();
            }
        }
        return version;
    }
}
