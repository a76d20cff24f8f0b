package outbox;

import javax.sql.DataSource;

/*
 * Lesson 11 · Transactional outbox: the relay
 *
 * The outbox holds messages that are committed and not yet sent. The relay sends them, oldest first, and marks a
 * row sent only once payments has confirmed it. A message payments did not confirm stays unsent and goes again on
 * the next run; a crash at any moment leaves, at worst, a message sent twice, never one lost. Messages about one
 * order must arrive in the order they were written, so a failure holds back the messages behind it.
 * Check your work with: ./jbang workbook check 11
 */
public final class Relay {
    private final DataSource db;
    private final Publisher publisher;

    public Relay(DataSource db, Publisher publisher) {
        this.db = db;
        this.publisher = publisher;
    }

    /**
     * One run: publishes the unsent rows in the order they were written, marking each sent after its publish
     * is confirmed. At the first PublishFailed the run stops, leaving that row and every later one for the next
     * run (so no message overtakes an earlier one). Nothing runs in the background: the caller decides when.
     * @return how many messages were published and marked sent
     */
    public int runOnce() {
        // Read the unsent rows "order by seq"; for each: publish, and only then "update outbox set sent = true".
        throw new UnsupportedOperationException("TODO: publish the unsent outbox rows in order, marking each sent once confirmed");
    }
}
