package breaker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;

/**
 * The checkout's client for the payments service (given: lesson 01 showed how to write one). Every way a call
 * can fail comes out as Payments.Unavailable, which is what the breaker counts as a failure.
 */
public final class Payments {
    /** Payments answered 5xx, or not at all. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String detail, Throwable cause) {
            super("payments is unavailable: " + detail, cause);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI base;

    public Payments(HttpClient http, URI base) {
        this.http = http;
        this.base = base;
    }

    /** {@code GET /payment-methods}, answered {@code {"methods": ["card", "paypal"]}}: what the checkout page offers. */
    public List<String> methods() {
        var request = HttpRequest.newBuilder(base.resolve("/payment-methods")).header("Accept", "application/json").GET().build();
        try {
            var response = http.send(request, BodyHandlers.ofString());
            if (response.statusCode() != 200) throw new Unavailable("it answered " + response.statusCode(), null);
            List<String> methods = new ArrayList<>();
            for (JsonNode m : JSON.readTree(response.body()).path("methods")) methods.add(m.asText());
            return List.copyOf(methods);
        } catch (IOException e) {
            throw new Unavailable(e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", e);
        }
    }
}
