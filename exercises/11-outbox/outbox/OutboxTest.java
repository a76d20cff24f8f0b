package outbox;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.http.HttpClient;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import kit.Database;
import kit.Expect;
import kit.Hint;
import kit.Peer;
import kit.Points;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("11 · Transactional outbox and idempotent consumer")
class OutboxTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Payments, as a WireMock server: it confirms a message with 200, or fails as each test says. */
    private static Peer payments;

    private static final Order KEYBOARD = new Order("o-1", "KB-42", 2, 4999);

    /** The order service's database (in memory); a test "crashes" the service by closing it and reopening it: what was committed is kept. */
    private Database orders;
    /** Payments' own database, for the consumer's tests. */
    private Database paymentsDb;

    @BeforeAll
    static void startPayments() { payments = Peer.start("payments"); }

    @AfterAll
    static void stopPayments() { payments.close(); }

    @BeforeEach
    void freshDatabases() {
        payments.reset();
        payments.stub(post("/events").willReturn(ok()));
        orders = Database.inMemory("orders");
        orders.run(Schema.ORDERS);
        orders.run("insert into stock (sku, on_hand) values ('KB-42', 10)");
        paymentsDb = Database.inMemory("payments");
        paymentsDb.run(Schema.PAYMENTS);
    }

    @AfterEach
    void deleteDatabases() {
        orders.delete();
        paymentsDb.delete();
    }

    // ---- placeOrder: one transaction ----

    @Test
    @Points(2)
    @DisplayName("Placing an order deducts the stock, records the order and writes its OrderPlaced message to the outbox, unsent")
    @Hint({"Read 'One transaction, two facts' in the lesson's README. Whom does placeOrder call?",
           "placeOrder writes only to the order service's own database: the stock, the order, and the message to payments as an outbox row, in one transaction. It calls nobody.",
           "Last hint: one connection with c.setAutoCommit(false); update stock; insert into orders; insert into outbox (message_id, aggregate_id, type, payload); c.commit()."})
    void placeOrderWritesTheOutboxRow() {
        var counting = new CountingPublisher();
        String id = Expect.returns(() -> new OrderService(orders.dataSource(), counting).placeOrder(KEYBOARD),
            "placing an order for 2 of the 10 KB-42 on hand should work");

        assertThat(orders.count("select on_hand from stock where sku = 'KB-42'")).withFailMessage(
            "2 of the 10 KB-42 were ordered, so 8 should be on hand, but %d are", orders.count("select on_hand from stock where sku = 'KB-42'")).isEqualTo(8);
        assertThat(orders.count("select count(*) from orders where order_id = 'o-1'")).withFailMessage("order o-1 should be in the orders table").isEqualTo(1);
        var rows = outbox();
        assertThat(rows).withFailMessage("the outbox should hold exactly one row for the order, but holds %s", rows).hasSize(1);
        var row = rows.get(0);
        assertThat(row).withFailMessage("the outbox row should be %s, but was %s",
            new Message(id, "o-1", Message.ORDER_PLACED, KEYBOARD.toJson()), row).isEqualTo(new Message(id, "o-1", Message.ORDER_PLACED, KEYBOARD.toJson()));
        assertThat(id).withFailMessage("placeOrder should return the message's id, a new unique one, but returned %s", id).isNotBlank();
        assertThat(orders.count("select count(*) from outbox where sent")).withFailMessage("the new outbox row should not be marked sent: nobody sent it yet").isZero();
        assertThat(counting.calls.get() + payments.hits()).withFailMessage(
            "placeOrder should not tell payments itself (the relay does, later), but payments was called %d times", counting.calls.get() + payments.hits()).isZero();
    }

    @Test
    @DisplayName("An order for more than is on hand is refused with OutOfStock, and nothing is written")
    @Hint({"How can the stock update itself tell you whether there was enough? ('One transaction, two facts' in the lesson's README.)",
           "Deduct only when there is enough, in the same statement, and let its row count say whether it happened. Not enough: nothing written, OutOfStock.",
           "Last hint: \"update stock set on_hand = on_hand - ? where sku = ? and on_hand >= ?\" updates 0 rows when there is not enough: roll back and throw OutOfStock."})
    void outOfStockWritesNothing() {
        var service = new OrderService(orders.dataSource(), new CountingPublisher());
        Expect.thrown(OutOfStock.class, () -> service.placeOrder(new Order("o-2", "KB-42", 11, 54989)),
            "11 KB-42 were ordered and only 10 are on hand");

        assertThat(orders.count("select on_hand from stock where sku = 'KB-42'")).withFailMessage("the stock should still be 10").isEqualTo(10);
        assertThat(orders.count("select count(*) from orders") + orders.count("select count(*) from outbox")).withFailMessage(
            "a refused order should leave no order and no outbox row").isZero();
    }

    @Test
    @Points(2)
    @DisplayName("A failed order writes nothing: placing order o-1 a second time fails, and the stock was deducted once")
    @Hint({"The second insert of o-1 fails. What happens to the stock it deducted first? ('One transaction, two facts' in the lesson's README.)",
           "All three writes, or none: when any of them fails, the ones before it are undone.",
           "Last hint: c.setAutoCommit(false) before the first statement, and c.rollback() in a catch before rethrowing."})
    void aFailedOrderWritesNothing() {
        var service = new OrderService(orders.dataSource(), new CountingPublisher());
        Expect.returns(() -> service.placeOrder(KEYBOARD), "the first order o-1 should be placed");
        try {
            service.placeOrder(KEYBOARD);
        } catch (RuntimeException expected) {
            if (expected instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
        }
        long onHand = orders.count("select on_hand from stock where sku = 'KB-42'");
        assertThat(onHand).withFailMessage("o-1 took 2 of 10; its second placing failed (the order id is taken) and must deduct nothing, "
            + "so 8 should be on hand, but %d are: the stock update was committed without the order", onHand).isEqualTo(8);
        assertThat(orders.count("select count(*) from outbox")).withFailMessage("only the first o-1 should have an outbox row").isEqualTo(1);
    }

    @Test
    @Points(2)
    @DisplayName("An order for exactly what is left is placed and leaves zero on hand; the next order, for one more, is refused")
    @Hint({"1 left and 1 ordered: a sale or not?",
           "'Enough on hand' includes exactly enough. The stock update's condition decides, and an update of 0 rows means OutOfStock.",
           "Last hint: \"update stock set on_hand = on_hand - ? where sku = ? and on_hand >= ?\" with the quantity twice (>=, not >); if executeUpdate() != 1, roll back and throw OutOfStock."})
    void exactlyWhatIsLeftIsSold() {
        var service = new OrderService(orders.dataSource(), new CountingPublisher());
        Expect.returns(() -> service.placeOrder(new Order("o-1", "KB-42", 9, 9000)), "9 of the 10 KB-42 on hand should sell");
        Expect.returns(() -> service.placeOrder(new Order("o-2", "KB-42", 1, 1000)),
            "1 KB-42 was left and 1 was ordered: exactly enough, so the order should be placed");
        long leftAfterTheLast = onHand("KB-42");
        Expect.thrown(OutOfStock.class, () -> service.placeOrder(new Order("o-3", "KB-42", 1, 1000)),
            "no KB-42 is left, so an order for 1 should be refused");

        assertThat(leftAfterTheLast).withFailMessage("9 and then 1 of 10 KB-42 were sold, so 0 should be on hand, but %d are", leftAfterTheLast).isZero();
        assertThat(onHand("KB-42")).withFailMessage("the refused order must not change the stock: 0 should be on hand, but %d are", onHand("KB-42")).isZero();
        var placed = outbox().stream().map(Message::aggregateId).toList();
        assertThat(placed).withFailMessage("the outbox should hold the messages of o-1 and o-2 and none of the refused o-3, but holds %s", placed)
            .containsExactly("o-1", "o-2");
        assertThat(orders.count("select count(*) from orders where order_id = 'o-3'")).withFailMessage("the refused o-3 must not be in the orders table").isZero();
    }

    @Test
    @DisplayName("An order for a sku the shop never stocked is refused with OutOfStock, and nothing is written")
    @Hint({"How much is on hand for a sku with no row in the stock table?",
           "An unknown sku has nothing on hand. The stock update matches no row, exactly as for a sku with too little.",
           "Last hint: treat executeUpdate() != 1 on the stock update as OutOfStock, whatever the reason, and roll back before throwing."})
    void unknownSkuIsOutOfStock() {
        var service = new OrderService(orders.dataSource(), new CountingPublisher());
        Expect.thrown(OutOfStock.class, () -> service.placeOrder(new Order("o-5", "NO-SUCH-SKU", 1, 1000)),
            "nobody ever stocked NO-SUCH-SKU, so none is on hand");

        long written = orders.count("select count(*) from orders") + orders.count("select count(*) from outbox");
        assertThat(written).withFailMessage("a refused order should leave no order and no outbox row, but %d rows were written", written).isZero();
        assertThat(onHand("KB-42")).withFailMessage("an order for another sku must not touch KB-42: 10 should be on hand, but %d are", onHand("KB-42")).isEqualTo(10);
    }

    @Test
    @Points(2)
    @DisplayName("Two orders for two skus: each deducts its own sku only, and each message has a new id of its own, its order and its payload")
    @Hint({"Two orders for two skus. Does each deduct only its own sku? Does each message get an id of its own?",
           "Every order is its own transaction with its own message: the stock of its sku, its row in orders, and a new message id. The message id is not the order id: later messages about the same order need ids of their own.",
           "Last hint: String id = UUID.randomUUID().toString(); insert into outbox (message_id, aggregate_id, type, payload) values (id, order.orderId(), Message.ORDER_PLACED, order.toJson()), and return id."})
    void eachOrderHasItsOwnStockAndMessage() {
        orders.run("insert into stock (sku, on_hand) values ('MS-7', 5)");
        var service = new OrderService(orders.dataSource(), new CountingPublisher());
        var keyboards = new Order("o-1", "KB-42", 2, 4999);
        var mice = new Order("o-2", "MS-7", 3, 2997);

        String first = Expect.returns(() -> service.placeOrder(keyboards), "2 of 10 KB-42 should sell");
        String second = Expect.returns(() -> service.placeOrder(mice), "3 of 5 MS-7 should sell");

        assertThat(List.of(onHand("KB-42"), onHand("MS-7"))).withFailMessage("KB-42 should go from 10 to 8 and MS-7 from 5 to 2, "
            + "but they are at %d and %d: does the stock update say which sku?", onHand("KB-42"), onHand("MS-7")).containsExactly(8L, 2L);
        assertThat(first).withFailMessage("two messages need two different ids, but both orders returned %s", first).isNotEqualTo(second);
        assertThat(List.of(first, second)).withFailMessage("a message id is new, not the order's id (the order's later messages need ids of their own), "
            + "but placeOrder returned %s and %s", first, second).doesNotContain("o-1", "o-2");
        var expected = List.of(new Message(first, "o-1", Message.ORDER_PLACED, keyboards.toJson()), new Message(second, "o-2", Message.ORDER_PLACED, mice.toJson()));
        assertThat(outbox()).withFailMessage("the outbox should hold %s, but holds %s", expected, outbox()).isEqualTo(expected);
    }

    @Test
    @Points(2)
    @DisplayName("When the outbox row cannot be written, the stock deducted and the order inserted before it are not kept either")
    @Hint({"The outbox insert is the last of the three writes. If it fails, what about the two before it?",
           "An order without its message is the very bug the outbox fixes. Commit only after the third write, and roll back when any of them throws.",
           "Last hint: c.setAutoCommit(false); try { deduct; insertOrder; insertIntoOutbox; c.commit(); } catch (SQLException | RuntimeException e) { c.rollback(); throw e; }"})
    void aFailedOutboxWriteWritesNothing() {
        orders.run("alter table outbox add constraint refuses_o9 check (aggregate_id <> 'o-9')"); // the outbox insert will fail for o-9
        var service = new OrderService(orders.dataSource(), new CountingPublisher());
        try {
            service.placeOrder(new Order("o-9", "KB-42", 3, 3000));
        } catch (RuntimeException expected) {
            if (expected instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
        }

        assertThat(onHand("KB-42")).withFailMessage("o-9's outbox row could not be written, so its whole transaction should be undone and 10 KB-42 "
            + "should be on hand, but %d are: the stock update was kept without its message", onHand("KB-42")).isEqualTo(10);
        assertThat(orders.count("select count(*) from orders")).withFailMessage("o-9 should not be in the orders table: its message was never written").isZero();
        assertThat(orders.count("select count(*) from outbox")).withFailMessage("the outbox should be empty").isZero();
    }

    @Test
    @Points(3)
    @DisplayName("A crash right after the order is committed loses nothing: after the restart, the relay tells payments")
    @Hint({"Read 'The night payments never heard' in the lesson's README. What did a crash between the commit and the call lose?",
           "With an outbox, the commit already holds the message. placeOrder does not call payments; the relay publishes after the restart.",
           "Last hint: placeOrder never calls the Publisher it is given: it writes the outbox row in the order's transaction, and nothing else."})
    void crashAfterCommitStillDelivers() {
        // The publisher the order service is given is the moment the process dies: if anything calls it, the database goes down with it.
        var dies = new Crash(orders);
        String id = null;
        try {
            id = new OrderService(orders.dataSource(), dies).placeOrder(KEYBOARD);
        } catch (RuntimeException crashed) {
            if (crashed instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
        }
        restart();

        assertThat(orders.count("select count(*) from orders where order_id = 'o-1'")).withFailMessage(
            "after the restart order o-1 should be there (its transaction committed), but it is gone: was the commit after a call to payments?").isEqualTo(1);
        new Relay(orders.dataSource(), new HttpPublisher(HTTP, payments.uri())).runOnce();
        var delivered = delivered();
        assertThat(delivered).withFailMessage("after the restart the relay should have told payments about o-1 exactly once, but payments got %s "
            + "(the message must be in the outbox, committed with the order)", delivered).hasSize(1);
        assertThat(delivered.get(0).aggregateId()).isEqualTo("o-1");
        if (id != null) assertThat(delivered.get(0).id()).withFailMessage("the message delivered should carry the id placeOrder returned").isEqualTo(id);
    }

    // ---- the relay ----

    @Test
    @Points(2)
    @DisplayName("The relay publishes the unsent messages oldest first, marks them sent, and sends nothing twice on its next run")
    @Hint({"Read 'The relay' in the lesson's README. Which rows does a run read, in what order, and what does it do after each?",
           "The relay reads the unsent rows oldest first, publishes each, and marks it sent once payments confirmed. A row marked sent is never sent again.",
           "Last hint: \"select seq, message_id, aggregate_id, type, payload from outbox where not sent order by seq\"; after publish returns: \"update outbox set sent = true where seq = ?\"."})
    void relayPublishesInOrder() {
        var service = new OrderService(orders.dataSource(), new CountingPublisher());
        for (int i = 1; i <= 3; i++) service.placeOrder(new Order("o-" + i, "KB-42", 1, 1000 * i));
        var relay = new Relay(orders.dataSource(), new HttpPublisher(HTTP, payments.uri()));

        int first = relay.runOnce();
        int second = relay.runOnce();

        var orderIds = delivered().stream().map(Message::aggregateId).toList();
        assertThat(orderIds).withFailMessage("payments should have received o-1, o-2, o-3 in that order, once each, but received %s", orderIds)
            .containsExactly("o-1", "o-2", "o-3");
        assertThat(first).withFailMessage("the first run published 3 messages and should return 3, but returned %d", first).isEqualTo(3);
        assertThat(second).withFailMessage("the second run had nothing to send and should return 0, but returned %d", second).isZero();
        assertThat(orders.count("select count(*) from outbox where not sent")).withFailMessage("every row should be marked sent").isZero();
        assertThat(delivered().get(0).payload()).withFailMessage("the message's payload should go as it is in the outbox").isEqualTo(new Order("o-1", "KB-42", 1, 1000).toJson());
    }

    @Test
    @Points(3)
    @DisplayName("Payments answers 503, then 200: the message stays in the outbox and goes on the relay's next run")
    @Hint({"Payments answered 503. Is the message sent? ('The relay' in the lesson's README.)",
           "A message payments did not confirm is not sent: the row stays unsent and goes on the next run.",
           "Last hint: mark a row sent only after publish returned normally; when publish throws PublishFailed, leave the row alone and stop the run."})
    void failingPeerGetsItLater() {
        payments.reset();
        payments.answerInTurn(post("/events"), serviceUnavailable(), ok());
        new OrderService(orders.dataSource(), new CountingPublisher()).placeOrder(KEYBOARD);
        var relay = new Relay(orders.dataSource(), new HttpPublisher(HTTP, payments.uri()));

        int first = relay.runOnce();
        long unsentAfterFailure = orders.count("select count(*) from outbox where not sent");
        int second = relay.runOnce();

        assertThat(unsentAfterFailure).withFailMessage("payments answered 503, so the row should still be unsent after the first run, "
            + "but %d rows are unsent: was it marked (or deleted) before payments confirmed?", unsentAfterFailure).isEqualTo(1);
        assertThat(first).withFailMessage("the first run sent nothing that payments confirmed, so it should return 0, not %d", first).isZero();
        assertThat(delivered()).withFailMessage("on the second run payments should have accepted o-1, but accepted %s", delivered()).hasSize(1);
        assertThat(second).withFailMessage("the second run should return 1, not %d", second).isEqualTo(1);
        assertThat(payments.hits()).withFailMessage("payments should have been asked twice (503, then 200), but was asked %d times", payments.hits()).isEqualTo(2);
    }

    @Test
    @DisplayName("Payments drops the connection, then answers: the message goes on the next run")
    @Hint({"What does the HttpPublisher throw when payments drops the connection?",
           "A dropped connection is no confirmation either: the HttpPublisher turns it into a PublishFailed, and the row stays unsent.",
           "Last hint: handle every PublishFailed the same way: catch it around publish, leave the row unsent, stop the run."})
    void droppedConnectionGetsItLater() {
        payments.reset();
        payments.answerInTurn(post("/events"), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), ok());
        new OrderService(orders.dataSource(), new CountingPublisher()).placeOrder(KEYBOARD);
        var relay = new Relay(orders.dataSource(), new HttpPublisher(HTTP, payments.uri()));

        relay.runOnce();
        relay.runOnce();

        assertThat(delivered()).withFailMessage("after a dropped connection and a second run payments should have o-1 once, but has %s", delivered()).hasSize(1);
        assertThat(orders.count("select count(*) from outbox where not sent")).withFailMessage("o-1's row should be marked sent now").isZero();
    }

    @Test
    @Points(3)
    @DisplayName("Payments takes o-1 and answers 503 to o-2: the run returns 1 and never asks for o-3; the next run sends o-2, then o-3, and not o-1 again")
    @Hint({"Payments took o-1 and refused o-2. Which rows are sent after the run, and which wait?",
           "What came before the failure was confirmed and stays sent. The failed row and everything behind it wait for the next run.",
           "Last hint: int sent = 0; for (row : unsent) { try { publish(row) } catch (PublishFailed e) { return sent; } markSent(row); sent++; } return sent;"})
    void failureInTheMiddleOfARun() {
        var service = new OrderService(orders.dataSource(), new CountingPublisher());
        for (int i = 1; i <= 3; i++) service.placeOrder(new Order("o-" + i, "KB-42", 1, 1000 * i));
        payments.reset();
        payments.answerInTurn(post("/events"), ok(), serviceUnavailable(), ok(), ok());
        var relay = new Relay(orders.dataSource(), new HttpPublisher(HTTP, payments.uri()));

        int first = relay.runOnce();
        var askedInTheFirstRun = requestedOrders();
        long unsentAfterTheFirstRun = orders.count("select count(*) from outbox where not sent");
        int second = relay.runOnce();

        assertThat(askedInTheFirstRun).withFailMessage("the first run should ask for o-1 (200) and o-2 (503) and then stop, before o-3, "
            + "but it asked for %s", askedInTheFirstRun).containsExactly("o-1", "o-2");
        assertThat(first).withFailMessage("the first run sent o-1 and failed on o-2, so it should return 1, but returned %d", first).isEqualTo(1);
        assertThat(unsentAfterTheFirstRun).withFailMessage("after the first run o-1 should be marked sent and o-2, o-3 not, so 2 rows should be unsent, "
            + "but %d are", unsentAfterTheFirstRun).isEqualTo(2);
        assertThat(requestedOrders()).withFailMessage("over both runs payments should be asked for o-1, o-2, o-2 again, then o-3, but was asked for %s: "
            + "o-1 was confirmed and must not go again", requestedOrders()).containsExactly("o-1", "o-2", "o-2", "o-3");
        assertThat(second).withFailMessage("the second run sent o-2 and o-3, so it should return 2, but returned %d", second).isEqualTo(2);
    }

    @Test
    @Points(2)
    @DisplayName("The relay sends in the order the rows were written, not in the order of their message ids or order ids")
    @Hint({"Which column says which row was written first? Do message ids sort like time?",
           "Message ids are random, and order ids need not sort like time. Only the outbox's seq, numbered by the database as rows arrive, says which row came first.",
           "Last hint: \"select seq, message_id, aggregate_id, type, payload from outbox where not sent order by seq\"."})
    void relaySendsInTheOrderWritten() {
        orders.run("""
            insert into outbox (message_id, aggregate_id, type, payload) values ('m-c', 'o-9', 'OrderPlaced', '{"orderId": "o-9", "amountCents": 900}');
            insert into outbox (message_id, aggregate_id, type, payload) values ('m-a', 'o-3', 'OrderPlaced', '{"orderId": "o-3", "amountCents": 300}');
            insert into outbox (message_id, aggregate_id, type, payload) values ('m-b', 'o-5', 'OrderCancelled', '{"orderId": "o-5"}');
            """);

        int sent = new Relay(orders.dataSource(), new HttpPublisher(HTTP, payments.uri())).runOnce();

        var expected = List.of(new Message("m-c", "o-9", "OrderPlaced", "{\"orderId\": \"o-9\", \"amountCents\": 900}"),
            new Message("m-a", "o-3", "OrderPlaced", "{\"orderId\": \"o-3\", \"amountCents\": 300}"),
            new Message("m-b", "o-5", "OrderCancelled", "{\"orderId\": \"o-5\"}"));
        assertThat(delivered()).withFailMessage("the rows were written m-c, m-a, m-b, and payments should get them in that order, each as it is in "
            + "the outbox: %s, but got %s", expected, delivered()).isEqualTo(expected);
        assertThat(sent).withFailMessage("the run sent 3 messages and should return 3, but returned %d", sent).isEqualTo(3);
    }

    @Test
    @Points(2)
    @DisplayName("Every answer that is not a 2xx leaves the message unsent: 500, 502, 504, 400, 409 and 429 each fail a run, then a 200 sends it")
    @Hint({"Is a 409 a confirmation? Is a 429?",
           "Only a 2xx is payments' confirmation. A refusal (4xx) is no more a confirmation than an error (5xx): the HttpPublisher throws PublishFailed for both.",
           "Last hint: catch (PublishFailed notConfirmed) { return sent; }, with markSent after the publish, inside the loop."})
    void everyAnswerButA2xxLeavesItUnsent() {
        payments.reset();
        int[] failures = {500, 502, 504, 400, 409, 429};
        var answers = new ArrayList<ResponseDefinitionBuilder>();
        for (int status : failures) answers.add(aResponse().withStatus(status));
        answers.add(ok());
        payments.answerInTurn(post("/events"), answers.toArray(ResponseDefinitionBuilder[]::new));
        new OrderService(orders.dataSource(), new CountingPublisher()).placeOrder(KEYBOARD);
        var relay = new Relay(orders.dataSource(), new HttpPublisher(HTTP, payments.uri()));

        for (int status : failures) {
            int sent = relay.runOnce();
            long unsent = orders.count("select count(*) from outbox where not sent");
            assertThat(sent).withFailMessage("payments answered %d, which confirms nothing, so the run should return 0, but returned %d", status, sent).isZero();
            assertThat(unsent).withFailMessage("payments answered %d, so o-1 should still be unsent, but %d rows are unsent", status, unsent).isEqualTo(1);
        }
        int sent = relay.runOnce();

        assertThat(sent).withFailMessage("payments answered 200 at last, so the run should return 1, but returned %d", sent).isEqualTo(1);
        assertThat(orders.count("select count(*) from outbox where not sent")).withFailMessage("after the 200, o-1 should be marked sent").isZero();
        assertThat(payments.hits()).withFailMessage("payments should have been asked 7 times (6 failures, then the 200), but was asked %d times", payments.hits()).isEqualTo(7);
    }

    @Test
    @DisplayName("Any 2xx is a confirmation: answered 200, 202 and 204, all three messages are marked sent, and the next run asks nobody")
    @Hint({"Are 202 Accepted and 204 No Content yeses?",
           "Any 2xx is a confirmation: the HttpPublisher returns normally for each, and that row is sent.",
           "Last hint: publisher.publish(row.message()); markSent(row.seq()); sent++; in that order, for each unsent row."})
    void every2xxConfirms() {
        payments.reset();
        payments.answerInTurn(post("/events"), ok(), aResponse().withStatus(202), aResponse().withStatus(204));
        var service = new OrderService(orders.dataSource(), new CountingPublisher());
        for (int i = 1; i <= 3; i++) service.placeOrder(new Order("o-" + i, "KB-42", 1, 1000 * i));
        var relay = new Relay(orders.dataSource(), new HttpPublisher(HTTP, payments.uri()));

        int first = relay.runOnce();
        int second = relay.runOnce();

        assertThat(first).withFailMessage("payments confirmed all three (200, 202, 204), so the run should return 3, but returned %d", first).isEqualTo(3);
        assertThat(orders.count("select count(*) from outbox where not sent")).withFailMessage("all three rows should be marked sent").isZero();
        assertThat(second).withFailMessage("nothing was left to send, so the second run should return 0, but returned %d", second).isZero();
        assertThat(payments.hits()).withFailMessage("payments should have been asked 3 times in all, but was asked %d times", payments.hits()).isEqualTo(3);
    }

    @Test
    @Points(3)
    @DisplayName("Messages about one order keep their order: when the first fails, the second waits behind it")
    @Hint({"Read 'Order, and what it costs' in the lesson's README. What if the relay went on after a failure?",
           "o-7's OrderCancelled must not reach payments before its OrderPlaced. So at the first failure the run stops, and the rows behind it wait.",
           "Last hint: at the first PublishFailed, return the count so far: the failed row and every row behind it wait for the next run."})
    void orderKeptPerAggregate() {
        orders.run("""
            insert into outbox (message_id, aggregate_id, type, payload) values ('m-1', 'o-7', 'OrderPlaced', '{"orderId": "o-7", "amountCents": 100}');
            insert into outbox (message_id, aggregate_id, type, payload) values ('m-2', 'o-7', 'OrderCancelled', '{"orderId": "o-7"}');
            """);
        payments.reset();
        payments.answerInTurn(post("/events"), serviceUnavailable(), ok());
        var relay = new Relay(orders.dataSource(), new HttpPublisher(HTTP, payments.uri()));

        relay.runOnce();
        relay.runOnce();

        var asked = requestedIds();
        assertThat(asked).withFailMessage("payments should have been asked for m-1 (503), m-1 again, then m-2; it was asked %s: "
            + "m-2 must never go before m-1 was confirmed", asked).containsExactly("m-1", "m-1", "m-2");
    }

    @Test
    @Points(2)
    @DisplayName("A crash while publishing loses nothing: the row is still unsent after the restart, and goes then")
    @Hint({"The process dies after a row was read and before payments confirmed it. Is the row still unsent? ('The relay' in the lesson's README.)",
           "Every way the relay can fail must leave the row unsent. So the mark comes after the confirmation, never before.",
           "Last hint: never mark (or delete) a row before publisher.publish(...) has returned: publish first, then update outbox set sent = true."})
    void crashWhilePublishingLosesNothing() {
        new OrderService(orders.dataSource(), new CountingPublisher()).placeOrder(KEYBOARD);
        try {
            new Relay(orders.dataSource(), new Crash(orders)).runOnce();
        } catch (RuntimeException crashed) {
            if (crashed instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
        }
        restart();

        new Relay(orders.dataSource(), new HttpPublisher(HTTP, payments.uri())).runOnce();

        assertThat(delivered()).withFailMessage("the process died before payments confirmed o-1; after the restart the relay should have sent it, "
            + "but payments has %s: was the row marked or deleted before the publish?", delivered()).hasSize(1);
    }

    @Test
    @DisplayName("A crash after payments confirmed and before the mark sends the message again: at least once, never zero times")
    @Hint({"Read 'At least once, so deduplicate' in the lesson's README. Can the relay know that payments got a message whose mark was lost in a crash?",
           "It cannot, so it sends the message again: at least once, never zero times. The consumer makes the duplicate harmless.",
           "Last hint: publisher.publish(row.message()); then \"update outbox set sent = true where seq = ?\". A crash between the two leaves the row unsent, and that is right: payments deduplicates."})
    void crashBeforeTheMarkSendsAgain() {
        new OrderService(orders.dataSource(), new CountingPublisher()).placeOrder(KEYBOARD);
        var http = new HttpPublisher(HTTP, payments.uri());
        try {
            new Relay(orders.dataSource(), message -> { http.publish(message); orders.close(); }).runOnce();
        } catch (RuntimeException crashed) {
            if (crashed instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
        }
        restart();

        new Relay(orders.dataSource(), http).runOnce();

        var ids = delivered().stream().map(Message::id).distinct().toList();
        assertThat(delivered()).withFailMessage("payments confirmed o-1, then the process died before the mark; after the restart the row is "
            + "still unsent and should go again (2 deliveries of one message), but payments has %s", delivered()).hasSize(2);
        assertThat(ids).withFailMessage("both deliveries should carry the same message id, so payments can tell it is a duplicate").hasSize(1);
    }

    // ---- the consumer ----

    @Test
    @Points(2)
    @DisplayName("Payments charges an order once, however often its message arrives: the duplicate changes nothing")
    @Hint({"Read 'At least once, so deduplicate' in the lesson's README. How does payments know it has seen a message?",
           "The idempotent consumer remembers each processed message id, and a duplicate changes nothing: handle returns false and charges nothing.",
           "Last hint: insert the id into processed_messages first: its primary key refuses a duplicate (SQL state 23505); then return false and charge nothing."})
    void duplicateChangesStateOnce() {
        var consumer = new PaymentsConsumer(paymentsDb.dataSource());
        var placed = new Message("m-1", "o-1", Message.ORDER_PLACED, KEYBOARD.toJson());
        var other = new Message("m-2", "o-2", Message.ORDER_PLACED, new Order("o-2", "KB-42", 1, 2500).toJson());

        boolean first = Expect.returns(() -> consumer.handle(placed), "the first delivery of m-1 should be handled");
        boolean again = consumer.handle(placed);
        boolean another = consumer.handle(other);

        assertThat(first).withFailMessage("the first delivery of m-1 charged, so handle should return true").isTrue();
        assertThat(again).withFailMessage("the second delivery of m-1 is a duplicate, so handle should return false").isFalse();
        assertThat(another).withFailMessage("m-2 is a different message and should be charged (true)").isTrue();
        assertThat(charges()).withFailMessage("o-1 should be charged 4999 once and o-2 2500 once, but the charges are %s", charges())
            .containsExactly("o-1 4999", "o-2 2500");
    }

    @Test
    @Points(3)
    @DisplayName("Payments still knows a duplicate after it restarts: the processed ids are in its database, not in memory")
    @Hint({"When does the relay's second delivery come? Is a set in a field still there then?",
           "The duplicate comes exactly when memory is empty: after a restart. The processed ids belong in payments' own database.",
           "Last hint: keep the processed ids in the processed_messages table (insert into processed_messages (message_id) values (?)), not in a Set field."})
    void duplicateAfterRestart() {
        var placed = new Message("m-1", "o-1", Message.ORDER_PLACED, KEYBOARD.toJson());
        Expect.returns(() -> new PaymentsConsumer(paymentsDb.dataSource()).handle(placed), "the first delivery of m-1 should be handled");
        paymentsDb.close();
        paymentsDb = paymentsDb.reopen();

        boolean again = new PaymentsConsumer(paymentsDb.dataSource()).handle(placed);

        assertThat(charges()).withFailMessage("payments restarted and received m-1 again; o-1 should still be charged once, but the charges are %s", charges())
            .containsExactly("o-1 4999");
        assertThat(again).withFailMessage("the delivery after the restart is a duplicate: handle should return false").isFalse();
    }

    @Test
    @Points(2)
    @DisplayName("A charge that fails is not remembered as processed, so the redelivery charges it")
    @Hint({"If the id is recorded in a transaction of its own, and the charge then fails, what does the redelivery find?",
           "The id and the charge commit together or not at all. Otherwise a failed charge leaves its id behind, and the retry is skipped: never charged.",
           "Last hint: record the id and insert the charge on one connection with c.setAutoCommit(false); c.rollback() when either fails; c.commit() after both."})
    void failedChargeIsNotRemembered() {
        var consumer = new PaymentsConsumer(paymentsDb.dataSource());
        var placed = new Message("m-1", "o-1", Message.ORDER_PLACED, KEYBOARD.toJson());
        paymentsDb.run("alter table charges add constraint ledger_closed check (amount_cents < 0)"); // the charge will fail
        try {
            consumer.handle(placed);
        } catch (RuntimeException chargeFailed) {
            if (chargeFailed instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
        }
        paymentsDb.run("alter table charges drop constraint ledger_closed");

        boolean redelivered = consumer.handle(placed);

        assertThat(charges()).withFailMessage("the first charge of o-1 failed, so the redelivery should charge it once, but the charges are %s "
            + "(was m-1 remembered as processed without its charge?)", charges()).containsExactly("o-1 4999");
        assertThat(redelivered).withFailMessage("the redelivery charged, so handle should return true").isTrue();
    }

    @Test
    @DisplayName("A message whose payload is not JSON fails its charge: handle throws, and neither a charge nor its id is kept")
    @Hint({"Can a charge fail before any SQL runs?",
           "The payload may not be readable. The id must not be remembered then either: a failure of any kind rolls back everything and is rethrown.",
           "Last hint: parse message.payload() as JSON (amountCents) inside the transaction; when that throws, roll back the insert into processed_messages and let the exception out."})
    void unreadablePayloadIsNotRemembered() {
        var consumer = new PaymentsConsumer(paymentsDb.dataSource());
        var garbled = new Message("m-1", "o-1", Message.ORDER_PLACED, "amountCents=4999");

        for (int delivery = 1; delivery <= 2; delivery++) {
            boolean threw = false;
            try {
                consumer.handle(garbled);
            } catch (RuntimeException chargeFailed) {
                if (chargeFailed instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
                threw = true;
            }
            assertThat(threw).withFailMessage("delivery %d of m-1 has a payload that is not JSON, so its charge cannot be made and handle should throw, "
                + "but it returned (the second time too: a failed charge is not remembered as processed)", delivery).isTrue();
        }

        assertThat(charges()).withFailMessage("nothing should be charged for an unreadable message, but the charges are %s", charges()).isEmpty();
        assertThat(paymentsDb.count("select count(*) from processed_messages")).withFailMessage(
            "m-1 was never charged, so it must not be recorded as processed").isZero();
    }

    @Test
    @Points(3)
    @DisplayName("Two payments instances get the same message at the same moment: it is charged once, one handle returns true and the other false")
    @Hint({"Two consumers both check 'have I seen this id?' before either records it. What happens?",
           "Check, then record is two steps. The database must decide, in one: insert the id first, and let the primary key refuse the second.",
           "Last hint: insert into processed_messages (message_id) values (?); catch SQLException e when \"23505\".equals(e.getSQLState()): roll back, return false; otherwise charge and commit."})
    void twoConsumersAtOnceChargeOnce() throws Exception {
        try (var pool = Executors.newFixedThreadPool(2)) {
            for (int round = 1; round <= 20; round++) {
                // The two deliveries meet before their first write, so neither has recorded anything when the
                // other looks: the race a check-then-record loses happens in every round, not only when threads
                // happen to switch at the wrong moment (or never, on a busy machine that runs one of them first).
                var meet = new CyclicBarrier(2);
                var consumers = List.of(new PaymentsConsumer(meetingAtFirstWrite(paymentsDb.dataSource(), meet)),
                                        new PaymentsConsumer(meetingAtFirstWrite(paymentsDb.dataSource(), meet)));
                var message = new Message("m-" + round, "o-" + round, Message.ORDER_PLACED, new Order("o-" + round, "KB-42", 1, round).toJson());
                var results = new ArrayList<Future<Boolean>>();
                for (var consumer : consumers) results.add(pool.submit(() -> consumer.handle(message)));
                var answers = new ArrayList<Boolean>();
                for (var result : results) {
                    int r = round;
                    answers.add(Expect.returns(() -> result.get(10, TimeUnit.SECONDS),
                        "round " + r + ": both deliveries of m-" + r + " should be handled, the second as a duplicate"));
                }
                long charged = paymentsDb.count("select count(*) from charges where order_id = ?", "o-" + round);
                assertThat(charged).withFailMessage("round %d: two consumers got m-%d at once; o-%d should be charged once, but was charged %d times",
                    round, round, round, charged).isEqualTo(1);
                assertThat(answers).withFailMessage("round %d: one delivery charged (true) and the other was a duplicate (false), but handle returned %s",
                    round, answers).containsExactlyInAnyOrder(true, false);
            }
        }
    }

    @Test
    @Points(2)
    @DisplayName("Only a duplicate id means a duplicate: when processed_messages refuses the id for another reason, handle throws and charges nothing")
    @Hint({"What does false tell the caller? Is that true when the insert failed for another reason?",
           "false means 'already done, acknowledge it', and the message is then gone for good. Say it only for a duplicate key; any other failure is an error, so the message comes again.",
           "Last hint: catch (SQLException e) { if (\"23505\".equals(e.getSQLState())) return false; throw e; } around the insert into processed_messages."})
    void onlyADuplicateKeyIsADuplicate() {
        paymentsDb.run("alter table processed_messages add constraint refuses_m9 check (message_id <> 'm-9')"); // m-9 cannot be recorded
        var consumer = new PaymentsConsumer(paymentsDb.dataSource());
        boolean threw = false;
        try {
            consumer.handle(new Message("m-9", "o-9", Message.ORDER_PLACED, new Order("o-9", "KB-42", 1, 900).toJson()));
        } catch (RuntimeException cannotRecord) {
            if (cannotRecord instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
            threw = true;
        }

        assertThat(threw).withFailMessage("m-9 was never processed, and its id could not be recorded (a check constraint, not a duplicate key), "
            + "so handle should throw; it returned, as if m-9 were a duplicate or charged").isTrue();
        assertThat(charges()).withFailMessage("m-9 could not be recorded, so it must not be charged either, but the charges are %s", charges()).isEmpty();
    }

    @Test
    @Points(2)
    @DisplayName("Roll back yourself: through a pool that hands a connection on as it was left, a failed order or charge is never committed by the next one")
    @Hint({"Is closing a connection with a transaction open always a rollback?",
           "Not through a pool: it may give the same connection, open transaction and all, to the next caller, who then commits your half. Roll back yourself before the exception leaves.",
           "Last hint: try { ...; c.commit(); } catch (SQLException | RuntimeException e) { c.rollback(); throw e; } in both placeOrder and handle."})
    void rollsBackItselfThroughAPool() throws SQLException {
        orders.run("alter table outbox add constraint refuses_o9 check (aggregate_id <> 'o-9')");
        paymentsDb.run("alter table charges add constraint refuses_o9 check (order_id <> 'o-9')");
        try (var ordersLine = orders.connect(); var paymentsLine = paymentsDb.connect()) {
            var service = new OrderService(poolOfOne(ordersLine), new CountingPublisher());
            var consumer = new PaymentsConsumer(poolOfOne(paymentsLine));
            var failing = new Message("m-9", "o-9", Message.ORDER_PLACED, new Order("o-9", "KB-42", 3, 900).toJson());
            for (Runnable fails : List.<Runnable>of(() -> service.placeOrder(new Order("o-9", "KB-42", 3, 900)), () -> consumer.handle(failing))) {
                try {
                    fails.run();
                } catch (RuntimeException expected) {
                    if (expected instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
                }
            }

            Expect.returns(() -> service.placeOrder(KEYBOARD), "o-1, after the failed o-9, should be placed");
            Expect.returns(() -> consumer.handle(new Message("m-1", "o-1", Message.ORDER_PLACED, KEYBOARD.toJson())), "m-1, after the failed m-9, should be handled");
        }

        assertThat(onHand("KB-42")).withFailMessage("o-9 failed and o-1 took 2 of 10 KB-42, so 8 should be on hand, but %d are: o-9's stock update was "
            + "left in the connection's transaction and o-1's commit committed it", onHand("KB-42")).isEqualTo(8);
        var processed = paymentsDb.count("select count(*) from processed_messages where message_id = 'm-9'");
        assertThat(processed).withFailMessage("m-9's charge failed, so m-9 must not be recorded as processed, but it is: its insert was left in the "
            + "connection's transaction and m-1's commit committed it").isZero();
    }

    @Test
    @Points(3)
    @DisplayName("Nothing lost, nothing twice: five orders, a flaky payments and a crash, and every order charged exactly once")
    @Hint({"Read 'The whole path' in the lesson's README. Which three parts must all hold?",
           "The outbox row in the order's transaction, the relay that marks after the confirmation, and the consumer that deduplicates: remove any one and a charge is lost or doubled.",
           "Last hint: make the other tests pass first; this one fails whenever any part loses or doubles a message."})
    void nothingLostNothingTwice() {
        payments.reset();
        payments.answerInTurn(post("/events"), ok(), serviceUnavailable(), ok(), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), ok());
        var service = new OrderService(orders.dataSource(), new CountingPublisher());
        for (int i = 1; i <= 5; i++) service.placeOrder(new Order("o-" + i, "KB-42", 1, 100 * i));
        var http = new HttpPublisher(HTTP, payments.uri());

        new Relay(orders.dataSource(), http).runOnce(); // o-1 goes, o-2 meets a 503
        restart();
        for (int run = 0; run < 10 && orders.count("select count(*) from outbox where not sent") > 0; run++) {
            new Relay(orders.dataSource(), http).runOnce();
        }

        var consumer = new PaymentsConsumer(paymentsDb.dataSource());
        var arrived = delivered();
        for (Message m : arrived) consumer.handle(m);
        consumer.handle(arrived.get(0)); // and a duplicate of the first, for good measure

        assertThat(charges()).withFailMessage("each of o-1 to o-5 should be charged exactly once, in order, but the charges are %s "
            + "(payments accepted %s)", charges(), arrived.stream().map(Message::aggregateId).toList())
            .containsExactly("o-1 100", "o-2 200", "o-3 300", "o-4 400", "o-5 500");
        assertThat(orders.count("select on_hand from stock where sku = 'KB-42'")).withFailMessage("5 of 10 KB-42 were sold").isEqualTo(5);
    }

    // ---- helpers ----

    /** The process dies: the database goes down, and the call that was under way fails. */
    private static final class Crash implements Publisher {
        private final Database db;

        Crash(Database db) { this.db = db; }

        @Override
        public void publish(Message message) {
            db.close();
            throw new PublishFailed("the process died", null);
        }
    }

    /**
     * A connection pool of one, of the kind that hands its connection to the next caller as the last one left it:
     * close() gives it back without a rollback, so a transaction left open is still open for whoever comes next.
     */
    private static DataSource poolOfOne(Connection connection) {
        InvocationHandler pooled = (proxy, method, args) ->
            method.getName().equals("close") ? null : invoke(method, connection, args); // close: back to the pool, as it is
        var handedOut = (Connection) Proxy.newProxyInstance(OutboxTest.class.getClassLoader(), new Class<?>[] {Connection.class}, pooled);
        return (DataSource) Proxy.newProxyInstance(OutboxTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            if (method.getName().equals("getConnection")) return handedOut;
            throw new UnsupportedOperationException("the pool of one only hands out its connection, not " + method.getName());
        });
    }

    /**
     * A data source whose connections wait, before their first write (insert, update, delete, merge), until the other
     * consumer's connection has come to its first write too: whatever either consumer reads first, both have read it
     * before either records anything, so the race a check-then-record can lose is lost in every round, however the
     * threads are scheduled after they meet. The wait gives up after 2 s, for code in which one consumer never
     * writes, or waits for the other's lock before it does.
     */
    private static DataSource meetingAtFirstWrite(DataSource real, CyclicBarrier meet) {
        var met = new java.util.concurrent.atomic.AtomicBoolean();   // once per data source: one per consumer
        Runnable meetOnce = () -> {
            if (!met.compareAndSet(false, true)) return;
            try {
                meet.await(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.BrokenBarrierException alone) {
                // the other consumer never came to a write: nothing to meet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        return (DataSource) Proxy.newProxyInstance(OutboxTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (p, method, args) -> {
            Object result = invoke(method, real, args);
            return result instanceof Connection c ? connectionMeetingBeforeWrite(c, meetOnce) : result;
        });
    }

    private static Connection connectionMeetingBeforeWrite(Connection real, Runnable meetOnce) {
        return (Connection) Proxy.newProxyInstance(OutboxTest.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, method, args) -> {
            Object result = invoke(method, real, args);
            if (!(result instanceof Statement s)) return result;
            String prepared = args != null && args.length > 0 && args[0] instanceof String sql ? sql : null; // prepareStatement(sql, ...)
            Class<? extends Statement> type = s instanceof CallableStatement ? CallableStatement.class
                : s instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
            return Proxy.newProxyInstance(OutboxTest.class.getClassLoader(), new Class<?>[] {type}, (q, call, callArgs) -> {
                if (call.getName().startsWith("execute")) {
                    String sql = callArgs != null && callArgs.length > 0 && callArgs[0] instanceof String given ? given : prepared;
                    if (call.getName().equals("executeBatch") || writes(sql)) meetOnce.run();
                }
                return invoke(call, s, callArgs);
            });
        });
    }

    /** Whether a statement changes rows: the moment a consumer records what it decided from what it read. */
    private static boolean writes(String sql) {
        if (sql == null) return false;
        String verb = sql.stripLeading().split("\\s+", 2)[0].toLowerCase(java.util.Locale.ROOT);
        return List.of("insert", "update", "delete", "merge", "upsert", "replace").contains(verb);
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static final class CountingPublisher implements Publisher {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void publish(Message message) { calls.incrementAndGet(); }
    }

    /** The order service comes back: the same database, a new process. */
    private void restart() {
        orders.close();
        orders = orders.reopen();
    }

    private long onHand(String sku) {
        return orders.count("select on_hand from stock where sku = ?", sku);
    }

    private List<Message> outbox() {
        var rows = new ArrayList<Message>();
        try (var c = orders.connect(); var rs = c.createStatement().executeQuery(
            "select message_id, aggregate_id, type, payload from outbox order by seq")) {
            while (rs.next()) rows.add(new Message(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    private List<String> charges() {
        var rows = new ArrayList<String>();
        try (var c = paymentsDb.connect(); var rs = c.createStatement().executeQuery("select order_id, amount_cents from charges order by charge_id")) {
            while (rs.next()) rows.add(rs.getString(1) + " " + rs.getLong(2));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /** Every request payments received, oldest first (WireMock's journal lists the newest first). */
    private static List<ServeEvent> events() {
        var events = new ArrayList<>(payments.server().getAllServeEvents());
        java.util.Collections.reverse(events);
        return events;
    }

    /** The message ids payments was asked to take, accepted or not, in order. */
    private static List<String> requestedIds() {
        return events().stream().map(e -> e.getRequest().getHeader("Message-Id")).toList();
    }

    /** The orders (Aggregate-Id) of the messages payments was asked to take, accepted or not, in order. */
    private static List<String> requestedOrders() {
        return events().stream().map(e -> e.getRequest().getHeader("Aggregate-Id")).toList();
    }

    /** The messages payments accepted (answered 2xx), in the order they arrived: what its consumer would be given. */
    private static List<Message> delivered() {
        return events().stream()
            .filter(e -> e.getResponseDefinition().getFault() == null && e.getResponse().getStatus() / 100 == 2)
            .map(e -> new Message(e.getRequest().getHeader("Message-Id"), e.getRequest().getHeader("Aggregate-Id"),
                e.getRequest().getHeader("Message-Type"), e.getRequest().getBodyAsString()))
            .toList();
    }
}
