package strangler;

import java.util.List;
import java.util.Map;

/**
 * A caller's request as the facade received it, ready to be sent on to legacy or to a new service.
 *
 * @param path    the path, without the query string: {@code /products/KB-42}
 * @param query   the query string as the caller wrote it, or null
 * @param headers the caller's end-to-end headers, with all their values
 */
public record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    /** The header the shop's gateway sets to the user it has verified (lesson 02). */
    public static final String USER_HEADER = "X-User-Id";

    /** The user making the request, as the gateway vouches for it; null when there is none (an anonymous visitor). */
    public String userId() {
        return headers.entrySet().stream()
            .filter(h -> h.getKey().equalsIgnoreCase(USER_HEADER) && !h.getValue().isEmpty())
            .map(h -> h.getValue().getFirst())
            .findFirst().orElse(null);
    }

    /** {@code /products/KB-42?lang=de}: what goes after the service's address. */
    public String pathAndQuery() {
        return query == null || query.isEmpty() ? path : path + "?" + query;
    }
}
