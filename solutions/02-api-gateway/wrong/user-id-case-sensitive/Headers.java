package gateway;

// WRONG (user-id-case-sensitive): drops X-User-Id only when the client spells it that way; x-user-id: admin gets through

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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

    /** What the gateway keeps to itself: the token it has checked, and any identity the client claims. */
    private static final Set<String> GATEWAY_ONLY = Set.of("authorization", USER_ID.toLowerCase(Locale.ROOT));

    private Headers() {}

    /**
     * The headers to send to the service, given the client's and the id of the user its token belongs to:
     * every header the client sent, except those about the connection (HOP_BY_HOP), those the HttpClient sets
     * itself (SET_BY_HTTP_CLIENT), the token (Authorization: the service must never see it) and any X-User-Id the
     * client made up; plus X-User-Id with the verified user. Remember that header names are case-insensitive.
     */
    static Map<String, List<String>> toUpstream(Map<String, List<String>> fromClient, String userId) {
        Set<String> connectionOnly = namedByConnection(fromClient);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        fromClient.forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(key) && !SET_BY_HTTP_CLIENT.contains(key) && !name.equals("Authorization") && !name.equals(USER_ID)
                && !connectionOnly.contains(key)) {
                headers.put(name, values);
            }
        });
        headers.put(USER_ID, List.of(userId));
        return headers;
    }

    /** The headers to send back to the client, given the service's: all of them, except those about the connection. */
    static Map<String, List<String>> toClient(Map<String, List<String>> fromUpstream) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        Set<String> connectionOnly = namedByConnection(fromUpstream);
        fromUpstream.forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(key) && !connectionOnly.contains(key)) headers.put(name, values);
        });
        return headers;
    }

    /** Connection may name more headers that belong to this connection only: "Connection: close, X-Debug-Hop". */
    private static Set<String> namedByConnection(Map<String, List<String>> headers) {
        Set<String> named = new HashSet<>();
        headers.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Connection")) return;
            for (String value : values) {
                for (String token : value.split(",")) named.add(token.strip().toLowerCase(Locale.ROOT));
            }
        });
        return named;
    }
}
