package bulkhead;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/**
 * The gateway's calls to its peers (given: lesson 01 showed how to write them). Whatever the peer answers, 5xx
 * included, comes back as an Answer to pass on; no answer at all is PeerUnavailable.
 */
final class Upstream {
    /** A peer's answer, as the gateway passes it on. */
    record Answer(int status, String contentType, String body) {}

    /** The peer could not be reached, or broke the connection: there is no answer to pass on. */
    static final class PeerUnavailable extends RuntimeException {
        PeerUnavailable(String peer, Throwable cause) {
            super(peer + " did not answer: " + cause, cause);
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();

    Answer get(String peer, URI uri) {
        return send(peer, HttpRequest.newBuilder(uri).header("Accept", "application/json").GET());
    }

    Answer post(String peer, URI uri, String json) {
        return send(peer, HttpRequest.newBuilder(uri).header("Content-Type", "application/json").POST(BodyPublishers.ofString(json)));
    }

    private Answer send(String peer, HttpRequest.Builder request) {
        try {
            // A generous timeout, so that no call waits for ever (lesson 06 is about choosing it well).
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse("text/plain"), response.body());
        } catch (IOException e) {
            throw new PeerUnavailable(peer, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerUnavailable(peer, e);
        }
    }

    void close() { http.shutdownNow(); }
}
