package tracing;

import java.util.Optional;

/*
 * Lesson 15 · Observability
 *
 * A customer's checkout failed somewhere between the gateway, orders, inventory and payments, and every team says
 * "not us": nobody can tell which of their log lines belong to that one request. From now on every request carries
 * the W3C header traceparent, and every service reads it, passes it on and logs its trace id.
 *
 * Read the header here: parse() accepts version 00 exactly as the standard writes it, and nothing else.
 * Check your work with: ./jbang workbook check 15
 */

/**
 * The W3C Trace Context header {@code traceparent}, version 00, as one service sends it to the next:
 * {@code 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01}, that is
 * {@code 00-<trace id: 32 hex>-<parent id: 16 hex>-<flags: 2 hex>}, lowercase, 55 characters in all.
 *
 * @param traceId  the trace the request belongs to
 * @param parentId the span id of the caller's span: the parent of the work the receiver does
 * @param flags    trace flags; "01" is sampled
 */
public record Traceparent(String traceId, String parentId, String flags) {
    /** The header's name. HTTP header names are case-insensitive; the standard writes it in lowercase. */
    public static final String HEADER = "traceparent";

    /**
     * The header's parts, or empty when the header is missing or malformed: a service that cannot read it starts a
     * new trace instead of passing garbage on.
     */
    public static Optional<Traceparent> parse(String header) {
        // A valid header: version 00, then a trace id of 32 hex digits, a parent id of 16, flags of 2, joined by '-',
        // lowercase only, nothing before or after. A trace id or parent id of all zeros is invalid too.
        throw new UnsupportedOperationException("TODO: Traceparent.parse: split a valid version-00 header into trace id, parent id and flags; empty for null, wrong length, uppercase, all-zero ids or another version");
    }

    /** The header's value, as it goes on the wire. */
    public String header() {
        return "00-" + traceId + "-" + parentId + "-" + flags;
    }
}
