package eventsourcing;

import java.time.Instant;
import java.util.List;

/*
 * Lesson 13 · Event sourcing: the carts service
 *
 * Ada shops on her phone and her laptop at once. Each device decides on the version of the cart it last saw, and
 * says so; a decision on an old version is refused, so her laptop cannot check out a total her phone has already
 * changed. And because nothing is ever overwritten, the cart as it was at any version, or at any moment, is one
 * replay away: what did her cart look like at 09:15, when she took the screenshot?
 *
 * Write handle (decide on the version the writer saw, append at it), and the two asOf queries.
 * Check your work with: ./jbang workbook check 13
 */
public final class Carts {
    private final EventStore store;

    public Carts(EventStore store) {
        this.store = store;
    }

    /** The cart now: rebuilt from all of its events. */
    public Cart load(String cartId) {
        return Cart.rebuild(cartId, events(store.load(cartId)));
    }

    /**
     * Handles a command from a writer who last saw the cart at {@code expectedVersion}: rebuilds the cart, and when
     * it is at another version throws ConcurrencyConflict; otherwise lets the cart decide (CartRejected appends
     * nothing) and appends its changes at expectedVersion.
     * @return the cart's new version
     */
    public int handle(String cartId, int expectedVersion, CartCommand command) {
        // load, compare cart.version() with expectedVersion, cart.handle(command), store.append(..., cart.changes()).
        throw new UnsupportedOperationException("TODO: decide on the version the writer saw, and append the changes at it");
    }

    /**
     * The cart as it was at {@code version}: its first {@code version} events replayed (0 is the empty cart).
     * A version the cart has not reached is an IllegalArgumentException.
     */
    public Cart asOf(String cartId, int version) {
        throw new UnsupportedOperationException("TODO: replay the cart's first `version` events");
    }

    /** The cart as it was at the instant {@code at}: the events recorded at or before it, replayed in order. */
    public Cart asOf(String cartId, Instant at) {
        throw new UnsupportedOperationException("TODO: replay the events recorded at or before `at`");
    }

    private static List<CartEvent> events(List<RecordedEvent> recorded) {
        return recorded.stream().map(RecordedEvent::event).toList();
    }
}
