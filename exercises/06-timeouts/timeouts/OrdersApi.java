package timeouts;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;

/**
 * The orders service's checkout: {@code POST /orders/{orderId}/payment}. The gateway calls it with the header
 * {@code X-Deadline-Ms}; orders looks the amount up in its order book, has payments charge it, and answers.
 * Javalin's wiring is done; {@link #pay} is yours.
 */
public final class OrdersApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Payments payments;
    private final OrderBook orderBook;
    private final Duration ownBudget;
    private final InstantSource clock;
    private final Javalin app;

    /**
     * @param ownBudget the longest orders will work on one checkout, and the budget when the caller sends none
     * @param clock     where the time comes from (the system's in production, a manual clock in the tests)
     */
    public OrdersApi(Payments payments, OrderBook orderBook, Duration ownBudget, InstantSource clock) {
        this.payments = payments;
        this.orderBook = orderBook;
        this.ownBudget = ownBudget;
        this.clock = clock;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.routes.post("/orders/{orderId}/payment", this::pay);
            // Anything pay lets escape becomes a 500 that names it: how a TODO reaches the tests' report.
            config.routes.exception(Exception.class, (e, ctx) -> error(ctx, 500, e.toString()));
        });
    }

    /**
     * One checkout, from arrival to answer:
     * <ol>
     * <li>The request's deadline, from its {@code X-Deadline-Ms} header, as soon as it arrives: the caller's clock
     *     is running already, and so is ours.</li>
     * <li>The amount, from {@code orderBook.amountDue(orderId)}, with {@code orderId} from {@code ctx.pathParam("orderId")}.</li>
     * <li>The charge: {@code payments.charge(orderId, amount, deadline)}.</li>
     * <li>The answer: {@link #charged} (201) with the charge id; 504 Gateway Timeout for {@link DeadlineExceeded}
     *     and 502 Bad Gateway for {@link PaymentsUnavailable}, each with {@link #error} and the exception's message.</li>
     * </ol>
     */
    void pay(Context ctx) {
        throw new UnsupportedOperationException("TODO: OrdersApi.pay: the deadline from X-Deadline-Ms first, then the amount and the charge; 201, or 504 for DeadlineExceeded, 502 for PaymentsUnavailable");
    }

    /** Answers 201 with {@code {"orderId": "o-1", "chargeId": "ch-1"}}. */
    static void charged(Context ctx, String orderId, String chargeId) {
        ctx.status(201).contentType("application/json")
            .result(JSON.createObjectNode().put("orderId", orderId).put("chargeId", chargeId).toString());
    }

    /** Answers with a status of orders' own and {@code {"error": "..."}}. */
    static void error(Context ctx, int status, String message) {
        ctx.status(status).contentType("application/json").result(JSON.createObjectNode().put("error", message).toString());
    }

    /** Starts listening on a free port of the loopback interface. */
    public OrdersApi start() {
        app.start("127.0.0.1", 0);
        return this;
    }

    public int port() { return app.port(); }

    /** Orders' address, for example {@code http://127.0.0.1:41237}. */
    public URI uri() { return URI.create("http://127.0.0.1:" + port()); }

    @Override
    public void close() { app.stop(); }
}
