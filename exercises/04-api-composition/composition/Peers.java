package composition;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;

/**
 * The three services behind the home screen, one blocking call each (lesson 01's boundary, done for you).
 * A call has no timeout of its own: it waits for as long as the service takes. Giving up is the composer's job.
 */
public final class Peers {
    private final HttpClient http;
    private final URI profiles;
    private final URI orders;
    private final URI recommendations;
    private final ObjectMapper json = new ObjectMapper();

    public Peers(HttpClient http, URI profiles, URI orders, URI recommendations) {
        this.http = http;
        this.profiles = profiles;
        this.orders = orders;
        this.recommendations = recommendations;
    }

    /**
     * Fetches one part of a customer's home screen, blocking until its service answers:
     * {@code GET /profiles/{id}}, {@code GET /orders?customerId={id}} or {@code GET /recommendations/{id}}.
     *
     * @return the service's JSON
     * @throws PartUnavailable when the service answers an error, the connection breaks, the answer is not JSON,
     *                         or the calling thread is interrupted while it waits (the interrupt flag stays set)
     */
    public JsonNode fetch(Part part, String customerId) {
        String id = URLEncoder.encode(customerId, StandardCharsets.UTF_8).replace("+", "%20");
        URI uri = switch (part) {
            case PROFILE -> profiles.resolve("/profiles/" + id);
            case ORDERS -> orders.resolve("/orders?customerId=" + id);
            case RECOMMENDATIONS -> recommendations.resolve("/recommendations/" + id);
        };
        HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", "application/json").GET().build();
        try {
            var response = http.send(request, BodyHandlers.ofString());
            if (response.statusCode() != 200) throw new PartUnavailable(part, "answered " + response.statusCode(), null);
            return json.readTree(response.body());
        } catch (JacksonException e) {
            throw new PartUnavailable(part, "answered something that is not JSON", e);
        } catch (IOException e) {
            throw new PartUnavailable(part, e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PartUnavailable(part, "interrupted while waiting", e);
        }
    }
}
