package kittest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import kit.Event;
import kit.Events;
import kit.Hint;
import kit.View;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("kit · the live view of a run (--view)")
class ViewTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    @DisplayName("An event is one line of JSON: when, its type, its fields")
    @Hint("kit/src/kit/Events.java")
    void oneLineOfJson() {
        var line = Events.json(new Events.Stamped(12, new Event.State("breaker", "OPEN")));
        assertThat(line).as("the page and the site's replay read this").isEqualTo("{\"t\":12,\"type\":\"State\",\"what\":\"breaker\",\"value\":\"OPEN\"}");
    }

    @Test
    @DisplayName("A page opened after the events gets them first, in order, by server-sent events")
    @Hint("kit/src/kit/View.java")
    void aLatePageGetsWhatHappened() throws Exception {
        try (View view = View.start(() -> {}, name -> {})) {
            Events.publish(new Event.Step(1, "A calm checkout"));
            Events.publish(new Event.State("breaker", "OPEN"));
            Thread.sleep(3 * 75);   // a batch or two
            var response = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(view.url() + "events")).build(), HttpResponse.BodyHandlers.ofLines())
                .get(5, TimeUnit.SECONDS);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
            String first = response.body().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
            assertThat(first).as("the first message holds what happened before the page came, step before state")
                .contains("\"type\":\"Step\"", "\"title\":\"A calm checkout\"", "\"what\":\"breaker\"");
            assertThat(first.indexOf("A calm checkout")).isLessThan(first.indexOf("breaker"));
        }
    }

    @Test
    @DisplayName("The page's Next and fault buttons reach the lesson, the fault by its name")
    @Hint("kit/src/kit/View.java")
    void buttonsReachTheLesson() throws Exception {
        var next = new AtomicInteger();
        List<String> faults = new CopyOnWriteArrayList<>();
        try (View view = View.start(next::incrementAndGet, faults::add)) {
            assertThat(post(view.url() + "next")).isEqualTo(204);
            assertThat(post(view.url() + "fault?name=payments%3A%20down")).isEqualTo(204);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(view.url() + "next")).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                .as("a GET moves nothing on").isEqualTo(405);
        }
        assertThat(next).hasValue(1);
        assertThat(faults).containsExactly("payments: down");
    }

    private static int post(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
