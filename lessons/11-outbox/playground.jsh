// Lesson 11 playground: an order service's database (H2, in files) with an outbox, and payments as a WireMock peer.
// Open it with: ./jbang workbook play 11   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import java.net.http.*;
import java.util.UUID;
import kit.Database;
import kit.Peer;

var payments = Peer.start("payments");
payments.stub(post("/events").willReturn(ok()));
var http = HttpClient.newHttpClient();

var db = Database.start("orders");
db.run("""
    create table orders (order_id varchar(64) primary key, amount_cents bigint not null);
    create table outbox (id bigint generated always as identity primary key, message_id varchar(36) not null unique,
                         aggregate_id varchar(64) not null, payload varchar(4000) not null, published_at timestamp);
    """);
System.out.println("H2 started in " + db.startTime().toMillis() + " ms, in " + db.folder());

/** The order and its message, in one transaction. */
void placeOrder(String orderId, long cents) throws Exception {
    try (var c = db.connect()) {
        c.setAutoCommit(false);
        try (var order = c.prepareStatement("insert into orders values (?, ?)");
             var outbox = c.prepareStatement("insert into outbox (message_id, aggregate_id, payload) values (?, ?, ?)")) {
            order.setString(1, orderId); order.setLong(2, cents); order.executeUpdate();
            outbox.setString(1, UUID.randomUUID().toString()); outbox.setString(2, orderId);
            outbox.setString(3, "{\"orderId\": \"" + orderId + "\", \"amountCents\": " + cents + "}"); outbox.executeUpdate();
        }
        c.commit();
    }
}

/** One relay run: every unsent row, oldest first, marked after payments answered 2xx; stops at the first failure. */
int relay() throws Exception {
    int sent = 0;
    try (var c = db.connect(); var rs = c.createStatement().executeQuery("select id, message_id, payload from outbox where published_at is null order by id")) {
        while (rs.next()) {
            var request = HttpRequest.newBuilder(payments.uri().resolve("/events")).header("Message-Id", rs.getString(2))
                .POST(HttpRequest.BodyPublishers.ofString(rs.getString(3))).build();
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() / 100 != 2) break;
            } catch (java.io.IOException e) { break; }
            c.createStatement().executeUpdate("update outbox set published_at = current_timestamp where id = " + rs.getLong(1));
            sent++;
        }
    }
    return sent;
}

/** The process dies and comes back: only what was committed is there. */
void crashAndRestart() { db.close(); db = db.reopen(); System.out.println("reopened in " + db.startTime().toMillis() + " ms"); }

/** The outbox as it is now. */
long unsent() { return db.count("select count(*) from outbox where published_at is null"); }

void paymentsDown() { payments.reset(); payments.stub(post("/events").willReturn(serviceUnavailable())); }
void paymentsUp() { payments.reset(); payments.stub(post("/events").willReturn(ok())); }

System.out.println("""
    Try: placeOrder("o-1", 4999); crashAndRestart(); unsent(); relay(); payments.hits()
         paymentsDown(); placeOrder("o-2", 1999); relay(); unsent(); paymentsUp(); relay()
    """);
