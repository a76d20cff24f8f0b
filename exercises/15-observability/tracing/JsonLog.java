package tracing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.function.Consumer;

/*
 * Lesson 15 · Observability
 *
 * When the checkout failed, each team grepped its own logs for "error" and found lines with no customer, no order
 * and no way to match them with anybody else's. A log line that carries the trace id joins them: one search by
 * that id, across every service, tells the whole story of one request.
 *
 * Write the log line here: one JSON object per line, that a machine can parse whatever the message says.
 * Check your work with: ./jbang workbook check 15
 */
public final class JsonLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String service;
    private final Clock clock;
    private final Consumer<String> out;

    /**
     * @param service the name every line carries, for example "orders"
     * @param clock   where the time of each line comes from
     * @param out     where each line goes: standard output in production, a list in tests
     */
    public JsonLog(String service, Clock clock, Consumer<String> out) {
        this.service = service;
        this.clock = clock;
        this.out = out;
    }

    public void info(Span span, String message) {
        log("INFO", span, message);
    }

    public void warn(Span span, String message) {
        log("WARN", span, message);
    }

    /**
     * One event as one line of JSON:
     * {@code {"time":"2026-01-05T09:00:00Z","level":"INFO","service":"orders","traceId":"...","spanId":"...","parentId":"...","message":"..."}},
     * without parentId when the span has none.
     */
    void log(String level, Span span, String message) {
        throw new UnsupportedOperationException("TODO: JsonLog.log: write one line of JSON to out with time, level, service, traceId, spanId, parentId (when there is one) and message");
    }
}
