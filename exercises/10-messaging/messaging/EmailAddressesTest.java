package messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import kit.Expect;
import kit.Hint;
import kit.Points;
import messaging.EmailAddresses.Outcome;
import messaging.EmailAddresses.UnknownCustomer;
import messaging.EmailAddresses.VersionConflict;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Notifications' copy of the customers' e-mail addresses, fed by profiles' AddressChanged events. No broker needed. */
@DisplayName("10 · A copy of profiles' e-mail addresses, kept fresh by AddressChanged events")
class EmailAddressesTest {

    @Test
    @Points(1)
    @DisplayName("A newer version replaces the address: the e-mail goes to the latest one")
    @Hint({"Read 'A copy of another service's data: event-carried state transfer' in the lesson's README. What does each AddressChanged carry?",
           "Each event carries the whole new address, so the copy needs nothing but the latest event per customer. A newer version replaces what is held.",
           "Last hint: a Map<String, AddressChanged> by customerId; apply puts the event when nothing is held or event.version() > held.version(), and returns Outcome.APPLIED."})
    void newerVersionReplaces() {
        var addresses = new EmailAddresses();
        assertOutcome(addresses, changed("ada", "ada@home.example", 1), Outcome.APPLIED, "Ada's first address");
        assertOutcome(addresses, changed("ada", "ada@work.example", 2), Outcome.APPLIED, "version 2 after version 1");
        assertSendTo(addresses, "ada", "ada@work.example", 2);
    }

    @Test
    @Points(1)
    @DisplayName("A customer the copy has never heard of has version 0, and sendTo throws UnknownCustomer naming her")
    @Hint({"Can an order arrive before its customer's first AddressChanged? (End of 'Which event is the latest: a version number' in the lesson's README.)",
           "The two come on different topics, in no agreed order. With no address yet, say so loudly: the e-mail fails, and the broker delivers the order again later. null or an empty address would send an e-mail to nowhere.",
           "Last hint: in sendTo: if (held == null) throw new UnknownCustomer(customerId); in versionOf: held == null ? 0 : held.version()."})
    void unknownCustomer() {
        var addresses = new EmailAddresses();
        assertUnknown(addresses, "bob");
        addresses.apply(changed("ada", "ada@home.example", 1));
        assertUnknown(addresses, "bob");
        assertUnknown(addresses, "ad");
    }

    @Test
    @Points(2)
    @DisplayName("The same version again is a DUPLICATE and changes nothing: a redelivery after a crash")
    @Hint({"Read 'Which event is the latest: a version number' in the lesson's README. What happens when the broker delivers version 2 a second time?",
           "Delivery is at least once, so the same event can come twice. Only a higher version is news: the same version again is a DUPLICATE, and changes nothing.",
           "Last hint: compare with >, not >=; when event.version() == held.version() (and the e-mail is the same), return Outcome.DUPLICATE."})
    void sameVersionIsADuplicate() {
        var addresses = new EmailAddresses();
        addresses.apply(changed("ada", "ada@home.example", 1));
        addresses.apply(changed("ada", "ada@work.example", 2));
        assertOutcome(addresses, changed("ada", "ada@work.example", 2), Outcome.DUPLICATE, "version 2 again, after version 2");
        assertOutcome(addresses, changed("ada", "ada@work.example", 2), Outcome.DUPLICATE, "version 2 a third time");
        assertSendTo(addresses, "ada", "ada@work.example", 2);

        var fresh = new EmailAddresses();
        fresh.apply(changed("bob", "bob@home.example", 7));
        assertOutcome(fresh, changed("bob", "bob@home.example", 7), Outcome.DUPLICATE, "Bob's first event (version 7) again");
    }

    @Test
    @Points(2)
    @DisplayName("An older version is STALE and never overwrites a newer one, one version below or many")
    @Hint({"A redelivered version 2 arrives after version 3. Which address should the copy keep? ('Which event is the latest: a version number' in the lesson's README.)",
           "Apply by version, not by order of arrival. A lower version than the one held is older: STALE, and the newer address stays.",
           "Last hint: if (event.version() < held.version()) return Outcome.STALE; before anything is put in the map."})
    void olderNeverOverwritesNewer() {
        var addresses = new EmailAddresses();
        addresses.apply(changed("ada", "ada@studio.example", 3));
        assertOutcome(addresses, changed("ada", "ada@work.example", 2), Outcome.STALE, "version 2 after version 3");
        assertOutcome(addresses, changed("ada", "ada@home.example", 1), Outcome.STALE, "version 1 after version 3");
        assertSendTo(addresses, "ada", "ada@studio.example", 3);

        addresses.apply(changed("ada", "ada@garden.example", 40));
        assertOutcome(addresses, changed("ada", "ada@attic.example", 39), Outcome.STALE, "version 39 after version 40");
        assertSendTo(addresses, "ada", "ada@garden.example", 40);
    }

    @Test
    @Points(2)
    @DisplayName("A gap is fine: version 4 after version 1 applies, and the versions in between are STALE when they come")
    @Hint({"Version 4 arrives after version 1. Do you need versions 2 and 3 first? ('Which event is the latest: a version number' in the lesson's README.)",
           "Each event carries the whole address, so a missing version loses nothing. Higher is newer, however much higher; a customer's first event may have any version.",
           "Last hint: the only test is event.version() > held.version() (or nothing held); never event.version() == held.version() + 1."})
    void gapsAreFine() {
        var addresses = new EmailAddresses();
        assertOutcome(addresses, changed("ada", "ada@home.example", 1), Outcome.APPLIED, "Ada's version 1");
        assertOutcome(addresses, changed("ada", "ada@studio.example", 4), Outcome.APPLIED, "version 4 after version 1 (2 and 3 not here yet)");
        assertOutcome(addresses, changed("ada", "ada@work.example", 2), Outcome.STALE, "version 2, late, after version 4");
        assertOutcome(addresses, changed("ada", "ada@attic.example", 3), Outcome.STALE, "version 3, late, after version 4");
        assertSendTo(addresses, "ada", "ada@studio.example", 4);

        assertOutcome(addresses, changed("bob", "bob@work.example", 5), Outcome.APPLIED, "Bob's first event, at version 5");
        assertSendTo(addresses, "bob", "bob@work.example", 5);
    }

    @Test
    @Points(2)
    @DisplayName("Customers do not mix: each has versions of her own")
    @Hint({"Does Ada's version 5 say anything about Bob?",
           "Profiles numbers each customer's changes on their own. Keep the version per customer, next to her address, and compare an event only with its own customer's.",
           "Last hint: look up latest.get(event.customerId()); never one version (or one 'last event') for the whole copy."})
    void customersDoNotMix() {
        var addresses = new EmailAddresses();
        addresses.apply(changed("ada", "ada@home.example", 5));
        assertOutcome(addresses, changed("bob", "bob@home.example", 1), Outcome.APPLIED, "Bob's version 1, after Ada's version 5");
        assertOutcome(addresses, changed("bob", "bob@work.example", 2), Outcome.APPLIED, "Bob's version 2");
        assertOutcome(addresses, changed("ada", "ada@work.example", 2), Outcome.STALE, "Ada's version 2, after Ada's version 5");
        assertOutcome(addresses, changed("ada", "ada@home.example", 5), Outcome.DUPLICATE, "Ada's version 5 again, after Bob's version 2");
        assertSendTo(addresses, "ada", "ada@home.example", 5);
        assertSendTo(addresses, "bob", "bob@work.example", 2);
    }

    @Test
    @Points(2)
    @DisplayName("One version with two different addresses throws VersionConflict, every time it is delivered, and keeps the address held")
    @Hint({"The same version comes with another address. Is that a duplicate?",
           "A duplicate is the same change again. The same version with another address means profiles broke its promise, and neither address can be trusted to be the later one. Keep what you hold, and fail at every delivery, so the event ends with a person in the dead-letter queue.",
           "Last hint: when the versions are equal: if (!event.email().equals(held.email())) throw new VersionConflict(held, event); before returning DUPLICATE."})
    void conflictingAddressesUnderOneVersion() {
        var addresses = new EmailAddresses();
        addresses.apply(changed("ada", "ada@work.example", 2));
        var conflicting = changed("ada", "ada@elsewhere.example", 2);
        for (int delivery = 1; delivery <= 3; delivery++) {
            Expect.thrown(VersionConflict.class, () -> addresses.apply(conflicting),
                "delivery " + delivery + " of version 2 with another address than the held version 2");
            assertSendTo(addresses, "ada", "ada@work.example", 2);
        }
        assertOutcome(addresses, changed("ada", "ada@studio.example", 3), Outcome.APPLIED, "version 3 after the conflict");
        assertSendTo(addresses, "ada", "ada@studio.example", 3);
    }

    @Test
    @Points(2)
    @DisplayName("An e-mail that failed for an unknown customer succeeds when the order is redelivered after her first event")
    @Hint({"The first try failed for an unknown customer. What must be true when the broker delivers the order again?",
           "A failed sendTo must leave nothing behind: no empty address, no 'unknown' remembered. When AddressChanged arrives, the next try finds it.",
           "Last hint: sendTo only reads the map; apply for a new customer puts her event and returns APPLIED, whatever its version."})
    void redeliveryAfterTheAddressArrived() {
        var addresses = new EmailAddresses();
        Expect.thrown(UnknownCustomer.class, () -> addresses.sendTo("cleo"), "the order for Cleo arrives before her address");
        Expect.thrown(UnknownCustomer.class, () -> addresses.sendTo("cleo"), "the order is redelivered, and still no address");
        assertOutcome(addresses, changed("cleo", "cleo@home.example", 3), Outcome.APPLIED, "Cleo's first event (version 3), after two failed sends");
        assertSendTo(addresses, "cleo", "cleo@home.example", 3);
    }

    @Test
    @Points(1)
    @DisplayName("Events applied on several threads at once, in shuffled order: the copy ends at each customer's highest version")
    @Hint({"Events come on the broker's thread, e-mails go out on another. Can two calls meet in the middle of apply?",
           "Reading the held version and putting the new event must be one step, or a late version 2 can slip in after version 3 was put.",
           "Last hint: make apply, sendTo and versionOf synchronized (or use ConcurrentHashMap.compute for the whole read-compare-put)."})
    void threadSafe() throws Exception {
        var addresses = new EmailAddresses();
        int versions = 2_000;
        List<AddressChanged> events = new ArrayList<>();
        for (String customer : List.of("ada", "bob")) {
            for (int v = 1; v <= versions; v++) events.add(changed(customer, customer + "-" + v + "@example.org", v));
        }
        Collections.shuffle(events, new Random(10));
        int threads = 4;
        var start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<AddressChanged> share = events.subList(t * events.size() / threads, (t + 1) * events.size() / threads);
                done.add(pool.submit(() -> {
                    start.await();
                    for (var event : share) {
                        addresses.apply(event);
                        addresses.sendTo(event.customerId());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (var f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertSendTo(addresses, "ada", "ada-" + versions + "@example.org", versions);
        assertSendTo(addresses, "bob", "bob-" + versions + "@example.org", versions);
    }

    // ---- helpers ----

    private static AddressChanged changed(String customerId, String email, long version) {
        return new AddressChanged(customerId, email, version);
    }

    private static void assertOutcome(EmailAddresses addresses, AddressChanged event, Outcome expected, String what) {
        Outcome outcome = Expect.returns(() -> addresses.apply(event), "applying " + what + " should work");
        assertThat(outcome).withFailMessage("applying %s (%s) should be %s, but apply said %s", what, event, expected, outcome)
            .isEqualTo(expected);
    }

    private static void assertSendTo(EmailAddresses addresses, String customerId, String email, long version) {
        String to = Expect.returns(() -> addresses.sendTo(customerId), "sendTo(\"" + customerId + "\") should answer an address");
        assertThat(to).withFailMessage("the e-mail to %s should go to %s (version %d), but sendTo said %s", customerId, email, version, to)
            .isEqualTo(email);
        long held = addresses.versionOf(customerId);
        assertThat(held).withFailMessage("the copy should hold version %d for %s, but versionOf said %d", version, customerId, held)
            .isEqualTo(version);
    }

    private static void assertUnknown(EmailAddresses addresses, String customerId) {
        var e = Expect.thrown(UnknownCustomer.class, () -> addresses.sendTo(customerId),
            "no AddressChanged for " + customerId + " has arrived: there is no address to e-mail");
        assertThat(e.getMessage()).withFailMessage("UnknownCustomer should name the customer, %s, but said: %s", customerId, e.getMessage())
            .contains(customerId);
        long held = addresses.versionOf(customerId);
        assertThat(held).withFailMessage("the copy holds nothing for %s, so versionOf should be 0, but was %d", customerId, held).isZero();
    }
}
