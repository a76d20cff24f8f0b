package strangler;

/*
 * Lesson 16 · Strangler fig
 *
 * The shop's old monolith still serves every page. The team moves it out one route at a time, behind a facade:
 * first the catalog's product pages, then the carts. A route being moved goes to its new service for a share of
 * the users only: 10 %, then 50 %, then everyone. Which users? The same ones on every request, or a customer would
 * see the new product page, then the old one, then the new one again, and a bug report could never be reproduced.
 *
 * Decide the side from the user and the route alone, with a hash whose value is written down in a standard
 * (CRC32, or the bytes of a SHA-256), so it is the same on every request, in every JVM, after every restart.
 * Never from a random number. Check your work with: ./jbang workbook check 16
 */
public final class Rollout {
    private Rollout() {}

    /**
     * The user's bucket for a route: a number from 0 to 99, always the same for the same user and route, spread
     * evenly over all users. Each route has its own buckets, so the users who try the new product pages first are
     * not always the ones who try the new carts first.
     */
    public static int bucket(String userId, String route) {
        throw new UnsupportedOperationException("TODO: hash the route and the user id (CRC32 or SHA-256 of their bytes) into a bucket from 0 to 99");
    }

    /**
     * Whether this user gets the new service during a rollout of {@code percent} (0 to 100): 0 sends nobody, 100
     * everybody, and a user who gets it at 10 % still gets it at 50 %, so growing a rollout never sends anyone back.
     */
    public static boolean toNewService(String userId, String route, int percent) {
        throw new UnsupportedOperationException("TODO: send the user to the new service when their bucket is below the percentage");
    }
}
