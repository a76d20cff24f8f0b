package composition;

/**
 * The three parts of the mobile app's home screen, each from its own service. Only the profile is required:
 * a home screen without the customer's name is an error, one without recommendations is a home screen.
 */
public enum Part {
    PROFILE("profile", "profiles", true),
    ORDERS("orders", "orders", false),
    RECOMMENDATIONS("recommendations", "recommendations", false);

    private final String key;
    private final String peer;
    private final boolean required;

    Part(String key, String peer, boolean required) {
        this.key = key;
        this.peer = peer;
        this.required = required;
    }

    /** The part's field in the home screen's JSON, and its name in {@code "degraded"}. */
    public String key() { return key; }

    /** The service the part comes from. */
    public String peer() { return peer; }

    /** True when the home screen cannot be shown without it. */
    public boolean required() { return required; }
}
