package strangler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;

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
    private static final ObjectMapper JSON = new ObjectMapper();

    private Shadow() {}

    /**
     * Compares the new service's answer with legacy's.
     *
     * @return Same when the statuses are equal and the bodies mean the same (equal as JSON when both are JSON,
     *         byte for byte otherwise); Different, saying what differs, when they do not
     */
    public static Comparison compare(Reply legacy, Reply candidate) {
        if (legacy.status() != candidate.status()) {
            return new Comparison.Different("status " + legacy.status() + " from legacy, " + candidate.status() + " from " + candidate.servedBy());
        }
        JsonNode legacyJson = jsonOrNull(legacy);
        JsonNode candidateJson = jsonOrNull(candidate);
        // A body that is JSON is never the very same bytes as one that is not, so legacy's body says how to compare.
        boolean same = legacyJson != null
            ? legacyJson.equals(candidateJson)                 // key order and spacing do not matter; not JSON: never the same
            : Arrays.equals(legacy.body(), candidate.body());  // not JSON: only the very same bytes are the same
        return same ? new Comparison.Same()
            : new Comparison.Different("body " + legacy.bodyText() + " from legacy, " + candidate.bodyText() + " from " + candidate.servedBy());
    }

    /** The body as JSON, or null when it is not JSON; an empty body reads as Jackson's MissingNode, equal only to itself. */
    private static JsonNode jsonOrNull(Reply reply) {
        try {
            return JSON.readTree(reply.body());
        } catch (IOException notJson) {
            return null;
        }
    }
}
