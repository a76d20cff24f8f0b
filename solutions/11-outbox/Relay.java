package outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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
        int sent = 0;
        for (var row : unsent()) {
            try {
                publisher.publish(row.message());
            } catch (PublishFailed notConfirmed) {
                return sent; // the rest waits for the next run, behind this one
            }
            markSent(row.seq());
            sent++;
        }
        return sent;
    }

    private record Row(long seq, Message message) {}

    private List<Row> unsent() {
        try (Connection c = db.getConnection();
             var select = c.prepareStatement("select seq, message_id, aggregate_id, type, payload from outbox where not sent order by seq")) {
            List<Row> rows = new ArrayList<>();
            try (var rs = select.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), new Message(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5))));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the outbox: " + e.getMessage(), e);
        }
    }

    private void markSent(long seq) {
        try (Connection c = db.getConnection(); var update = c.prepareStatement("update outbox set sent = true where seq = ?")) {
            update.setLong(1, seq);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not mark outbox row " + seq + " sent: " + e.getMessage(), e);
        }
    }
}
