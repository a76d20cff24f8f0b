package composition;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The home screen cannot be composed: a required part failed, or did not come before the deadline. */
public final class RequiredPartMissing extends RuntimeException {
    private final Part part;

    public RequiredPartMissing(Part part, String reason) {
        super("no " + part.key() + " from " + part.peer() + ": " + reason);
        this.part = part;
    }

    public Part part() { return part; }

    /** The problem, as the endpoint tells the app: {@code {"problem": "no profile from profiles: ...", "missing": "profile"}}. */
    public ObjectNode toJson() {
        return new ObjectMapper().createObjectNode().put("problem", getMessage()).put("missing", part.key());
    }
}
