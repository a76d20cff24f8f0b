// Lesson 14 playground: an order service's write store with its events, and a "my orders" read model fed by a projection.
// Open it with: ./jbang workbook play 14   (JShell, with the kit and the course's libraries on the class path)

import java.sql.*;
import java.util.*;
import kit.Database;

var writes = Database.start("orders");
writes.run("""
    create table orders (order_id varchar(64) primary key, customer_id varchar(64) not null, total_cents bigint not null);
    create table payments (order_id varchar(64) primary key references orders);
    create table events (position bigint generated always as identity primary key, type varchar(32) not null,
                         order_id varchar(64) not null, customer_id varchar(64), total_cents bigint);
    """);
var reads = Database.start("my-orders");
reads.run("""
    create table my_orders (order_id varchar(64) primary key, customer_id varchar(64) not null, total_cents bigint not null, status varchar(16) not null);
    create table checkpoint (position bigint not null);
    insert into checkpoint values (0);
    """);
System.out.println("two H2 databases: " + writes.folder() + " and " + reads.folder());

/** A command: the change and its event, one transaction of the write store. Returns the version (the event's position). */
long command(String type, String orderId, String customerId, long cents) throws SQLException {
    try (var c = writes.connect()) {
        c.setAutoCommit(false);
        if (type.equals("OrderPlaced")) {
            try (var s = c.prepareStatement("insert into orders values (?, ?, ?)")) { s.setString(1, orderId); s.setString(2, customerId); s.setLong(3, cents); s.executeUpdate(); }
        } else {
            try (var s = c.prepareStatement("insert into payments values (?)")) { s.setString(1, orderId); s.executeUpdate(); }
        }
        try (var e = c.prepareStatement("insert into events (type, order_id, customer_id, total_cents) values (?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            e.setString(1, type); e.setString(2, orderId); e.setString(3, customerId); e.setLong(4, cents); e.executeUpdate();
            var keys = e.getGeneratedKeys(); keys.next();
            long version = keys.getLong(1);
            c.commit();
            return version;
        }
    }
}
long placeOrder(String orderId, String customerId, long cents) throws SQLException { return command("OrderPlaced", orderId, customerId, cents); }
long pay(String orderId) throws SQLException { return command("OrderPaid", orderId, null, 0); }

/** The projection: every event after the checkpoint, each with its checkpoint in one transaction of the read store. */
int project() throws SQLException {
    int applied = 0;
    try (var w = writes.connect(); var s = w.prepareStatement("select position, type, order_id, customer_id, total_cents from events where position > ? order by position")) {
        s.setLong(1, checkpoint());
        var rs = s.executeQuery();
        while (rs.next()) {
            try (var c = reads.connect()) {
                c.setAutoCommit(false);
                String sql = rs.getString(2).equals("OrderPlaced")
                    ? "insert into my_orders values ('" + rs.getString(3) + "', '" + rs.getString(4) + "', " + rs.getLong(5) + ", 'PLACED')"
                    : "update my_orders set status = 'PAID' where order_id = '" + rs.getString(3) + "'";
                c.createStatement().executeUpdate(sql);
                c.createStatement().executeUpdate("update checkpoint set position = " + rs.getLong(1));
                c.commit();
                applied++;
            }
        }
    }
    return applied;
}

long checkpoint() { return reads.count("select position from checkpoint"); }

/** The page, from the read model only. */
List<String> page(String customerId) throws SQLException {
    var rows = new ArrayList<String>();
    try (var c = reads.connect(); var s = c.prepareStatement("select order_id, total_cents, status from my_orders where customer_id = ? order by order_id desc")) {
        s.setString(1, customerId);
        var rs = s.executeQuery();
        while (rs.next()) rows.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getString(3));
    }
    return rows;
}

/** The projector's process dies and comes back: only what was committed is there, the checkpoint with it. */
void crashAndRestart() { reads.close(); reads = reads.reopen(); System.out.println("read store reopened; checkpoint " + checkpoint()); }

System.out.println("""
    Try: long v = placeOrder("o-1", "c-7", 4999); page("c-7"); checkpoint(); project(); page("c-7")
         pay("o-1"); page("c-7"); crashAndRestart(); project(); page("c-7")
    """);
