package timeouts;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/*
 * Lesson 06 · Timeouts and deadline propagation
 *
 * Last Friday payments stopped answering. It did not refuse, it did not fail: it took the requests and kept them.
 * The orders service waited, one thread per checkout, until every thread it had was waiting, and then the shop
 * stood still, pages that never touch payments included. Meanwhile the app had given up long before: whatever
 * orders did after that, nobody was waiting for it.
 *
 * So every call gets a timeout, and every request a deadline: the app says how long it will wait (the header
 * X-Deadline-Ms), each service subtracts the time it spent, passes on what is left, and does not start a call it
 * has no time for. Write the deadline here, then the call to payments (Payments.java), then orders' answer
 * (OrdersApi.java). Time comes from the clock you are given, never from the system's: the tests move a manual
 * clock. Check your work with: ./jbang workbook check 06
 */
/** The moment by which a request must be answered, and how much time is left until then. */
public final class Deadline {
    /** The header that carries the budget from one service to the next: whole milliseconds left, for example "850". */
    public static final String HEADER = "X-Deadline-Ms";

    private final InstantSource clock;
    private final Instant expiry;

    private Deadline(InstantSource clock, Instant expiry) {
        this.clock = clock;
        this.expiry = expiry;
    }

    /** A budget that starts now: {@code Deadline.after(Duration.ofSeconds(2), clock)}. */
    public static Deadline after(Duration budget, InstantSource clock) {
        return new Deadline(clock, clock.instant().plus(budget));
    }

    /**
     * The deadline of a request that just arrived, from its caller's {@code X-Deadline-Ms} header.
     * <ul>
     * <li>A whole number of milliseconds: that budget, starting now. A caller may ask for less time than
     *     {@code ownBudget}, never for more: "5000" with an own budget of 2 s gives 2 s.</li>
     * <li>0 or less: the caller's budget is already spent; the deadline has expired.</li>
     * <li>No header (null), or anything that is not a whole number ("soon", ""): {@code ownBudget}.</li>
     * </ul>
     */
    public static Deadline fromHeader(String header, Duration ownBudget, InstantSource clock) {
        throw new UnsupportedOperationException("TODO: Deadline.fromHeader: the caller's milliseconds, capped at ownBudget; ownBudget when the header is missing or not a number");
    }

    /** The time left until the deadline, on this deadline's clock; zero once it has passed, never negative. */
    public Duration remaining() {
        throw new UnsupportedOperationException("TODO: Deadline.remaining: the time from clock.instant() to the expiry, and zero (never negative) once it has passed");
    }

    /** True once no time is left. */
    public boolean expired() {
        return !remaining().isPositive();
    }

    /**
     * What to send on in {@code X-Deadline-Ms}: the whole milliseconds left now, rounded down, so the next service
     * is never promised more time than there is. 649.6 ms left is "649".
     */
    public String headerValue() {
        throw new UnsupportedOperationException("TODO: Deadline.headerValue: the whole milliseconds left, rounded down, as text");
    }

    @Override
    public String toString() {
        return "Deadline[" + remaining().toMillis() + " ms left]";
    }
}
