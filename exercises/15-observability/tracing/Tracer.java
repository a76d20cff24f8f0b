package tracing;

import java.net.http.HttpRequest;

/*
 * Lesson 15 · Observability
 *
 * A checkout crosses the gateway, orders, inventory and payments. When it fails, the only way to find where is to
 * follow it: one trace id on every hop, passed on in the traceparent header, and a new span id for every piece of
 * work, so the hops can be told apart and put back in order.
 *
 * Write both ends of every hop here: serve() when a request comes in, call() when one goes out.
 * Check your work with: ./jbang workbook check 15
 */
public final class Tracer {
    /** The flags of a trace we start ourselves: sampled, so it is kept. */
    static final String SAMPLED = "01";

    private final Ids ids;

    public Tracer(Ids ids) {
        this.ids = ids;
    }

    /**
     * The span of a request this service is about to serve. A valid traceparent continues the caller's trace;
     * a missing or malformed one starts a new trace.
     */
    public Span serve(String traceparent) {
        throw new UnsupportedOperationException("TODO: Tracer.serve: continue the caller's trace (its trace id and flags, a new span id, the caller's span as parent), or start a new trace when the header is missing or malformed");
    }

    /**
     * The span of one call this service makes while working in {@code current}: the same trace, a new span id,
     * {@code current} as its parent. Puts the call's traceparent on the request and returns the call's span.
     */
    public Span call(Span current, HttpRequest.Builder request) {
        throw new UnsupportedOperationException("TODO: Tracer.call: make the call's span (same trace, new span id, current as parent), put its traceparent on the request, and return it");
    }
}
