package discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the instances of one service through the registry and spreads requests over them: the registry's list
 * kept for a TTL (and kept longer when the registry is down), round-robin turns, passive health (Health), and a
 * failed GET tried again on the next instance. One lock guards the state; it is never held while an instance is
 * being called, only while the registry is asked, so concurrent callers do not all ask it at once.
 */
public final class DiscoveryClient {
    private final HttpClient http;
    private final URI registry;
    private final String service;
    private final InstantSource clock;
    private final Policy policy;
    private final ObjectMapper json = new ObjectMapper();

    private final Health health;
    private List<Instance> known;                 // the registry's last list; null until it first answers
    private Instant askAgainAt = Instant.MIN;     // when the list is too old to use without asking again
    private long turn;                            // round-robin position, one step per attempt

    public DiscoveryClient(HttpClient http, URI registry, String service, InstantSource clock, Policy policy) {
        this.http = http;
        this.registry = registry;
        this.service = service;
        this.clock = clock;
        this.policy = policy;
        this.health = new Health(policy.maxFailures(), policy.coolDown());
    }

    public synchronized List<Instance> instances() {
        Instant now = clock.instant();
        if (known == null || !now.isBefore(askAgainAt)) {
            try {
                known = List.copyOf(askRegistry());
                askAgainAt = now.plus(policy.ttl()); // wrong: only after a good answer, so during an outage every call asks again
            } catch (IOException e) {
                if (known == null) throw new DiscoveryProblem.RegistryDown(service, e);
            }
        }
        if (known.isEmpty()) throw new DiscoveryProblem.NoInstances(service, "the registry lists none");
        return known;
    }

    public synchronized Set<String> ejected() {
        return health.ejected(clock.instant());
    }

    public Reply get(String path) {
        Set<String> tried = new HashSet<>();
        List<String> attempts = new ArrayList<>();
        for (Instance instance = next(tried); instance != null; instance = next(tried)) {
            tried.add(instance.id());
            var reply = attempt(instance, "GET", path, null, attempts);
            if (reply != null) return reply;
        }
        throw new DiscoveryProblem.CallFailed(service, attempts);
    }

    public Reply post(String path, String jsonBody) {
        List<String> attempts = new ArrayList<>();
        var reply = attempt(next(Set.of()), "POST", path, jsonBody, attempts);
        if (reply != null) return reply;
        // Never a second instance: the first may have stored the POST before it failed.
        throw new DiscoveryProblem.CallFailed(service, attempts);
    }

    /**
     * Whose turn it is: the next admitted instance in round-robin order that this call has not tried yet.
     * Null when this call has tried every admitted instance; NoInstances when a call finds none admitted at all.
     */
    private synchronized Instance next(Set<String> tried) {
        Instant now = clock.instant();
        List<Instance> admitted = instances().stream().filter(i -> health.admitted(i.id(), now)).toList();
        if (admitted.isEmpty() && tried.isEmpty()) throw new DiscoveryProblem.NoInstances(service, "every instance is ejected");
        for (int i = 0; i < admitted.size(); i++) {
            Instance candidate = admitted.get((int) Math.floorMod(turn++, (long) admitted.size()));
            if (!tried.contains(candidate.id())) return candidate;
        }
        return null;
    }

    /** One request to one instance: its answer, or null after noting the failure in health and in attempts. */
    private Reply attempt(Instance instance, String method, String path, String jsonBody, List<String> attempts) {
        try {
            Reply reply = send(instance, method, path, jsonBody);
            if (reply.status() < 500) {
                succeeded(instance);
                return reply;
            }
            attempts.add(instance.id() + ": " + reply.status());
        } catch (IOException e) {
            attempts.add(instance.id() + ": no answer");
        }
        failed(instance);
        return null;
    }

    private synchronized void succeeded(Instance instance) { health.succeeded(instance.id()); }

    private synchronized void failed(Instance instance) { health.failed(instance.id(), clock.instant()); }

    // ---- given: one call to the registry, one call to an instance ----

    /**
     * Asks the registry once: {@code GET {registry}/services/{service}}, which answers
     * {@code {"service": "catalog", "instances": [{"id": "catalog-1", "url": "http://127.0.0.1:41001"}, ...]}}.
     * Throws IOException when the registry gives no usable answer (no connection, a status other than 200, not that JSON).
     */
    private List<Instance> askRegistry() throws IOException {
        var request = HttpRequest.newBuilder(registry.resolve("/services/" + service)).header("Accept", "application/json").build();
        var response = exchange(request);
        if (response.statusCode() != 200) throw new IOException("the registry answered " + response.statusCode());
        JsonNode listed = json.readTree(response.body()).path("instances");
        if (!listed.isArray()) throw new IOException("the registry's answer has no list of instances: " + response.body());
        List<Instance> instances = new ArrayList<>();
        for (JsonNode node : listed) instances.add(new Instance(node.path("id").asText(), URI.create(node.path("url").asText())));
        return instances;
    }

    /**
     * Sends one request to one instance and returns whatever it answered, any status. Throws IOException when the
     * instance gave no answer (refused or dropped the connection).
     */
    private Reply send(Instance instance, String method, String path, String jsonBody) throws IOException {
        var request = HttpRequest.newBuilder(instance.uri().resolve(path)).header("Accept", "application/json");
        if (jsonBody == null) request.method(method, BodyPublishers.noBody());
        else request.header("Content-Type", "application/json").method(method, BodyPublishers.ofString(jsonBody));
        var response = exchange(request.build());
        return new Reply(response.statusCode(), response.body(), instance.id());
    }

    private java.net.http.HttpResponse<String> exchange(HttpRequest request) throws IOException {
        try {
            return http.send(request, BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + request.uri());
        }
    }
}
