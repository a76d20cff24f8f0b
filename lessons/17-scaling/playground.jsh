// Lesson 17 playground: the flash sale as a tiny simulation you can give your own scaling rule, and payments' replicas
// as real WireMock servers that you start, register and balance over by hand.
// Open it with: ./jbang workbook play 17   (JShell, with the kit and the course's libraries on the class path)

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.*;
import java.util.*;
import java.util.function.*;
import kit.Peer;

// ---- the simulation: payments during the flash sale, 60 ticks of 10 s from 11:59:00 ----

/** Checkouts per tick: 50, then 500 at 12:00 (tick 6), 300 from tick 12, falling from tick 30, 50 again from tick 40. */
int checkouts(int tick) {
    if (tick < 6) return 50;
    if (tick < 12) return 500;
    if (tick < 30) return 300;
    if (tick < 40) return (int) Math.round(50 * (6 - 5.0 * (tick - 29) / 10));
    return 50;
}

String sparkline(List<Integer> values, int top) {
    var bars = "▁▂▃▄▅▆▇█";
    var line = new StringBuilder();
    for (int v : values) line.append(v == 0 ? '·' : bars.charAt(Math.clamp((int) Math.ceil(v * 8.0 / top) - 1, 0, 7)));
    return line.toString();
}

/**
 * Runs the flash sale on payments (2 replicas to start, 50 checkouts a tick each, 2 to 8 replicas) with your rule:
 * given the tick, the replicas and the queue left at the end of the tick, it says how many replicas to run next.
 */
void run(IntTernaryRule rule) {
    int replicas = 2, queue = 0;
    List<Integer> pool = new ArrayList<>(), queues = new ArrayList<>();
    for (int tick = 0; tick < 60; tick++) {
        queue = Math.max(0, queue + checkouts(tick) - replicas * 50);
        pool.add(replicas);
        queues.add(queue);
        replicas = Math.clamp(rule.next(tick, replicas, queue), 2, 8);
    }
    System.out.println("replicas " + sparkline(pool, 8) + "  " + pool);
    System.out.println("queue    " + sparkline(queues, Math.max(1, Collections.max(queues))) + "  peak " + Collections.max(queues));
}

interface IntTernaryRule { int next(int tick, int replicas, int queue); }

// ---- the real part: a registry and payments' replicas ----

var http = HttpClient.newHttpClient();
var json = new ObjectMapper();
var registry = Peer.start("registry");
List<Peer> replicas = new ArrayList<>();

/** Starts or stops replicas until payments has n, and has the registry list exactly those. */
void scaleTo(int n) {
    while (replicas.size() > n) replicas.remove(replicas.size() - 1).close();
    while (replicas.size() < n) {
        var replica = Peer.start("payments-" + (replicas.size() + 1));
        replica.stub(post("/charges").willReturn(aResponse().withStatus(201).withBody("{\"servedBy\": \"" + replica.name() + "\"}")));
        replicas.add(replica);
    }
    var listed = replicas.stream().map(r -> "{\"id\": \"" + r.name() + "\", \"url\": \"" + r.uri() + "\"}").toList();
    registry.stub(get("/services/payments").willReturn(okJson("{\"instances\": [" + String.join(", ", listed) + "]}")));
}

/** Asks the registry once, then sends n charges round-robin over its list, and prints how many each replica got. */
void spread(int n) throws Exception {
    var body = http.send(HttpRequest.newBuilder(registry.uri().resolve("/services/payments")).build(), HttpResponse.BodyHandlers.ofString()).body();
    List<URI> listed = new ArrayList<>();
    for (var node : json.readTree(body).path("instances")) listed.add(URI.create(node.path("url").asText()));
    replicas.forEach(Peer::forgetRequests);
    for (int i = 0; i < n; i++) {
        http.send(HttpRequest.newBuilder(listed.get(i % listed.size()).resolve("/charges")).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding());
    }
    replicas.forEach(r -> System.out.print(r.name() + " " + r.hits() + "   "));
    System.out.println();
}

scaleTo(2);

System.out.println("""
    The flash sale runs in run(rule); the registry and payments-1, payments-2 are up (kit.Peer around WireMock).
    Try:
      run((tick, replicas, queue) -> replicas)                                           // nobody scales
      run((tick, replicas, queue) -> queue > 10 * replicas ? replicas + 2 : replicas - 1) // one threshold: watch it flap
      run((tick, replicas, queue) -> tick >= 6 && tick < 40 ? 8 : 2)                      // a schedule: only if you know when
      scaleTo(5); spread(10)                                                              // three new replicas, registered, two checkouts each
      scaleTo(2); spread(4)
    Leave with /exit.
    """);
