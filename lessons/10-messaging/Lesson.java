///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//SOURCES ../../kit/src/kit/*.java
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds*=off -Xlog:cds+dynamic=off -Dsun.misc.unsafe.memory.access=allow
// The embedded broker's queues (JCTools, in Artemis) use sun.misc.Unsafe, which JDK 24 and later warn about on first use,
// in the middle of the output. The JDK reads sun.misc.unsafe.memory.access once, at start, so only a JVM option can allow
// it quietly; JDKs before 23 ignore the property.
//CDS
// Lesson 10 · Messaging: orders tells notifications and shipping what happened, and shipping catches up after a night off.
// Then notifications keeps its own copy of each customer's e-mail address, kept fresh by profiles' events.

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import kit.Await;
import kit.Broker;
import kit.Narrator;
import kit.Peer;

public class Lesson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ORDERS = "orders";
    static final String DEAD_LETTERS = "dead.orders";
    static final int MAX_DELIVERIES = 3;
    /** Profiles publishes every change of a customer's address here. */
    static final String CUSTOMERS = "customers";
    /** Notifications' second subscription: to customers, for its copy of the addresses (a client id is one connection's). */
    static final String ADDRESSES = "notifications-addresses";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** How long a step waits for messages that must come: far more than they need, bounded so a broken run ends. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    /** Signalled after every message a service handles or fails, so the story waits for messages, not for time. */
    static final Object PROGRESS = new Object();

    static Narrator story;
    static Broker broker;
    static Orders orders;
    static Service notifications;
    static Service shipping;
    static Profiles profiles;
    static AddressCopy addressCopy;
    static int nextOrder = 1;

    public static void main(String[] args) throws Exception {
        var starting = CompletableFuture.supplyAsync(Lesson::startBroker); // it starts while the story begins
        var profilesPeer = CompletableFuture.supplyAsync(() -> Peer.start("profiles")); // not needed before step 6
        story = Narrator.begin("10-messaging", args);
        story.caller("notifications");   // who calls the peers, on the live view (--view)
        aBrokerInTheMiddle(starting);
        ordersTellsEveryone();
        shippingGoesOffline();
        shippingComesBack();
        aPoisonMessage();
        anAddressCopiedOnce(profilesPeer);
        aCopyKeptFreshByEvents();
        story.serve("The broker runs inside this JVM (" + broker.url() + "): nothing outside can reach it.",
            "To try things by hand, open the playground: ./jbang workbook play 10",
            "Or run the lesson on your own Artemis: BROKER_URL=tcp://localhost:61616 ./jbang messaging");
        cleanUp();
        story.end(); // exits the process, broker and all
    }

    // ---- the steps ----

    // tag::broker[]
    static Broker startBroker() {
        return Broker.fromEnvironment()                              // BROKER_URL set? that broker. Else one in this JVM.
            .deadLetterAfter(ORDERS, MAX_DELIVERIES, DEAD_LETTERS);  // a message that fails 3 times is set aside
    }
    // end::broker[]

    static void aBrokerInTheMiddle(CompletableFuture<Broker> starting) throws Exception {
        story.tell("""
            When an order is placed, notifications must e-mail the customer and shipping must book a parcel.
            Orders could call both, and wait for both, and fail when either is down. Instead, it publishes one
            event, OrderPlaced, to a broker, and goes on taking orders. Whoever cares subscribes.""");
        story.step("A broker in the middle");
        broker = starting.join();
        ConnectionFactory factory = broker.connectionFactory();      // all the services ever see of the broker
        story.state("broker", broker + (broker.isEmbedded() ? ", started in " + broker.startTime().toMillis() + " ms" : ""));
        removeOldSubscriptions(factory);
        orders = new Orders(factory);
        notifications = Service.subscribe("notifications", factory, event -> { /* an e-mail goes out */ });
        shipping = Service.subscribe("shipping", factory, Lesson::bookParcel);
        story.say("notifications and shipping subscribe to the topic '" + ORDERS + "', each under its own name");
        // How long the broker took to start depends on the machine (bench.sh measures it); what the story needs is a
        // real broker that now holds a subscription for each service, empty so far.
        story.check(broker.isEmbedded() ? broker.messageCount(subscriptionQueue("notifications")) == 0 && broker.messageCount(subscriptionQueue("shipping")) == 0 : true,
            broker.isEmbedded() ? "a real broker (ActiveMQ Artemis) runs inside the lesson, with a subscription for each service"
                                : "the lesson uses the broker at " + broker.url());
    }

    static void ordersTellsEveryone() throws Exception {
        story.step("Orders publishes, everyone hears");
        for (int i = 0; i < 3; i++) orders.placed(nextOrder(), "ada", "sku-socks", 2);
        story.say("orders published 3 OrderPlaced events and went on; it called nobody");
        awaitTrue(() -> notifications.handled() == 3 && shipping.handled() == 3);
        story.state("notifications", notifications.summary());
        story.state("shipping", shipping.summary());
        story.check(notifications.handled() == 3 && shipping.handled() == 3, "each subscriber got each of the 3 events");
        story.check(notifications.duplicates() == 0 && shipping.duplicates() == 0, "and each event once: no subscriber saw one twice");
    }

    static void shippingGoesOffline() throws Exception {
        story.tell("""
            Shipping restarts every night, to deploy. Orders does not know and does not need to: it keeps
            publishing. The broker keeps shipping's copies, because shipping's subscription is durable: it belongs
            to the broker, not to shipping's connection.""");
        story.step("Shipping goes offline; orders keeps going");
        shipping.close();
        story.state("shipping", "offline (connection closed, subscription kept)");
        for (int i = 0; i < 5; i++) orders.placed(nextOrder(), "ada", "sku-mug", 1);
        story.say("orders published 5 more events while shipping was away");
        awaitTrue(() -> notifications.handled() == 8);
        // The broker files each message into a subscription's queue on a thread of its own: count when all are in.
        if (broker.isEmbedded()) Await.until(() -> broker.messageCount(subscriptionQueue("shipping")) == 5, PATIENCE);
        long waiting = broker.messageCount(subscriptionQueue("shipping"));
        story.state("notifications", notifications.summary());
        story.state("shipping", "offline; the broker holds " + (waiting >= 0 ? waiting : "its") + " events for it");
        story.check(notifications.handled() == 8, "notifications, still online, handled all 8 events so far");
        story.check(!broker.isEmbedded() || waiting == 5, "the broker keeps the 5 events published while shipping was offline");
    }

    static void shippingComesBack() throws Exception {
        story.step("Shipping comes back and catches up");
        long before = System.nanoTime();
        // tag::comes-back[]
        shipping = Service.subscribe("shipping", broker.connectionFactory(), Lesson::bookParcel); // the same name
        // end::comes-back[]
        awaitTrue(() -> shipping.handled() == 5);
        long millis = (System.nanoTime() - before) / 1_000_000;
        story.state("shipping", "back online: caught up on " + shipping.handled() + " events in " + millis + " ms: " + shipping.orderIds());
        story.check(shipping.handled() == 5, "shipping got all 5 events it missed, none lost");
        story.check(shipping.orderIds().equals(List.of("o-4", "o-5", "o-6", "o-7", "o-8")), "in the order they were published, each once");
        story.check(broker.messageCount(subscriptionQueue("shipping")) <= 0, "and the broker no longer holds any of them for shipping");
    }

    static void aPoisonMessage() throws Exception {
        story.tell("""
            Shipping acknowledges an event only when the parcel is booked. If booking fails, shipping rolls back,
            and the broker delivers the event again: the database was busy, the next try works. But some events
            fail every time. Orders just published one for a sku shipping has never heard of.""");
        story.step("A poison message goes to the dead-letter queue");
        orders.placed(nextOrder(), "ada", "sku-discontinued", 1);
        orders.placed(nextOrder(), "ada", "sku-socks", 1);
        story.say("orders published o-9 (sku-discontinued, unknown to shipping) and o-10 (sku-socks)");
        awaitTrue(() -> shipping.failures() == MAX_DELIVERIES && shipping.orderIds().contains("o-10"));
        String dead = receiveOne(DEAD_LETTERS);
        story.state("shipping", shipping.summary() + ", " + shipping.failures() + " failed deliveries");
        story.state(DEAD_LETTERS, dead == null ? "empty" : "1 event: " + dead);
        story.check(shipping.failures() == MAX_DELIVERIES, "the broker delivered o-9 to shipping " + MAX_DELIVERIES + " times, and it failed each time");
        story.check(dead != null && dead.contains("\"o-9\""), "then it moved o-9 to the dead-letter queue '" + DEAD_LETTERS + "', for a person to look at");
        story.check(shipping.orderIds().contains("o-10"), "o-10 still shipped: one bad event does not block the queue");
        awaitTrue(() -> notifications.handled() == 10);
        story.check(notifications.handled() == 10, "notifications e-mailed about all 10 orders, o-9 included: the poison is shipping's problem alone");
    }

    static void anAddressCopiedOnce(CompletableFuture<Peer> profilesPeer) throws Exception {
        story.tell("""
            Notifications e-mails the customer about each order, so it needs her e-mail address, and the address
            belongs to profiles. Notifications' first e-mail version asked profiles once, the first time it met a
            customer, and kept the answer: no call to profiles for every e-mail. Then Ada changes her address.""");
        story.step("The e-mail goes to the address Ada left");
        profiles = new Profiles(profilesPeer.join(), broker.connectionFactory());
        story.listen(profiles.peer());
        profiles.changeAddress("ada", "ada@home.example");
        var firstVersion = new Mailer(new CopiedOnce());
        notifications.close();
        notifications = Service.subscribe("notifications", broker.connectionFactory(), firstVersion::email);
        story.say("notifications now e-mails each order's customer, at the address it copied from profiles");

        orders.placed(nextOrder(), "ada", "sku-socks", 1);
        awaitTrue(() -> firstVersion.sentFor("o-11") != null);
        story.state("e-mail about o-11", "to " + firstVersion.sentFor("o-11"));

        AddressChanged moved = profiles.changeAddress("ada", "ada@work.example");
        story.say("Ada changed her address at profiles (version " + moved.version() + ": " + moved.email() + ");");
        story.say("profiles published AddressChanged on the topic '" + CUSTOMERS + "', and notifications does not listen");
        orders.placed(nextOrder(), "ada", "sku-mug", 1);
        awaitTrue(() -> firstVersion.sentFor("o-12") != null);
        int asked = profiles.timesAsked("ada");
        story.state("e-mail about o-12", "to " + firstVersion.sentFor("o-12"));
        story.say("the lesson asks profiles what Ada's address is now, to compare:");
        AddressChanged now = askProfiles("ada");
        story.check("ada@home.example".equals(firstVersion.sentFor("o-11")) && asked == 1,
            "the e-mail about o-11 went to ada@home.example; notifications asked profiles once, over HTTP, and kept the answer");
        story.check(now.email().equals("ada@work.example") && "ada@home.example".equals(firstVersion.sentFor("o-12")),
            "profiles says ada@work.example (version " + now.version() + "), yet the e-mail about o-12 went to ada@home.example: the copy is stale");
    }

    static void aCopyKeptFreshByEvents() throws Exception {
        story.tell("""
            The fix: profiles' events carry the new address itself, not only "something changed" (event-carried
            state transfer). Notifications subscribes to them durably and keeps its own copy, so it can e-mail
            even when profiles is down. A copy starts from what profiles holds now (one GET per customer, or an
            export), then applies each AddressChanged that is newer than what it holds: events come again (at
            least once) and late, and the version number says which one is the latest.""");
        story.step("Notifications keeps its copy fresh from profiles' events");
        ConnectionFactory factory = broker.connectionFactory();
        notifications.close();
        addressCopy = new AddressCopy();
        addressCopy.connect(factory);                                 // subscribed before it loads: no change falls in between
        addressCopy.load(askProfiles("ada"));
        var secondVersion = new Mailer(addressCopy);
        notifications = Service.subscribe("notifications", factory, secondVersion::email);
        story.state("notifications' copy", addressCopy.summary());

        notifications.close();                                        // a deploy: the whole service is offline
        addressCopy.disconnect();                                     // (its copy lives in its own database)
        profiles.changeAddress("ada", "ada@studio.example");
        profiles.publish(new AddressChanged("ada", "ada@work.example", 2));
        story.say("while notifications was offline, Ada moved again (version 3: ada@studio.example), and profiles sent");
        story.say("version 2 once more (it crashed before it marked it sent: lesson 11's outbox relay does that)");
        int askedBefore = profiles.timesAsked("ada");
        addressCopy.connect(factory);
        notifications = Service.subscribe("notifications", factory, secondVersion::email);
        awaitTrue(() -> addressCopy.received() == 2);
        story.state("notifications' copy", addressCopy.summary());
        story.check(addressCopy.received() == 2, "back online, notifications caught up on the 2 AddressChanged events it missed");
        story.check(addressCopy.versionOf("ada") == 3 && addressCopy.emailOf("ada").equals("ada@studio.example"),
            "it applied version 3 and ignored the late version 2: never older over newer");

        orders.placed(nextOrder(), "ada", "sku-socks", 1);
        awaitTrue(() -> secondVersion.sentFor("o-13") != null);
        story.state("e-mail about o-13", "to " + secondVersion.sentFor("o-13"));
        story.check("ada@studio.example".equals(secondVersion.sentFor("o-13")) && profiles.timesAsked("ada") == askedBefore,
            "the e-mail about o-13 went to ada@studio.example, Ada's address now, and nobody asked profiles for it");

        profiles.goesDown();
        orders.placed(nextOrder(), "ada", "sku-mug", 1);
        awaitTrue(() -> secondVersion.sentFor("o-14") != null);
        story.state("e-mail about o-14", "to " + secondVersion.sentFor("o-14") + ", with profiles down");
        story.say("asking profiles at send time, instead, would have met this:");
        String atSendTime;
        try {
            atSendTime = askProfiles("ada").email();
        } catch (ProfilesUnavailable e) {
            atSendTime = e.getMessage();
        }
        story.check(atSendTime.contains("503") && "ada@studio.example".equals(secondVersion.sentFor("o-14")),
            "profiles is down (" + atSendTime + "), and the e-mail about o-14 still went out, from the copy");
    }

    static void cleanUp() throws JMSException {
        notifications.close();
        addressCopy.disconnect();
        profiles.close();
        shipping.close();
        orders.close();
        // On an external broker, the next run starts afresh. An embedded one goes with the lesson: deleting its
        // subscriptions' queues would only leave the broker work to finish while it stops.
        if (!broker.isEmbedded()) removeOldSubscriptions(broker.connectionFactory());
        broker.close();
    }

    // ---- the services ----

    /** What travels: a fact about the past, as JSON, so any service in any language can read it. */
    record OrderPlaced(String orderId, String customerId, String sku, int quantity) {}

    /** Orders' side: one producer on the topic. */
    static final class Orders implements AutoCloseable {
        private final Connection connection;
        private final Session session;
        private final MessageProducer producer;

        Orders(ConnectionFactory factory) throws JMSException {
            connection = factory.createConnection();
            session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            producer = session.createProducer(session.createTopic(ORDERS));
        }

        // tag::publish[]
        void placed(String orderId, String customerId, String sku, int quantity) throws Exception {
            String json = JSON.writeValueAsString(new OrderPlaced(orderId, customerId, sku, quantity));
            producer.send(session.createTextMessage(json)); // persistent by default: kept until every subscriber has it
        }
        // end::publish[]

        @Override public void close() throws JMSException { connection.close(); }
    }

    /** What a service does with one event; it throws when it cannot. */
    interface Work {
        void on(OrderPlaced event) throws Exception;
    }

    /**
     * A subscribing service. Messages arrive on the broker's thread, through a listener, in a transacted session:
     * commit after the work is done, roll back when it failed, and the broker delivers the message again.
     */
    static final class Service implements AutoCloseable {
        private final String name;
        private final Work work;
        private final List<String> orderIds = new ArrayList<>();
        private int failures;
        private Connection connection;
        private Session session;

        private Service(String name, Work work) {
            this.name = name;
            this.work = work;
        }

        // tag::subscribe[]
        static Service subscribe(String name, ConnectionFactory factory, Work work) throws JMSException {
            var service = new Service(name, work);
            service.connection = factory.createConnection();
            service.connection.setClientID(name);                       // who is subscribing...
            service.session = service.connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = service.session.createDurableConsumer(
                service.session.createTopic(ORDERS), name);              // ...and the subscription that outlives it
            consumer.setMessageListener(service::onMessage);
            service.connection.start();
            return service;
        }

        private void onMessage(Message message) {
            try {
                var event = JSON.readValue(((TextMessage) message).getText(), OrderPlaced.class);
                work.on(event);
                session.commit();   // done: only now may the broker forget the message
                done(event.orderId());
            } catch (Exception e) {
                rollback();         // not done: the broker will deliver it again, or dead-letter it
            }
        }
        // end::subscribe[]

        private void rollback() {
            try {
                synchronized (this) { failures++; }
                session.rollback();
                progress();
            } catch (JMSException e) {
                throw new IllegalStateException(name + " could not roll back", e);
            }
        }

        private void done(String orderId) {
            synchronized (this) { orderIds.add(orderId); }
            progress();
        }

        synchronized int handled() { return orderIds.size(); }
        synchronized int failures() { return failures; }
        synchronized List<String> orderIds() { return List.copyOf(orderIds); }
        synchronized long duplicates() { return orderIds.size() - orderIds.stream().distinct().count(); }
        synchronized String summary() { return orderIds.size() + " events handled: " + orderIds; }

        @Override public void close() throws JMSException { connection.close(); }
    }

    /** Shipping's work: it books parcels only for the skus it knows. */
    static void bookParcel(OrderPlaced event) {
        if (event.sku().equals("sku-discontinued")) {
            throw new IllegalArgumentException("no parcel size known for " + event.sku());
        }
    }

    // ---- a copy of another service's data ----

    // tag::address-changed[]
    /** Profiles' event carries the new state itself: the whole address and its version, as GET /customers/{id} answers. */
    record AddressChanged(String customerId, String email, long version) {}
    // end::address-changed[]

    /**
     * Profiles owns the customers' addresses. Its HTTP API is a WireMock peer (GET /customers/{id}); each change
     * also goes out as an AddressChanged on the topic customers, for whoever keeps a copy.
     */
    static final class Profiles implements AutoCloseable {
        private final Peer peer;
        private final Map<String, Long> versions = new HashMap<>();
        private final Connection connection;
        private final Session session;
        private final MessageProducer producer;

        Profiles(Peer peer, ConnectionFactory factory) throws JMSException {
            this.peer = peer;
            connection = factory.createConnection();
            session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            producer = session.createProducer(session.createTopic(CUSTOMERS));
        }

        Peer peer() { return peer; }

        /** The customer's address changes: profiles answers the new one over HTTP and publishes it, one version up. */
        AddressChanged changeAddress(String customerId, String email) throws Exception {
            var changed = new AddressChanged(customerId, email, versions.merge(customerId, 1L, Long::sum));
            peer.stub(get("/customers/" + customerId).willReturn(okJson(JSON.writeValueAsString(changed))));
            publish(changed);
            return changed;
        }

        void publish(AddressChanged event) throws Exception {
            producer.send(session.createTextMessage(JSON.writeValueAsString(event)));
        }

        void goesDown() {
            peer.stub(get(urlPathMatching("/customers/.*")).willReturn(serviceUnavailable()));
        }

        int timesAsked(String customerId) {
            return peer.count(getRequestedFor(urlPathMatching("/customers/" + customerId)));
        }

        @Override public void close() throws JMSException {
            connection.close();
            peer.close();
        }
    }

    /** Asking profiles at send time: GET /customers/{id}, over real HTTP. */
    static AddressChanged askProfiles(String customerId) throws Exception {
        URI uri = URI.create(profiles.peer().url("/customers/" + customerId));
        var response = HTTP.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
        if (response.statusCode() != 200) throw new ProfilesUnavailable("profiles answered " + response.statusCode());
        return JSON.readValue(response.body(), AddressChanged.class);
    }

    static final class ProfilesUnavailable extends Exception {
        ProfilesUnavailable(String message) { super(message); }
    }

    /** Where notifications finds a customer's e-mail address. */
    interface Addresses {
        String emailOf(String customerId) throws Exception;
    }

    /** Notifications' first version: asks profiles the first time it meets a customer, and keeps the answer forever. */
    static final class CopiedOnce implements Addresses {
        private final Map<String, String> copied = new ConcurrentHashMap<>();

        @Override public String emailOf(String customerId) throws Exception {
            String email = copied.get(customerId);
            if (email == null) {
                email = askProfiles(customerId).email();
                copied.put(customerId, email);     // and nothing ever tells it that this changed
            }
            return email;
        }
    }

    /**
     * Notifications' second version: its own copy of each customer's address, loaded once and then kept fresh by
     * profiles' AddressChanged events, through a durable subscription: what changes while it is offline waits.
     */
    static final class AddressCopy implements Addresses {
        private final Map<String, AddressChanged> latest = new HashMap<>();
        private final List<String> log = new ArrayList<>();
        private int received;
        private Connection connection;
        private Session session;

        void connect(ConnectionFactory factory) throws JMSException {
            connection = factory.createConnection();
            connection.setClientID(ADDRESSES);
            session = connection.createSession(true, Session.SESSION_TRANSACTED);
            session.createDurableConsumer(session.createTopic(CUSTOMERS), ADDRESSES).setMessageListener(this::onMessage);
            connection.start();
        }

        void disconnect() throws JMSException {
            connection.close();
        }

        synchronized void load(AddressChanged current) {
            latest.put(current.customerId(), current);
            log.add("loaded v" + current.version() + " " + current.email());
        }

        private void onMessage(Message message) {
            try {
                apply(JSON.readValue(((TextMessage) message).getText(), AddressChanged.class));
                session.commit();
                progress();
            } catch (Exception e) {
                try { session.rollback(); } catch (JMSException ignored) { /* the broker redelivers when the connection closes */ }
            }
        }

        // tag::apply[]
        private synchronized void apply(AddressChanged event) {
            received++;
            AddressChanged held = latest.get(event.customerId());
            if (held != null && held.version() >= event.version()) {   // a duplicate, or late: keep the newer one
                log.add("ignored v" + event.version() + " (holds v" + held.version() + ")");
                return;
            }
            latest.put(event.customerId(), event);
            log.add("applied v" + event.version() + " " + event.email());
        }
        // end::apply[]

        @Override public synchronized String emailOf(String customerId) {
            AddressChanged held = latest.get(customerId);
            if (held == null) throw new IllegalStateException("no address for " + customerId + " yet"); // the order comes again
            return held.email();
        }

        synchronized long versionOf(String customerId) {
            AddressChanged held = latest.get(customerId);
            return held == null ? 0 : held.version();
        }

        synchronized int received() { return received; }
        synchronized String summary() {
            var addresses = latest.values().stream().map(a -> a.customerId() + " at " + a.email() + " (v" + a.version() + ")").toList();
            return String.join(", ", addresses) + "; " + String.join(", ", log);
        }
    }

    record Email(String orderId, String to) {}

    /** Notifications' work: an e-mail about each order, to the address its Addresses give for the customer. */
    static final class Mailer {
        private final Addresses addresses;
        private final Map<String, String> sent = new ConcurrentHashMap<>();

        Mailer(Addresses addresses) { this.addresses = addresses; }

        void email(OrderPlaced event) throws Exception {
            var email = new Email(event.orderId(), addresses.emailOf(event.customerId()));
            sent.put(email.orderId(), email.to());
        }

        /** The address the e-mail about this order went to, or null while it has not gone. */
        String sentFor(String orderId) { return sent.get(orderId); }
    }

    // ---- helpers ----

    static String nextOrder() {
        return "o-" + nextOrder++;
    }

    /** Artemis names a durable subscription's queue after the client id and the subscription's name. */
    static String subscriptionQueue(String name) {
        return name + "." + name;
    }

    /** Waits until the condition holds: every service signals PROGRESS after each message. Gives up after PATIENCE. */
    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        synchronized (PROGRESS) {
            while (!condition.getAsBoolean()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) return; // the step's checks will say what did not happen
                PROGRESS.wait(left);
            }
        }
    }

    static void progress() {
        synchronized (PROGRESS) {
            PROGRESS.notifyAll();
        }
    }

    static String receiveOne(String queue) throws JMSException {
        try (Connection connection = broker.connectionFactory().createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Message message = session.createConsumer(session.createQueue(queue)).receive(PATIENCE.toMillis());
            return message == null ? null : ((TextMessage) message).getText();
        }
    }

    /** Durable subscriptions outlive the lesson on an external broker: start from none. */
    static void removeOldSubscriptions(ConnectionFactory factory) throws JMSException {
        for (String name : List.of("notifications", "shipping", ADDRESSES)) {
            try (Connection connection = factory.createConnection()) {
                connection.setClientID(name);
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                try {
                    session.unsubscribe(name);
                } catch (JMSException none) {
                    // no such subscription yet: nothing to remove
                }
            }
        }
    }
}
