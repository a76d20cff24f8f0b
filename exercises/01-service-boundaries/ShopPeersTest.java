package boundaries;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import kit.Expect;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("01 · The order service's side of the boundary")
class ShopPeersTest {
    // One server per peer for the whole class (a start costs most of a second); stubs and journals reset per test.
    @RegisterExtension static WireMockExtension inventory = peer();
    @RegisterExtension static WireMockExtension payments = peer();
    @RegisterExtension static WireMockExtension profiles = peer();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private ShopPeers peers;

    private static WireMockExtension peer() {
        return WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();
    }

    @BeforeEach
    void connect() {
        peers = new ShopPeers(HTTP, URI.create(inventory.baseUrl()), URI.create(payments.baseUrl()), URI.create(profiles.baseUrl()));
    }

    // ---- inventory: reading stock ----

    @Test
    @Points(2)
    @DisplayName("stockOf asks inventory with GET /stock/{sku}, accepting JSON, and maps the answer to a StockLevel")
    @Hint({"Build an HttpRequest with HttpRequest.newBuilder(uri).header(\"Accept\", \"application/json\").GET(), send it with http.send(...) and BodyHandlers.ofString(), then json.readValue(body, Shop.StockLevel.class).",
           "inventory.resolve(\"/stock/\" + ...) builds the URI. Jackson maps JSON to a record by its component names.",
           "The lesson's README, section 'The boundary is a contract', shows what a call across the boundary consists of."})
    void readsStock() {
        inventory.stubFor(any(anyUrl()).willReturn(okJson("{\"sku\": \"KB-42\", \"available\": 7}")));

        var stock = Expect.returns(() -> peers.stockOf("KB-42"), "stockOf(\"KB-42\") should return inventory's answer");

        assertThat(stock).withFailMessage("stockOf(\"KB-42\") should map {\"sku\": \"KB-42\", \"available\": 7} to %s, but returned %s",
            new Shop.StockLevel("KB-42", 7), stock).isEqualTo(new Shop.StockLevel("KB-42", 7));
        LoggedRequest sent = onlyRequestTo(inventory, "inventory");
        assertThat(sent.getMethod().getName()).withFailMessage("reading stock is a GET, but the request was %s", sent.getMethod()).isEqualTo("GET");
        assertThat(sent.getUrl()).withFailMessage("expected the request at /stock/KB-42, but it went to %s", sent.getUrl()).isEqualTo("/stock/KB-42");
        assertThat(sent.getHeader("Accept")).withFailMessage("tell inventory we want JSON: the request needs the header Accept: application/json (it had %s)",
            sent.getHeader("Accept")).isEqualTo("application/json");
    }

    @Test
    @Points(2)
    @DisplayName("A sku with a space or a slash is encoded as one path segment (%20 and %2F), not cut into pieces")
    @Hint({"Skus are data, and data inside a URL must be encoded. What does URLEncoder.encode(\"GIFT CARD/50\", UTF_8) give, and is '+' a space in a path?",
           "URLEncoder encodes for HTML forms, where a space is '+'. In a path a '+' is a plus sign. Encode with URLEncoder, then replace \"+\" with \"%20\".",
           "See 'The boundary is a contract' in the lesson's README: the sku 'GIFT CARD/50' is one path segment."})
    void encodesSku() {
        inventory.stubFor(any(anyUrl()).willReturn(okJson("{\"sku\": \"GIFT CARD/50\", \"available\": 3}")));

        var stock = Expect.returns(() -> peers.stockOf("GIFT CARD/50"), "stockOf(\"GIFT CARD/50\") should work like any other sku");

        LoggedRequest sent = onlyRequestTo(inventory, "inventory");
        assertThat(sent.getUrl()).withFailMessage("the sku \"GIFT CARD/50\" should arrive as /stock/GIFT%%20CARD%%2F50 (space as %%20, slash as %%2F), but the request went to %s",
            sent.getUrl()).isEqualTo("/stock/GIFT%20CARD%2F50");
        assertThat(stock).isEqualTo(new Shop.StockLevel("GIFT CARD/50", 3));
    }

    @Test
    @DisplayName("An unknown sku (404) is reported as UnknownSku, never as null")
    @Hint({"Look at the status code before you read the body: 404 means inventory has no such sku.",
           "throw new OrderProblem.UnknownSku(sku) when response.statusCode() == 404.",
           "'Errors in our own words' in the lesson's README explains why callers should never see a 404."})
    void unknownSku() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404).withBody("{\"error\": \"no such sku\"}")));

        var problem = Expect.thrown(OrderProblem.UnknownSku.class, () -> peers.stockOf("NOPE-1"),
            "inventory answered 404 for NOPE-1, which the order service calls UnknownSku");

        assertThat(problem.sku()).withFailMessage("UnknownSku should name the sku that was asked for (NOPE-1), but named %s", problem.sku()).isEqualTo("NOPE-1");
    }

    @Test
    @Points(2)
    @DisplayName("A 500 is PeerUnavailable, even when its JSON body would map to a StockLevel of nulls and zeros")
    @Hint({"A 5xx answer is not a StockLevel, whatever its body says. Check the status before handing the body to Jackson.",
           "Every status the method does not expect (200, or 201 for POSTs) and does not translate (404, 409, 402) means the peer failed: throw new OrderProblem.PeerUnavailable(\"inventory\", ...).",
           "The lesson's step 'Inventory has a bad day' shows a careless client selling 'out of stock' while inventory is down."})
    void serverErrorIsUnavailable() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)
            .withHeader("Content-Type", "application/json").withBody("{\"error\": \"database unavailable\"}")));

        var problem = Expect.thrown(OrderProblem.PeerUnavailable.class, () -> peers.stockOf("KB-42"),
            "inventory answered 500 {\"error\": \"database unavailable\"}, which the order service calls PeerUnavailable (not 'zero in stock')");

        assertThat(problem.peer()).withFailMessage("PeerUnavailable should name the peer \"inventory\", but named %s", problem.peer()).isEqualTo("inventory");
    }

    @Test
    @DisplayName("A dropped connection is PeerUnavailable, not an IOException leaking out")
    @Hint({"http.send(...) throws IOException when the connection breaks. Catch it and translate it.",
           "catch (IOException e) { throw new OrderProblem.PeerUnavailable(\"inventory\", e.getMessage(), e); } and for InterruptedException, restore the flag with Thread.currentThread().interrupt() first.",
           "See 'Errors in our own words' in the lesson's README."})
    void brokenConnectionIsUnavailable() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        var problem = Expect.thrown(OrderProblem.PeerUnavailable.class, () -> peers.stockOf("KB-42"),
            "inventory reset the connection, which the order service calls PeerUnavailable");

        assertThat(problem.peer()).isEqualTo("inventory");
    }

    @Test
    @DisplayName("A 200 whose body is not the promised JSON is PeerUnavailable")
    @Hint({"Jackson throws when the body is not JSON. That exception must not cross the boundary either.",
           "Wrap json.readValue(...) and turn a JsonProcessingException into PeerUnavailable for that peer.",
           "A peer that answers nonsense is as useless as one that is down: 'Errors in our own words' in the README."})
    void garbageIsUnavailable() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>maintenance</html>")));

        var problem = Expect.thrown(OrderProblem.PeerUnavailable.class, () -> peers.stockOf("KB-42"),
            "inventory answered 200 with HTML instead of JSON, which the order service calls PeerUnavailable");

        assertThat(problem.peer()).isEqualTo("inventory");
    }

    @Test
    @DisplayName("Fields the order service does not use are ignored, so inventory can add new ones without breaking us")
    @Hint({"By default Jackson refuses JSON with fields the record does not have.",
           "Configure the mapper: new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false).",
           "The 'tolerant reader' in the lesson's README: read what you need, ignore the rest."})
    void tolerantReader() {
        inventory.stubFor(any(anyUrl()).willReturn(okJson("{\"sku\": \"KB-42\", \"available\": 7, \"warehouse\": \"north\", \"restockEta\": \"2026-02-01\"}")));

        var stock = Expect.returns(() -> peers.stockOf("KB-42"),
            "inventory added the fields warehouse and restockEta to its answer; stockOf should still work");

        assertThat(stock).isEqualTo(new Shop.StockLevel("KB-42", 7));
    }

    // ---- inventory: reserving stock ----

    @Test
    @Points(2)
    @DisplayName("reserve POSTs {\"quantity\": n} as JSON to /stock/{sku}/reservations and maps the 201 to a Reservation")
    @Hint({"A POST needs a body and must say what the body is: header Content-Type: application/json.",
           "HttpRequest.newBuilder(uri).header(\"Content-Type\", \"application/json\").POST(BodyPublishers.ofString(json.writeValueAsString(Map.of(\"quantity\", quantity)))).",
           "'The boundary is a contract' in the README lists what a POST across the boundary must carry."})
    void reserves() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"reservationId\": \"r-1\", \"sku\": \"KB-42\", \"quantity\": 2}")));

        var reservation = Expect.returns(() -> peers.reserve("KB-42", 2), "reserve(\"KB-42\", 2) should return inventory's reservation");

        assertThat(reservation).isEqualTo(new Shop.Reservation("r-1", "KB-42", 2));
        LoggedRequest sent = onlyRequestTo(inventory, "inventory");
        assertThat(sent.getMethod().getName() + " " + sent.getUrl()).withFailMessage("expected POST /stock/KB-42/reservations, but the request was %s %s",
            sent.getMethod(), sent.getUrl()).isEqualTo("POST /stock/KB-42/reservations");
        assertThat(sent.getHeader("Content-Type")).withFailMessage("a JSON body needs the header Content-Type: application/json (it had %s)",
            sent.getHeader("Content-Type")).startsWith("application/json");
        assertThat(jsonOf(sent)).withFailMessage("the body should be {\"quantity\": 2}, but was %s", sent.getBodyAsString())
            .isEqualTo(JSON.createObjectNode().put("quantity", 2));
    }

    @Test
    @DisplayName("Inventory's 409 is OutOfStock, naming the sku and the quantity asked for")
    @Hint({"409 Conflict is how inventory says it cannot set that many aside.",
           "throw new OrderProblem.OutOfStock(sku, quantity) when the status is 409.",
           "'Errors in our own words' in the README maps each peer status to an OrderProblem."})
    void outOfStock() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(409).withBody("{\"error\": \"insufficient stock\", \"available\": 1}")));

        var problem = Expect.thrown(OrderProblem.OutOfStock.class, () -> peers.reserve("KB-42", 5),
            "inventory answered 409 to a reservation of 5, which the order service calls OutOfStock");

        assertThat(problem.sku() + " x" + problem.requested()).isEqualTo("KB-42 x5");
    }

    // ---- profiles ----

    @Test
    @DisplayName("customer asks profiles with GET /customers/{id} and maps the answer to a Customer")
    @Hint({"The same shape as stockOf, against the profiles peer.",
           "profiles.resolve(\"/customers/\" + encoded id), Accept: application/json, map 200 to Shop.Customer.",
           "If you wrote a helper for stockOf, this method is three lines."})
    void readsCustomer() {
        profiles.stubFor(any(anyUrl()).willReturn(okJson("{\"id\": \"c-7\", \"name\": \"Ada\", \"tier\": \"gold\"}")));

        var customer = Expect.returns(() -> peers.customer("c-7"), "customer(\"c-7\") should return profiles' answer");

        assertThat(customer).isEqualTo(new Shop.Customer("c-7", "Ada", "gold"));
        LoggedRequest sent = onlyRequestTo(profiles, "profiles");
        assertThat(sent.getMethod().getName() + " " + sent.getUrl()).isEqualTo("GET /customers/c-7");
        assertThat(sent.getHeader("Accept")).withFailMessage("the request to profiles needs Accept: application/json").isEqualTo("application/json");
    }

    @Test
    @DisplayName("An unknown customer (404) is UnknownCustomer")
    @Hint({"Same as an unknown sku, in profiles' terms.",
           "throw new OrderProblem.UnknownCustomer(customerId) on 404.",
           "'Errors in our own words' in the README."})
    void unknownCustomer() {
        profiles.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404)));

        var problem = Expect.thrown(OrderProblem.UnknownCustomer.class, () -> peers.customer("c-404"),
            "profiles answered 404, which the order service calls UnknownCustomer");

        assertThat(problem.customerId()).isEqualTo("c-404");
    }

    // ---- payments ----

    @Test
    @Points(2)
    @DisplayName("charge POSTs the ChargeRequest as JSON to /charges and maps the 201 to a Charge")
    @Hint({"json.writeValueAsString(request) turns the record into exactly the JSON payments expects.",
           "POST it with Content-Type: application/json and Accept: application/json, then map 201 to Shop.Charge.",
           "'The boundary is a contract' in the README."})
    void charges() {
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"chargeId\": \"ch-1\", \"status\": \"captured\"}")));

        var charge = Expect.returns(() -> peers.charge(new Shop.ChargeRequest("o-1", "c-7", 4999, "EUR")),
            "charging 49.99 EUR should return payments' answer");

        assertThat(charge).isEqualTo(new Shop.Charge("ch-1", "captured"));
        LoggedRequest sent = onlyRequestTo(payments, "payments");
        assertThat(sent.getMethod().getName() + " " + sent.getUrl()).isEqualTo("POST /charges");
        assertThat(sent.getHeader("Content-Type")).withFailMessage("a JSON body needs the header Content-Type: application/json (it had %s)",
            sent.getHeader("Content-Type")).startsWith("application/json");
        JsonNode expected = JSON.createObjectNode().put("orderId", "o-1").put("customerId", "c-7").put("amountCents", 4999).put("currency", "EUR");
        assertThat(jsonOf(sent)).withFailMessage("payments expects the body %s, but got %s", expected, sent.getBodyAsString()).isEqualTo(expected);
    }

    @Test
    @DisplayName("A declined card (402) is PaymentDeclined with payments' reason")
    @Hint({"The 402 body says why: {\"reason\": \"card expired\"}. Read it before throwing.",
           "Read the body as a JsonNode (json.readTree(body).path(\"reason\").asText()) and throw new OrderProblem.PaymentDeclined(reason).",
           "'Errors in our own words' in the README."})
    void declined() {
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(402).withHeader("Content-Type", "application/json")
            .withBody("{\"reason\": \"card expired\"}")));

        var problem = Expect.thrown(OrderProblem.PaymentDeclined.class, () -> peers.charge(new Shop.ChargeRequest("o-2", "c-7", 100, "EUR")),
            "payments answered 402, which the order service calls PaymentDeclined");

        assertThat(problem.reason()).withFailMessage("PaymentDeclined should carry payments' reason \"card expired\", but had \"%s\"", problem.reason())
            .isEqualTo("card expired");
    }

    @Test
    @DisplayName("Payments' 503 is PeerUnavailable naming payments")
    @Hint({"Every peer can fail. The rule for 5xx is the same for payments as for inventory.",
           "Pass the peer's name into your helper so PeerUnavailable says which peer failed.",
           "'Errors in our own words' in the README."})
    void paymentsDown() {
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503).withBody("upstream connect error")));

        var problem = Expect.thrown(OrderProblem.PeerUnavailable.class, () -> peers.charge(new Shop.ChargeRequest("o-3", "c-7", 100, "EUR")),
            "payments answered 503, which the order service calls PeerUnavailable");

        assertThat(problem.peer()).withFailMessage("PeerUnavailable should name \"payments\", but named %s", problem.peer()).isEqualTo("payments");
    }

    // ---- helpers ----

    private static LoggedRequest onlyRequestTo(WireMockExtension peer, String name) {
        List<LoggedRequest> requests = peer.getAllServeEvents().stream().map(e -> e.getRequest()).toList();
        assertThat(requests).withFailMessage("expected exactly one request to %s, but it received %d", name, requests.size()).hasSize(1);
        return requests.get(0);
    }

    private static JsonNode jsonOf(LoggedRequest request) {
        try {
            return JSON.readTree(request.getBodyAsString());
        } catch (Exception e) {
            throw new AssertionError("the request body should be JSON, but was: " + request.getBodyAsString());
        }
    }
}
