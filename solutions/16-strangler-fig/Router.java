package strangler;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

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
        var found = table.routeFor(request.path());
        if (found.isEmpty()) return legacy.send(request); // not being migrated (yet): legacy's, as always
        RoutingTable.Route route = found.get();
        return switch (route.stage()) {
            case Stage.Legacy stillLegacy -> legacy.send(request);
            case Stage.Shadow shadow -> answerAndShadow(route, request);
            case Stage.Rollout rollout -> request.userId() != null && Rollout.toNewService(request.userId(), route.name(), rollout.percent())
                ? route.newService().send(request)
                : legacy.send(request);
            // No try, no fallback: a failure of the new service must show, or nobody fixes it.
            case Stage.Migrated migrated -> route.newService().send(request);
        };
    }

    /** Legacy answers the caller; the new service gets a copy of the request in the background. */
    private Reply answerAndShadow(RoutingTable.Route route, Request request) throws Upstream.Unavailable {
        Reply answer = legacy.send(request);
        try {
            shadows.execute(() -> log.record(entry(route, request, compareWithNewService(route, request, answer))));
        } catch (RejectedExecutionException full) { // too many shadows in flight: skip this one, never the caller
            log.record(entry(route, request, new Comparison.Failed("shadow not sent: " + full.getMessage())));
        }
        return answer;
    }

    /** Runs on the shadows executor: whatever happens here stays here, and ends up in the log. */
    private static Comparison compareWithNewService(RoutingTable.Route route, Request request, Reply legacyAnswer) {
        try {
            return Shadow.compare(legacyAnswer, route.newService().send(request));
        } catch (Exception e) {
            return new Comparison.Failed(e.getMessage());
        }
    }

    private static ShadowLog.Entry entry(RoutingTable.Route route, Request request, Comparison result) {
        return new ShadowLog.Entry(route.name(), request.path(), request.userId(), result);
    }
}
