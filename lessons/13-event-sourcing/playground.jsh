// Lesson 13 playground: an event store (one H2 table, in files) and a cart that is only ever its events, replayed.
// Open it with: ./jbang workbook play 13   (JShell, with the kit and the course's libraries on the class path)

import java.time.*;
import java.util.*;
import kit.Database;
import kit.ManualClock;

var clock = new ManualClock(Instant.parse("2026-03-02T09:10:00Z"));
var db = Database.start("carts");
db.run("""
    create table events (cart_id varchar(64) not null, version int not null, type varchar(64) not null,
                         amount_cents bigint not null, recorded_at timestamp with time zone not null,
                         primary key (cart_id, version));
    """);
System.out.println("H2 started in " + db.startTime().toMillis() + " ms, in " + db.folder());

/**
 * Appends one event after the version the writer saw. The primary key refuses a version that is taken: a stale writer.
 * type is what happened ("ItemAdded", "ItemRemoved", "CouponApplied", "CouponDropped"); amount is what it did to the total.
 */
int append(String cart, int expectedVersion, String type, long amountCents) throws Exception {
    try (var c = db.connect(); var insert = c.prepareStatement("insert into events values (?, ?, ?, ?, ?)")) {
        insert.setString(1, cart); insert.setInt(2, expectedVersion + 1); insert.setString(3, type);
        insert.setLong(4, amountCents); insert.setObject(5, clock.instant().atOffset(ZoneOffset.UTC));
        insert.executeUpdate();
        return expectedVersion + 1;
    } catch (java.sql.SQLException e) {
        if ("23505".equals(e.getSQLState())) throw new IllegalStateException("conflict: " + cart + " already has a version " + (expectedVersion + 1));
        throw e;
    }
}

/** The diary: every event of the cart, in version order. */
void diary(String cart) throws Exception {
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(
            "select version, recorded_at, type, amount_cents from events where cart_id = '" + cart + "' order by version")) {
        while (rs.next()) System.out.printf("v%d  %s  %-14s %+d%n", rs.getInt(1), rs.getObject(2, OffsetDateTime.class).toLocalTime(), rs.getString(3), rs.getLong(4));
    }
}

/** The cart's total as of a version: a replay of its first events (a sum, in this small model). */
long totalAsOf(String cart, int version) {
    return db.count("select coalesce(sum(amount_cents), 0) from events where cart_id = ? and version <= ?", cart, version);
}

/** The cart's total at an instant: the events recorded at or before it. */
long totalAt(String cart, String hhmm) {
    var at = OffsetDateTime.parse("2026-03-02T" + hhmm + ":00Z");
    return db.count("select coalesce(sum(amount_cents), 0) from events where cart_id = ? and recorded_at <= ?", cart, at);
}

void at(String hhmm) { clock.set(Instant.parse("2026-03-02T" + hhmm + ":00Z")); }

System.out.println("""
    Ada's morning, by hand:
      append("c-7", 0, "ItemAdded", 9998); at("09:11"); append("c-7", 1, "ItemAdded", 1999)
      at("09:14"); append("c-7", 2, "CouponApplied", -1000)
      at("09:16"); append("c-7", 3, "ItemRemoved", -1999); append("c-7", 4, "CouponDropped", 1000)
      diary("c-7"); totalAsOf("c-7", 3); totalAt("c-7", "09:15"); totalAsOf("c-7", 5)
    A stale writer:  append("c-7", 3, "ItemAdded", 899)      (c-7 is at version 5)
    A restart:       db.close(); db = db.reopen(); diary("c-7")
    """);
