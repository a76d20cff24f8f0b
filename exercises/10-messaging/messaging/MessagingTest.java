package messaging;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import kit.Broker;
import kit.Expect;
import kit.Hint;
import kit.Points;
import messaging.OrderConsumer.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("10 · Order events on a real broker: durable, acknowledged, competing, dead-lettered")
class MessagingTest {
    /** Generous: an in-VM delivery takes a millisecond, but the machine may be busy. Only a failing test waits it out. */
    private static final Duration ARRIVES = Duration.ofSeconds(5);
    /** How long a subscriber waits for a message that must not come: nothing in the broker would send it later. */
    private static final Duration QUIET = Duration.ofMillis(300);
    /** A poll on a queue the broker says is empty: nothing can come, so there is nothing to wait for. */
    private static final Duration EMPTY = Duration.ofMillis(1);
    /** One worker's turn while the other may hold the messages left (the broker hands each consumer a batch). */
    private static final Duration TURN = Duration.ofMillis(20);

    // One real broker for the class; each test uses its own subscriber and queue names, so they do not meet.
    private static Broker broker;
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** Why Topology.configure failed, if it did: only the tests about dead letters need it, and they report it. */
    private static RuntimeException topologyFailure;

    @BeforeAll
    static void startBroker() {
        broker = Broker.embedded();
        try {
            Topology.configure(broker);
        } catch (RuntimeException e) {
            topologyFailure = e;
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) broker.close();
    }

    // ---- publish and subscribe ----

    @Test
    @Points(2)
    @DisplayName("Each subscriber gets each published event exactly once")
    @Hint({"Read 'A broker in the middle' and 'Topics: everyone gets a copy' in the lesson's README.",
           "A topic gives each message to every subscription, once. publish sends one text message to the topic; a subscriber receives it, hands it to its handler, and acknowledges it.",
           "Last hint: publish: producer.send(session.createTextMessage(event.toText())). pollOnce: message = consumer.receive(timeout.toMillis()); null is NONE; handler.handle(OrderPlaced.fromText(text)); then message.acknowledge()."})
    void eachSubscriberGetsEachEventOnce() throws Exception {
        var notified = new Seen();
        var shipped = new Seen();
        try (var notifications = OrderConsumer.durableSubscriber(broker.connectionFactory(), unique("notifications"), notified);
             var shipping = OrderConsumer.durableSubscriber(broker.connectionFactory(), unique("shipping"), shipped)) {
            publish(order(1), order(2), order(3));

            for (var consumer : List.of(notifications, shipping)) {
                for (int i = 1; i <= 3; i++) {
                    Outcome outcome = consumer.pollOnce(ARRIVES);
                    assertThat(outcome).withFailMessage("event %d of 3 should have arrived and been PROCESSED, but the poll said %s", i, outcome)
                        .isEqualTo(Outcome.PROCESSED);
                }
                Outcome extra = consumer.pollOnce(QUIET);
                assertThat(extra).withFailMessage("after the 3 events nothing more should come, but a 4th poll said %s: a duplicate?", extra)
                    .isEqualTo(Outcome.NONE);
            }
        }
        assertThat(notified.ids()).withFailMessage("notifications should see o-1, o-2, o-3 once each, in order, but saw %s", notified.ids())
            .containsExactly("o-1", "o-2", "o-3");
        assertThat(shipped.ids()).withFailMessage("shipping should see o-1, o-2, o-3 once each, in order, but saw %s", shipped.ids())
            .containsExactly("o-1", "o-2", "o-3");
    }

    @Test
    @Points(3)
    @DisplayName("Events published while a subscriber is offline all arrive when it comes back")
    @Hint({"Read 'Durable subscriptions: catching up' in the lesson's README. Who keeps the events while shipping is away?",
           "A plain topic subscriber gets only what is published while it is connected. A durable subscription has a name and belongs to the broker, which collects the messages for it. They must be persistent.",
           "Last hint: connection.setClientID(name); session.createDurableConsumer(session.createTopic(Topology.ORDERS_TOPIC), name); and publish with DeliveryMode.PERSISTENT."})
    void offlineSubscriberCatchesUp() throws Exception {
        String name = unique("shipping");
        var shipped = new Seen();
        // Subscribing once creates the subscription; closing goes offline.
        OrderConsumer.durableSubscriber(broker.connectionFactory(), name, shipped).close();

        publish(order(11), order(12), order(13), order(14), order(15));

        try (var shipping = OrderConsumer.durableSubscriber(broker.connectionFactory(), name, shipped)) {
            int processed = drain(shipping, 5);
            assertThat(processed).withFailMessage("shipping was offline while 5 events were published; back online it should get all 5, but got %d (%s)", processed, shipped.ids())
                .isEqualTo(5);
        }
        assertThat(shipped.ids()).withFailMessage("shipping should catch up on o-11 to o-15 in order, but saw %s", shipped.ids())
            .containsExactly("o-11", "o-12", "o-13", "o-14", "o-15");
    }

    @Test
    @Points(2)
    @DisplayName("publish sends each event to the orders topic as a persistent TextMessage whose text is event.toText()")
    @Hint({"How does a subscriber read the event back? And what happens to an event nobody has processed when the broker restarts?",
           "Subscribers read OrderPlaced.fromText(text), so the message is a TextMessage with exactly event.toText(). A persistent message survives a broker restart.",
           "Last hint: producer.send(session.createTextMessage(event.toText()), DeliveryMode.PERSISTENT, Message.DEFAULT_PRIORITY, Message.DEFAULT_TIME_TO_LIVE); the producer on the orders topic is given."})
    void publishesPersistentText() throws Exception {
        try (Connection connection = broker.connectionFactory().createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer listener = session.createConsumer(session.createTopic(Topology.ORDERS_TOPIC));
            var events = List.of(order(51), new OrderPlaced("o-52", "sneaker-air-42", 2));
            publish(events.toArray(OrderPlaced[]::new));

            for (var event : events) {
                Message message = listener.receive(ARRIVES.toMillis());
                assertThat(message).withFailMessage("a listener on the topic %s should receive %s, but nothing came within %s", Topology.ORDERS_TOPIC, event, ARRIVES).isNotNull();
                assertThat(message).withFailMessage("the event should travel as a TextMessage, but came as %s", message.getClass().getSimpleName()).isInstanceOf(TextMessage.class);
                assertThat(((TextMessage) message).getText()).withFailMessage("the message's text should be event.toText(), %s, but was %s",
                    event.toText(), ((TextMessage) message).getText()).isEqualTo(event.toText());
                assertThat(message.getJMSDeliveryMode()).withFailMessage("the event should be sent PERSISTENT (%d), so that it outlives a broker restart, but its delivery mode was %d",
                    DeliveryMode.PERSISTENT, message.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
            }
        }
    }

    // ---- acknowledge after processing ----

    @Test
    @Points(3)
    @DisplayName("A message whose processing failed is delivered again, and counts as done only once it succeeds")
    @Hint({"Read 'Acknowledge after processing' in the lesson's README. Which acknowledge mode lets you say when a message is done?",
           "The broker must hear 'done' only after the handler returned. When the handler throws, the message goes back to the broker, to be delivered again.",
           "Last hint: connection.createSession(false, Session.CLIENT_ACKNOWLEDGE); message.acknowledge() after handler.handle(...) returned; in the catch, session.recover() and return Outcome.FAILED."})
    void failedMessageIsRedelivered() throws Exception {
        var attempts = new Seen();
        AtomicInteger failuresLeft = new AtomicInteger(1);
        String queue = uniqueQueue();
        try (var worker = OrderConsumer.onQueue(broker.connectionFactory(), queue, event -> {
            attempts.handle(event);
            if (failuresLeft.getAndDecrement() > 0) throw new IllegalStateException("the parcel service is down");
        })) {
            send(queue, order(21));

            Outcome first = next(worker, queue);
            assertThat(first).withFailMessage("the handler threw on the first delivery, so the poll should say FAILED, but it said %s", first)
                .isEqualTo(Outcome.FAILED);
            Outcome second = next(worker, queue);
            assertThat(second).withFailMessage("the failed message should be delivered again and processed, but the next poll said %s (was it acknowledged before the handler ran?)", second)
                .isEqualTo(Outcome.PROCESSED);
            Outcome third = next(worker, queue);
            assertThat(third).withFailMessage("once processed, the message is done; but it came again: %s (acknowledge it after the handler returns)", third)
                .isEqualTo(Outcome.NONE);
        }
        assertThat(attempts.ids()).withFailMessage("the handler should have seen o-21 twice (failed, then processed), but saw %s", attempts.ids())
            .containsExactly("o-21", "o-21");
    }

    @Test
    @Points(2)
    @DisplayName("A consumer that crashes before acknowledging leaves the message for the next consumer")
    @Hint({"A consumer crashes while it processes a message. With AUTO_ACKNOWLEDGE, what did receive() already tell the broker? ('Acknowledge after processing' in the lesson's README.)",
           "Acknowledge after processing: a message received but not acknowledged goes back to the queue when the connection closes, for the next consumer. At least once.",
           "Last hint: a CLIENT_ACKNOWLEDGE session in onQueue, and message.acknowledge() only after handler.handle(...) returned."})
    void crashLeavesMessageForNextConsumer() throws Exception {
        String queue = uniqueQueue();
        var processed = new Seen();
        send(queue, order(31));
        var crashing = OrderConsumer.onQueue(broker.connectionFactory(), queue, event -> {
            throw new Error("the process died while booking the parcel");
        });
        try {
            crashing.pollOnce(ARRIVES);
        } catch (Error expected) {
            // the handler "died": the poll did not finish, nothing was acknowledged
        } finally {
            crashing.close();
        }
        try (var next = OrderConsumer.onQueue(broker.connectionFactory(), queue, processed)) {
            Outcome outcome = next(next, queue);
            assertThat(outcome).withFailMessage("the first consumer died before finishing o-31; the next consumer should get it, but its poll said %s: the message was acknowledged too early", outcome)
                .isEqualTo(Outcome.PROCESSED);
        }
        assertThat(processed.ids()).withFailMessage("the next consumer should have processed o-31, but saw %s", processed.ids())
            .containsExactly("o-31");
    }

    @Test
    @Points(2)
    @DisplayName("On the topic too, a failed message is delivered again to the same subscriber, and is done once processed")
    @Hint({"Does your durable subscriber acknowledge the same way as your queue worker?",
           "A durable subscriber needs the same care as a queue worker: the broker hears 'done' only after the handler returned, and recover() gives a failed message back to the subscription.",
           "Last hint: connection.createSession(false, Session.CLIENT_ACKNOWLEDGE) in both durableSubscriber and onQueue."})
    void failedOnTheTopicIsRedelivered() throws Exception {
        var attempts = new Seen();
        AtomicInteger failuresLeft = new AtomicInteger(1);
        try (var shipping = OrderConsumer.durableSubscriber(broker.connectionFactory(), unique("shipping"), event -> {
            attempts.handle(event);
            if (failuresLeft.getAndDecrement() > 0) throw new IllegalStateException("the parcel service is down");
        })) {
            publish(order(61));

            List<Outcome> outcomes = List.of(shipping.pollOnce(ARRIVES), shipping.pollOnce(ARRIVES), shipping.pollOnce(QUIET));
            assertThat(outcomes).withFailMessage("the subscriber's handler fails on o-61 once: its polls should say [FAILED, PROCESSED, NONE], but said %s", outcomes)
                .containsExactly(Outcome.FAILED, Outcome.PROCESSED, Outcome.NONE);
        }
        assertThat(attempts.ids()).withFailMessage("the handler should have seen o-61 twice (failed, then processed), but saw %s", attempts.ids())
            .containsExactly("o-61", "o-61");
    }

    @Test
    @Points(2)
    @DisplayName("A subscriber that crashes before acknowledging gets the event again when it comes back under the same name")
    @Hint({"A subscriber crashes before it acknowledges. Where is the event when it comes back under the same name?",
           "The durable subscription keeps every event that was not acknowledged: a crash halfway leaves it there for the subscriber's return.",
           "Last hint: a CLIENT_ACKNOWLEDGE session in durableSubscriber, and message.acknowledge() only after handler.handle returned."})
    void crashedSubscriberGetsItAgain() throws Exception {
        String name = unique("shipping");
        var crashing = OrderConsumer.durableSubscriber(broker.connectionFactory(), name, event -> {
            throw new Error("the process died while booking the parcel");
        });
        try {
            publish(order(71));
            crashing.pollOnce(ARRIVES);
        } catch (Error expected) {
            // the handler "died": nothing was acknowledged
        } finally {
            crashing.close();
        }
        var processed = new Seen();
        try (var back = OrderConsumer.durableSubscriber(broker.connectionFactory(), name, processed)) {
            Outcome outcome = back.pollOnce(ARRIVES);
            assertThat(outcome).withFailMessage("shipping died before finishing o-71; back under the same name it should get o-71 again, but its poll said %s "
                + "(was the event acknowledged before the handler ran?)", outcome).isEqualTo(Outcome.PROCESSED);
        }
        assertThat(processed.ids()).withFailMessage("shipping should have processed o-71 on its return, but saw %s", processed.ids()).containsExactly("o-71");
    }

    // ---- competing consumers ----

    @Test
    @Points(2)
    @DisplayName("Workers on one queue share the work: every message is processed by exactly one of them")
    @Hint({"Read 'Queues: competing consumers' in the lesson's README. How is a queue unlike a topic?",
           "A queue gives each message to exactly one of its consumers: the workers share the load. Each worker acknowledges what it processed.",
           "Last hint: in onQueue: session.createConsumer(session.createQueue(queue)), with no client id (two connections with the same client id are refused)."})
    void competingConsumersSplitTheWork() throws Exception {
        String queue = uniqueQueue();
        var first = new Seen();
        var second = new Seen();
        try (var a = OrderConsumer.onQueue(broker.connectionFactory(), queue, first);
             var b = OrderConsumer.onQueue(broker.connectionFactory(), queue, second)) {
            for (int i = 1; i <= 20; i++) send(queue, order(100 + i));

            int done = 0;
            int idle = 0;
            // Take turns while the broker still holds some of the 20; a long run of empty turns means one is stuck.
            while (done < 20 && broker.messageCount(queue) > 0 && idle < 100) {
                int before = done;
                if (a.pollOnce(TURN) == Outcome.PROCESSED) done++;
                if (b.pollOnce(TURN) == Outcome.PROCESSED) done++;
                idle = done == before ? idle + 1 : 0;
            }
            Outcome leftA = next(a, queue);
            Outcome leftB = next(b, queue);
            assertThat(List.of(leftA, leftB)).withFailMessage("after the 20 messages nothing more should come, but the workers' polls said %s and %s", leftA, leftB)
                .containsOnly(Outcome.NONE);
        }
        var all = new ArrayList<>(first.ids());
        all.addAll(second.ids());
        assertThat(all).withFailMessage("the two workers together should process each of the 20 orders once; they processed %d: %s and %s", all.size(), first.ids(), second.ids())
            .hasSize(20).doesNotHaveDuplicates();
        assertThat(new HashSet<>(all)).withFailMessage("every one of o-101 to o-120 should be processed, but got %s", all)
            .hasSize(20);
        assertThat(first.ids().isEmpty() || second.ids().isEmpty()).withFailMessage("both workers were connected before the orders came, so both should get some; got %s and %s", first.ids(), second.ids())
            .isFalse();
    }

    // ---- redelivery and dead letters ----

    @Test
    @Points(3)
    @DisplayName("A poison message is tried MAX_DELIVERY_ATTEMPTS times, then waits in the dead-letter queue")
    @Hint({"Read 'Poison messages and the dead-letter queue' in the lesson's README. What does a broker do with a message that fails every time?",
           "Without a limit, a failing message is delivered again and again, forever, and the queue behind it waits. After a number of deliveries it goes to a dead-letter address, for a person.",
           "Last hint: in Topology.configure: broker.deadLetterAfter(\"orders.#\", MAX_DELIVERY_ATTEMPTS, DEAD_LETTERS); '#' matches the topic and every orders queue."})
    void poisonMessageEndsInDeadLetters() throws Exception {
        requireTopology();
        String queue = uniqueQueue();
        var attempts = new Seen();
        try (var worker = OrderConsumer.onQueue(broker.connectionFactory(), queue, event -> {
            attempts.handle(event);
            throw new IllegalArgumentException("sku " + event.sku() + " does not exist");
        })) {
            send(queue, new OrderPlaced("o-poison", "no-such-sku", 1));

            for (int i = 1; i <= Topology.MAX_DELIVERY_ATTEMPTS; i++) {
                Outcome outcome = next(worker, queue);
                assertThat(outcome).withFailMessage("delivery %d of %d should come and fail, but the poll said %s", i, Topology.MAX_DELIVERY_ATTEMPTS, outcome)
                    .isEqualTo(Outcome.FAILED);
            }
            Outcome after = next(worker, queue);
            assertThat(after).withFailMessage("after %d failed deliveries the message should be a dead letter, but it was delivered again (%s): infinite redelivery?", Topology.MAX_DELIVERY_ATTEMPTS, after)
                .isEqualTo(Outcome.NONE);
        }
        String dead = receiveText(Topology.DEAD_LETTERS, ARRIVES);
        assertThat(dead).withFailMessage("the poison message should wait in %s, but that queue had %s", Topology.DEAD_LETTERS, dead)
            .isEqualTo("o-poison;no-such-sku;1");
        assertThat(attempts.ids()).withFailMessage("the handler should have seen the poison message %d times, but saw %s", Topology.MAX_DELIVERY_ATTEMPTS, attempts.ids())
            .hasSize(Topology.MAX_DELIVERY_ATTEMPTS);
    }

    @Test
    @Points(1)
    @DisplayName("A message that fails and then succeeds on its last allowed delivery never reaches the dead-letter queue")
    @Hint({"Is a message that fails twice and then succeeds poison? ('Poison messages and the dead-letter queue' in the lesson's README.)",
           "A failure or two is normal, a peer restarting. Only a message that fails every time is poison; a success on the last allowed delivery ends its story.",
           "Last hint: MAX_DELIVERY_ATTEMPTS counts deliveries of one message, the first included: pass it to deadLetterAfter as it is, not minus one."})
    void recoveredMessageIsNotDeadLettered() throws Exception {
        requireTopology();
        String queue = uniqueQueue();
        AtomicInteger failuresLeft = new AtomicInteger(Topology.MAX_DELIVERY_ATTEMPTS - 1);
        try (var worker = OrderConsumer.onQueue(broker.connectionFactory(), queue, event -> {
            if (failuresLeft.getAndDecrement() > 0) throw new IllegalStateException("not yet");
        })) {
            send(queue, order(41));
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 1; i <= Topology.MAX_DELIVERY_ATTEMPTS; i++) {
                Outcome outcome = next(worker, queue);
                outcomes.add(outcome);
                if (outcome != Outcome.FAILED) break;
            }
            var expected = new ArrayList<>(Collections.nCopies(Topology.MAX_DELIVERY_ATTEMPTS - 1, Outcome.FAILED));
            expected.add(Outcome.PROCESSED);
            assertThat(outcomes).withFailMessage("the message fails %d times and then succeeds on the last allowed delivery: expected %s, got %s", Topology.MAX_DELIVERY_ATTEMPTS - 1, expected, outcomes)
                .isEqualTo(expected);
        }
        long deadLetters = broker.messageCount(Topology.DEAD_LETTERS);
        assertThat(deadLetters).withFailMessage("a message that was processed in the end is not a dead letter, but %s holds %d", Topology.DEAD_LETTERS, deadLetters)
            .isZero();
    }

    @Test
    @Points(2)
    @DisplayName("Poison on the topic, and on a deeper orders queue (orders.eu.to-ship), is dead-lettered after MAX_DELIVERY_ATTEMPTS too")
    @Hint({"Does your dead-letter rule cover orders.eu.to-ship too?",
           "The rule covers the orders topic and every queue whose name starts with orders., however many words follow. In the broker's patterns '*' is exactly one word and '#' any number, none included.",
           "Last hint: broker.deadLetterAfter(Topology.ORDERS_TOPIC + \".#\", MAX_DELIVERY_ATTEMPTS, DEAD_LETTERS), once."})
    void poisonOnTheTopicAndDeeperQueues() throws Exception {
        requireTopology();
        var poison = new OrderPlaced("o-poison-topic", "no-such-sku", 1);
        try (var shipping = OrderConsumer.durableSubscriber(broker.connectionFactory(), unique("shipping"), event -> {
            throw new IllegalArgumentException("sku " + event.sku() + " does not exist");
        })) {
            publish(poison);
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < Topology.MAX_DELIVERY_ATTEMPTS; i++) outcomes.add(shipping.pollOnce(ARRIVES));
            outcomes.add(shipping.pollOnce(QUIET));
            assertThat(outcomes).withFailMessage("a poison event on the topic should fail %d times and then be gone: expected %s, but the polls said %s",
                Topology.MAX_DELIVERY_ATTEMPTS, failedThenNone(), outcomes).isEqualTo(failedThenNone());
        }
        String dead = receiveText(Topology.DEAD_LETTERS, ARRIVES);
        assertThat(dead).withFailMessage("the poison event from the topic should wait in %s, but that queue had %s", Topology.DEAD_LETTERS, dead).isEqualTo(poison.toText());

        String deeper = Topology.ORDERS_QUEUE_PREFIX + "eu." + unique("to-ship");
        try (var worker = OrderConsumer.onQueue(broker.connectionFactory(), deeper, event -> { throw new IllegalArgumentException("poison"); })) {
            send(deeper, new OrderPlaced("o-poison-eu", "no-such-sku", 1));
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i <= Topology.MAX_DELIVERY_ATTEMPTS; i++) outcomes.add(next(worker, deeper));
            assertThat(outcomes).withFailMessage("a poison message on %s should fail %d times and then be gone: expected %s, but the polls said %s",
                deeper, Topology.MAX_DELIVERY_ATTEMPTS, failedThenNone(), outcomes).isEqualTo(failedThenNone());
        }
        dead = receiveText(Topology.DEAD_LETTERS, ARRIVES);
        assertThat(dead).withFailMessage("the poison message from %s should wait in %s, but that queue had %s", deeper, Topology.DEAD_LETTERS, dead).isEqualTo("o-poison-eu;no-such-sku;1");
    }

    @Test
    @Points(2)
    @DisplayName("A handler's checked exception fails the poll like any other, and a message that is not an OrderPlaced is poison too")
    @Hint({"What counts as a failure between receiving and acknowledging? A checked exception? A text that does not parse?",
           "Whatever goes wrong before the acknowledgement is a failure: the message goes back, and in the end to the dead letters. So the reading of the message belongs inside the same try as the handler.",
           "Last hint: try { handler.handle(OrderPlaced.fromText(((TextMessage) message).getText())); } catch (Exception e) { session.recover(); return Outcome.FAILED; }"})
    void everyFailureIsAFailure() throws Exception {
        requireTopology();
        String queue = uniqueQueue();
        AtomicInteger failuresLeft = new AtomicInteger(1);
        try (var worker = OrderConsumer.onQueue(broker.connectionFactory(), queue, event -> {
            if (failuresLeft.getAndDecrement() > 0) throw new java.io.IOException("the label printer is offline");
        })) {
            send(queue, order(81));
            List<Outcome> outcomes = List.of(next(worker, queue), next(worker, queue));
            assertThat(outcomes).withFailMessage("the handler throws an IOException (a checked exception) once: expected [FAILED, PROCESSED], but the polls said %s", outcomes)
                .containsExactly(Outcome.FAILED, Outcome.PROCESSED);

            sendText(queue, "this is not an order");
            List<Outcome> malformed = new ArrayList<>();
            for (int i = 0; i <= Topology.MAX_DELIVERY_ATTEMPTS; i++) malformed.add(next(worker, queue));
            assertThat(malformed).withFailMessage("a message whose text is not an OrderPlaced cannot be processed: expected %s, but the polls said %s",
                failedThenNone(), malformed).isEqualTo(failedThenNone());
        }
        String dead = receiveText(Topology.DEAD_LETTERS, ARRIVES);
        assertThat(dead).withFailMessage("the unreadable message should wait in %s, but that queue had %s", Topology.DEAD_LETTERS, dead).isEqualTo("this is not an order");
    }

    @Test
    @Points(2)
    @DisplayName("Connections are closed: by close(), and when a consumer cannot be made, with the broker's JMSException passed on")
    @Hint({"Making the consumer fails halfway. What happens to the connection you opened?",
           "A connection is a socket and threads on a real broker: each one opened must be closed, also when making the consumer fails. The broker's JMSException still goes to the caller.",
           "Last hint: Connection connection = factory.createConnection(); try { ... return new OrderConsumer(...); } catch (JMSException e) { connection.close(); throw e; }"})
    void connectionsAreClosed() throws Exception {
        var tracked = new TrackedConnections(false);
        try (var orders = new OrderEvents(tracked.factory())) {
            orders.publish(order(91));
        }
        OrderConsumer.onQueue(tracked.factory(), uniqueQueue(), new Seen()).close();
        OrderConsumer.durableSubscriber(tracked.factory(), unique("notifications"), new Seen()).close();
        assertThat(tracked.open()).withFailMessage("a publisher and two consumers were closed, but %d of their connections are still open", tracked.open()).isZero();

        var refusing = new TrackedConnections(true);
        Expect.thrown(JMSException.class, () -> OrderConsumer.onQueue(refusing.factory(), uniqueQueue(), new Seen()),
            "the broker refused the session: onQueue should let the JMSException through");
        Expect.thrown(JMSException.class, () -> OrderConsumer.durableSubscriber(refusing.factory(), unique("shipping"), new Seen()),
            "the broker refused the session: durableSubscriber should let the JMSException through");
        assertThat(refusing.open()).withFailMessage("making both consumers failed after their connections were opened; both connections should be closed, but %d are still open",
            refusing.open()).isZero();
    }

    // ---- helpers ----

    private static void requireTopology() {
        if (topologyFailure != null) throw topologyFailure;
    }

    /**
     * The broker's ConnectionFactory, counting the connections opened through it and not closed yet. With
     * {@code refuseSessions}, every connection refuses to make a session, as a broker short of resources would.
     */
    private static final class TrackedConnections {
        private final AtomicInteger open = new AtomicInteger();
        private final boolean refuseSessions;

        TrackedConnections(boolean refuseSessions) {
            this.refuseSessions = refuseSessions;
        }

        int open() { return open.get(); }

        ConnectionFactory factory() {
            ConnectionFactory real = broker.connectionFactory();
            return proxy(ConnectionFactory.class, (method, args) -> {
                Object made = call(real, method, args);
                if (!(made instanceof Connection connection)) return made;
                open.incrementAndGet();
                return tracked(connection);
            });
        }

        private Connection tracked(Connection real) {
            var closed = new AtomicBoolean();
            return proxy(Connection.class, (method, args) -> {
                if (refuseSessions && method.getName().equals("createSession")) throw new JMSException("the broker refused a new session");
                if (method.getName().equals("close") && closed.compareAndSet(false, true)) open.decrementAndGet();
                return call(real, method, args);
            });
        }

        private interface Handler {
            Object handle(Method method, Object[] args) throws Throwable;
        }

        private static <T> T proxy(Class<T> type, Handler handler) {
            return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> handler.handle(method, args)));
        }

        private static Object call(Object target, Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /** A handler that remembers the order ids it saw, in order. */
    private static final class Seen implements OrderHandler {
        private final List<String> ids = Collections.synchronizedList(new ArrayList<>());

        @Override public void handle(OrderPlaced event) {
            ids.add(event.orderId());
        }

        List<String> ids() {
            synchronized (ids) {
                return List.copyOf(ids);
            }
        }
    }

    private static OrderPlaced order(int n) {
        return new OrderPlaced("o-" + n, "sku-" + n, 1);
    }

    private static String unique(String name) {
        return name + "-" + NAMES.incrementAndGet();
    }

    private static String uniqueQueue() {
        return Topology.ORDERS_QUEUE_PREFIX + unique("to-ship");
    }

    private static void publish(OrderPlaced... events) throws JMSException {
        try (var orders = new OrderEvents(broker.connectionFactory())) {
            for (var event : events) orders.publish(event);
        }
    }

    /** Puts an event on a queue directly, the way an upstream service would. */
    private static void send(String queue, OrderPlaced event) throws JMSException {
        sendText(queue, event.toText());
    }

    private static void sendText(String queue, String text) throws JMSException {
        try (Connection connection = broker.connectionFactory().createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue(queue)).send(session.createTextMessage(text));
        }
    }

    /** MAX_DELIVERY_ATTEMPTS times FAILED, then NONE: how a poison message's polls go. */
    private static List<Outcome> failedThenNone() {
        var outcomes = new ArrayList<>(Collections.nCopies(Topology.MAX_DELIVERY_ATTEMPTS, Outcome.FAILED));
        outcomes.add(Outcome.NONE);
        return outcomes;
    }

    /**
     * Polls a queue: the full wait when the broker holds a message for it (it is there, just on its way), almost
     * none when the queue is empty (nothing can come: a wrong answer lost it, or none is left to come). The
     * broker's count includes messages delivered but not acknowledged, and acknowledging waits for the broker.
     */
    private static Outcome next(OrderConsumer consumer, String queue) throws JMSException {
        return consumer.pollOnce(broker.messageCount(queue) > 0 ? ARRIVES : EMPTY);
    }

    private static String receiveText(String queue, Duration timeout) throws JMSException {
        try (Connection connection = broker.connectionFactory().createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            Message message = consumer.receive(timeout.toMillis());
            return message == null ? null : ((TextMessage) message).getText();
        }
    }

    /** Polls until {@code expected} messages were processed or the broker stays quiet; returns how many were. */
    private static int drain(OrderConsumer consumer, int expected) throws JMSException {
        int processed = 0;
        while (processed < expected && consumer.pollOnce(ARRIVES) == Outcome.PROCESSED) processed++;
        return processed;
    }
}
