package messaging;

/**
 * What profiles tells the shop when a customer's e-mail address changes: the new address itself, not only that it
 * changed (event-carried state transfer), and its version. Profiles numbers each customer's changes 1, 2, 3, ...;
 * a higher version is a later change of that customer's address. Versions of different customers are unrelated.
 */
public record AddressChanged(String customerId, String email, long version) {}
