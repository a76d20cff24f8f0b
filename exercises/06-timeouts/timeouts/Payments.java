package timeouts;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

/**
 * Orders' client for payments: {@code POST /charges}, the one call a checkout makes. Every call has a timeout,
 * and never waits longer than the request's deadline allows.
 */
public final class Payments {
    private final HttpClient http;
    private final URI base;
    private final Duration callTimeout;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param http        the client to send with (see {@link #client})
     * @param base        where payments listens, for example {@code http://127.0.0.1:41237}
     * @param callTimeout the longest any one call may wait for payments' answer, whatever the deadline
     */
    public Payments(HttpClient http, URI base, Duration callTimeout) {
        this.http = http;
        this.base = base;
        this.callTimeout = callTimeout;
    }

    /**
     * The HttpClient orders calls payments with: HTTP/1.1, and a connect timeout, so that a host that never
     * accepts the connection costs {@code connectTimeout} and not the operating system's minute or more.
     */
    public static HttpClient client(Duration connectTimeout) {
        throw new UnsupportedOperationException("TODO: Payments.client: an HttpClient (HTTP/1.1) with connectTimeout as its connect timeout");
    }

    /**
     * The charge for one order, ready to send:
     * <ul>
     * <li>{@code POST {base}/charges} with {@code Content-Type: application/json} and the body
     *     {@link #chargeBody chargeBody(orderId, amountCents)};</li>
     * <li>the header {@code X-Deadline-Ms} with {@code deadline.headerValue()}: what is left, not what was;</li>
     * <li>a timeout (how long to wait for the answer) of {@code callTimeout} or the time the deadline has left,
     *     whichever is shorter.</li>
     * </ul>
     * The deadline must not have expired: a request cannot wait for no time at all.
     */
    public HttpRequest chargeRequest(String orderId, int amountCents, Deadline deadline) {
        throw new UnsupportedOperationException("TODO: Payments.chargeRequest: POST /charges with the JSON body, X-Deadline-Ms, and a timeout of callTimeout or the deadline's remaining time, whichever is shorter");
    }

    /**
     * Charges an order and returns payments' {@code chargeId}.
     * <ul>
     * <li>The deadline has expired: throw {@link DeadlineExceeded}, and do not call payments at all.</li>
     * <li>Send {@link #chargeRequest}. 201 {@code {"chargeId": "ch-1"}}: return {@code "ch-1"}.</li>
     * <li>No answer in time (the JDK throws {@code HttpTimeoutException}): {@link DeadlineExceeded}.</li>
     * <li>Any other status, or any other {@code IOException} (refused, reset): {@link PaymentsUnavailable}.</li>
     * </ul>
     */
    public String charge(String orderId, int amountCents, Deadline deadline) {
        throw new UnsupportedOperationException("TODO: Payments.charge: no call when the deadline has expired; send chargeRequest; 201 gives the chargeId, a timeout is DeadlineExceeded, anything else PaymentsUnavailable");
    }

    /** The charge's JSON: {@code {"orderId": "o-1", "amountCents": 4999}}. Done for you. */
    String chargeBody(String orderId, int amountCents) {
        return json.createObjectNode().put("orderId", orderId).put("amountCents", amountCents).toString();
    }
}
