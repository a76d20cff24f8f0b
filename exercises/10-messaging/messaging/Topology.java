package messaging;

import kit.Broker;

/**
 * The names the shop's services agree on, and the broker's rules for messages nobody can process.
 */
public final class Topology {
    /** Orders publishes every OrderPlaced here; each subscriber gets its own copy. */
    public static final String ORDERS_TOPIC = "orders";

    /** Queues of order work start with this prefix ("orders.to-ship"); the workers on one queue compete. */
    public static final String ORDERS_QUEUE_PREFIX = "orders.";

    /** Where a message goes when it failed MAX_DELIVERY_ATTEMPTS times. */
    public static final String DEAD_LETTERS = "dead.orders";

    /** How many times a message is delivered, the first delivery included, before it is a dead letter. */
    public static final int MAX_DELIVERY_ATTEMPTS = 3;

    private Topology() {}

    /**
     * Tells the broker: a message on the orders topic or on any orders queue that failed MAX_DELIVERY_ATTEMPTS
     * times goes to DEAD_LETTERS. Called once, when the system starts.
     */
    public static void configure(Broker broker) {
        // TODO: one call on the broker. Look at kit.Broker's deadLetterAfter, and at Artemis' address wildcards:
        //       "orders.#" matches "orders" and every address that starts with "orders.".
        throw new UnsupportedOperationException("TODO: configure redelivery: at most MAX_DELIVERY_ATTEMPTS, then DEAD_LETTERS");
    }
}
