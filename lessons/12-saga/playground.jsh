// Lesson 12 playground: inventory, payments and shipping as WireMock peers, and a saga log in H2 (in files).
// Open it with: ./jbang workbook play 12   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import java.net.http.*;
import java.util.*;
import kit.Database;
import kit.Peer;

var peers = Peer.startAll("inventory", "payments", "shipping");
var inventory = peers.get(0);
var payments = peers.get(1);
var shipping = peers.get(2);
for (var peer : peers) {
    peer.stub(post(urlPathMatching("/[a-z]+")).willReturn(created()));               // the steps
    peer.stub(post(urlPathMatching("/[a-z]+/[^/]+/[a-z]+")).willReturn(ok()));       // their compensations
}
var http = HttpClient.newHttpClient();

var db = Database.start("orders");
db.run("create table saga_log (order_id varchar(64) not null, seq int not null, entry varchar(64) not null, primary key (order_id, seq))");

/** One step: which peer, the path forward, and the path that undoes it. */
record Step(String name, Peer peer, String path, String undoPath) {}
var checkout = List.of(
    new Step("reserve", inventory, "/reservations", "/reservations/%s/release"),
    new Step("charge", payments, "/charges", "/charges/%s/refund"),
    new Step("ship", shipping, "/shipments", "/shipments/%s/cancel"));

/** POST with an Idempotency-Key; returns the status, or 0 when nobody answered. */
int call(Peer peer, String path, String key) {
    var request = HttpRequest.newBuilder(peer.uri().resolve(path)).header("Idempotency-Key", key)
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    try { return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode(); } catch (Exception e) { return 0; }
}

List<String> log(String orderId) throws Exception {
    var entries = new ArrayList<String>();
    try (var c = db.connect(); var s = c.prepareStatement("select entry from saga_log where order_id = ? order by seq")) {
        s.setString(1, orderId);
        try (var rs = s.executeQuery()) { while (rs.next()) entries.add(rs.getString(1)); }
    }
    return entries;
}

void write(String orderId, String entry) throws Exception {
    try (var c = db.connect(); var s = c.prepareStatement("insert into saga_log values (?, ?, ?)")) {
        s.setString(1, orderId); s.setInt(2, log(orderId).size()); s.setString(3, entry); s.executeUpdate();
    }
}

/** A saga, by hand: forward until a step fails, then the done steps' compensations, last first (no retries here). */
List<String> saga(String orderId) throws Exception {
    var done = new ArrayList<Step>();
    for (var step : checkout) {
        if (log(orderId).contains(step.name() + " done")) { done.add(step); continue; }
        int status = call(step.peer(), step.path(), orderId + "/" + step.name());
        if (status / 100 != 2) {
            write(orderId, step.name() + " failed " + status);
            for (var undo : done.reversed()) {
                call(undo.peer(), undo.undoPath().formatted(orderId), orderId + "/" + undo.name() + "/undo");
                write(orderId, undo.name() + " compensated");
            }
            return log(orderId);
        }
        write(orderId, step.name() + " done");
        done.add(step);
    }
    return log(orderId);
}

/** Every call the three peers received, peer by peer, oldest first, with its Idempotency-Key. */
List<String> calls() {
    var all = new ArrayList<String>();
    for (var peer : peers) {
        var events = new ArrayList<>(peer.server().getAllServeEvents());
        Collections.reverse(events);
        events.forEach(e -> all.add(peer.name() + " " + e.getRequest().getUrl() + " " + e.getRequest().getHeader("Idempotency-Key")));
    }
    return all;
}

void crashAndRestart() { db.close(); db = db.reopen(); System.out.println("reopened in " + db.startTime().toMillis() + " ms"); }

System.out.println("""
    Try: saga("o-1"); calls()
         shipping.stub(post("/shipments").willReturn(aResponse().withStatus(409))); saga("o-2"); calls()
         payments.stub(post("/charges").willReturn(aResponse().withStatus(402))); saga("o-3")
         crashAndRestart(); log("o-2")
    """);
