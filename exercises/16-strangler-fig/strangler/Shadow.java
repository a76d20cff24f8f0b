package strangler;

/*
 * Lesson 16 · Strangler fig
 *
 * Before any customer sees the new catalog, the facade sends it a copy of every product request in the background
 * (shadow traffic) and compares its answer with legacy's. Legacy is old and has its quirks: prices as strings, an
 * unknown product answered 200. The new service must answer what legacy answered, or the team must decide that
 * the difference is a fix. This comparison is how they find out, on real traffic, with no customer at risk.
 *
 * Compare what the answers mean, not their bytes: JSON with its keys in another order or other spacing says the
 * same thing, and counting it as a difference would bury the real ones in noise.
 */
public final class Shadow {
    private Shadow() {}

    /**
     * Compares the new service's answer with legacy's.
     *
     * @return Same when the statuses are equal and the bodies mean the same (equal as JSON when both are JSON,
     *         byte for byte otherwise); Different, saying what differs, when they do not
     */
    public static Comparison compare(Reply legacy, Reply candidate) {
        throw new UnsupportedOperationException("TODO: compare the two statuses, then the two bodies as JSON (Jackson's readTree, then equals)");
    }
}
