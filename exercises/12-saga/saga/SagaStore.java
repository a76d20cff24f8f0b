package saga;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Given: the saga's state, in the order service's H2 database (tables in Schema.SAGAS). Every method is one
 * statement, committed when it returns: what it wrote survives a crash, and what it had not written yet does not.
 * Steps are numbered by their place in the saga's list, 0 first.
 */
public final class SagaStore {
    /** Where a saga is. RUNNING and COMPENSATING are under way; COMPLETED and COMPENSATED are final. */
    public enum Status { RUNNING, COMPENSATING, COMPLETED, COMPENSATED }

    /** Where a step is. A step with no state has not succeeded (not called yet, or called and failed). */
    public enum StepState { DONE, COMPENSATED }

    /** One saga as the database has it. */
    public record Saga(String orderId, Status status, Map<Integer, StepState> steps, String failedStep, String reason) {
        /** The step's state, or null when it has none: it never succeeded. */
        public StepState step(int step) { return steps.get(step); }
    }

    private final DataSource db;

    public SagaStore(DataSource db) {
        this.db = db;
    }

    /** The saga of this order, if one was ever begun. */
    public Optional<Saga> find(String orderId) {
        try (Connection c = db.getConnection();
             var saga = c.prepareStatement("select status, failed_step, reason from sagas where order_id = ?");
             var steps = c.prepareStatement("select step, state from saga_steps where order_id = ?")) {
            saga.setString(1, orderId);
            steps.setString(1, orderId);
            try (var row = saga.executeQuery(); var rows = steps.executeQuery()) {
                if (!row.next()) return Optional.empty();
                Map<Integer, StepState> states = new HashMap<>();
                while (rows.next()) states.put(rows.getInt(1), StepState.valueOf(rows.getString(2)));
                return Optional.of(new Saga(orderId, Status.valueOf(row.getString(1)), Map.copyOf(states), row.getString(2), row.getString(3)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the saga of " + orderId + ": " + e.getMessage(), e);
        }
    }

    /** Records a new saga for the order, RUNNING, with no step done. */
    public void begin(String orderId) {
        write("insert into sagas (order_id, status) values (?, 'RUNNING')", orderId);
    }

    /** Records that a step succeeded. */
    public void stepDone(String orderId, int step) {
        write("insert into saga_steps (order_id, step, state) values (?, ?, 'DONE')", orderId, step);
    }

    /** Records that a step failed and the saga now undoes what was done: COMPENSATING, with the step and why. */
    public void compensating(String orderId, String failedStep, String reason) {
        write("update sagas set status = 'COMPENSATING', failed_step = ?, reason = ? where order_id = ?", failedStep, reason, orderId);
    }

    /** Records that a done step's compensation succeeded. */
    public void stepCompensated(String orderId, int step) {
        write("update saga_steps set state = 'COMPENSATED' where order_id = ? and step = ?", orderId, step);
    }

    /** Records the saga's end: COMPLETED or COMPENSATED. */
    public void finish(String orderId, Status status) {
        if (status != Status.COMPLETED && status != Status.COMPENSATED) throw new IllegalArgumentException("a saga finishes COMPLETED or COMPENSATED, not " + status);
        write("update sagas set status = ? where order_id = ?", status.name(), orderId);
    }

    private void write(String sql, Object... parameters) {
        try (Connection c = db.getConnection(); var statement = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) statement.setObject(i + 1, parameters[i]);
            if (statement.executeUpdate() != 1) throw new IllegalStateException("no saga row for: " + sql + " " + java.util.Arrays.toString(parameters));
        } catch (SQLException e) {
            throw new IllegalStateException("could not record the saga's state: " + e.getMessage(), e);
        }
    }
}
