package strangler;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Legacy, or one of the new services, as the facade calls it: one request in, one reply out. Done for you.
 * A call that gets no answer (the service is down, drops the connection, or takes longer than the timeout)
 * throws {@link Unavailable}, which the facade answers with 502 Bad Gateway.
 */
public final class Upstream {
    /** The caller's headers that are about the request itself, and so go on to the service. */
    private static final List<String> FORWARDED = List.of("Accept", "Accept-Language", "Content-Type", Request.USER_HEADER, "X-Request-Id");
    /** Headers about the connection between two machines: they stop here (lesson 02). */
    private static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "transfer-encoding", "content-length", "te",
        "trailer", "upgrade", "proxy-authenticate", "proxy-authorization");

    /** The service gave no answer. */
    public static final class Unavailable extends IOException {
        private final String service;

        public Unavailable(String service, Throwable cause) {
            super(service + " gave no answer: " + cause, cause);
            this.service = service;
        }

        public String service() { return service; }
    }

    private final String name;
    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param name    who this is, in logs and in X-Served-By: "legacy", "catalog", "carts"
     * @param base    the service's address, for example {@code http://127.0.0.1:41237}
     * @param timeout how long to wait for an answer before giving up
     */
    public Upstream(String name, URI base, HttpClient http, Duration timeout) {
        this.name = name;
        this.base = base;
        this.http = http;
        this.timeout = timeout;
    }

    public String name() { return name; }

    public URI base() { return base; }

    /** Sends the request on, same method, path, query, body and end-to-end headers, and returns the service's answer. */
    public Reply send(Request request) throws Unavailable {
        var builder = HttpRequest.newBuilder(URI.create(base + request.pathAndQuery()))
            .timeout(timeout)
            .method(request.method(), request.body().length == 0 ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach((header, values) -> {
            if (FORWARDED.stream().anyMatch(header::equalsIgnoreCase)) values.forEach(v -> builder.header(header, v));
        });
        try {
            var answer = http.send(builder.build(), BodyHandlers.ofByteArray());
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            answer.headers().map().forEach((header, values) -> {
                if (!HOP_BY_HOP.contains(header.toLowerCase()) && !header.startsWith(":")) headers.put(header, values);
            });
            return new Reply(name, answer.statusCode(), headers, answer.body());
        } catch (IOException e) {
            throw new Unavailable(name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(name, e);
        }
    }

    @Override
    public String toString() { return name + " at " + base; }
}
