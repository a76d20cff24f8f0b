package tracing;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    // Version 00 is exactly this: no spaces, no uppercase, nothing before or after.
    private static final Pattern VERSION_00 = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

    /**
     * The header's parts, or empty when the header is missing or malformed: a service that cannot read it starts a
     * new trace instead of passing garbage on.
     */
    public static Optional<Traceparent> parse(String header) {
        if (header == null) return Optional.empty();
        Matcher parts = VERSION_00.matcher(header);
        if (!parts.matches()) return Optional.empty();
        String traceId = parts.group(1);
        String parentId = parts.group(2);
        // All zeros is how the standard spells "no id": such a header names no trace and no parent.
        if (isAllZeros(traceId) || isAllZeros(parentId)) return Optional.empty();
        return Optional.of(new Traceparent(traceId, parentId, parts.group(3)));
    }

    private static boolean isAllZeros(String hex) {
        return hex.chars().allMatch(c -> c == '0');
    }

    /** The header's value, as it goes on the wire. */
    public String header() {
        return "00-" + traceId + "-" + parentId + "-" + flags;
    }
}
