package gateway;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's route table: which path prefix leads to which service. {@code /api/users} leads to users, so
 * {@code GET /api/users/42} becomes {@code GET /42} at the users service: the prefix is the gateway's business,
 * the rest of the path is the service's.
 */
public final class Routes {
    /** One entry: requests under {@code prefix} go to the service called {@code service} at {@code upstream}. */
    public record Route(String prefix, String service, URI upstream) {}

    /**
     * A request path matched to a route.
     * @param rest what is left of the path once the prefix is cut off; it always starts with "/", and is just "/"
     *             when nothing is left ({@code /api/users/42} gives {@code /42}, {@code /api/users} gives {@code /})
     */
    public record Match(Route route, String rest) {}

    private final List<Route> routes = new ArrayList<>();

    /**
     * Adds a route. The prefix starts with "/" and does not end with one, for example {@code /api/users}; the
     * upstream is the service's base address, for example {@code http://127.0.0.1:41237}.
     */
    public Routes add(String prefix, String service, URI upstream) {
        if (!prefix.startsWith("/") || prefix.endsWith("/")) {
            throw new IllegalArgumentException("a prefix starts with / and does not end with one, like /api/users: " + prefix);
        }
        String base = upstream.toString();
        routes.add(new Route(prefix, service, URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base)));
        return this;
    }

    /** Every route, in the order they were added. */
    public List<Route> all() { return List.copyOf(routes); }

    /**
     * The route for a request path, with the prefix cut off; empty when no route matches.
     * A prefix matches whole path segments only: {@code /api/users} matches {@code /api/users} and
     * {@code /api/users/42}, but not {@code /api/userss} or {@code /api/users-admin}. When several prefixes match
     * ({@code /api/users} and {@code /api/users/admin} for {@code /api/users/admin/7}), the longest wins.
     */
    public Optional<Match> match(String path) {
        throw new UnsupportedOperationException("TODO: Routes.match: find the route whose prefix is a whole-segment prefix of the path, and cut the prefix off");
    }
}
