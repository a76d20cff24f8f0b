package messaging;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.time.Duration;

/*
 * Lesson 10 · Messaging
 *
 * Orders no longer calls notifications and shipping: it publishes OrderPlaced on a topic and moves on. That only
 * works if the consumers hold up their end. Shipping restarts at night: the events published meanwhile must wait
 * for it (a durable subscription). A consumer that crashes halfway must not lose the event it was working on
 * (acknowledge only after processing). Three shipping workers share one queue, and each order is shipped once
 * (competing consumers). And an event that fails every time must not be tried forever (a dead letter after
 * Topology.MAX_DELIVERY_ATTEMPTS).
 *
 * Write the two ways to start a consumer and pollOnce below, publish in OrderEvents.java, and configure in
 * Topology.java. The broker is a real one (kit.Broker, ActiveMQ Artemis), reached through plain JMS.
 * Check your work with: ./jbang workbook check 10
 */
public final class OrderConsumer implements AutoCloseable {
    /** What one poll did. */
    public enum Outcome {
        /** No message came within the timeout. */
        NONE,
        /** The handler processed a message and the broker was told so. */
        PROCESSED,
        /** The handler threw: the message goes back to the broker, which delivers it again (or dead-letters it). */
        FAILED
    }

    private final Connection connection;
    private final Session session;
    private final MessageConsumer consumer;
    private final OrderHandler handler;

    private OrderConsumer(Connection connection, Session session, MessageConsumer consumer, OrderHandler handler)
            throws JMSException {
        this.connection = connection;
        this.session = session;
        this.consumer = consumer;
        this.handler = handler;
        connection.start(); // nothing is delivered before start
    }

    /**
     * A subscriber to the orders topic under {@code name} ("shipping"): what is published while it is closed
     * waits for the next subscriber with the same name. One subscriber per name at a time.
     */
    public static OrderConsumer durableSubscriber(ConnectionFactory factory, String name, OrderHandler handler)
            throws JMSException {
        // TODO: a connection (named by setClientID(name)), a session that lets you acknowledge yourself, and a
        //       *durable* consumer on the topic Topology.ORDERS_TOPIC with the subscription name `name`.
        //       Then: return new OrderConsumer(connection, session, consumer, handler);
        throw new UnsupportedOperationException("TODO: subscribe durably to the orders topic, acknowledging by hand");
    }

    /** One of several workers on a queue ("orders.to-ship"): each message goes to exactly one of them. */
    public static OrderConsumer onQueue(ConnectionFactory factory, String queue, OrderHandler handler)
            throws JMSException {
        // TODO: like durableSubscriber, but a plain consumer on the queue (no client id: workers share the queue).
        throw new UnsupportedOperationException("TODO: consume from the queue, acknowledging by hand");
    }

    /**
     * Waits up to {@code timeout} for one message and hands its event to the handler. The broker hears that
     * the message is done only after the handler returned; when the handler throws, the message goes back to
     * the broker at once, to be delivered again.
     */
    public Outcome pollOnce(Duration timeout) throws JMSException {
        // TODO: receive with the timeout (null: NONE). Read OrderPlaced.fromText from the TextMessage, call the
        //       handler, then acknowledge the message: PROCESSED. If the handler throws, give the message back
        //       with session.recover(): FAILED.
        throw new UnsupportedOperationException("TODO: receive one message, process it, then acknowledge it");
    }

    /** Goes offline. A durable subscription stays on the broker and collects what is published meanwhile. */
    @Override
    public void close() throws JMSException {
        connection.close();
    }
}
