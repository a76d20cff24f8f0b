package strangler;

/**
 * Where one route stands in its move from the old monolith (legacy) to its new service. A route goes through
 * the stages in this order, one step at a time, and can step back whenever the new service misbehaves.
 */
public sealed interface Stage {
    /** Only legacy serves the route: where every route starts. */
    record Legacy() implements Stage {}

    /**
     * Legacy serves the route, and each request is also sent to the new service in the background, to compare the
     * two answers. The caller only ever sees legacy's answer.
     */
    record Shadow() implements Stage {}

    /** The new service serves this share of users (0 to 100), chosen by a stable hash of the user; legacy serves the rest. */
    record Rollout(int percent) implements Stage {
        public Rollout {
            if (percent < 0 || percent > 100) throw new IllegalArgumentException("a rollout is 0 to 100 percent: " + percent);
        }
    }

    /** Only the new service serves the route. Legacy is never asked again, and its code for the route can go. */
    record Migrated() implements Stage {}
}
