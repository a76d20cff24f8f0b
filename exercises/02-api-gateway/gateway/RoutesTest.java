package gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import kit.Expect;
import kit.Hint;
import kit.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("02 · The route table")
class RoutesTest {
    private static final URI USERS = URI.create("http://127.0.0.1:8101");
    private static final URI ADMIN = URI.create("http://127.0.0.1:8102");
    private static final URI CARTS = URI.create("http://127.0.0.1:8103");

    @Test
    @Points(2)
    @DisplayName("match cuts the prefix off at whole segments: /api/users/42 is users and /42, /api/users is /, /api/userss and /api are no route")
    @Hint({"Read 'One entrance: routing by prefix' in the lesson's README. Where may a prefix end inside a path?",
           "A prefix matches a path that equals it, or that goes on with a '/' right after it. The rest always starts with '/', and is \"/\" when nothing is left.",
           "Last hint: if (path.equals(prefix)) return \"/\"; if (path.startsWith(prefix + \"/\")) return path.substring(prefix.length()); return null; and Optional.empty() when no route gave a rest."})
    void wholeSegments() {
        var routes = new Routes().add("/api/users", "users", USERS).add("/api/carts", "carts", CARTS);

        expectMatch(routes, "/api/users/42", "users", "/42");
        expectMatch(routes, "/api/users", "users", "/");
        expectMatch(routes, "/api/users/", "users", "/");
        expectMatch(routes, "/api/carts/c-7/items", "carts", "/c-7/items");
        for (String path : List.of("/api/userss", "/api/users-admin/1", "/api", "/", "/api/cart", "/v2/api/users/42")) {
            Optional<Routes.Match> match = Expect.returns(() -> routes.match(path), "match(\"" + path + "\") should answer");
            assertThat(match).withFailMessage("%s is under no prefix of the table (/api/users, /api/carts) as whole segments: match should be empty, but was %s",
                path, match).isEmpty();
        }
    }

    @Test
    @Points(2)
    @DisplayName("When two prefixes match, the longer one wins, whatever the order they were added in: /api/users/admin/7 is admin and /7")
    @Hint({"/api/users and /api/users/admin both match /api/users/admin/7. Which route is meant? (End of 'One entrance: routing by prefix' in the lesson's README.)",
           "When routes nest, the longest matching prefix wins, whatever the order of the table. So look at every route; do not stop at the first match.",
           "Last hint: if (rest != null && (best == null || route.prefix().length() > best.route().prefix().length())) best = new Match(route, rest);"})
    void longestPrefixWins() {
        var shortFirst = new Routes().add("/api/users", "users", USERS).add("/api/users/admin", "admin", ADMIN);
        var longFirst = new Routes().add("/api/users/admin", "admin", ADMIN).add("/api/users", "users", USERS);

        for (Routes routes : List.of(shortFirst, longFirst)) {
            expectMatch(routes, "/api/users/admin/7", "admin", "/7");
            expectMatch(routes, "/api/users/admin", "admin", "/");
            expectMatch(routes, "/api/users/administrators", "users", "/administrators");
            expectMatch(routes, "/api/users/42", "users", "/42");
        }
    }

    @Test
    @DisplayName("Routes.add (ready) refuses a prefix without a leading / or with a trailing one, drops a trailing / from the upstream, and all() lists the table in order")
    @Hint({"This part of Routes is given. If this test fails, Routes.add or Routes.all was changed: compare them with the original.",
           "add checks that the prefix starts with / and does not end with one, and stores the upstream without a trailing /, so that upstream + rest never has //.",
           "Last hint: restore add and all from the stub as they were (./jbang workbook reset 02 asks before it overwrites anything)."})
    void addChecksItsArguments() {
        var routes = new Routes();

        Expect.thrown(IllegalArgumentException.class, () -> routes.add("api/users", "users", USERS), "a prefix must start with /");
        Expect.thrown(IllegalArgumentException.class, () -> routes.add("/api/users/", "users", USERS), "a prefix must not end with /");
        routes.add("/api/users", "users", URI.create(USERS + "/")).add("/api/carts", "carts", CARTS);

        assertThat(routes.all()).withFailMessage("all() should list users (upstream %s, its trailing / dropped) and carts, in the order they were added, but was %s",
            USERS, routes.all()).containsExactly(new Routes.Route("/api/users", "users", USERS), new Routes.Route("/api/carts", "carts", CARTS));
    }

    private static void expectMatch(Routes routes, String path, String service, String rest) {
        Optional<Routes.Match> match = Expect.returns(() -> routes.match(path), "match(\"" + path + "\") should answer");
        String got = match.map(m -> m.route().service() + " " + m.rest()).orElse("no route");
        assertThat(got).withFailMessage("%s should go to %s with the rest %s, but match gave %s (the table: %s)", path, service, rest, got,
            routes.all().stream().map(Routes.Route::prefix).toList()).isEqualTo(service + " " + rest);
    }
}
