package discovery;

import java.util.List;

/**
 * Everything that can stop the discovery client from finding an instance that answers, in its own words.
 * Callers handle these three and nothing else: no IOException, no IndexOutOfBoundsException gets out.
 */
public abstract sealed class DiscoveryProblem extends RuntimeException {
    private final String service;

    DiscoveryProblem(String service, String message, Throwable cause) {
        super(message, cause);
        this.service = service;
    }

    /** The service that could not be reached, for example {@code catalog}. */
    public String service() { return service; }

    /** No instance to send the request to: the registry lists none, or every one it lists is ejected. */
    public static final class NoInstances extends DiscoveryProblem {
        public NoInstances(String service, String why) {
            super(service, "no instance of " + service + " to call: " + why, null);
        }
    }

    /** The registry could not be asked, and there is no earlier list to fall back on. */
    public static final class RegistryDown extends DiscoveryProblem {
        public RegistryDown(String service, Throwable cause) {
            super(service, "cannot find " + service + ": the registry gave no list and none is known from before", cause);
        }
    }

    /** Instances were tried and none of them answered: each attempt, in order, as "catalog-2: 503". */
    public static final class CallFailed extends DiscoveryProblem {
        private final List<String> attempts;

        public CallFailed(String service, List<String> attempts) {
            super(service, service + " is unavailable: " + String.join(", ", attempts), null);
            this.attempts = List.copyOf(attempts);
        }

        public List<String> attempts() { return attempts; }
    }
}
