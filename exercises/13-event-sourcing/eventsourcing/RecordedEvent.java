package eventsourcing;

import java.time.Instant;

/**
 * Given: one event as the store keeps it. {@code version} is its place in its stream (the stream's first event is
 * version 1); {@code recordedAt} is when the store appended it, from the store's clock.
 */
public record RecordedEvent(String streamId, int version, Instant recordedAt, CartEvent event) {}
