package cqrs;

import java.util.List;

/** Given: the stream of the order service's events, read from a position on. */
@FunctionalInterface
public interface EventFeed {
    /**
     * The events after {@code position} (not including it), oldest first: at most {@code limit} of them, and maybe
     * fewer even when more are waiting. An empty list means there is nothing after {@code position} yet.
     */
    List<StoredEvent> after(long position, int limit);
}
