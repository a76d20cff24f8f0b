package outbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/**
 * Given: publishes to payments over HTTP, {@code POST /events} with the payload as the body and the message's
 * id, order and type in headers. A 2xx answer is payments' confirmation; anything else is PublishFailed.
 */
public final class HttpPublisher implements Publisher {
    private final HttpClient http;
    private final URI payments;

    public HttpPublisher(HttpClient http, URI payments) {
        this.http = http;
        this.payments = payments;
    }

    @Override
    public void publish(Message message) {
        var request = HttpRequest.newBuilder(payments.resolve("/events"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .header("Message-Id", message.id())
            .header("Aggregate-Id", message.aggregateId())
            .header("Message-Type", message.type())
            .POST(BodyPublishers.ofString(message.payload()))
            .build();
        try {
            var response = http.send(request, BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) throw new PublishFailed("it answered " + response.statusCode(), null);
        } catch (IOException e) {
            throw new PublishFailed(e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailed("interrupted", e);
        }
    }
}
