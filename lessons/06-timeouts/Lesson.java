///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off
//CDS
// Lesson 06 · Timeouts: a peer that never answers holds every thread of its caller; timeouts and a deadline free them.

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import kit.Await;
import kit.Mine;
import kit.Narrator;
import kit.Peer;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The shop's app, and anyone else who calls from outside. */
    static final HttpClient APP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** Customers act at the same time: one virtual thread each. */
    static final ExecutorService CUSTOMERS = Executors.newVirtualThreadPerTaskExecutor();
    /** How many requests orders serves at once: few, so that the point is made with a handful of customers. */
    static final int THREADS = 4;
    /** Orders' timeouts, once it has them: connecting, and waiting for an answer. */
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(250), CALL_TIMEOUT = Duration.ofMillis(800);
    /** "Never answers": longer than anyone in this story will wait. */
    static final int HANG_MS = 15_000;
    /** Inventory's times: a calm day, and a slow afternoon that is still within orders' 800 ms timeout. */
    static final int INVENTORY_MS = 50, SLOW_INVENTORY_MS = 500, PAYMENTS_MS = 60;
    /** How long Ada's app waits when she is on a train, and on a calm day. */
    static final long ON_A_TRAIN_MS = 300, CALM_MS = 1000;
    /**
     * How long the lesson itself waits for an answer, or for a state its story expects soon: a guard against a run
     * that hangs, long enough that a busy machine never reaches it. The waits the story is about (Bob's and Carol's
     * 1 s, Ada's 300 ms) are written where they are told.
     */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    static Narrator story;
    static Peer inventory, payments;
    static Orders orders;
    static Gateway gateway;
    /** What inventory and payments received, as each request arrived: which order, and the budget it came with. */
    static final List<Seen> seen = new CopyOnWriteArrayList<>();

    record Seen(String peer, String orderId, String budget) {}

    public static void main(String[] args) throws Exception {
        story = Narrator.begin("06-timeouts", args);
        story.caller("orders");   // who calls the peers, on the live view (--view)
        boolean mine = story.mine();
        aCalmCheckout();
        paymentsStopsAnswering();
        timeoutsFreeTheThreads();
        timeoutsAreNotADeadline();
        aDeadlinePassedAlong();
        nobodyWaitsNobodyWorks();
        if (mine) yourOrdersService();
        if (story.serving()) calmDay();
        story.serve(
            "curl -i -X POST -H 'X-Deadline-Ms: 1000' " + gateway.url("/checkout/o-51") + "      (a calm checkout through the gateway)",
            "curl -i -X POST -H 'X-Deadline-Ms: 0' " + orders.url("/orders/o-52/checkout") + "      (no time left: 504, and nobody is called)",
            "curl -s -X POST " + inventory.url("/__admin/mappings") + " -d '{\"request\": {\"method\": \"POST\", \"url\": \"/reservations\"}, "
                + "\"response\": {\"status\": 201, \"fixedDelayMilliseconds\": 900, \"jsonBody\": {\"reservationId\": \"r-9\"}}}'      (inventory slows down to 900 ms)",
            "curl -i -X POST -H 'X-Deadline-Ms: 600' " + gateway.url("/checkout/o-53") + "      (then: 504 after 600 ms, and payments is never called)");
        story.end(); // exits the process: the calls still hanging in payments end with it
    }

    // ---- the steps ----

    static void aCalmCheckout() throws Exception {
        story.tell("""
            At checkout the orders service makes two calls: inventory reserves the goods, payments charges the
            card. Both are quick, and the orders service has never needed more than a few threads to serve its
            requests: each request holds a thread for as long as it takes, a hundred milliseconds or so.
            Nobody ever asked how long orders would wait for payments. The JDK's HttpClient, like most HTTP
            clients, has no timeout unless you give it one: it waits for as long as it takes.""");
        story.step("A calm checkout");
        var peers = Peer.startAll("inventory", "payments");
        inventory = peers.get(0);
        payments = peers.get(1);
        inventory.stub(post("/reservations").willReturn(created("{\"reservationId\": \"r-1\"}", INVENTORY_MS)));
        payments.stub(post("/charges").willReturn(created("{\"chargeId\": \"ch-1\"}", PAYMENTS_MS)));
        record(inventory, payments);
        story.listen(inventory, payments);
        orders = new Orders(null, false);
        story.state("orders", orders.url("") + ", " + orders.threads() + " request threads, no timeouts");

        var placed = checkout(orders.url("/orders/o-1/checkout"), null, PATIENCE);
        story.say("orders answered " + placed.status() + " in " + placed.millis() + " ms: " + placed.body());
        story.check(placed.status() == 201, "the order was placed (201)");
        story.check(orders.threads() == THREADS, "orders serves " + THREADS + " requests at a time");
    }

    static void paymentsStopsAnswering() throws Exception {
        story.step("Payments stops answering, and orders stops with it");
        payments.stub(post("/charges").willReturn(created("{\"chargeId\": \"ch-2\"}", HANG_MS)));
        story.state("payments", "accepts every connection, reads every request, and never answers (" + HANG_MS / 1000 + " s)");
        story.say("Six customers press \"Pay\":");
        for (int i = 2; i <= 7; i++) {
            APP.sendAsync(checkoutRequest(orders.url("/orders/o-" + i + "/checkout"), null, null), BodyHandlers.ofString());
        }
        // Held means: the charge reached payments, and the thread waits for its answer.
        boolean allHeld = Await.until(() -> orders.busy() == THREADS && seen.stream().filter(s -> s.peer().equals("payments") && s.orderId().matches("o-[2-7]")).count() >= THREADS,
            PATIENCE);
        story.state("orders' request threads", orders.busy() + " of " + orders.threads() + " busy, each waiting for payments");

        payments.stub(post("/charges").willReturn(created("{\"chargeId\": \"ch-3\"}", PAYMENTS_MS)));
        story.state("payments", "recovers, and answers in " + PAYMENTS_MS + " ms again");
        var direct = checkout(payments.url("/charges"), null, PATIENCE, "{\"orderId\": \"test-charge\"}");
        story.say("a charge sent to payments directly: " + direct.status() + " in " + direct.millis() + " ms");
        story.say("Meanwhile Bob opens the page of an order he placed yesterday, and Carol presses \"Pay\", each waiting 1 s:");
        var page = CompletableFuture.supplyAsync(() -> get(orders.url("/orders/o-0"), Duration.ofSeconds(1)), CUSTOMERS);
        var carol = CompletableFuture.supplyAsync(() -> checkout(orders.url("/orders/o-8/checkout"), null, Duration.ofSeconds(1)), CUSTOMERS);
        story.say("Bob's page: " + page.join().describe() + "; Carol's checkout: " + carol.join().describe());
        story.tell("""
            Payments is healthy again, and it does not help. Orders' four threads are still waiting for answers
            to requests that payments will never answer. Bob's page needs nothing from payments, and waits in line
            behind them like everybody else. A peer that never answers holds every thread of its caller: not
            just the checkouts, the whole service.""");
        story.check(allHeld, "all " + THREADS + " of orders' request threads were waiting for payments");
        story.check(direct.status() == 201, "payments itself answered again (201)");
        story.check(page.join().status() == 0, "Bob's order page, which never calls payments, got no answer within 1 s");
        story.check(carol.join().status() == 0, "Carol's checkout got no answer within 1 s, though payments had recovered");
    }

    static void timeoutsFreeTheThreads() throws Exception {
        story.step("A timeout on every call frees the threads");
        orders = new Orders(CALL_TIMEOUT, false); // the stuck one is left behind: its threads are lost until payments lets go
        story.state("orders (restarted)", orders.url("") + ", " + orders.threads() + " request threads, connect timeout "
            + CONNECT_TIMEOUT.toMillis() + " ms, call timeout " + CALL_TIMEOUT.toMillis() + " ms");
        payments.stub(post("/charges").willReturn(created("{\"chargeId\": \"ch-4\"}", HANG_MS)));
        story.state("payments", "never answers again");
        List<CompletableFuture<Answer>> customers = new ArrayList<>();
        for (int i = 11; i <= 14; i++) {
            String url = orders.url("/orders/o-" + i + "/checkout");
            customers.add(CompletableFuture.supplyAsync(() -> checkout(url, null, PATIENCE), CUSTOMERS));
        }
        List<Answer> answers = customers.stream().map(CompletableFuture::join).toList();
        answers.forEach(a -> story.say("a customer got " + a.describe()));
        boolean allFree = Await.until(() -> orders.busy() == 0, PATIENCE);
        story.state("orders' request threads", orders.busy() + " of " + orders.threads() + " busy");
        var page = get(orders.url("/orders/o-0"), PATIENCE);
        story.say("Bob's page: " + page.describe());
        payments.stub(post("/charges").willReturn(created("{\"chargeId\": \"ch-5\"}", PAYMENTS_MS)));
        story.state("payments", "recovers");
        var next = checkout(orders.url("/orders/o-15/checkout"), null, PATIENCE);
        story.say("the next customer got " + next.describe());
        story.tell("""
            The four customers got a bad answer, 504 Gateway Timeout, after 800 ms instead of no answer ever. That
            is the whole point: a timeout turns "waits forever" into a failure the caller can handle (show a
            message, try later, take the order and charge the card afterwards), and gives the thread back.
            The moment payments recovered, so did orders.""");
        story.check(answers.stream().allMatch(a -> a.status() == 504), "every customer got 504 Gateway Timeout from orders");
        // Bounded by payments' own hang, not by a guess about this machine: an answer before HANG_MS cannot have waited for payments.
        story.check(answers.stream().allMatch(a -> a.millis() >= CALL_TIMEOUT.toMillis() && a.millis() < HANG_MS),
            "each of them waited the call timeout (" + CALL_TIMEOUT.toMillis() + " ms), not payments' " + HANG_MS / 1000 + " s");
        story.check(allFree, "all of orders' request threads were free again");
        story.check(page.status() == 200, "Bob's order page answered (200)");
        story.check(next.status() == 201, "once payments recovered, the next checkout was placed (201)");
    }

    static void timeoutsAreNotADeadline() throws Exception {
        story.step("A timeout per call is not a deadline");
        gateway = new Gateway(orders.uri());
        inventory.stub(post("/reservations").willReturn(created("{\"reservationId\": \"r-2\"}", SLOW_INVENTORY_MS)));
        story.state("inventory", "slow this afternoon: " + SLOW_INVENTORY_MS + " ms, within orders' " + CALL_TIMEOUT.toMillis() + " ms");
        story.state("the gateway", gateway.url("") + ", in front of orders; it waits as long as the caller's X-Deadline-Ms allows");
        story.say("Ada is on a train. Her app waits " + ON_A_TRAIN_MS + " ms, and says so: X-Deadline-Ms: " + ON_A_TRAIN_MS);
        var ada = checkout(gateway.url("/checkout/o-21"), ON_A_TRAIN_MS, PATIENCE);
        story.say("Ada's app got " + ada.describe());
        boolean ordersDone = Await.until(() -> orders.answered.containsKey("o-21"), PATIENCE);
        boolean cardCharged = Await.until(() -> charged("o-21"), PATIENCE);
        story.say("orders, which ignores X-Deadline-Ms, went on: it answered " + orders.answered.get("o-21") + " to a gateway that had gone");
        story.tell("""
            Every call kept to its timeout, and the whole still took too long: 500 ms for inventory, then payments,
            while Ada's app gave up after 300. Orders carried on regardless and charged the card. Ada sees
            "something went wrong", presses "Pay" again, and pays twice. Timeouts per call add up; what the caller
            can wait for does not. The request needs a deadline, and every service on its way must know it.""");
        story.check(ada.status() == 504, "Ada's app got 504 from the gateway after her " + ON_A_TRAIN_MS + " ms");
        story.check(ordersDone && orders.answered.get("o-21") == 201, "orders placed the order anyway (201, to nobody)");
        story.check(cardCharged, "payments charged Ada's card for the checkout she was told had failed");
    }

    static void aDeadlinePassedAlong() throws Exception {
        story.step("A deadline, passed along: the budget shrinks hop by hop");
        orders = new Orders(CALL_TIMEOUT, true);
        gateway.orders = orders.uri();
        inventory.stub(post("/reservations").willReturn(created("{\"reservationId\": \"r-3\"}", INVENTORY_MS)));
        story.state("orders (restarted)", "reads X-Deadline-Ms, waits on each call at most what is left, and passes on what is left");
        story.state("inventory", "calm again: " + INVENTORY_MS + " ms");
        var calm = checkout(gateway.url("/checkout/o-31"), CALM_MS, PATIENCE);
        story.say("the app got " + calm.describe());
        long toOrders = millis(orders.budgets.get("o-31"));
        long toInventory = millis(budgetSeenBy("inventory", "o-31"));
        long toPayments = millis(budgetSeenBy("payments", "o-31"));
        story.state("X-Deadline-Ms", "app -> gateway " + CALM_MS + ", gateway -> orders " + toOrders
            + ", orders -> inventory " + toInventory + ", orders -> payments " + toPayments);
        story.tell("""
            The app said how long it would wait. Each hop subtracts the time spent so far and tells the next one
            what is left, in milliseconds: relative time, because the services' clocks do not agree to the
            millisecond, but each one measures a duration well. Payments learned that it has less than the app's
            second, by the time inventory took.""");
        story.check(calm.status() == 201, "the order was placed (201)");
        story.check(toOrders > 0 && toOrders <= CALM_MS, "the gateway passed on no more than the app's " + CALM_MS + " ms (" + toOrders + ")");
        story.check(toInventory > 0 && toInventory <= toOrders, "orders passed on to inventory no more than it was given (" + toInventory + ")");
        story.check(toPayments > 0 && toPayments <= toInventory - INVENTORY_MS,
            "payments was told at least inventory's " + INVENTORY_MS + " ms less than inventory was (" + toPayments + ")");
    }

    static void nobodyWaitsNobodyWorks() throws Exception {
        story.step("Nobody waits, nobody works");
        inventory.stub(post("/reservations").willReturn(created("{\"reservationId\": \"r-4\"}", SLOW_INVENTORY_MS)));
        story.state("inventory", "slow again: " + SLOW_INVENTORY_MS + " ms");
        story.say("Ada, still on the train, tries again: X-Deadline-Ms: " + ON_A_TRAIN_MS);
        var ada = checkout(gateway.url("/checkout/o-41"), ON_A_TRAIN_MS, PATIENCE);
        story.say("Ada's app got " + ada.describe());
        boolean ordersDone = Await.until(() -> orders.answered.containsKey("o-41"), PATIENCE);
        story.say("orders answered " + orders.answered.get("o-41") + ": " + orders.reasons.get("o-41"));
        story.say("inventory was told X-Deadline-Ms: " + budgetSeenBy("inventory", "o-41"));
        story.tell("""
            Orders waited for inventory only as long as Ada's budget allowed, and then stopped: with no time left it
            does not start the charge, because nobody would read the answer. Payments never heard of this order.
            Ada sees the same failure as before, and this time it is true: she has not paid.""");
        story.check(ada.status() == 504, "Ada's app got 504 after her " + ON_A_TRAIN_MS + " ms, as before");
        story.check(ordersDone && orders.answered.get("o-41") == 504, "orders gave up too (504), when the budget ran out");
        story.check(!charged("o-41"), "payments never received a charge for Ada's order");
    }

    /** With --mine: the learner's orders service from exercises/06-timeouts, in front of the same payments. */
    static void yourOrdersService() throws Exception {
        story.step("Your orders service, in the same story (--mine)");
        Mine mine = Mine.compile("06-timeouts");
        Object http;
        try {
            http = mine.type("timeouts.Payments").getMethod("client", Duration.class).invoke(null, CONNECT_TIMEOUT);
        } catch (java.lang.reflect.InvocationTargetException e) { // Payments.client is not written yet, or throws
            story.say("your Payments.client said: " + e.getCause());
            story.check(false, "your Payments.client built an HttpClient");
            return;
        }
        // tag::mine[]
        // http is your Payments.client(CONNECT_TIMEOUT); the order book takes 200 ms of real time; the clock is the system's.
        Object client = mine.create("timeouts.Payments", http, payments.uri(), CALL_TIMEOUT);
        Class<?> bookType = mine.type("timeouts.OrderBook");
        Object book = java.lang.reflect.Proxy.newProxyInstance(bookType.getClassLoader(), new Class<?>[] {bookType}, (proxy, method, arguments) -> {
            if (method.getDeclaringClass() == Object.class) return method.getName().equals("toString") ? "the lesson's order book" : method.invoke(new Object(), arguments);
            Thread.sleep(200); // amountDue: a slow query in orders' own database
            return 4999;
        });
        Object yours = mine.call(mine.create("timeouts.OrdersApi", client, book, Duration.ofSeconds(2), Clock.systemUTC()), "start");
        String url = "http://127.0.0.1:" + mine.call(yours, "port");
        // end::mine[]
        story.state("your orders", url + ", its order book takes 200 ms, payments' call timeout " + CALL_TIMEOUT.toMillis() + " ms");

        payments.stub(post("/charges").willReturn(created("{\"chargeId\": \"ch-61\"}", PAYMENTS_MS)));
        var calm = checkout(url + "/orders/o-61/payment", CALM_MS, PATIENCE);
        story.say("X-Deadline-Ms: " + CALM_MS + ", payments answers: " + calm.describe() + "; payments was told " + budgetSeenBy("payments", "o-61"));
        if (calm.status() == 500) story.say("your orders service said: " + calm.body());
        payments.stub(post("/charges").willReturn(created("{\"chargeId\": \"ch-62\"}", HANG_MS)));
        var hung = checkout(url + "/orders/o-62/payment", CALM_MS, PATIENCE);
        story.say("X-Deadline-Ms: " + CALM_MS + ", payments never answers: " + hung.describe());
        var spent = checkout(url + "/orders/o-63/payment", 150L, PATIENCE);
        story.say("X-Deadline-Ms: 150, spent in the order book: " + spent.describe());
        long told = millis(budgetSeenBy("payments", "o-61"));
        story.check(calm.status() == 201, "with time to spare, your orders service placed the order (201)");
        story.check(told > 0 && told <= CALM_MS - 200, "payments was told what was left after your order book's 200 ms: at most " + (CALM_MS - 200) + " (" + told + ")");
        story.check(hung.status() == 504 && hung.millis() < HANG_MS,
            "with payments hanging, your orders service answered 504 (in " + hung.millis() + " ms, about the " + CALM_MS + " ms budget), not after payments' " + HANG_MS / 1000 + " s");
        story.check(spent.status() == 504 && !charged("o-63"), "with the budget spent before the charge, 504, and payments never heard of the order");
    }

    /** For --serve: everybody calm again. */
    static void calmDay() {
        inventory.stub(post("/reservations").willReturn(created("{\"reservationId\": \"r-5\"}", INVENTORY_MS)));
        payments.stub(post("/charges").willReturn(created("{\"chargeId\": \"ch-9\"}", PAYMENTS_MS)));
        // the live view's buttons (--view --serve)
        story.fault("payments", "stops answering", () -> payments.stub(post("/charges").willReturn(created("{\"chargeId\": \"ch-9\"}", HANG_MS))));
        story.repair("payments", "answers again", () -> payments.stub(post("/charges").willReturn(created("{\"chargeId\": \"ch-9\"}", PAYMENTS_MS))));
        story.fault("inventory", "slow", () -> inventory.stub(post("/reservations").willReturn(created("{\"reservationId\": \"r-5\"}", SLOW_INVENTORY_MS))));
        story.repair("inventory", "fast again", () -> inventory.stub(post("/reservations").willReturn(created("{\"reservationId\": \"r-5\"}", INVENTORY_MS))));
    }

    // ---- the orders service ----

    /**
     * The lesson's orders service in three versions: no timeouts; a timeout on every call; and a deadline that
     * comes in with the request, bounds every call, and goes on to inventory and payments.
     */
    static final class Orders {
        final Duration callTimeout;      // null: wait as long as it takes
        final boolean deadlines;
        final HttpClient http;
        final QueuedThreadPool pool;
        final Javalin app;
        /** What orders answered for each order, its reason when it gave up, and the budget each request came with. */
        final Map<String, Integer> answered = new ConcurrentHashMap<>();
        final Map<String, String> reasons = new ConcurrentHashMap<>();
        final Map<String, String> budgets = new ConcurrentHashMap<>();

        Orders(Duration callTimeout, boolean deadlines) {
            this.callTimeout = callTimeout;
            this.deadlines = deadlines;
            // tag::clients[]
            HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
            if (callTimeout != null) client.connectTimeout(CONNECT_TIMEOUT); // for the TCP handshake only
            this.http = client.build();
            // end::clients[]
            // tag::small-pool[]
            pool = new QueuedThreadPool(16, 1);
            pool.setReservedThreads(0);
            app = Javalin.create(config -> {
                config.startup.showJavalinBanner = false;
                story.watch(config, "orders");   // its calls on the live view (--view)
                config.jetty.threadPool = pool; // platform threads from a bounded pool, as in most servers
                config.routes.post("/orders/{orderId}/checkout", this::checkout);
                config.routes.get("/orders/{orderId}", ctx -> ctx.json(Map.of("orderId", ctx.pathParam("orderId"), "status", "shipped")));
            }).start("127.0.0.1", 0);
            // Jetty leases some threads for accepting and selecting connections; THREADS more serve requests.
            pool.setMaxThreads(pool.getMaxLeasedThreads() + THREADS);
            // end::small-pool[]
        }

        // tag::checkout[]
        void checkout(Context ctx) {
            String orderId = ctx.pathParam("orderId");
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetOf(ctx)); // from the moment it arrived
            budgets.put(orderId, String.valueOf(ctx.header("X-Deadline-Ms")));
            String order = JSON.createObjectNode().put("orderId", orderId).put("amountCents", 4999).toString();
            try {
                call(inventory, "/reservations", order, deadline);
                call(payments, "/charges", order, deadline);
                answer(ctx, orderId, 201, "placed");
            } catch (GaveUp e) {
                answer(ctx, orderId, e.status, e.getMessage());
            }
        }
        // end::checkout[]

        /** The caller's X-Deadline-Ms, or our own 2 s. */
        long budgetOf(Context ctx) {
            String header = ctx.header("X-Deadline-Ms");
            return header != null && header.matches("-?\\d{1,9}") ? Long.parseLong(header) : 2_000;
        }

        // tag::call[]
        /** One call; with a deadline, it waits at most what is left of it, tells the peer so, or is not made at all. */
        void call(Peer peer, String path, String body, long deadline) throws GaveUp {
            var request = HttpRequest.newBuilder(peer.uri().resolve(path))
                .header("Content-Type", "application/json").POST(BodyPublishers.ofString(body));
            Duration wait = callTimeout;
            if (deadlines) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) throw new GaveUp(504, "no time left to call " + peer.name() + ": nobody would read its answer");
                request.header("X-Deadline-Ms", Long.toString(leftMs));
                if (wait == null || leftMs < wait.toMillis()) wait = Duration.ofMillis(leftMs);
            }
            if (wait != null) request.timeout(wait);
            try {
                var answer = http.send(request.build(), BodyHandlers.ofString());
                if (answer.statusCode() >= 300) throw new GaveUp(502, peer.name() + " answered " + answer.statusCode());
            } catch (HttpTimeoutException e) {
                throw new GaveUp(504, peer.name() + " did not answer within " + wait.toMillis() + " ms");
            } catch (IOException | InterruptedException e) {
                throw new GaveUp(502, peer.name() + " failed: " + e);
            }
        }
        // end::call[]

        void answer(Context ctx, String orderId, int status, String reason) {
            reasons.put(orderId, reason);
            answered.put(orderId, status);
            ctx.status(status).json(Map.of("orderId", orderId, "status", reason));
        }

        int threads() { return pool.getMaxThreads() - pool.getMaxLeasedThreads(); }

        int busy() { return pool.getUtilizedThreads(); }

        URI uri() { return URI.create(url("")); }

        String url(String path) { return "http://127.0.0.1:" + app.port() + path; }
    }

    static final class GaveUp extends Exception {
        final int status;

        GaveUp(int status, String reason) {
            super(reason);
            this.status = status;
        }
    }

    // ---- the gateway ----

    /** The shop's entrance: it takes the app's X-Deadline-Ms (1 s if there is none) and keeps to it. */
    static final class Gateway {
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
        volatile URI orders;
        final Javalin app;

        Gateway(URI orders) {
            this.orders = orders;
            this.app = Javalin.create(config -> {
                config.startup.showJavalinBanner = false;
                story.watch(config, "gateway");
                config.concurrency.useVirtualThreads = true;
                config.routes.post("/checkout/{orderId}", this::checkout);
            }).start("127.0.0.1", 0);
        }

        // tag::gateway[]
        void checkout(Context ctx) {
            long arrived = System.nanoTime();
            String header = ctx.header("X-Deadline-Ms");
            long budgetMs = header == null ? 1_000 : Long.parseLong(header);
            long leftMs = budgetMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - arrived);
            var request = HttpRequest.newBuilder(orders.resolve("/orders/" + ctx.pathParam("orderId") + "/checkout"))
                .header("X-Deadline-Ms", Long.toString(leftMs))
                .POST(BodyPublishers.noBody()).build();
            // The gateway stops waiting when the budget is spent, but does not take the request back: orders gets it
            // all the same, and only the X-Deadline-Ms header can tell orders how long anybody will wait for it.
            try {
                HttpResponse<String> answer = http.sendAsync(request, BodyHandlers.ofString())
                    .completeOnTimeout(null, Math.max(1, leftMs), TimeUnit.MILLISECONDS).join();
                if (answer == null) {
                    ctx.status(504).result("{\"status\": \"the shop did not answer within " + budgetMs + " ms\"}");
                } else {
                    ctx.status(answer.statusCode()).contentType("application/json").result(answer.body());
                }
            } catch (CompletionException e) {  // the connection failed
                ctx.status(502).result("{\"status\": \"the shop failed\"}");
            }
        }
        // end::gateway[]

        String url(String path) { return "http://127.0.0.1:" + app.port() + path; }
    }

    // ---- plumbing ----

    static ResponseDefinitionBuilder created(String json, int delayMs) {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody(json).withFixedDelay(delayMs);
    }

    /** Notes which order, with which budget, each request to inventory and payments was about, as it arrives. */
    static void record(Peer... peers) {
        for (Peer peer : peers) {
            peer.server().addMockServiceRequestListener((request, response) -> {
                String orderId;
                try {
                    orderId = JSON.readTree(request.getBodyAsString()).path("orderId").asText("?");
                } catch (IOException notJson) {
                    orderId = "?";
                }
                seen.add(new Seen(peer.name(), orderId, request.getHeader("X-Deadline-Ms")));
            });
        }
    }

    static boolean charged(String orderId) {
        return seen.stream().anyMatch(s -> s.peer().equals("payments") && s.orderId().equals(orderId));
    }

    static String budgetSeenBy(String peer, String orderId) {
        return seen.stream().filter(s -> s.peer().equals(peer) && s.orderId().equals(orderId)).map(Seen::budget).findFirst().orElse("(nothing received)");
    }

    static long millis(String header) {
        try {
            return Long.parseLong(header);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A status of 0 means no answer in the time the caller was willing to wait. */
    record Answer(int status, String body, long millis) {
        String describe() {
            return status == 0 ? "no answer after " + millis + " ms" : status + " in " + millis + " ms " + body;
        }
    }

    static HttpRequest checkoutRequest(String url, Long deadlineMs, Duration patience, String body) {
        var request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json").POST(BodyPublishers.ofString(body));
        if (deadlineMs != null) request.header("X-Deadline-Ms", Long.toString(deadlineMs));
        if (patience != null) request.timeout(patience);
        return request.build();
    }

    static HttpRequest checkoutRequest(String url, Long deadlineMs, Duration patience) {
        return checkoutRequest(url, deadlineMs, patience, "");
    }

    static Answer checkout(String url, Long deadlineMs, Duration patience) {
        return send(checkoutRequest(url, deadlineMs, patience));
    }

    static Answer checkout(String url, Long deadlineMs, Duration patience, String body) {
        return send(checkoutRequest(url, deadlineMs, patience, body));
    }

    static Answer get(String url, Duration patience) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(patience).build());
    }

    static Answer send(HttpRequest request) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = APP.send(request, BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), (System.nanoTime() - start) / 1_000_000);
        } catch (HttpTimeoutException e) {
            return new Answer(0, "", (System.nanoTime() - start) / 1_000_000);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("the lesson's own request failed: " + e, e);
        }
    }

}
