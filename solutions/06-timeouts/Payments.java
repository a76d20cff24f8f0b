package timeouts;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

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
        return HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .build();
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
        Duration left = deadline.remaining();
        if (!left.isPositive()) throw new DeadlineExceeded("no time left to charge order " + orderId);
        return HttpRequest.newBuilder(base.resolve("/charges"))
            .timeout(Collections.min(List.of(callTimeout, left))) // the shorter of the two
            .header("Content-Type", "application/json")
            .header(Deadline.HEADER, deadline.headerValue())
            .POST(BodyPublishers.ofString(chargeBody(orderId, amountCents)))
            .build();
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
        HttpRequest request = chargeRequest(orderId, amountCents, deadline); // no time left: DeadlineExceeded, and no call
        try {
            var answer = http.send(request, BodyHandlers.ofString());
            if (answer.statusCode() != 201) {
                throw new PaymentsUnavailable("payments answered " + answer.statusCode() + " to the charge for " + orderId, null);
            }
            return json.readTree(answer.body()).path("chargeId").asText();
        } catch (HttpTimeoutException e) { // before IOException: it is one
            throw new DeadlineExceeded("payments did not answer within " + request.timeout().orElseThrow().toMillis() + " ms");
        } catch (IOException e) {
            throw new PaymentsUnavailable("payments could not be reached: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PaymentsUnavailable("interrupted while waiting for payments", e);
        }
    }

    /** The charge's JSON: {@code {"orderId": "o-1", "amountCents": 4999}}. Done for you. */
    String chargeBody(String orderId, int amountCents) {
        return json.createObjectNode().put("orderId", orderId).put("amountCents", amountCents).toString();
    }
}
