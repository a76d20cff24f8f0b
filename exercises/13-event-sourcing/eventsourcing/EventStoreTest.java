package eventsourcing;

import static eventsourcing.CartTest.A_MOUSE;
import static eventsourcing.CartTest.TENOFF;
import static eventsourcing.CartTest.TWO_KEYBOARDS;
import static org.assertj.core.api.Assertions.assertThat;

import eventsourcing.CartEvent.ItemAdded;
import eventsourcing.CartEvent.ItemRemoved;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import kit.Database;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("13 · The event store: append-only, in order, one writer per version")
class EventStoreTest {
    // Ada's cart, as in CartTest; and the phone's removal of the mouse.
    static final ItemRemoved NO_MOUSE = new ItemRemoved("MS-7", 1);

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-02T09:10:00Z"));
    private Database db;

    @BeforeEach
    void freshDatabase() {
        db = Database.inMemory("carts");
        db.run(Schema.EVENTS);
        // A writer that finds another's uncommitted row at its version waits for that commit; give it time under load.
        db.run("set default_lock_timeout 20000");
    }

    @AfterEach
    void deleteDatabase() { db.delete(); }

    @Test
    @Points(2)
    @DisplayName("Appending to a new cart gives versions 1, 2, 3, each event stamped with the clock's time when it was appended")
    @Hint({"Read 'The event store' in the lesson's README. What is the version of a stream with no events, and of each event appended?",
           "A stream with no events is at version 0. Each appended event takes the next version, stamped with the clock's time now; append returns the last version. load gives them back.",
           "Last hint: one row per event (stream_id, version, type, payload, recorded_at) with Codec.type(event), Codec.toJson(event) and clock.instant(); load reads them back with Codec.fromJson(type, payload)."})
    void appendsAndLoads() {
        var store = new EventStore(db.dataSource(), clock);
        Instant first = clock.instant();
        int afterTwo = store.append("c-7", 0, List.of(TWO_KEYBOARDS, A_MOUSE));
        clock.advance(Duration.ofMinutes(3));
        int afterThree = store.append("c-7", 2, List.of(TENOFF));

        assertThat(afterTwo).withFailMessage("appending 2 events to a new cart should return its new version 2, not %d", afterTwo).isEqualTo(2);
        assertThat(afterThree).withFailMessage("appending 1 more should return version 3, not %d", afterThree).isEqualTo(3);
        var loaded = store.load("c-7");
        var expected = List.of(new RecordedEvent("c-7", 1, first, TWO_KEYBOARDS), new RecordedEvent("c-7", 2, first, A_MOUSE),
            new RecordedEvent("c-7", 3, first.plus(Duration.ofMinutes(3)), TENOFF));
        assertThat(loaded).withFailMessage("load(\"c-7\") should give back%n  %s%nbut gave%n  %s", expected, loaded).isEqualTo(expected);
    }

    @Test
    @DisplayName("Each cart has a stream of its own: c-8's first event is its version 1, whatever c-7 holds")
    @Hint({"Does a version count the events of one cart, or of the whole table?",
           "Each cart has a stream of its own, and versions count within it: c-8's first event is its version 1.",
           "Last hint: every query needs \"where stream_id = ?\": the current version (select coalesce(max(version), 0) ...) and load."})
    void streamsAreSeparate() {
        var store = new EventStore(db.dataSource(), clock);
        store.append("c-7", 0, List.of(TWO_KEYBOARDS, A_MOUSE));
        int c8 = Expect.returns(() -> store.append("c-8", 0, List.of(A_MOUSE)), "c-8 is a new cart, at version 0");
        store.append("c-7", 2, List.of(TENOFF));

        assertThat(c8).withFailMessage("c-8's first event should be its version 1, not %d", c8).isEqualTo(1);
        var loaded = store.load("c-8");
        assertThat(loaded).withFailMessage("c-8 should hold only its own mouse, as version 1, but load gave %s", loaded)
            .containsExactly(new RecordedEvent("c-8", 1, clock.instant(), A_MOUSE));
        assertThat(store.load("c-7")).withFailMessage("c-7 should hold its 3 events").hasSize(3);
    }

    @Test
    @Points(3)
    @DisplayName("Two writers loaded version 2: the first appends version 3, the second gets a ConcurrencyConflict and writes nothing")
    @Hint({"Read 'Two writers, one cart' in the lesson's README. The second writer decided on version 2. Is the cart still at version 2?",
           "Optimistic concurrency: only a writer that is up to date may append. A writer whose expected version is not the stream's current one gets a ConcurrencyConflict, and nothing is written.",
           "Last hint: in append's transaction read the current version first; if (current != expectedVersion) throw new ConcurrencyConflict(streamId, expectedVersion, current); and insert nothing."})
    void staleVersionRejected() {
        var store = new EventStore(db.dataSource(), clock);
        store.append("c-7", 0, List.of(TWO_KEYBOARDS, A_MOUSE));

        int phone = store.append("c-7", 2, List.of(NO_MOUSE));                // the phone removes the mouse
        var conflict = Expect.thrown(ConcurrencyConflict.class, () -> store.append("c-7", 2, List.of(TENOFF)), // the laptop, still at 2
            "the laptop loaded version 2 and appends after it, but the phone has appended version 3 since");

        assertThat(phone).isEqualTo(3);
        assertThat(conflict.expectedVersion() + "/" + conflict.actualVersion()).withFailMessage(
            "the conflict should say the writer expected version 2 and the stream is at 3, but says %d and %d",
            conflict.expectedVersion(), conflict.actualVersion()).isEqualTo("2/3");
        var events = store.load("c-7").stream().map(RecordedEvent::event).toList();
        assertThat(events).withFailMessage("the stale coupon must not be written: c-7 should hold %s, but holds %s",
            List.of(TWO_KEYBOARDS, A_MOUSE, NO_MOUSE), events).containsExactly(TWO_KEYBOARDS, A_MOUSE, NO_MOUSE);
    }

    @Test
    @DisplayName("A writer that expects a version the cart has not reached yet is refused too")
    @Hint({"Expecting version 5 of a cart at version 2: is that less wrong than expecting version 1?",
           "A writer that expects any other version than the current one did not see this cart. Both directions are a conflict.",
           "Last hint: compare with !=, not with < or >: if (current != expectedVersion) throw new ConcurrencyConflict(...)."})
    void versionAheadRejected() {
        var store = new EventStore(db.dataSource(), clock);
        store.append("c-7", 0, List.of(TWO_KEYBOARDS, A_MOUSE));

        Expect.thrown(ConcurrencyConflict.class, () -> store.append("c-7", 5, List.of(TENOFF)), "c-7 is at version 2, and the writer expected 5");
        Expect.thrown(ConcurrencyConflict.class, () -> store.append("c-9", 1, List.of(TENOFF)), "c-9 has no events (version 0), and the writer expected 1");

        assertThat(store.load("c-7")).withFailMessage("nothing should have been appended to c-7").hasSize(2);
        assertThat(store.load("c-9")).withFailMessage("nothing should have been appended to c-9").isEmpty();
    }

    @Test
    @Points(3)
    @DisplayName("Two writers at the same instant: both pass the version check, the database's unique version lets one in, the other gets a ConcurrencyConflict")
    @Hint({"Two writers check the version at the same instant, and both pass. What stops the second insert? ('Two writers, one cart' in the lesson's README.)",
           "The database checks again at the append: the table's unique (stream_id, version) refuses the second insert with a duplicate key. It is the same conflict, found a moment later.",
           "Last hint: catch the SQLException whose getSQLState() is \"23505\", roll back, and throw new ConcurrencyConflict(...)."})
    void simultaneousWritersOneWins() throws Exception {
        new EventStore(db.dataSource(), clock).append("c-7", 0, List.of(TWO_KEYBOARDS, A_MOUSE));
        // Each writer is held just before its first insert until the other has got there too: both have checked the version.
        var bothChecked = new CyclicBarrier(2);
        List<Object> outcomes;
        try (var writers = Executors.newFixedThreadPool(2)) {   // two threads of their own: the two writers must run at once
            var phone = writers.submit(() -> outcome(() -> new EventStore(heldBeforeInsert(db.dataSource(), bothChecked), clock)
                .append("c-7", 2, List.of(NO_MOUSE))));
            var laptop = writers.submit(() -> outcome(() -> new EventStore(heldBeforeInsert(db.dataSource(), bothChecked), clock)
                .append("c-7", 2, List.of(TENOFF))));
            outcomes = List.of(phone.get(), laptop.get());
        }
        for (Object o : outcomes) if (o instanceof UnsupportedOperationException todo) throw todo;

        assertThat(outcomes.stream().filter(o -> o.equals(3)).count()).withFailMessage(
            "exactly one writer should have appended version 3, but the outcomes were %s", outcomes).isEqualTo(1);
        assertThat(outcomes.stream().filter(o -> o instanceof ConcurrencyConflict).count()).withFailMessage(
            "the other writer should get a ConcurrencyConflict (the duplicate key means another writer got there first), but the outcomes were %s",
            outcomes).isEqualTo(1);
        assertThat(new EventStore(db.dataSource(), clock).load("c-7")).withFailMessage("c-7 should hold 3 events").hasSize(3);
    }

    @Test
    @Points(2)
    @DisplayName("Events come back in version order, even when the server's clock stepped back an hour between two appends")
    @Hint({"Clocks jump. What says an event's place in its stream: its time or its version? ('The event store' in the lesson's README.)",
           "Ordered by version, not by time: a stream ordered by recorded_at can apply CouponDropped before CouponApplied. The timestamp is for people and for time travel.",
           "Last hint: load: \"select ... from events where stream_id = ? order by version\"."})
    void loadsInVersionOrder() {
        var store = new EventStore(db.dataSource(), clock);
        store.append("c-7", 0, List.of(TWO_KEYBOARDS));
        store.append("c-7", 1, List.of(A_MOUSE));
        clock.set(clock.instant().minus(Duration.ofHours(1)));      // the clock is corrected backwards
        store.append("c-7", 2, List.of(TENOFF));
        clock.advance(Duration.ofMinutes(30));
        store.append("c-7", 3, List.of(NO_MOUSE));

        var versions = store.load("c-7").stream().map(RecordedEvent::version).toList();
        var events = store.load("c-7").stream().map(RecordedEvent::event).toList();
        assertThat(versions).withFailMessage("load should give versions [1, 2, 3, 4] in that order, but gave %s", versions).containsExactly(1, 2, 3, 4);
        assertThat(events).withFailMessage("the events should come back in the order they were appended, but came %s", events)
            .containsExactly(TWO_KEYBOARDS, A_MOUSE, TENOFF, NO_MOUSE);
    }

    @Test
    @Points(2)
    @DisplayName("An append is all or nothing: when its second event cannot be stored, the first is not stored either")
    @Hint({"Can ItemRemoved be stored without its CouponDropped? ('The event store' in the lesson's README.)",
           "A command's events belong together: all of them or none. A diary with only the first tells a story that never happened.",
           "Last hint: one connection, c.setAutoCommit(false) before the first insert, c.commit() after the last, c.rollback() when anything fails."})
    void appendIsAtomic() {
        var store = new EventStore(db.dataSource(), clock);
        var tooLong = new ItemAdded("GIFT-CARD-" + "X".repeat(1000), 1, 5000);   // more than the payload column holds
        try {
            store.append("c-7", 0, List.of(TWO_KEYBOARDS, tooLong));
        } catch (RuntimeException expected) {
            if (expected instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
        }

        long rows = db.count("select count(*) from events");
        assertThat(rows).withFailMessage("the second event could not be stored, so the append should have stored nothing, but the table holds %d rows", rows).isZero();
        int next = Expect.returns(() -> store.append("c-7", 0, List.of(TWO_KEYBOARDS)), "c-7 should still be at version 0, ready for its first event");
        assertThat(next).isEqualTo(1);
    }

    @Test
    @Points(2)
    @DisplayName("Only a duplicate version is a ConcurrencyConflict: an event the table cannot hold is another failure, and nothing is written")
    @Hint({"A payload too long for its column: will it fit after the writer reloads?",
           "ConcurrencyConflict tells the caller 'reload and decide again'. Only a duplicate version means that; any other failure is another exception.",
           "Last hint: catch (SQLException e) { c.rollback(); if (\"23505\".equals(e.getSQLState())) throw new ConcurrencyConflict(...); throw new IllegalStateException(..., e); }"})
    void onlyADuplicateIsAConflict() {
        var store = new EventStore(db.dataSource(), clock);
        store.append("c-7", 0, List.of(TWO_KEYBOARDS));
        var tooLong = new ItemAdded("GIFT-CARD-" + "X".repeat(1000), 1, 5000);   // more than the payload column holds

        Object outcome = outcome(() -> store.append("c-7", 1, List.of(tooLong)));

        if (outcome instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
        assertThat(outcome).withFailMessage("c-7 is at version 1 and the writer expected 1, but the event is too long for its column: append should "
            + "throw, and not a ConcurrencyConflict (nobody else wrote), but it gave %s", outcome)
            .isInstanceOf(RuntimeException.class).isNotInstanceOf(ConcurrencyConflict.class);
        assertThat(db.count("select count(*) from events")).withFailMessage("only c-7's first event should be stored").isEqualTo(1);
    }

    @Test
    @DisplayName("An append of no events is a mistake: IllegalArgumentException, and nothing is written")
    @Hint({"Does an accepted command ever record no event?",
           "An accepted command always records at least one event, so an empty append means the caller lost them: refuse it before any SQL runs.",
           "Last hint: if (events.isEmpty()) throw new IllegalArgumentException(\"no events to append to \" + streamId);"})
    void appendingNothingIsRefused() {
        var store = new EventStore(db.dataSource(), clock);
        store.append("c-7", 0, List.of(TWO_KEYBOARDS));

        Expect.thrown(IllegalArgumentException.class, () -> store.append("c-7", 1, List.of()), "appending an empty list of events to c-7");

        assertThat(store.load("c-7")).withFailMessage("c-7 should still hold its one event").hasSize(1);
    }

    @Test
    @Points(2)
    @DisplayName("Roll back yourself: through a pool that hands a connection on as it was left, a failed append is never committed by the next one")
    @Hint({"Is closing a connection with a transaction open always a rollback?",
           "Not through a pool: it may hand the same connection, open transaction and all, to the next caller, who commits your half. Roll back yourself before the exception leaves append.",
           "Last hint: try { ...; c.commit(); return version; } catch (SQLException | RuntimeException e) { c.rollback(); ... throw ...; }"})
    void rollsBackItselfThroughAPool() throws Exception {
        var tooLong = new ItemAdded("GIFT-CARD-" + "X".repeat(1000), 1, 5000);
        try (Connection line = db.connect()) {
            var store = new EventStore(poolOfOne(line), clock);
            Object failed = outcome(() -> store.append("c-7", 0, List.of(TWO_KEYBOARDS, tooLong)));
            if (failed instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;

            Object next = outcome(() -> store.append("c-8", 0, List.of(A_MOUSE)));
            assertThat(next).withFailMessage("c-8's first event, after c-7's failed append, should be stored as version 1, but append gave %s", next).isEqualTo(1);
        }

        var streams = new ArrayList<String>();
        try (var c = db.connect(); var rows = c.createStatement().executeQuery("select stream_id from events order by stream_id, version")) {
            while (rows.next()) streams.add(rows.getString(1));
        }
        assertThat(streams).withFailMessage("only c-8's event should be stored, but the table holds events of %s: c-7's first event was left in the "
            + "connection's transaction and c-8's commit committed it", streams).containsExactly("c-8");
    }

    @Test
    @Points(3)
    @DisplayName("The store is append-only: appends and a refused append never update or delete a row, and old rows stay as they were")
    @Hint({"Read 'The event store' in the lesson's README: which SQL statements does an event store never run?",
           "Append-only: a row, once written, says what it said for ever. Support, audits and every replay trust that.",
           "Last hint: only \"insert into events\" and \"select\": never update, delete or merge, not even to rewrite a stream with the same events."})
    void appendOnly() {
        var statements = new CopyOnWriteArrayList<String>();
        var store = new EventStore(spying(db.dataSource(), statements), clock);
        store.append("c-7", 0, List.of(TWO_KEYBOARDS, A_MOUSE));
        var before = rows();
        clock.advance(Duration.ofMinutes(4));
        store.append("c-7", 2, List.of(TENOFF));
        try {
            store.append("c-7", 2, List.of(NO_MOUSE));
        } catch (ConcurrencyConflict expected) {
            // a stale writer: refused, as it should be
        }

        var rewriting = statements.stream().filter(sql -> sql.strip().toLowerCase().matches("(?s)(update|delete|merge|truncate|drop|alter).*")).toList();
        assertThat(rewriting).withFailMessage("the event store should only insert and select, but it ran %s", rewriting).isEmpty();
        var after = rows();
        assertThat(after.subList(0, Math.min(2, after.size()))).withFailMessage(
            "the first two rows should be exactly as they were before the later appends%n  before: %s%n  after:  %s", before, after).isEqualTo(before);
    }

    @Test
    @DisplayName("The events survive a restart: the reopened database gives back the whole stream")
    @Hint({"After a restart, what does the store have besides the database? ('Replay' in the lesson's README.)",
           "The store's memory is the database, not a field: a restarted service has nothing else.",
           "Last hint: keep nothing in fields but the DataSource and the clock; read every load from the events table."})
    void survivesRestart() {
        new EventStore(db.dataSource(), clock).append("c-7", 0, List.of(TWO_KEYBOARDS, A_MOUSE, TENOFF));
        db.close();
        db = db.reopen();

        var loaded = new EventStore(db.dataSource(), clock).load("c-7").stream().map(RecordedEvent::event).toList();
        assertThat(loaded).withFailMessage("after the restart c-7 should hold its 3 events, but holds %s", loaded)
            .containsExactly(TWO_KEYBOARDS, A_MOUSE, TENOFF);
    }

    // ---- helpers ----

    /** Every row of the events table, as text, in position order: what an auditor would compare. */
    private List<String> rows() {
        var rows = new ArrayList<String>();
        try (var c = db.connect(); var rs = c.createStatement().executeQuery(
                "select position, stream_id, version, type, payload, recorded_at from events order by position")) {
            while (rs.next()) {
                rows.add(rs.getLong(1) + " " + rs.getString(2) + " v" + rs.getInt(3) + " " + rs.getString(4) + " " + rs.getString(5) + " " + rs.getObject(6));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /** What the call returned, or the exception it threw. */
    private static Object outcome(java.util.concurrent.Callable<Object> call) {
        try {
            return call.call();
        } catch (Exception e) {
            return e;
        }
    }

    /** A DataSource whose connections note every SQL statement they are given. */
    private static DataSource spying(DataSource real, List<String> statements) {
        return intercepting(real, statements::add);
    }

    /**
     * A DataSource whose connections hold the writer at its first insert until the other writer has reached its own
     * (or 5 s have passed, should the other never get there): both have checked the version by then.
     */
    private static DataSource heldBeforeInsert(DataSource real, CyclicBarrier bothChecked) {
        boolean[] held = {false};
        return intercepting(real, sql -> {
            if (held[0] || !sql.strip().toLowerCase().startsWith("insert")) return;
            held[0] = true;
            try {
                bothChecked.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                // the other writer never got here (it may be waiting for a lock this one holds): go on
            }
        });
    }

    /** Connections that tell {@code onSql} each statement before they prepare or execute it. */
    private static DataSource intercepting(DataSource real, java.util.function.Consumer<String> onSql) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, args) -> {
            Object result = invoke(real, m, args);
            if (!(result instanceof Connection connection)) return result;
            return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (pc, mc, argsc) -> {
                if (mc.getName().startsWith("prepare") && argsc != null && argsc[0] instanceof String sql) onSql.accept(sql);
                Object made = invoke(connection, mc, argsc);
                if (!(made instanceof Statement statement) || made instanceof java.sql.PreparedStatement) return made;
                return Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {Statement.class}, (ps, ms, argss) -> {
                    if ((ms.getName().startsWith("execute") || ms.getName().equals("addBatch")) && argss != null && argss[0] instanceof String sql) onSql.accept(sql);
                    return invoke(statement, ms, argss);
                });
            });
        });
    }

    /**
     * A connection pool of one, of the kind that hands its connection to the next caller as the last one left it:
     * close() gives it back without a rollback, so a transaction left open is still open for whoever comes next.
     */
    private static DataSource poolOfOne(Connection connection) {
        var handedOut = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
            (p, m, args) -> m.getName().equals("close") ? null : invoke(connection, m, args)); // close: back to the pool, as it is
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, args) -> {
            if (m.getName().equals("getConnection")) return handedOut;
            throw new UnsupportedOperationException("the pool of one only hands out its connection, not " + m.getName());
        });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
