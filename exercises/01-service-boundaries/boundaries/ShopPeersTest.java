package boundaries;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
    @Hint({"The lesson's README, section 'The boundary is a contract', shows what a call across the boundary consists of: a request, its headers, and an answer read into a type of our own.",
           "Build the URI from inventory's base and the sku, ask for JSON with an Accept header, send it with the HttpClient, and let Jackson map the body: it maps JSON to a record by its component names.",
           "Last hint: HttpRequest.newBuilder(inventory.resolve(\"/stock/\" + sku)).header(\"Accept\", \"application/json\").GET().build(), then http.send(request, BodyHandlers.ofString()) and json.readValue(response.body(), Shop.StockLevel.class)."})
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
    @Hint({"Skus are data, and data inside a URL must be encoded: the sku 'GIFT CARD/50' is one path segment ('The boundary is a contract' in the lesson's README).",
           "URLEncoder encodes for HTML forms, where a space is '+'; in a path a '+' is a plus sign, and an unencoded '/' would cut the segment in two.",
           "Last hint: URLEncoder.encode(sku, StandardCharsets.UTF_8).replace(\"+\", \"%20\") gives GIFT%20CARD%2F50."})
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
    @Hint({"'Errors in our own words' in the lesson's README explains why callers should never see a 404.",
           "Look at the status code before you read the body: 404 means inventory has no such sku, a problem of the order, said in our words.",
           "Last hint: if (response.statusCode() == 404) throw new OrderProblem.UnknownSku(sku);"})
    void unknownSku() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404).withBody("{\"error\": \"no such sku\"}")));

        var problem = Expect.thrown(OrderProblem.UnknownSku.class, () -> peers.stockOf("NOPE-1"),
            "inventory answered 404 for NOPE-1, which the order service calls UnknownSku");

        assertThat(problem.sku()).withFailMessage("UnknownSku should name the sku that was asked for (NOPE-1), but named %s", problem.sku()).isEqualTo("NOPE-1");
    }

    @Test
    @Points(2)
    @DisplayName("A 500 is PeerUnavailable, even when its JSON body would map to a StockLevel of nulls and zeros")
    @Hint({"The lesson's step 'Inventory has a bad day' shows a careless client selling 'out of stock' while inventory is down.",
           "A 5xx answer is not a StockLevel, whatever its body says: check the status before handing the body to Jackson. A status the call neither expects (200, or 201 for POSTs) nor translates (404, 409, 402) means the peer failed.",
           "Last hint: for any status but 200 and 404, throw new OrderProblem.PeerUnavailable(\"inventory\", \"answered \" + status, null)."})
    void serverErrorIsUnavailable() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)
            .withHeader("Content-Type", "application/json").withBody("{\"error\": \"database unavailable\"}")));

        var problem = Expect.thrown(OrderProblem.PeerUnavailable.class, () -> peers.stockOf("KB-42"),
            "inventory answered 500 {\"error\": \"database unavailable\"}, which the order service calls PeerUnavailable (not 'zero in stock')");

        assertThat(problem.peer()).withFailMessage("PeerUnavailable should name the peer \"inventory\", but named %s", problem.peer()).isEqualTo("inventory");
    }

    @Test
    @DisplayName("A dropped connection is PeerUnavailable, not an IOException leaking out")
    @Hint({"See 'Errors in our own words' in the lesson's README: a broken connection is the peer failing, and must not cross the boundary as an IOException.",
           "http.send(...) throws IOException when the connection breaks, and InterruptedException when the waiting thread is interrupted: catch both and translate them.",
           "Last hint: catch (IOException e) { throw new OrderProblem.PeerUnavailable(\"inventory\", e.getMessage(), e); } and for InterruptedException, restore the flag with Thread.currentThread().interrupt() first."})
    void brokenConnectionIsUnavailable() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        var problem = Expect.thrown(OrderProblem.PeerUnavailable.class, () -> peers.stockOf("KB-42"),
            "inventory reset the connection, which the order service calls PeerUnavailable");

        assertThat(problem.peer()).isEqualTo("inventory");
    }

    @Test
    @DisplayName("A 200 whose body is not the promised JSON is PeerUnavailable")
    @Hint({"A peer that answers nonsense is as useless as one that is down: 'Errors in our own words' in the README.",
           "Jackson throws when the body is not JSON. That exception must not cross the boundary either.",
           "Last hint: wrap json.readValue(...) in try { ... } catch (JsonProcessingException e) { throw new OrderProblem.PeerUnavailable(peer, e.getOriginalMessage(), e); }."})
    void garbageIsUnavailable() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>maintenance</html>")));

        var problem = Expect.thrown(OrderProblem.PeerUnavailable.class, () -> peers.stockOf("KB-42"),
            "inventory answered 200 with HTML instead of JSON, which the order service calls PeerUnavailable");

        assertThat(problem.peer()).isEqualTo("inventory");
    }

    @Test
    @DisplayName("Fields the order service does not use are ignored, so inventory can add new ones without breaking us")
    @Hint({"The 'tolerant reader' in the lesson's README: read what you need, ignore the rest.",
           "By default Jackson refuses JSON with fields the record does not have; that default is a setting of the mapper, not of each call.",
           "Last hint: new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)."})
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
    @Hint({"'The boundary is a contract' in the README lists what a POST across the boundary must carry.",
           "A POST needs a body written from the arguments, and must say what the body is: the header Content-Type: application/json.",
           "Last hint: HttpRequest.newBuilder(uri).header(\"Content-Type\", \"application/json\").POST(BodyPublishers.ofString(json.writeValueAsString(Map.of(\"quantity\", quantity))))."})
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
    @Hint({"'Errors in our own words' in the README maps each peer status to an OrderProblem.",
           "409 Conflict is how inventory says it cannot set that many aside: a problem of the order, not a failure of inventory.",
           "Last hint: throw new OrderProblem.OutOfStock(sku, quantity) when the status is 409."})
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
           "If you wrote a helper for stockOf (build the request, send it, check the status, map the body), this method is three lines.",
           "Last hint: profiles.resolve(\"/customers/\" + the encoded id), Accept: application/json, and 200 mapped to Shop.Customer."})
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
    @Hint({"Same as an unknown sku, in profiles' terms: 'Errors in our own words' in the README.",
           "A 404 from profiles means there is no such customer: a problem of the order, in our words.",
           "Last hint: throw new OrderProblem.UnknownCustomer(customerId) on 404."})
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
    @Hint({"'The boundary is a contract' in the README: the request is a record of ours, turned into exactly the JSON payments expects.",
           "json.writeValueAsString(request) writes the ChargeRequest; POST it with Content-Type and Accept set to application/json, and the 201's body is the Charge.",
           "Last hint: POST(BodyPublishers.ofString(json.writeValueAsString(request))) with both headers, then on 201 json.readValue(body, Shop.Charge.class)."})
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
    @Hint({"'Errors in our own words' in the README: the 402 says why the card was declined, and the problem should say it too.",
           "The 402's body says why: {\"reason\": \"card expired\"}. Read it before you throw.",
           "Last hint: throw new OrderProblem.PaymentDeclined(json.readTree(body).path(\"reason\").asText())."})
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
    @Hint({"Every peer can fail: 'Errors in our own words' in the README.",
           "The rule for a 5xx is the same for payments as for inventory: pass the peer's name into your helper, so that PeerUnavailable says which peer failed.",
           "Last hint: your helper's default case throws new OrderProblem.PeerUnavailable(peerName, \"answered \" + status, null), with \"payments\" for charge."})
    void paymentsDown() {
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503).withBody("upstream connect error")));

        var problem = Expect.thrown(OrderProblem.PeerUnavailable.class, () -> peers.charge(new Shop.ChargeRequest("o-3", "c-7", 100, "EUR")),
            "payments answered 503, which the order service calls PeerUnavailable");

        assertThat(problem.peer()).withFailMessage("PeerUnavailable should name \"payments\", but named %s", problem.peer()).isEqualTo("payments");
    }

    // ---- every rule on every call ----

    @Test
    @Points(2)
    @DisplayName("reserve turns inventory's 404 into UnknownSku too, naming the sku as it was asked for")
    @Hint({"stockOf is not the only call that can meet an unknown sku: inventory answers 404 to a reservation of one as well.",
           "Each method has its own table of answers; reserve's has 201, 404 and 409. UnknownSku carries the sku exactly as the caller gave it, not its encoded form.",
           "Last hint: in reserve, case 404 -> throw new OrderProblem.UnknownSku(sku); with the sku parameter, not the encoded path segment."})
    void reserveUnknownSku() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404).withBody("{\"error\": \"no such sku\"}")));

        for (String sku : List.of("NOPE-2", "GIFT CARD/50")) {
            var problem = Expect.thrown(OrderProblem.UnknownSku.class, () -> peers.reserve(sku, 1),
                "inventory answered 404 to a reservation of " + sku + ", which the order service calls UnknownSku");
            assertThat(problem.sku()).withFailMessage("UnknownSku should name the sku that was asked for (%s), but named %s: the caller's own value, not its encoded form",
                sku, problem.sku()).isEqualTo(sku);
        }
    }

    @Test
    @Points(2)
    @DisplayName("reserve and customer encode their path segment too: a sku or a customer id with a space or a slash stays one segment")
    @Hint({"Encoding is not something stockOf needs and the others do not: every value that goes into a path is data.",
           "Use one helper that encodes a path segment (space as %20, slash as %2F) and call it wherever a value goes into a path: the sku in reserve, the id in customer.",
           "Last hint: inventory.resolve(\"/stock/\" + segment(sku) + \"/reservations\") and profiles.resolve(\"/customers/\" + segment(customerId)), where segment(v) is URLEncoder.encode(v, UTF_8).replace(\"+\", \"%20\")."})
    void encodesEverySegment() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"reservationId\": \"r-2\", \"sku\": \"GIFT CARD/50\", \"quantity\": 1}")));
        profiles.stubFor(any(anyUrl()).willReturn(okJson("{\"id\": \"eu west/c 9\", \"name\": \"Grace\", \"tier\": \"silver\"}")));

        Expect.returns(() -> peers.reserve("GIFT CARD/50", 1), "reserve(\"GIFT CARD/50\", 1) should work like any other reservation");
        Expect.returns(() -> peers.customer("eu west/c 9"), "customer(\"eu west/c 9\") should work like any other customer");

        assertThat(onlyRequestTo(inventory, "inventory").getUrl()).withFailMessage(
            "the sku \"GIFT CARD/50\" should arrive as /stock/GIFT%%20CARD%%2F50/reservations, but the request went to %s",
            onlyRequestTo(inventory, "inventory").getUrl()).isEqualTo("/stock/GIFT%20CARD%2F50/reservations");
        assertThat(onlyRequestTo(profiles, "profiles").getUrl()).withFailMessage(
            "the customer id \"eu west/c 9\" should arrive as /customers/eu%%20west%%2Fc%%209, but the request went to %s",
            onlyRequestTo(profiles, "profiles").getUrl()).isEqualTo("/customers/eu%20west%2Fc%209");
    }

    @Test
    @DisplayName("Characters that mean something in a URL (+ ? # % &) and letters beyond ASCII arrive in the path as plain data")
    @Hint({"A space and a slash are not the only characters a URL treats specially. What happens to a '?' or a '#' put into a path as it is?",
           "An unencoded '?' starts the query string and '#' a fragment that is never sent; an unencoded '%' starts an escape. Encode the whole value as UTF-8, every reserved character included: replacing a few characters by hand misses the others.",
           "Last hint: URLEncoder.encode(value, StandardCharsets.UTF_8).replace(\"+\", \"%20\") encodes all of them; only the space needs the fix, because URLEncoder writes it as '+'."})
    void encodesReservedCharacters() {
        inventory.stubFor(any(anyUrl()).willReturn(okJson("{\"sku\": \"x\", \"available\": 1}")));
        profiles.stubFor(any(anyUrl()).willReturn(okJson("{\"id\": \"x\", \"name\": \"Zoë\", \"tier\": \"gold\"}")));
        String sku = "A+B 50% OFF?size=L#2&more";
        String customerId = "zoë+müller";

        Expect.returns(() -> peers.stockOf(sku), "stockOf(\"" + sku + "\") should work like any other sku");
        Expect.returns(() -> peers.customer(customerId), "customer(\"" + customerId + "\") should work like any other customer");

        assertThat(segmentAfter("/stock/", onlyRequestTo(inventory, "inventory"))).withFailMessage(
            "the sku %s should arrive as one path segment that decodes to exactly that sku, but the request went to %s",
            sku, onlyRequestTo(inventory, "inventory").getUrl()).isEqualTo(sku);
        assertThat(segmentAfter("/customers/", onlyRequestTo(profiles, "profiles"))).withFailMessage(
            "the customer id %s should arrive as one path segment that decodes to exactly that id (UTF-8), but the request went to %s",
            customerId, onlyRequestTo(profiles, "profiles").getUrl()).isEqualTo(customerId);
    }

    @Test
    @Points(2)
    @DisplayName("Every call asks for JSON with Accept: application/json, and both POSTs say their body is JSON")
    @Hint({"The headers are part of every call, not only of the first one you wrote.",
           "Accept: application/json goes on the GETs and on the POSTs; Content-Type: application/json on each request that has a body.",
           "Last hint: build every request in one helper that always sets Accept, and adds Content-Type when it adds a body."})
    void headersOnEveryCall() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"reservationId\": \"r-1\", \"sku\": \"KB-42\", \"quantity\": 2}")));
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"chargeId\": \"ch-1\", \"status\": \"captured\"}")));

        Expect.returns(() -> peers.reserve("KB-42", 2), "reserve(\"KB-42\", 2) should return inventory's reservation");
        Expect.returns(() -> peers.charge(new Shop.ChargeRequest("o-1", "c-7", 4999, "EUR")), "charging 49.99 EUR should return payments' answer");

        for (var peer : List.of(new Named(inventory, "inventory"), new Named(payments, "payments"))) {
            LoggedRequest sent = onlyRequestTo(peer.server(), peer.name());
            assertThat(sent.getHeader("Accept")).withFailMessage("the POST to %s should carry Accept: application/json, but had %s", peer.name(), sent.getHeader("Accept"))
                .isEqualTo("application/json");
            assertThat(sent.getHeader("Content-Type")).withFailMessage("the POST to %s has a JSON body, so it needs Content-Type: application/json, but had %s",
                peer.name(), sent.getHeader("Content-Type")).startsWith("application/json");
        }
    }

    @Test
    @Points(2)
    @DisplayName("Other answers map field by field too: zero in stock, a reservation of 12, another customer, a pending charge")
    @Hint({"Every field of every record comes from the peer's JSON, and every field of a request from the arguments. Nothing is fixed.",
           "Let Jackson map the whole answer to the record, and write the request body from the arguments (the quantity, the ChargeRequest).",
           "Last hint: json.readValue(body, Shop.StockLevel.class) and friends, json.writeValueAsString(Map.of(\"quantity\", quantity)) and json.writeValueAsString(request)."})
    void secondExamples() {
        inventory.stubFor(get(urlPathMatching("/stock/[^/]+")).willReturn(okJson("{\"sku\": \"MUG-1\", \"available\": 0}")));
        inventory.stubFor(post(urlPathMatching("/stock/.+/reservations")).willReturn(aResponse().withStatus(201)
            .withHeader("Content-Type", "application/json").withBody("{\"reservationId\": \"r-9\", \"sku\": \"MUG-1\", \"quantity\": 12}")));
        profiles.stubFor(any(anyUrl()).willReturn(okJson("{\"id\": \"c-8\", \"name\": \"Grace\", \"tier\": \"silver\"}")));
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"chargeId\": \"ch-2\", \"status\": \"pending\"}")));

        assertThat(Expect.returns(() -> peers.stockOf("MUG-1"), "stockOf(\"MUG-1\") should return inventory's answer"))
            .as("inventory said {\"sku\": \"MUG-1\", \"available\": 0}: zero in stock is an answer, not a problem").isEqualTo(new Shop.StockLevel("MUG-1", 0));
        assertThat(Expect.returns(() -> peers.reserve("MUG-1", 12), "reserve(\"MUG-1\", 12) should return inventory's reservation"))
            .as("inventory's 201 {\"reservationId\": \"r-9\", \"sku\": \"MUG-1\", \"quantity\": 12}").isEqualTo(new Shop.Reservation("r-9", "MUG-1", 12));
        assertThat(Expect.returns(() -> peers.customer("c-8"), "customer(\"c-8\") should return profiles' answer"))
            .as("profiles' 200 {\"id\": \"c-8\", \"name\": \"Grace\", \"tier\": \"silver\"}").isEqualTo(new Shop.Customer("c-8", "Grace", "silver"));
        assertThat(Expect.returns(() -> peers.charge(new Shop.ChargeRequest("o-9", "c-8", 1, "CHF")), "charging 0.01 CHF should return payments' answer"))
            .as("payments' 201 {\"chargeId\": \"ch-2\", \"status\": \"pending\"}").isEqualTo(new Shop.Charge("ch-2", "pending"));

        LoggedRequest reservation = inventory.findAll(postRequestedFor(anyUrl())).get(0);
        assertThat(jsonOf(reservation)).withFailMessage("reserve(\"MUG-1\", 12) should send {\"quantity\": 12}, but sent %s", reservation.getBodyAsString())
            .isEqualTo(JSON.createObjectNode().put("quantity", 12));
        JsonNode expected = JSON.createObjectNode().put("orderId", "o-9").put("customerId", "c-8").put("amountCents", 1).put("currency", "CHF");
        LoggedRequest charge = onlyRequestTo(payments, "payments");
        assertThat(jsonOf(charge)).withFailMessage("payments expects the body %s, but got %s", expected, charge.getBodyAsString()).isEqualTo(expected);
    }

    @Test
    @DisplayName("Inventory's 409 names the sku and quantity of each reservation, and a second declined card carries its own reason")
    @Hint({"The problem carries what this call asked for and what this peer said, not a fixed text.",
           "OutOfStock takes the method's own sku and quantity; PaymentDeclined takes the reason read from this 402's body.",
           "Last hint: case 409 -> throw new OrderProblem.OutOfStock(sku, quantity); case 402 -> throw new OrderProblem.PaymentDeclined(json.readTree(body).path(\"reason\").asText())."})
    void refusalsCarryTheirDetails() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(409).withBody("{\"error\": \"insufficient stock\"}")));
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(402).withHeader("Content-Type", "application/json")
            .withBody("{\"reason\": \"insufficient funds\", \"declineCode\": \"51\"}")));

        var outOfStock = Expect.thrown(OrderProblem.OutOfStock.class, () -> peers.reserve("GIFT CARD/50", 1),
            "inventory answered 409 to a reservation of 1 x GIFT CARD/50, which the order service calls OutOfStock");
        var declined = Expect.thrown(OrderProblem.PaymentDeclined.class, () -> peers.charge(new Shop.ChargeRequest("o-4", "c-7", 250_000, "EUR")),
            "payments answered 402 {\"reason\": \"insufficient funds\", \"declineCode\": \"51\"}, which the order service calls PaymentDeclined");

        assertThat(outOfStock.sku() + " x" + outOfStock.requested()).withFailMessage("OutOfStock should name GIFT CARD/50 x1 (as asked for), but named %s x%d",
            outOfStock.sku(), outOfStock.requested()).isEqualTo("GIFT CARD/50 x1");
        assertThat(declined.reason()).withFailMessage("PaymentDeclined should carry payments' reason \"insufficient funds\" (ignoring the field declineCode), but had \"%s\"",
            declined.reason()).isEqualTo("insufficient funds");
    }

    @Test
    @Points(2)
    @DisplayName("Every call turns a 5xx (500, 502, 503, 504) into PeerUnavailable naming its peer, whatever the body says")
    @Hint({"The rule for a failed peer is the same on all four calls and for every 5xx, not only for stockOf's 500.",
           "Check the status before reading the body: only the statuses in a call's own row mean something; anything else means the peer failed.",
           "Last hint: end every switch on the status with default -> throw new OrderProblem.PeerUnavailable(peerName, \"answered \" + status, null)."})
    void everyServerErrorOnEveryCall() {
        for (Call call : everyCall()) {
            for (int status : List.of(500, 502, 503, 504)) {
                call.peer().stubFor(any(anyUrl()).willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(call.goodBody())));
                expectUnavailable(call, "answered " + status + " (with a body that looks like a good answer)");
            }
        }
    }

    @Test
    @Points(2)
    @DisplayName("A status outside a call's contract (another 2xx, a 3xx, a 4xx it does not translate) is PeerUnavailable")
    @Hint({"Each call lists its answers: a 200 to a GET, a 201 to a POST, and its refusals. What is any other status?",
           "A 200 to a POST is not the 201 the contract promises, a 204 has no record in it, and a 409 from profiles is not OutOfStock: whatever a call's row does not name means the peer did not keep its contract.",
           "Last hint: switch on the exact status, one case per status in the call's row, and default -> throw PeerUnavailable; never test status / 100 == 2 or status >= 500."})
    void statusesOutsideTheContract() {
        Map<String, List<Integer>> outside = Map.of(
            "stockOf", List.of(201, 204, 302, 400, 402, 409),
            "reserve", List.of(200, 202, 204, 400, 402),
            "customer", List.of(201, 204, 401, 403, 409),
            "charge", List.of(200, 202, 400, 404, 409));
        for (Call call : everyCall()) {
            for (int status : outside.get(call.method())) {
                call.peer().stubFor(any(anyUrl()).willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(call.goodBody())));
                expectUnavailable(call, "answered " + status + ", which is not in " + call.method() + "'s contract");
            }
        }
    }

    @Test
    @Points(2)
    @DisplayName("Every call turns a broken connection (reset, closed without an answer, garbage instead of HTTP) into PeerUnavailable naming its peer")
    @Hint({"A connection can break in many ways, and on any call. All of them reach you as an IOException from http.send or from reading the body.",
           "Catch IOException (not one of its subclasses) around the send, in one place every call goes through, and throw PeerUnavailable with that call's peer name.",
           "Last hint: try { return http.send(request, BodyHandlers.ofString()); } catch (IOException e) { throw new OrderProblem.PeerUnavailable(peer, e.toString(), e); }"})
    void everyBrokenConnectionOnEveryCall() {
        for (Call call : everyCall()) {
            for (Fault fault : List.of(Fault.CONNECTION_RESET_BY_PEER, Fault.EMPTY_RESPONSE, Fault.RANDOM_DATA_THEN_CLOSE, Fault.MALFORMED_RESPONSE_CHUNK)) {
                call.peer().stubFor(any(anyUrl()).willReturn(aResponse().withFault(fault)));
                expectUnavailable(call, "broke the connection (" + fault + ")");
            }
        }
    }

    @Test
    @DisplayName("A peer nobody listens on (connection refused) is PeerUnavailable naming it, on every call")
    @Hint({"A refused connection is the first way a call can fail: the peer is not even there.",
           "It reaches you as a ConnectException, one kind of IOException: the same catch turns it into PeerUnavailable.",
           "Last hint: catch (IOException e) around http.send covers ConnectException too; name the peer the request was for."})
    void connectionRefused() throws IOException {
        URI nobody = URI.create("http://127.0.0.1:" + portNobodyListensOn());
        var down = new ShopPeers(HTTP, nobody, nobody, nobody);
        List<Call> calls = List.of(
            new Call("stockOf", inventory, "inventory", "", () -> down.stockOf("KB-42")),
            new Call("reserve", inventory, "inventory", "", () -> down.reserve("KB-42", 1)),
            new Call("customer", profiles, "profiles", "", () -> down.customer("c-7")),
            new Call("charge", payments, "payments", "", () -> down.charge(new Shop.ChargeRequest("o-1", "c-7", 100, "EUR"))));
        for (Call call : calls) expectUnavailable(call, "refused the connection (nobody listens on its port)");
    }

    @Test
    @Points(2)
    @DisplayName("A body that is not the promised JSON is PeerUnavailable on every call, a 402's body included")
    @Hint({"Every body a call reads can be broken: HTML, cut off, empty, or JSON of the wrong shape. That includes the body of a 402.",
           "Wrap every json.readValue / readTree in one place that turns a Jackson exception into PeerUnavailable for that peer; read the 402's reason through it too.",
           "Last hint: <T> T read(String peer, String body, Class<T> type) { try { return json.readValue(body, type); } catch (JsonProcessingException e) { throw new OrderProblem.PeerUnavailable(peer, \"not a \" + type.getSimpleName(), e); } }"})
    void malformedBodyOnEveryCall() {
        Map<String, ResponseDefinitionBuilder> garbage = Map.of(
            "stockOf", okJson("{\"sku\": \"KB-42\", \"available\": \"seven\"}"),
            "reserve", aResponse().withStatus(201).withHeader("Content-Type", "text/html").withBody("<html>created</html>"),
            "customer", okJson("{\"id\": \"c-7\", \"name\": "),
            "charge", aResponse().withStatus(201).withHeader("Content-Type", "application/json"));
        for (Call call : everyCall()) {
            call.peer().stubFor(any(anyUrl()).willReturn(garbage.get(call.method())));
            expectUnavailable(call, "answered with a body that is not the promised JSON");
        }
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(402).withHeader("Content-Type", "text/html").withBody("<html>declined</html>")));
        expectUnavailable(everyCall().get(3), "answered 402 with HTML instead of {\"reason\": \"...\"}");
    }

    @Test
    @DisplayName("Every answer is read tolerantly: new fields in a reservation, a customer, a charge or a decline break nothing")
    @Hint({"The tolerant reader is a rule for every answer, not only for stock levels.",
           "Configure one ObjectMapper with FAIL_ON_UNKNOWN_PROPERTIES off and read every body with it, the 402's included.",
           "Last hint: private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false); and no other mapper."})
    void tolerantEverywhere() {
        inventory.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"reservationId\": \"r-1\", \"sku\": \"KB-42\", \"quantity\": 2, \"expiresAt\": \"2026-02-01T10:00:00Z\"}")));
        profiles.stubFor(any(anyUrl()).willReturn(okJson("{\"id\": \"c-7\", \"name\": \"Ada\", \"tier\": \"gold\", \"since\": 2019, \"tags\": [\"vip\"]}")));
        payments.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
            .withBody("{\"chargeId\": \"ch-1\", \"status\": \"captured\", \"risk\": {\"score\": 3}}")));

        assertThat(Expect.returns(() -> peers.reserve("KB-42", 2), "inventory added expiresAt to its reservation; reserve should still work"))
            .isEqualTo(new Shop.Reservation("r-1", "KB-42", 2));
        assertThat(Expect.returns(() -> peers.customer("c-7"), "profiles added since and tags to its customer; customer should still work"))
            .isEqualTo(new Shop.Customer("c-7", "Ada", "gold"));
        assertThat(Expect.returns(() -> peers.charge(new Shop.ChargeRequest("o-1", "c-7", 4999, "EUR")), "payments added risk to its charge; charge should still work"))
            .isEqualTo(new Shop.Charge("ch-1", "captured"));
    }

    @Test
    @DisplayName("A call made by an interrupted thread ends in PeerUnavailable, and the thread is still interrupted afterwards")
    @Hint({"http.send throws InterruptedException when the waiting thread is interrupted. That must not cross the boundary either, and the interruption must not be lost.",
           "Catching InterruptedException clears the thread's interrupt flag. Set it again before you throw, so the code that interrupted the thread still sees it.",
           "Last hint: catch (InterruptedException e) { Thread.currentThread().interrupt(); throw new OrderProblem.PeerUnavailable(peer, \"interrupted\", e); }"})
    void interrupted() {
        inventory.stubFor(any(anyUrl()).willReturn(okJson("{\"sku\": \"KB-42\", \"available\": 7}")));
        boolean stillInterrupted;
        try {
            Thread.currentThread().interrupt();
            Expect.thrown(OrderProblem.PeerUnavailable.class, () -> peers.stockOf("KB-42"),
                "the thread calling stockOf was interrupted, so the call cannot wait for inventory's answer and the order service calls it PeerUnavailable");
        } finally {
            stillInterrupted = Thread.interrupted(); // reads and clears the flag, so the next test starts clean
        }
        assertThat(stillInterrupted).withFailMessage("after the interrupted call, the thread should still be interrupted, but its flag was cleared: "
            + "set it again with Thread.currentThread().interrupt() when you catch InterruptedException").isTrue();
    }

    // ---- helpers ----

    private record Named(WireMockExtension server, String name) {}

    /** One of ShopPeers' four calls, with the peer it goes to and a body that peer would send when all is well. */
    private record Call(String method, WireMockExtension peer, String peerName, String goodBody, Callable<?> call) {}

    private List<Call> everyCall() {
        return List.of(
            new Call("stockOf", inventory, "inventory", "{\"sku\": \"KB-42\", \"available\": 7}", () -> peers.stockOf("KB-42")),
            new Call("reserve", inventory, "inventory", "{\"reservationId\": \"r-1\", \"sku\": \"KB-42\", \"quantity\": 1}", () -> peers.reserve("KB-42", 1)),
            new Call("customer", profiles, "profiles", "{\"id\": \"c-7\", \"name\": \"Ada\", \"tier\": \"gold\"}", () -> peers.customer("c-7")),
            new Call("charge", payments, "payments", "{\"chargeId\": \"ch-1\", \"status\": \"captured\"}",
                () -> peers.charge(new Shop.ChargeRequest("o-1", "c-7", 100, "EUR"))));
    }

    private static void expectUnavailable(Call call, String what) {
        var problem = Expect.thrown(OrderProblem.PeerUnavailable.class, call.call(),
            call.method() + ": " + call.peerName() + " " + what + ", which the order service calls PeerUnavailable");
        assertThat(problem.peer()).withFailMessage("%s: PeerUnavailable should name the peer \"%s\", but named %s", call.method(), call.peerName(), problem.peer())
            .isEqualTo(call.peerName());
    }

    /** The one path segment after {@code prefix} in the request's raw URL, percent-decoded (a '+' in a path is a plus). */
    private static String segmentAfter(String prefix, LoggedRequest request) {
        String url = request.getUrl();
        assertThat(url).withFailMessage("the request should go to %s followed by one encoded path segment, but went to %s", prefix, url).startsWith(prefix);
        String segment = url.substring(prefix.length());
        assertThat(segment).withFailMessage("the value should be one path segment with its '/', '?' and '#' encoded, but the request went to %s", url)
            .doesNotContain("/", "?", "#");
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException badEscape) {
            throw new AssertionError("the path segment " + segment + " is not validly percent-encoded (a '%' must be sent as %25)");
        }
    }

    /** A loopback port with nobody behind it: a peer that is down. */
    private static int portNobodyListensOn() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }


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
