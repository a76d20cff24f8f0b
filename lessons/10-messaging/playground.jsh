// Lesson 10 playground: an embedded Artemis, orders publishing to the topic 'orders', and subscribers you start and stop.
// Open it with: ./jbang workbook play 10   (JShell, with the kit and the course's libraries on the class path)

import jakarta.jms.*;
import java.util.*;
import kit.Broker;

var broker = Broker.fromEnvironment().deadLetterAfter("orders", 3, "dead.orders");
var factory = broker.connectionFactory();
var orders = factory.createConnection();
var ordersSession = orders.createSession(false, Session.AUTO_ACKNOWLEDGE);
var producer = ordersSession.createProducer(ordersSession.createTopic("orders"));
int orderNumber = 0;

/** Orders publishes one event; returns its id. */
String publish(String sku) throws JMSException {
    String id = "o-" + (++orderNumber);
    producer.send(ordersSession.createTextMessage(id + " " + sku));
    return id;
}

/** A durable subscriber that prints what it gets; a sku starting with "bad" makes it fail (and roll back). */
Connection subscribe(String name) throws JMSException {
    Connection connection = factory.createConnection();
    connection.setClientID(name);
    Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
    session.createDurableConsumer(session.createTopic("orders"), name).setMessageListener(message -> {
        try {
            String text = ((TextMessage) message).getText();
            int attempt = message.getIntProperty("JMSXDeliveryCount");
            if (text.contains(" bad")) {
                System.out.println("  " + name + " failed on " + text + " (delivery " + attempt + ")");
                session.rollback();
            } else {
                System.out.println("  " + name + " handled " + text);
                session.commit();
            }
        } catch (JMSException e) {
            System.out.println("  " + name + ": " + e);
        }
    });
    connection.start();
    return connection;
}

/** Reads what waits in a queue (for example "dead.orders"), without removing it. */
List<String> peek(String queue) throws JMSException {
    try (Connection connection = factory.createConnection()) {
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        var texts = new ArrayList<String>();
        var browser = session.createBrowser(session.createQueue(queue)).getEnumeration();
        while (browser.hasMoreElements()) texts.add(((TextMessage) browser.nextElement()).getText());
        return texts;
    }
}

System.out.println("""
    An embedded Artemis (%s, started in %d ms). Orders publishes to the topic 'orders'.
    Try:
      var shipping = subscribe("shipping")
      publish("sku-socks")
      shipping.close()                       offline: the subscription stays on the broker
      publish("sku-mug"); publish("sku-cap")
      broker.messageCount("shipping.shipping")   2 wait for shipping
      shipping = subscribe("shipping")       catches up at once
      publish("bad-sku")                     fails 3 times, then:
      peek("dead.orders")
    Leave with /exit.
    """.formatted(broker.url(), broker.startTime().toMillis()));
