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
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/*
 * Lesson 05 · Service discovery
 *
 * Catalog no longer lives at one address: it runs as three replicas that come and go, and a registry knows where
 * they are today. The storefront used to call one URL; now it must ask the registry, spread its requests over the
 * replicas, and stop sending customers to a replica that keeps failing, without asking the registry on every
 * request and without falling over when the registry itself has a bad minute.
 *
 * Write that client. Asking the registry and sending one request are done for you (askRegistry and send, at the
 * bottom); the four public methods are yours. Time comes only from the clock you are given, never from
 * System.currentTimeMillis(), so the tests can move it. Keeping the state (the list and when it was fetched, whose
 * turn it is, each instance's failures and ejection) in a few fields or a small class of your own is up to you.
 * Check your work with: ./jbang workbook check 05
 */
public final class DiscoveryClient {
    private final HttpClient http;
    private final URI registry;
    private final String service;
    private final InstantSource clock;
    private final Policy policy;
    private final ObjectMapper json = new ObjectMapper();

    public DiscoveryClient(HttpClient http, URI registry, String service, InstantSource clock, Policy policy) {
        this.http = http;
        this.registry = registry;
        this.service = service;
        this.clock = clock;
        this.policy = policy;
    }

    /**
     * The service's instances, as the registry last listed them, in the registry's order.
     * <ul>
     *   <li>Ask the registry (askRegistry) only when there is no list yet or the list is at least {@code policy.ttl()} old.</li>
     *   <li>When the registry cannot be asked, keep using the list you have, and ask again only after another TTL
     *       (a registry that is struggling should not get a request from every call); with no list at all, throw
     *       {@link DiscoveryProblem.RegistryDown}.</li>
     *   <li>An empty list is an answer, not a failure: throw {@link DiscoveryProblem.NoInstances}.</li>
     * </ul>
     */
    public List<Instance> instances() {
        throw new UnsupportedOperationException("TODO: ask the registry, keep its list for the TTL, fall back on the last list when it is down");
    }

    /**
     * The ids of the instances that are ejected right now (passive health): an instance that failed
     * {@code policy.maxFailures()} times in a row (a 5xx, or no answer) gets no requests until {@code policy.coolDown()}
     * has passed; then it is admitted again with a clean slate. Any answer below 500 resets its count of failures.
     * Ejection is remembered by id, so a fresh list from the registry does not bring an ejected instance back early.
     */
    public Set<String> ejected() {
        throw new UnsupportedOperationException("TODO: return the ids of the instances that are ejected now");
    }

    /**
     * {@code GET path} on the next admitted instance, round-robin: the instances take turns in the registry's order.
     * A GET is idempotent, so when an instance fails (5xx or no answer) the same GET goes to the next instance,
     * each instance at most once per call. Any answer below 500 (a 404 too) is the answer, returned as it is.
     * Every instance tried failed: {@link DiscoveryProblem.CallFailed} with one entry per attempt ("catalog-2: 503").
     * No admitted instance at all: {@link DiscoveryProblem.NoInstances}.
     */
    public Reply get(String path) {
        throw new UnsupportedOperationException("TODO: send the GET to the next admitted instance, and on a failure to the one after");
    }

    /**
     * {@code POST path} with a JSON body, to the next admitted instance, exactly once: a POST is not idempotent
     * (the failed instance may have stored the review before it failed), so it is never sent to a second instance.
     * A failure counts for that instance's health and is {@link DiscoveryProblem.CallFailed} with that one attempt.
     */
    public Reply post(String path, String jsonBody) {
        throw new UnsupportedOperationException("TODO: send the POST to the next admitted instance, once, and never retry it");
    }

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
