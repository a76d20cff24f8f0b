package messaging;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import kit.Broker;
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
    @Hint({"publish sends one text message to the topic; durableSubscriber makes a consumer on the topic; pollOnce receives, handles and acknowledges.",
           "Publish with producer.send(session.createTextMessage(event.toText())). In pollOnce: consumer.receive(timeout.toMillis()), null means NONE; handler.handle(OrderPlaced.fromText(text)); then message.acknowledge().",
           "The README's section 'Topics: everyone gets a copy'."})
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
    @Hint({"A plain consumer on a topic only gets what is published while it is connected. The broker must keep a queue for the subscriber while it is away.",
           "Give the connection a client id (connection.setClientID(name)) and use session.createDurableConsumer(topic, name): the subscription outlives the connection. The message must be PERSISTENT.",
           "The README's section 'Durable subscriptions: catching up'."})
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

    // ---- acknowledge after processing ----

    @Test
    @Points(3)
    @DisplayName("A message whose processing failed is delivered again, and counts as done only once it succeeds")
    @Hint({"The broker must not hear 'done' before the handler returned. Which acknowledge mode lets you say when?",
           "Create the session with Session.CLIENT_ACKNOWLEDGE; call message.acknowledge() after handler.handle(...) returned; when it throws, call session.recover() so the message is redelivered.",
           "The README's section 'Acknowledge after processing'."})
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
    @Hint({"A crash here is the connection closing while the message is being processed, without an acknowledgement.",
           "With CLIENT_ACKNOWLEDGE, a message received but not acknowledged goes back to the queue when the connection closes. With AUTO_ACKNOWLEDGE, receive() has already said 'done'.",
           "The README's section 'Acknowledge after processing'."})
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

    // ---- competing consumers ----

    @Test
    @Points(2)
    @DisplayName("Workers on one queue share the work: every message is processed by exactly one of them")
    @Hint({"A queue, unlike a topic, gives each message to one consumer. onQueue makes a consumer on session.createQueue(queue).",
           "No client id for queue workers: two connections with the same client id are refused. Each worker acknowledges what it processed.",
           "The README's section 'Queues: competing consumers'."})
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
    @Hint({"Without a limit the broker delivers a failing message again and again, forever, and the queue behind it waits.",
           "In Topology.configure call broker.deadLetterAfter(\"orders.#\", MAX_DELIVERY_ATTEMPTS, DEAD_LETTERS): '#' matches the topic and every orders queue.",
           "The README's section 'Poison messages and the dead-letter queue'."})
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
    @Hint({"A failure or two is normal (a peer restarting); only a message that fails every time is poison.",
           "MAX_DELIVERY_ATTEMPTS counts deliveries of one message; a later success ends its story.",
           "The README's section 'Poison messages and the dead-letter queue'."})
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

    // ---- helpers ----

    private static void requireTopology() {
        if (topologyFailure != null) throw topologyFailure;
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
        try (Connection connection = broker.connectionFactory().createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue(queue)).send(session.createTextMessage(event.toText()));
        }
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
