package gateway;

import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * What the gateway does with each request: find the service, check who is calling, forward the request, and
 * pass the answer back, or say in a status of its own why there is none (404, 401, 502, 504).
 */
final class Proxy {
    private static final String BEARER = "Bearer ";

    private final Routes routes;
    private final TokenVerifier tokens;
    private final HttpClient http;
    private final Duration upstreamTimeout;

    Proxy(Routes routes, TokenVerifier tokens, HttpClient http, Duration upstreamTimeout) {
        this.routes = routes;
        this.tokens = tokens;
        this.http = http;
        this.upstreamTimeout = upstreamTimeout;
    }

    void handle(Context ctx) throws InterruptedException {
        Optional<Routes.Match> match = routes.match(ctx.path());
        if (match.isEmpty()) {
            Http.error(ctx, 404, "no route for " + ctx.path());
            return;
        }
        // Before anything leaves the gateway: a service that is never asked cannot leak.
        Optional<String> user = caller(ctx.header("Authorization"));
        if (user.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer");
            Http.error(ctx, 401, "a valid bearer token is required");
            return;
        }
        String service = match.get().route().service();
        HttpResponse<byte[]> answer;
        try {
            answer = http.send(upstreamRequest(ctx, match.get(), user.get()), BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) { // an IOException too, so it comes first
            Http.error(ctx, 504, service + " did not answer within " + upstreamTimeout.toMillis() + " ms");
            return;
        } catch (IOException e) {
            Http.error(ctx, 502, service + " could not be reached (" + e.getClass().getSimpleName() + ")");
            return;
        }
        Http.respond(ctx, answer.statusCode(), Headers.toClient(answer.headers().map()), answer.body());
    }

    /** The user the request's bearer token belongs to; empty for no token, another scheme, or a token nobody issued. */
    private Optional<String> caller(String authorization) {
        if (authorization == null || !authorization.startsWith(BEARER)) return Optional.empty();
        return tokens.userFor(authorization.substring(BEARER.length()).strip());
    }

    /** The client's request, readdressed to the service: same method, query and body; headers as Headers allows. */
    private HttpRequest upstreamRequest(Context ctx, Routes.Match match, String user) {
        String query = ctx.queryString();
        URI target = URI.create(match.route().upstream() + match.rest() + (query == null ? "" : "?" + query));
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
            .timeout(upstreamTimeout)
            .method(ctx.method().name(), BodyPublishers.ofByteArray(ctx.bodyAsBytes()));
        Headers.toUpstream(Http.headersOf(ctx), user).forEach((name, values) -> values.forEach(value -> request.header(name, value)));
        return request.build();
    }
}
