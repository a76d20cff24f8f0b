package strangler;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * An answer from legacy or from a new service, as the facade passes it back to the caller.
 *
 * @param servedBy the name of who answered ("legacy", "catalog", ...): the facade tells the caller in X-Served-By
 */
public record Reply(String servedBy, int status, Map<String, List<String>> headers, byte[] body) {
    /** The body as text (UTF-8), for logs and comparisons. */
    public String bodyText() { return new String(body, StandardCharsets.UTF_8); }

    /** The first value of a header, by a name in any case; null when there is none. */
    public String header(String name) {
        return headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty())
            .map(h -> h.getValue().getFirst()).findFirst().orElse(null);
    }

    @Override
    public String toString() { return servedBy + " " + status + " " + bodyText(); }
}
