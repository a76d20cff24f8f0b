package kit;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * A real database for the lessons that keep state: an embedded H2, stored in files in a folder of its own.
 * Because the data lives in files, {@link #close()} followed by {@link #reopen()} finds every committed row
 * again and nothing else, which is how a lesson or a test simulates a service that crashed and came back.
 * Tests, which start a database for each test, take one {@link #inMemory(String) in memory}: the same crash and
 * restart, at a fraction of the cost of creating files.
 *
 * <pre>{@code
 * var db = Database.start("orders");
 * db.run("create table orders (id varchar primary key, sku varchar not null)");
 * try (Connection c = db.connect()) { ... }
 * db.close();                // the process "dies"
 * db = db.reopen();          // and restarts: committed rows are there, uncommitted ones are not
 * }</pre>
 */
public final class Database implements AutoCloseable {
    private static final AtomicInteger IN_MEMORY = new AtomicInteger();

    private final String name;
    /** Where the files are; null for a database in memory. */
    private final Path folder;
    private final JdbcDataSource dataSource;
    private final Duration startTime;
    private volatile boolean closed;
    /** In memory: what the crash kept (the committed state, as SQL statements), for {@link #reopen()}. */
    private volatile List<String> kept = List.of();

    private Database(String name, Path folder, List<String> restore) {
        long start = System.nanoTime();
        this.name = name;
        this.folder = folder;
        this.dataSource = new JdbcDataSource();
        // DB_CLOSE_DELAY=-1 keeps the database open between connections until close() says otherwise.
        // No AUTO_SERVER, no TCP: one process owns the files, as one service owns its database.
        dataSource.setURL(folder == null
            ? "jdbc:h2:mem:" + name + "-" + IN_MEMORY.incrementAndGet() + ";DB_CLOSE_DELAY=-1"
            : "jdbc:h2:file:" + folder.resolve(name).toAbsolutePath() + ";DB_CLOSE_DELAY=-1;DB_CLOSE_ON_EXIT=FALSE");
        dataSource.setUser("sa");
        dataSource.setPassword("");
        try (Connection c = dataSource.getConnection(); var statement = c.createStatement()) {
            c.isValid(1); // opens (or creates) the files now, so the start time is measured here
            for (String sql : restore) statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("could not open database " + name + (folder == null ? " in memory" : " in " + folder) + ": " + e.getMessage(), e);
        }
        this.startTime = Duration.ofNanos(System.nanoTime() - start);
        Events.publish(new Event.Service(name, "database"));
    }

    /** A new, empty database named {@code name} (for example "orders"), in a temp folder deleted when the JVM exits. */
    public static Database start(String name) {
        try {
            Path folder = Files.createTempDirectory("workbook-db-" + name + "-");
            deleteOnExit(folder);
            return new Database(name, folder, List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a folder for database " + name, e);
        }
    }

    /**
     * A new, empty database named {@code name}, kept in memory: for tests, which start one per test. It behaves as
     * one in files does: {@link #close()} is a crash that keeps exactly what was committed, and {@link #reopen()}
     * the restart that finds it; nothing is written to disk, so it starts in a few milliseconds.
     */
    public static Database inMemory(String name) {
        return new Database(name, null, List.of());
    }

    /** The same database, opened again from its files after {@link #close()}: the restart after a crash. */
    public Database reopen() {
        if (!closed) throw new IllegalStateException("database " + name + " is still open: close() it first, as a crash would");
        return new Database(name, folder, kept);
    }

    public String name() { return name; }

    /** Where the files are; null for a database {@link #inMemory(String) in memory}. */
    public Path folder() { return folder; }

    /** How long opening the database took (files, engine, first connection). */
    public Duration startTime() { return startTime; }

    /**
     * The JDBC DataSource: what application code is given, as it would be given a pool's. Once this database is
     * closed, it refuses connections for good, as a crashed service's would; the reopened database has its own.
     */
    public DataSource dataSource() { return guarded; }

    /** A new connection, in auto-commit mode as JDBC's default; the caller closes it. */
    public Connection connect() throws SQLException { return guarded.getConnection(); }

    /** Runs SQL statements separated by semicolons at line ends (schema, seed data), in one transaction. */
    public void run(String sql) {
        try (Connection c = connect(); var statement = c.createStatement()) {
            c.setAutoCommit(false);
            for (String s : sql.split(";\\s*(\\n|$)")) {
                if (!s.isBlank()) statement.execute(s);
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("database " + name + " refused the SQL: " + e.getMessage(), e);
        }
    }

    /** The first column of the first row of a query, or null when it has no row: {@code db.value("select count(*) from orders")}. */
    public Object value(String sql, Object... parameters) {
        try (Connection c = connect(); var statement = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) statement.setObject(i + 1, parameters[i]);
            try (var rows = statement.executeQuery()) {
                return rows.next() ? rows.getObject(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database " + name + " refused the query: " + e.getMessage(), e);
        }
    }

    /** The count a {@code select count(*) ...} query returns. */
    public long count(String sql, Object... parameters) {
        return ((Number) value(sql, parameters)).longValue();
    }

    /**
     * Closes the database at once: what a crash does to it. Transactions not yet committed are lost; committed
     * ones are in the files. Connections still open stop working, and {@link #dataSource()} refuses new ones.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try (Connection c = dataSource.getConnection(); var statement = c.createStatement()) {
            if (folder == null) kept = committed(statement);
            statement.execute("SHUTDOWN");
        } catch (SQLException e) {
            // already closed: nothing to do
        }
    }

    /**
     * In memory, what files would have kept: every other connection is ended first (their open transactions rolled
     * back, as a crash does), then the committed state is read as SQL (H2's SCRIPT: schema, rows, sequences).
     */
    private static List<String> committed(Statement statement) throws SQLException {
        statement.execute("SET EXCLUSIVE 2");
        List<String> sql = new ArrayList<>();
        try (var rows = statement.executeQuery("SCRIPT NOPASSWORDS NOSETTINGS")) {
            while (rows.next()) {
                String line = rows.getString(1);
                if (!line.startsWith("--") && !line.startsWith("CREATE USER")) sql.add(line);
            }
        }
        return List.copyOf(sql);
    }

    /** Deletes the files; for tests that start many databases. */
    public void delete() {
        close();
        if (folder != null) deleteTree(folder);
    }

    @Override
    public String toString() { return "database " + name + " (H2, " + (folder == null ? "in memory" : folder) + ")"; }

    private static void deleteOnExit(Path folder) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(folder)));
    }

    private static void deleteTree(Path folder) {
        if (!Files.exists(folder)) return;
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temp folder: the system cleans up what we could not
        }
    }

    private final DataSource guarded = new Guarded();

    /** The DataSource handed out: H2's, until close(). */
    private final class Guarded implements DataSource {
        private Connection open() throws SQLException {
            if (closed) throw new SQLException("database " + name + " is closed (the service crashed or stopped)");
            return dataSource.getConnection();
        }

        @Override public Connection getConnection() throws SQLException { return open(); }
        @Override public Connection getConnection(String user, String password) throws SQLException { return open(); }
        @Override public PrintWriter getLogWriter() { return null; }
        @Override public void setLogWriter(PrintWriter out) {}
        @Override public void setLoginTimeout(int seconds) {}
        @Override public int getLoginTimeout() { return 0; }
        @Override public Logger getParentLogger() { return Logger.getLogger("kit.Database"); }
        @Override public <T> T unwrap(Class<T> type) throws SQLException { return dataSource.unwrap(type); }
        @Override public boolean isWrapperFor(Class<?> type) { return type.isInstance(dataSource); }
        @Override public String toString() { return Database.this.toString(); }
    }
}
