package kit;

import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueRequestor;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.postoffice.RoutingStatus;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ActiveMQServers;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.ServerConsumer;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * A real message broker for lessons and exercises: ActiveMQ Artemis, the broker many production systems run.
 *
 * <p>{@link #embedded()} starts one inside this JVM (an in-VM acceptor, no ports, no persistence, no security) in
 * well under a second. {@link #external(String)} talks to a broker that already runs, given its URL
 * ({@code tcp://localhost:61616}). {@link #fromEnvironment()} picks the external one when {@code BROKER_URL} is set
 * ({@code BROKER_USER} and {@code BROKER_PASSWORD} too, when it asks for them) and the embedded one otherwise.
 * Either way the code that uses it sees only a {@link ConnectionFactory}: the same JMS client code runs against both.
 *
 * <p>{@link #deadLetterAfter(String, int, String)} sets how often the broker redelivers a message that a consumer
 * failed to process, and where the message goes after the last attempt.
 */
public final class Broker implements AutoCloseable {
    static {
        // Artemis logs through SLF4J; like every library in the course it may speak only to warn, and its own
        // warnings (no expiry address, a message moved to the dead letters) are the lesson's story, not noise.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.activemq.artemis", "error");
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // Netty (inside Artemis) would reach for sun.misc.Unsafe, which new JDKs warn about on every start.
        if (System.getProperty("io.netty.noUnsafe") == null) {
            System.setProperty("io.netty.noUnsafe", "true");
        }
    }

    /** Each embedded broker gets its own in-VM id, so many can run side by side in one JVM (tests, grading). */
    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    private final String url;
    private final ActiveMQServer server;       // null for an external broker
    private final Path folder;                 // null for an external broker
    private final ActiveMQConnectionFactory factory;
    private final Duration startTime;

    private Broker(String url, ActiveMQServer server, Path folder, ActiveMQConnectionFactory factory, Duration startTime) {
        this.url = url;
        this.server = server;
        this.folder = folder;
        this.factory = factory;
        this.startTime = startTime;
        Events.publish(new Event.Service("broker", "broker"));
    }

    /** The broker at BROKER_URL when that variable is set, otherwise a new embedded one. */
    public static Broker fromEnvironment() {
        String url = System.getenv("BROKER_URL");
        return url == null || url.isBlank() ? embedded() : external(url);
    }

    /** Starts a broker in this JVM: in-VM connections only, nothing written to disk that outlives it. */
    public static Broker embedded() {
        long started = System.nanoTime();
        int id = NEXT_ID.incrementAndGet();
        String url = "vm://" + id;
        try {
            Path folder = Files.createTempDirectory("workbook-broker-");
            Configuration config = new ConfigurationImpl()
                    .setName("workbook-" + id)
                    .setPersistenceEnabled(false)
                    .setSecurityEnabled(false)
                    .setJMXManagementEnabled(false)
                    .setCriticalAnalyzer(false)
                    .setMaxDiskUsage(-1)
                    .setGracefulShutdownEnabled(false)
                    .setJournalType(JournalType.NIO) // plain files: no native library to load
                    .setJournalDirectory(folder.resolve("journal").toString())
                    .setBindingsDirectory(folder.resolve("bindings").toString())
                    .setPagingDirectory(folder.resolve("paging").toString())
                    .setLargeMessagesDirectory(folder.resolve("large").toString())
                    .addAcceptorConfiguration("in-vm", url);
            config.registerBrokerPlugin(new Announcer());
            ActiveMQServer server = ActiveMQServers.newActiveMQServer(config, false);
            server.start();
            var factory = new ActiveMQConnectionFactory(url);
            // acknowledge() returns once the broker has counted it, so messageCount is exact right after: a test can
            // tell "nothing left to come" from the broker instead of waiting out a quiet spell. In-VM, it costs little.
            factory.setBlockOnAcknowledge(true);
            return new Broker(url, server, folder, factory, Duration.ofNanos(System.nanoTime() - started));
        } catch (Exception e) {
            throw new IllegalStateException("The embedded broker did not start: " + e.getMessage(), e);
        }
    }

    /**
     * Tells the live view (--view) of each message sent to an address and each delivery to a subscriber's queue: an
     * arrow from the sender (its client id, or else the address) to the broker, and from the broker to the queue's
     * owner (a durable subscription's queue is named "clientId.subscription"). The broker's own management is left out.
     */
    private static final class Announcer implements ActiveMQServerMessagePlugin {
        @Override
        public void afterSend(ServerSession session, Transaction tx,
                              org.apache.activemq.artemis.api.core.Message message, boolean direct, boolean noAutoCreateQueue,
                              RoutingStatus result) {
            String address = String.valueOf(message.getAddress());
            if (!Events.wanted() || address.startsWith("activemq.")) return;
            String client = session == null || session.getRemotingConnection() == null ? null : session.getRemotingConnection().getClientID();
            Events.publish(new Event.Exchange(client != null ? client : address, "broker", "SEND", address, 0, 0, false));
        }

        @Override
        public void afterDeliver(ServerConsumer consumer,
                                 MessageReference reference) {
            String address = String.valueOf(reference.getMessage().getAddress());
            if (!Events.wanted() || address.startsWith("activemq.")) return;
            String queue = String.valueOf(consumer.getQueue().getName());
            Events.publish(new Event.Exchange("broker", queue.contains(".") ? queue.substring(0, queue.indexOf('.')) : queue,
                "DELIVER", address, 0, 0, false));
        }
    }

    /** A broker that already runs elsewhere, for example {@code tcp://localhost:61616}. */
    public static Broker external(String url) {
        var factory = new ActiveMQConnectionFactory(url, System.getenv("BROKER_USER"), System.getenv("BROKER_PASSWORD"));
        return new Broker(url, null, null, factory, Duration.ZERO);
    }

    /** Where clients connect: {@code vm://N} for an embedded broker, the given URL for an external one. */
    public String url() {
        return url;
    }

    public boolean isEmbedded() {
        return server != null;
    }

    /** How long the embedded broker took to start (zero for an external one). */
    public Duration startTime() {
        return startTime;
    }

    /** What clients use to connect: the only thing application code needs to know about the broker. */
    public ConnectionFactory connectionFactory() {
        return factory;
    }

    /**
     * Tells the broker to deliver a message on the matching addresses at most {@code maxDeliveryAttempts} times
     * (the first delivery counts), without delay between attempts, and then to move it to the queue
     * {@code deadLetterQueue}, which this creates. {@code addressMatch} is an address or a pattern
     * ({@code orders.#}); for a topic subscription, match the topic's address.
     *
     * @return this broker, for chaining
     */
    public Broker deadLetterAfter(String addressMatch, int maxDeliveryAttempts, String deadLetterQueue) {
        if (isEmbedded()) {
            AddressSettings settings = new AddressSettings()
                    .setMaxDeliveryAttempts(maxDeliveryAttempts)
                    .setRedeliveryDelay(0)
                    .setDeadLetterAddress(SimpleString.of(deadLetterQueue));
            server.getAddressSettingsRepository().addMatch(addressMatch, settings);
            try {
                server.createQueue(QueueConfiguration.of(deadLetterQueue)
                        .setRoutingType(RoutingType.ANYCAST).setAutoCreateAddress(true).setDurable(true), true);
            } catch (Exception e) {
                throw new IllegalStateException("Could not create the dead-letter queue " + deadLetterQueue, e);
            }
        } else {
            // An external broker is configured through its management queue, the way its console does it.
            String json = "{\"maxDeliveryAttempts\":" + maxDeliveryAttempts + ",\"redeliveryDelay\":0,"
                    + "\"deadLetterAddress\":\"" + deadLetterQueue + "\"}";
            manage("addAddressSettings", addressMatch, json);
            manage("createQueue", "{\"name\":\"" + deadLetterQueue + "\",\"address\":\"" + deadLetterQueue
                    + "\",\"routing-type\":\"ANYCAST\",\"durable\":true}", true);
        }
        return this;
    }

    /** How many messages wait on a queue (embedded only; -1 for an external broker). */
    public long messageCount(String queue) {
        if (!isEmbedded()) return -1;
        var binding = server.getPostOffice().getBinding(SimpleString.of(queue));
        if (binding == null) return 0;
        return ((org.apache.activemq.artemis.core.server.Queue) binding.getBindable()).getMessageCount();
    }

    private void manage(String operation, Object... parameters) {
        try (QueueConnection connection = factory.createQueueConnection()) {
            QueueSession session = connection.createQueueSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue management = session.createQueue("activemq.management");
            var requestor = new QueueRequestor(session, management);
            connection.start();
            Message request = session.createMessage();
            JMSManagementHelper.putOperationInvocation(request, "broker", operation, parameters);
            Message reply = requestor.request(request);
            if (!JMSManagementHelper.hasOperationSucceeded(reply)) {
                throw new IllegalStateException("The broker refused " + operation + ": "
                        + JMSManagementHelper.getResult(reply));
            }
        } catch (Exception e) {
            throw new IllegalStateException("Could not configure the broker at " + url + " (" + operation + "): "
                    + e.getMessage(), e);
        }
    }

    /** Closes client connections' factory and, for an embedded broker, stops it and removes its folder. */
    @Override
    public void close() {
        factory.close();
        if (server == null) return;
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("The embedded broker did not stop: " + e.getMessage(), e);
        } finally {
            deleteFolder();
        }
    }

    private void deleteFolder() {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return (isEmbedded() ? "embedded Artemis at " : "Artemis at ") + url;
    }

}
