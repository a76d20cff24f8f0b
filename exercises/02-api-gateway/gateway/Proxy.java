package gateway;

import io.javalin.http.Context;
import java.net.http.HttpClient;
import java.time.Duration;

/*
 * Lesson 02 · API gateway
 *
 * The mobile app used to call users, carts and orders itself: three addresses in its configuration, and three
 * services that each had to check the caller's token (orders forgot, and served anyone's orders to anyone).
 * Now there is one entrance. The app sends everything to the gateway; the gateway finds the service by the path,
 * lets nobody through without a valid token, tells the service who is calling, and passes the answer back.
 *
 * Write what the gateway does with each request: handle() below, with Routes.match and the two methods of
 * Headers. Javalin, the route table, the token check and the plumbing in Http are ready. Check your work with:
 * ./jbang workbook check 02
 */
final class Proxy {
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

    /**
     * One request from a client, from arrival to answer:
     * <ol>
     * <li>Which service? {@code routes.match(ctx.path())}. No route: 404, with {@code Http.error}.</li>
     * <li>Who is calling? The header {@code Authorization: Bearer <token>}, and {@code tokens.userFor(token)}.
     *     No header, another scheme, or a token nobody knows: 401 with the header {@code WWW-Authenticate: Bearer},
     *     and not a single request to any service.</li>
     * <li>Forward: the same method, the rest of the path after the prefix, the query string
     *     ({@code ctx.queryString()}, null when there is none), the body ({@code ctx.bodyAsBytes()}) and the headers
     *     from {@code Headers.toUpstream(Http.headersOf(ctx), user)}; with {@code upstreamTimeout} as the request's
     *     timeout.</li>
     * <li>Answer: the service's status, {@code Headers.toClient(...)} of its headers, and its body, with
     *     {@code Http.respond}. The service could not be reached or broke the connection: 502 Bad Gateway.
     *     It did not answer in time: 504 Gateway Timeout.</li>
     * </ol>
     */
    void handle(Context ctx) throws Exception {
        throw new UnsupportedOperationException("TODO: Proxy.handle: route by prefix (404), check the bearer token before any upstream call (401), forward the request, pass the answer back (502 when unreachable, 504 when too slow)");
    }
}
