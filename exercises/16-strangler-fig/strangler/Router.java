package strangler;

import java.util.concurrent.Executor;

/*
 * Lesson 16 · Strangler fig
 *
 * Every request of the shop now passes through this router, in front of the old monolith (legacy) and the new
 * services that take its routes over one at a time. No big-bang cutover: each route moves through its stages
 * (legacy, shadow, a rollout to a growing share of users, migrated) and customers never notice a thing, even
 * when a new service misbehaves in the shadows.
 *
 * Send each request where its route's stage says. Everything else (the facade, the calls, the table) is ready.
 */
public final class Router {
    private final RoutingTable table;
    private final Upstream legacy;
    private final Executor shadows;
    private final ShadowLog log;

    /**
     * @param table   the routes being migrated, and their stages; a path whose route is not in it belongs to legacy
     * @param legacy  the old monolith, which still knows every route
     * @param shadows where shadow requests run, in the background: never on the caller's thread
     * @param log     where each shadow request's comparison is written
     */
    public Router(RoutingTable table, Upstream legacy, Executor shadows, ShadowLog log) {
        this.table = table;
        this.legacy = legacy;
        this.shadows = shadows;
        this.log = log;
    }

    /**
     * Answers one request, as the stage of its route says:
     * <ul>
     *   <li>no route in the table, or {@link Stage.Legacy}: legacy's answer;</li>
     *   <li>{@link Stage.Shadow}: legacy's answer, always; a copy of the request goes to the new service on the
     *       {@code shadows} executor, and what {@link Shadow#compare} finds goes into the log as an entry. The
     *       caller never waits for the shadow, and nothing it does (an error status, a broken connection, an
     *       exception, a full executor) changes the caller's answer;</li>
     *   <li>{@link Stage.Rollout}: the new service's answer for the users {@link Rollout#toNewService} picks, legacy's
     *       for the others; a request without a user goes to legacy;</li>
     *   <li>{@link Stage.Migrated}: the new service's answer, and legacy is never asked.</li>
     * </ul>
     * When the side a request was sent to gives no answer, that failure is the caller's answer
     * ({@link Upstream.Unavailable}, which the facade turns into 502): never quietly ask the other side instead.
     */
    public Reply route(Request request) throws Upstream.Unavailable {
        throw new UnsupportedOperationException("TODO: find the request's route in the table and answer as its stage says (legacy, shadow, rollout or migrated)");
    }
}
