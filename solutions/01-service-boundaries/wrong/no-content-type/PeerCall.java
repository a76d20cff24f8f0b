package boundaries;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;

/**
 * One peer as the order service sees it: requests to build, an answer to read, and every way the call can fail
 * turned into OrderProblem.PeerUnavailable with the peer's name. Nothing from HTTP or Jackson gets past this class.
 */
final class PeerCall {
    /** A peer's answer: its status and body, read in full. */
    record Answer(int status, String body) {}

    // Tolerant reader: a peer may add fields whenever it likes; only those we map are part of our contract.
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final String peer;
    private final HttpClient http;
    private final URI base;

    PeerCall(String peer, HttpClient http, URI base) {
        this.peer = peer;
        this.http = http;
        this.base = base;
    }

    HttpRequest get(String encodedPath) {
        return HttpRequest.newBuilder(base.resolve(encodedPath)).header("Accept", "application/json").GET().build();
    }

    HttpRequest post(String encodedPath, Object body) {
        try {
            return HttpRequest.newBuilder(base.resolve(encodedPath))
                .header("Accept", "application/json")
                // wrong: no Content-Type, so the peer must guess what the body is
                .POST(BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + body + " as JSON", e); // our bug, not the peer's
        }
    }

    Answer send(HttpRequest request) {
        try {
            var response = http.send(request, BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new OrderProblem.PeerUnavailable(peer, "no answer (" + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrderProblem.PeerUnavailable(peer, "interrupted while waiting", e);
        }
    }

    <T> T read(Answer answer, Class<T> type) {
        try {
            return JSON.readValue(answer.body(), type);
        } catch (JsonProcessingException e) {
            throw new OrderProblem.PeerUnavailable(peer, "answered " + answer.status() + " with a body that is not a " + type.getSimpleName(), e);
        }
    }

    /** Any answer the contract does not name: the peer failed, whatever its body says. */
    OrderProblem.PeerUnavailable failed(Answer answer) {
        return new OrderProblem.PeerUnavailable(peer, "answered " + answer.status(), null);
    }
}
