package cqrs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import cqrs.OrderEvent.Line;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/*
 * Lesson 14 · CQRS: two sides of one service
 *
 * The order service takes commands on its write store (POST /orders and what follows) and answers the "my orders"
 * page from a read store of its own (GET /customers/{customerId}/orders), kept up to date by the projection, a
 * moment behind. The query side never reads the write store: that is what lets each side be shaped, scaled and
 * kept up on its own. A customer who just placed an order passes the version the command answered with, and the
 * query waits until the projection has got that far: she sees her own write.
 * Check your work with: ./jbang workbook check 14
 */
public final class OrderService implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OrderCommands commands;
    private final DataSource readStore;
    private final ProjectionProgress progress;
    private final Duration maxWait;
    private final Javalin app;

    /**
     * @param writeStore the order service's own tables, for the commands
     * @param readStore  the "my orders" read model, for the queries
     * @param progress   how far the projection has come, for queries that wait for a version
     * @param maxWait    how long a query waits for a version before it answers 503
     */
    public OrderService(DataSource writeStore, DataSource readStore, ProjectionProgress progress, Clock clock, Duration maxWait) {
        this.commands = new OrderCommands(writeStore, clock);
        this.readStore = readStore;
        this.progress = progress;
        this.maxWait = maxWait;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            // The command side: each answers with the version it wrote.
            config.routes.post("/orders", this::placeOrder);
            config.routes.post("/orders/{orderId}/payment", ctx -> answer(ctx, 200, ctx.pathParam("orderId"), commands.pay(ctx.pathParam("orderId"))));
            config.routes.post("/orders/{orderId}/shipment", ctx -> answer(ctx, 200, ctx.pathParam("orderId"),
                commands.ship(ctx.pathParam("orderId"), JSON.readTree(ctx.body()).path("trackingCode").asText())));
            config.routes.post("/orders/{orderId}/cancellation", ctx -> answer(ctx, 200, ctx.pathParam("orderId"),
                commands.cancel(ctx.pathParam("orderId"), JSON.readTree(ctx.body()).path("reason").asText())));
            // The query side.
            config.routes.get("/customers/{customerId}/orders", this::myOrders);
            config.routes.exception(UnknownOrder.class, (e, ctx) -> ctx.status(404).result(e.getMessage()));
            // Anything else a handler lets escape becomes a 500 that names the exception. A real service would log it
            // and answer a bare 500; this one shows it, so the tests can show it to you (TODOs included).
            config.routes.exception(Exception.class, (e, ctx) -> ctx.status(500).result(e.toString()));
        });
    }

    /**
     * {@code GET /customers/{customerId}/orders[?atLeast=VERSION]}: the customer's page, read from the read store
     * only, as {@link MyOrdersPage} JSON. With {@code atLeast}, first waits (up to maxWait) until the projection has
     * reached that version; if it does not get there in time, 503 with a Retry-After header instead of a page that
     * would not show the customer's own write.
     */
    void myOrders(Context ctx) throws Exception {
        // Read the checkpoint, the customer's summary and her rows (newest first) from readStore, on one connection,
        // into a MyOrdersPage, and answer it as JSON (JSON.writeValueAsString). With ?atLeast=N, first
        // progress.awaitAtLeast(N, maxWait). placed_at reads as rs.getObject(i, OffsetDateTime.class); MyOrder wants
        // its toInstant().toString().
        throw new UnsupportedOperationException("TODO: answer the customer's MyOrdersPage from the read store, waiting for ?atLeast=VERSION first (503 when it does not come)");
    }

    private void placeOrder(Context ctx) throws Exception {
        JsonNode order = JSON.readTree(ctx.body());
        List<Line> lines = new ArrayList<>();
        order.path("lines").forEach(l -> lines.add(new Line(l.path("sku").asText(), l.path("quantity").asInt(), l.path("unitPriceCents").asLong())));
        String orderId = order.path("orderId").asText();
        answer(ctx, 201, orderId, commands.placeOrder(orderId, order.path("customerId").asText(), lines));
    }

    /** A command's answer: the order, and the version (the position of the event it wrote) to wait for when reading. */
    private static void answer(Context ctx, int status, String orderId, long version) {
        ctx.status(status).contentType("application/json").result("{\"orderId\": \"%s\", \"version\": %d}".formatted(orderId, version));
    }

    /** Starts listening on a free port of the loopback interface. */
    public OrderService start() {
        app.start("127.0.0.1", 0);
        return this;
    }

    /** The service's address, for example {@code http://127.0.0.1:41237}. */
    public URI uri() { return URI.create("http://127.0.0.1:" + app.port()); }

    @Override
    public void close() { app.stop(); }
}
