package messaging;

import java.util.HashMap;
import java.util.Map;

/*
 * Lesson 10 · Messaging: a copy of another service's data
 *
 * Ada changed her e-mail address at profiles, and notifications kept e-mailing the old one: it had copied the
 * address once. Now profiles publishes every change as an AddressChanged, and notifications keeps its own copy
 * from them. But the broker delivers at least once, and not always in order: the same event comes twice, an old
 * one turns up after a newer one. The version number says which address is the latest, per customer.
 *
 * Write apply, sendTo and versionOf below. Events come on one thread and e-mails go out on another, so the three
 * methods may be called at the same time. Check your work with: ./jbang workbook check 10
 */
public final class EmailAddresses {
    /** What apply did with one event. */
    public enum Outcome {
        /** The event was newer than what the copy held (or the customer was new to it): its address is now the one. */
        APPLIED,
        /** The copy already holds this very version: a redelivery. Nothing changed. */
        DUPLICATE,
        /** The copy holds a newer version: the event came late. Nothing changed. */
        STALE
    }

    /** sendTo was asked about a customer whose first AddressChanged has not arrived (yet). */
    public static final class UnknownCustomer extends RuntimeException {
        public UnknownCustomer(String customerId) {
            super("no e-mail address for customer " + customerId + " yet");
        }
    }

    /** Two events with one version but different addresses: profiles broke its promise, and a person must look. */
    public static final class VersionConflict extends RuntimeException {
        public VersionConflict(AddressChanged held, AddressChanged incoming) {
            super("customer " + held.customerId() + " has version " + held.version() + " as " + held.email()
                + ", and an event says " + incoming.email() + " for the same version");
        }
    }

    /** The latest event applied, per customer: it carries the address and its version. */
    private final Map<String, AddressChanged> latest = new HashMap<>();

    /**
     * Applies one event to the copy: only when its version is higher than the one held for its customer (any
     * version, for a customer the copy has not seen). The same version again is a DUPLICATE, a lower one STALE;
     * both change nothing. The same version with a different address throws VersionConflict and changes nothing.
     */
    public Outcome apply(AddressChanged event) {
        // TODO: look up what the copy holds for event.customerId(). Nothing, or an older version: keep the event,
        //       APPLIED. The same version: DUPLICATE (or VersionConflict when the e-mail differs). Lower: STALE.
        throw new UnsupportedOperationException("TODO: apply the event only if it is newer than what the copy holds");
    }

    /** The address to e-mail the customer at: the one of the highest version applied. UnknownCustomer if none. */
    public String sendTo(String customerId) {
        // TODO: the held event's email, or throw new UnknownCustomer(customerId).
        throw new UnsupportedOperationException("TODO: answer the address of the latest version held");
    }

    /** The version of the address held for the customer; 0 when the copy has none. */
    public long versionOf(String customerId) {
        // TODO: the held event's version, or 0.
        throw new UnsupportedOperationException("TODO: answer the version held, 0 for an unknown customer");
    }
}
