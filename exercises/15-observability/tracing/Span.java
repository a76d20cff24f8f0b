package tracing;

/**
 * One piece of work in a trace: a service serving one request, or one call it makes to another service. Every span
 * of one checkout shares the trace id; each has its own span id, and names the span it was started from as its
 * parent (none for the first span of a trace). Logs carry these ids, so one search by trace id finds the whole story.
 *
 * @param traceId  32 lowercase hex digits, the same in every span of the trace
 * @param spanId   16 lowercase hex digits, new for every span
 * @param parentId the span id of the span that started this one, or null for the first span of a trace
 * @param flags    2 hex digits passed on unchanged; "01" means sampled (keep this trace)
 */
public record Span(String traceId, String spanId, String parentId, String flags) {
    /** The header that tells the next service: your work is a child of this span. */
    public Traceparent asParent() {
        return new Traceparent(traceId, spanId, flags);
    }
}
