package composition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the app gets in one round trip: the parts that came in time, and the names of those that did not.
 *
 * @param parts    each part that arrived, with the JSON its service answered
 * @param degraded the parts that are missing (kept in the order of {@link Part}, whatever order they are given in)
 */
public record HomeScreen(Map<Part, JsonNode> parts, List<Part> degraded) {
    public HomeScreen {
        var copy = new EnumMap<Part, JsonNode>(Part.class);
        copy.putAll(parts);
        parts = Collections.unmodifiableMap(copy);
        degraded = degraded.stream().distinct().sorted().toList();
    }

    /** The JSON the endpoint answers: {@code {"profile": {...}, "orders": [...], "degraded": ["recommendations"]}}. */
    public ObjectNode toJson() {
        ObjectNode json = new ObjectMapper().createObjectNode();
        parts.forEach((part, value) -> json.set(part.key(), value));
        var names = json.putArray("degraded");
        degraded.forEach(part -> names.add(part.key()));
        return json;
    }
}
