package strangler;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The facade's routing table: which routes are on their way to a new service, and how far each has come.
 * A route is named by the first segment of the path: {@code /products/KB-42} belongs to the route "products".
 * A path whose route is not in the table belongs to legacy, as everything did before the migration began.
 * The team changes a route's stage while the facade runs, so the table is safe to change from any thread.
 */
public final class RoutingTable {
    /** One route: its name, the new service that takes it over, and its stage. */
    public record Route(String name, Upstream newService, Stage stage) {}

    private final Map<String, Route> routes = new ConcurrentHashMap<>();

    /** Adds a route, or replaces it: {@code table.put("products", catalog, new Stage.Shadow())}. */
    public RoutingTable put(String name, Upstream newService, Stage stage) {
        routes.put(name, new Route(name, newService, stage));
        return this;
    }

    /** Moves a route that is in the table to another stage: {@code table.move("products", new Stage.Rollout(10))}. */
    public RoutingTable move(String name, Stage stage) {
        Route route = routes.get(name);
        if (route == null) throw new IllegalArgumentException("no route called " + name + " in the table");
        return put(name, route.newService(), stage);
    }

    /** The route a path belongs to ({@code /products/KB-42} to "products"); empty when that route is not in the table. */
    public Optional<Route> routeFor(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        int slash = trimmed.indexOf('/');
        String name = slash < 0 ? trimmed : trimmed.substring(0, slash);
        return Optional.ofNullable(routes.get(name));
    }

    /** Every route, by name. */
    public List<Route> all() {
        return routes.values().stream().sorted(java.util.Comparator.comparing(Route::name)).toList();
    }

    /** Forgets every route: everything belongs to legacy again. */
    public void clear() { routes.clear(); }
}
