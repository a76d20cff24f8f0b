package saga;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;

/**
 * Given: the checkout's three steps over HTTP, each with its compensation.
 * <pre>
 *   reserve  inventory  POST /reservations              undone by  POST /reservations/{order}/release
 *   charge   payments   POST /charges                   undone by  POST /charges/{order}/refund
 *   ship     shipping   POST /shipments                 undone by  POST /shipments/{order}/cancel
 * </pre>
 * Every call sends the key it is given as its Idempotency-Key header. A 2xx is success; a 4xx is
 * StepFailed.Refused; a 5xx or no answer at all is StepFailed.Unavailable.
 */
public final class ShopSteps {
    public static final String RESERVE = "reserve";
    public static final String CHARGE = "charge";
    public static final String SHIP = "ship";

    private ShopSteps() {}

    /** The checkout saga's steps, in the order they run. */
    public static List<Step> checkout(HttpClient http, URI inventory, URI payments, URI shipping) {
        return List.of(
            new Step(RESERVE,
                (order, key) -> post(http, "inventory", inventory.resolve("/reservations"), key,
                    "{\"orderId\": \"%s\", \"sku\": \"%s\", \"quantity\": %d}".formatted(order.id(), order.sku(), order.quantity())),
                (order, key) -> post(http, "inventory", inventory.resolve("/reservations/" + order.id() + "/release"), key, "{}")),
            new Step(CHARGE,
                (order, key) -> post(http, "payments", payments.resolve("/charges"), key,
                    "{\"orderId\": \"%s\", \"amountCents\": %d}".formatted(order.id(), order.amountCents())),
                (order, key) -> post(http, "payments", payments.resolve("/charges/" + order.id() + "/refund"), key,
                    "{\"amountCents\": %d}".formatted(order.amountCents()))),
            new Step(SHIP,
                (order, key) -> post(http, "shipping", shipping.resolve("/shipments"), key,
                    "{\"orderId\": \"%s\", \"sku\": \"%s\", \"quantity\": %d}".formatted(order.id(), order.sku(), order.quantity())),
                (order, key) -> post(http, "shipping", shipping.resolve("/shipments/" + order.id() + "/cancel"), key, "{}")));
    }

    private static void post(HttpClient http, String service, URI uri, String idempotencyKey, String json) {
        var request = HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(BodyPublishers.ofString(json))
            .build();
        int status;
        try {
            status = http.send(request, BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new StepFailed.Unavailable(service + " did not answer " + uri.getPath() + " (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailed.Unavailable("interrupted while calling " + service, e);
        }
        if (status >= 500) throw new StepFailed.Unavailable(service + " answered " + status + " to " + uri.getPath(), null);
        if (status >= 400) throw new StepFailed.Refused(service + " answered " + status + " to " + uri.getPath());
    }
}
