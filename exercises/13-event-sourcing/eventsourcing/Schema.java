package eventsourcing;

/** Given: the event store's one table. There is no carts table: a cart is whatever its events make it. */
public final class Schema {
    private Schema() {}

    /**
     * One row per event, never updated, never deleted. {@code stream_id} is the cart's id; {@code version} counts
     * its events from 1. The unique (stream_id, version) is the last line of defence: two writers can never both
     * append version 4 of one cart, however close together they come.
     */
    public static final String EVENTS = """
        create table events (
            position bigint generated always as identity primary key,
            stream_id varchar(64) not null,
            version int not null,
            type varchar(64) not null,
            payload varchar(1000) not null,
            recorded_at timestamp with time zone not null,
            constraint one_event_per_version unique (stream_id, version));
        """;
}
