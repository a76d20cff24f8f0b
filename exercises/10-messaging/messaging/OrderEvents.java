package messaging;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

/**
 * Orders' side: it tells the shop what happened by publishing events on the orders topic, and never calls
 * notifications or shipping itself.
 */
public final class OrderEvents implements AutoCloseable {
    private final Connection connection;
    private final Session session;
    private final MessageProducer producer;

    public OrderEvents(ConnectionFactory factory) throws JMSException {
        this.connection = factory.createConnection();
        this.session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        this.producer = session.createProducer(session.createTopic(Topology.ORDERS_TOPIC));
    }

    /** Publishes one event to every subscriber of the orders topic, including those that are offline now. */
    public void publish(OrderPlaced event) throws JMSException {
        // TODO: send event.toText() as a text message. An offline subscriber gets it later only if the broker
        //       keeps it: make the message PERSISTENT (the producer's delivery mode; it is also JMS's default).
        throw new UnsupportedOperationException("TODO: publish the event as a persistent text message on the orders topic");
    }

    @Override
    public void close() throws JMSException {
        connection.close();
    }
}
