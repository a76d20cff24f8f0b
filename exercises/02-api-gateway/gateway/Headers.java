package gateway;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which headers cross the gateway, in each direction. */
final class Headers {
    /**
     * Headers about one connection, not about the message (RFC 9110, section 7.6.1). They are meant for the next
     * hop only, so a proxy never passes them on, in either direction. Lower case: header names are case-insensitive.
     */
    static final Set<String> HOP_BY_HOP = Set.of(
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    /**
     * Headers the JDK HttpClient writes itself, from the request it sends. It refuses to take them from you
     * (IllegalArgumentException: restricted header name), as it refuses Connection and Upgrade.
     */
    static final Set<String> SET_BY_HTTP_CLIENT = Set.of("host", "content-length", "expect");

    /** The header that tells a service who is calling. Only the gateway may set it. */
    static final String USER_ID = "X-User-Id";

    private Headers() {}

    /**
     * The headers to send to the service, given the client's and the id of the user its token belongs to:
     * every header the client sent, with all its values, except those about the connection (HOP_BY_HOP, and the
     * headers that Connection names: "Connection: close, X-Debug-Hop" makes X-Debug-Hop one of them), those the
     * HttpClient sets itself (SET_BY_HTTP_CLIENT), the token (Authorization: the service must never see it) and any
     * X-User-Id the client made up; plus X-User-Id with the verified user. Remember that header names are
     * case-insensitive.
     */
    static Map<String, List<String>> toUpstream(Map<String, List<String>> fromClient, String userId) {
        throw new UnsupportedOperationException("TODO: Headers.toUpstream: keep the client's headers except hop-by-hop ones (and those Connection names), Host/Content-Length/Expect, Authorization and X-User-Id; add X-User-Id of the verified user");
    }

    /**
     * The headers to send back to the client, given the service's: all of them, with all their values, except those
     * about the connection (HOP_BY_HOP, and the headers that the service's Connection names).
     */
    static Map<String, List<String>> toClient(Map<String, List<String>> fromUpstream) {
        throw new UnsupportedOperationException("TODO: Headers.toClient: keep the service's headers except the hop-by-hop ones (and those Connection names)");
    }
}
