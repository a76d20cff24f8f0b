package cqrs;

/**
 * Given: an event as the stream delivers it, with its {@code position}: 1, 2, 3, ... in the order the order
 * service committed them (a position may be skipped, never reused). The position of the last event a projection
 * applied is its checkpoint; the position of the event a command wrote is the version the command answers with.
 */
public record StoredEvent(long position, OrderEvent event) {}
