package discovery;

/**
 * What an instance answered: its status and body, and which instance it was, so callers (and tests) can see
 * where each request went.
 */
public record Reply(int status, String body, String instance) {}
