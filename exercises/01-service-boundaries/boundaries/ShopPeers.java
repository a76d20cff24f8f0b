package boundaries;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;

/*
 * Lesson 01 · Service boundaries
 *
 * The monolith was split. Stock now lives in the inventory service, cards are charged by payments, and customer
 * details come from profiles; the order service calls all three over HTTP. Each peer speaks its own language:
 * inventory answers 409 when it cannot reserve, payments 402 when a card is declined, and any of them can fail
 * with a 500 page of HTML or drop the connection. None of that may leak into the order service.
 *
 * Write the order service's side of the boundary, an anti-corruption layer: each method makes one call and turns
 * the answer into our records (Shop) and the peer's failures into our OrderProblem. Everything else is ready.
 * There is more than one good shape; one private helper that sends a request and sorts out the answer keeps
 * the four methods short. Check your work with: ./jbang workbook check 01
 */
public final class ShopPeers {
    private final HttpClient http;
    private final URI inventory;
    private final URI payments;
    private final URI profiles;
    private final ObjectMapper json = new ObjectMapper();

    public ShopPeers(HttpClient http, URI inventory, URI payments, URI profiles) {
        this.http = http;
        this.inventory = inventory;
        this.payments = payments;
        this.profiles = profiles;
    }

    /**
     * {@code GET {inventory}/stock/{sku}}, with {@code Accept: application/json}.
     * 200 {@code {"sku": "KB-42", "available": 7}} gives a StockLevel; 404 is UnknownSku.
     * A sku is a path segment: it may hold spaces or slashes, so it must be encoded.
     */
    public Shop.StockLevel stockOf(String sku) {
        throw new UnsupportedOperationException("TODO: ask inventory for GET /stock/{sku} and map its JSON to Shop.StockLevel");
    }

    /**
     * {@code POST {inventory}/stock/{sku}/reservations} with the JSON body {@code {"quantity": 2}}.
     * 201 {@code {"reservationId": "r-1", "sku": "KB-42", "quantity": 2}} gives a Reservation;
     * 404 is UnknownSku, 409 is OutOfStock.
     */
    public Shop.Reservation reserve(String sku, int quantity) {
        throw new UnsupportedOperationException("TODO: POST the quantity to inventory's /stock/{sku}/reservations and map 201, 404 and 409");
    }

    /**
     * {@code GET {profiles}/customers/{id}}.
     * 200 {@code {"id": "c-7", "name": "Ada", "tier": "gold"}} gives a Customer; 404 is UnknownCustomer.
     */
    public Shop.Customer customer(String customerId) {
        throw new UnsupportedOperationException("TODO: ask profiles for GET /customers/{id} and map 200 and 404");
    }

    /**
     * {@code POST {payments}/charges} with the ChargeRequest as its JSON body.
     * 201 {@code {"chargeId": "ch-1", "status": "captured"}} gives a Charge;
     * 402 {@code {"reason": "card expired"}} is PaymentDeclined with that reason.
     */
    public Shop.Charge charge(Shop.ChargeRequest request) {
        throw new UnsupportedOperationException("TODO: POST the charge request to payments' /charges and map 201 and 402");
    }

    // For every call: a 5xx answer, a broken connection, or a body that is not the JSON the peer promised is
    // PeerUnavailable, naming the peer ("inventory", "payments" or "profiles").
}
