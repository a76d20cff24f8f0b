package cqrs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import cqrs.OrderEvent.Line;
import cqrs.OrderEvent.OrderCancelled;
import cqrs.OrderEvent.OrderPaid;
import cqrs.OrderEvent.OrderPlaced;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import kit.Database;
import kit.Expect;
import kit.Hint;
import kit.ManualClock;
import kit.Points;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("14 · CQRS: a read model for the \"my orders\" page")
class ReadModelTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough never to run out when the projection does come; the test that needs a query to give up uses zero. */
    private static final Duration GENEROUS = Duration.ofSeconds(10);

    /** The read model after the history below, fully projected: what every way of building it must end with. */
    private static final List<String> AFTER_HISTORY = List.of(
        "order o-1 of c-7: 1 items, 4999 cents, SHIPPED TRK-1",
        "order o-2 of c-9: 2 items, 3000 cents, PLACED null",
        "order o-3 of c-7: 4 items, 7996 cents, PAID null",
        "order o-4 of c-7: 1 items, 1500 cents, CANCELLED null",
        "summary of c-7: 3 orders, 12995 cents spent",
        "summary of c-9: 1 orders, 3000 cents spent",
        "checkpoint 8");
    /** The read model after the history's first four events: o-1 placed, paid and shipped, o-2 placed. */
    private static final List<String> UP_TO_FOUR = List.of(
        "order o-1 of c-7: 1 items, 4999 cents, SHIPPED TRK-1",
        "order o-2 of c-9: 2 items, 3000 cents, PLACED null",
        "summary of c-7: 1 orders, 4999 cents spent",
        "summary of c-9: 1 orders, 3000 cents spent",
        "checkpoint 4");

    private final ManualClock clock = new ManualClock();
    /** The order service's write store; the commands write here, and its events table is the stream. */
    private Database writeDb;
    /** The "my orders" read store; a test "crashes" the projector by closing it, and restarts it by reopening it. */
    private Database readDb;
    private OrderCommands commands;
    private MyOrdersProjection projection;
    /** How far the projection has come, shared by the projector and the service's queries. */
    private final ProjectionProgress progress = new ProjectionProgress(0);
    private OrderService service;

    @BeforeEach
    void freshStores() {
        writeDb = Database.inMemory("orders");
        writeDb.run(Schema.WRITE);
        readDb = Database.inMemory("my-orders");
        readDb.run(Schema.READ);
        commands = new OrderCommands(writeDb.dataSource(), clock);
        projection = new MyOrdersProjection(readDb.dataSource());
    }

    @AfterEach
    void stopEverything() {
        if (service != null) service.close();
        writeDb.delete();
        readDb.delete();
    }

    // ---- the projection ----

    @Test
    @Points(3)
    @DisplayName("Projecting the order service's events fills the read model: one row per order with items, total and status, a summary per customer, and the checkpoint at the last event")
    @Hint({"Read 'A read model shaped for the page' in the lesson's README. What does each event change on the page?",
           "A projection reads the events in order and changes the read model the way the page needs it: OrderPlaced inserts a row and adds to the customer's summary; paid, shipped and cancelled change the row's status. The checkpoint ends at the last event.",
           "Last hint: catchUp asks feed.after(checkpoint(), BATCH) again and again until it gets an empty list (a feed may give fewer events than you asked for even when more are waiting), and apply(...)s each event."})
    void projectingFillsTheReadModel() {
        history(() -> {});
        var events = new EventTable(writeDb.dataSource());
        EventFeed threeAtATime = (position, limit) -> events.after(position, Math.min(limit, 3));

        int applied = Expect.returns(() -> projection.catchUp(threeAtATime), "catching up on 8 events should work");

        assertReadModel("after the 8 events of the history", AFTER_HISTORY);
        assertThat(applied).withFailMessage("catchUp applied 8 events and should return 8, but returned %d", applied).isEqualTo(8);
    }

    @Test
    @Points(3)
    @DisplayName("A duplicate event changes nothing: delivered twice, or an older one again, it is skipped and counted once")
    @Hint({"Read 'The checkpoint' in the lesson's README. How can the projection tell an event it has already applied?",
           "An event at or before the checkpoint was applied already: a redelivery, or a replay. It changes nothing. That makes even an insert and spent = spent + total idempotent.",
           "Last hint: in apply, read the checkpoint in the transaction; if (stored.position() <= checkpoint) change nothing, commit, and return false."})
    void duplicatesAreAppliedOnce() {
        var placedFirst = new StoredEvent(1, new OrderPlaced("o-1", "c-7", List.of(new Line("KB-42", 1, 4999)), ManualClock.EPOCH));
        var placedSecond = new StoredEvent(2, new OrderPlaced("o-2", "c-7", List.of(new Line("MS-3", 2, 1500)), ManualClock.EPOCH));
        var cancelled = new StoredEvent(3, new OrderCancelled("o-1", "changed my mind", ManualClock.EPOCH));

        var results = new ArrayList<Boolean>();
        results.add(Expect.returns(() -> projection.apply(placedFirst), "applying o-1's OrderPlaced should work"));
        results.add(Expect.returns(() -> projection.apply(placedSecond), "applying o-2's OrderPlaced should work"));
        results.add(Expect.returns(() -> projection.apply(placedSecond), "applying o-2's OrderPlaced a second time should change nothing"));
        results.add(Expect.returns(() -> projection.apply(placedFirst), "applying o-1's OrderPlaced again, after o-2's, should change nothing"));
        results.add(Expect.returns(() -> projection.apply(cancelled), "applying o-1's OrderCancelled should work"));
        results.add(Expect.returns(() -> projection.apply(cancelled), "applying o-1's OrderCancelled a second time should change nothing"));

        var expected = List.of(
            "order o-1 of c-7: 1 items, 4999 cents, CANCELLED null",
            "order o-2 of c-7: 2 items, 3000 cents, PLACED null",
            "summary of c-7: 2 orders, 3000 cents spent",
            "checkpoint 3");
        assertReadModel("each event should count once: c-7 placed two orders and cancelled one, so", expected);
        assertThat(results).withFailMessage("apply should return true for a new event and false for one it has seen: expected %s, got %s",
            List.of(true, true, false, false, true, false), results).containsExactly(true, true, false, false, true, false);
    }

    @Test
    @Points(2)
    @DisplayName("Positions may skip numbers: events at 3, 7 and 12 are all applied, the checkpoint is 12, and 7 delivered again is a duplicate")
    @Hint({"Are positions counted one by one? What if one is skipped?",
           "The stream numbers its events in order, but a position may be skipped. The checkpoint is a position, not a count: an event is new when its position is greater, whatever the gap.",
           "Last hint: in apply: update projection_checkpoint set position = ? with stored.position(), never position + 1; and stored.position() > checkpoint decides whether the event is new."})
    void positionsWithGaps() {
        var placed = new StoredEvent(3, new OrderPlaced("o-1", "c-7", List.of(new Line("KB-42", 1, 4999)), ManualClock.EPOCH));
        var paid = new StoredEvent(7, new OrderPaid("o-1", ManualClock.EPOCH));
        var placedByBob = new StoredEvent(12, new OrderPlaced("o-2", "c-9", List.of(new Line("MS-3", 2, 1500)), ManualClock.EPOCH));
        EventFeed withGaps = listed(placed, paid, placedByBob);

        int applied = Expect.returns(() -> projection.catchUp(withGaps), "catching up on events 3, 7 and 12 should work");
        long checkpoint = projection.checkpoint();
        boolean paidAgain = Expect.returns(() -> projection.apply(paid), "applying event 7 again should change nothing");

        assertThat(checkpoint).withFailMessage("the last event applied was at position 12, so the checkpoint should be 12, but it was %d: "
            + "is it counting events instead of saving their positions?", checkpoint).isEqualTo(12);
        assertThat(applied).withFailMessage("catchUp applied the events at 3, 7 and 12 and should return 3, but returned %d", applied).isEqualTo(3);
        assertThat(paidAgain).withFailMessage("event 7 was applied already (the checkpoint is 12), so apply should return false, but returned true").isFalse();
        assertReadModel("after events 3, 7 and 12 (and 7 again),", List.of(
            "order o-1 of c-7: 1 items, 4999 cents, PAID null",
            "order o-2 of c-9: 2 items, 3000 cents, PLACED null",
            "summary of c-7: 1 orders, 4999 cents spent",
            "summary of c-9: 1 orders, 3000 cents spent",
            "checkpoint 12"));
    }

    @Test
    @Points(2)
    @DisplayName("catchUp counts only the events it applied: events the feed delivers again are skipped and not counted")
    @Hint({"After a restart the feed gives some events again. Should catchUp count them?",
           "catchUp's number says what really changed: an event skipped as a duplicate is not counted. apply already knows which it was.",
           "Last hint: for (StoredEvent event : batch) if (apply(event)) applied++; and return applied."})
    void catchUpCountsOnlyWhatItApplied() {
        history(() -> {});
        var events = new EventTable(writeDb.dataSource());
        EventFeed firstFour = (position, limit) -> events.after(position, limit).stream().filter(e -> e.position() <= 4).toList();
        Expect.returns(() -> projection.catchUp(firstFour), "catching up on the first 4 events should work");
        var replays = new AtomicBoolean(true);
        EventFeed replaysFromTheStart = (position, limit) -> events.after(replays.getAndSet(false) ? 0 : position, limit); // its first answer starts at event 1

        int applied = Expect.returns(() -> projection.catchUp(replaysFromTheStart), "catching up on a feed that delivers events 1 to 4 again should work");

        assertThat(applied).withFailMessage("the feed delivered all 8 events, 4 of them applied already: catchUp should return 4, the events it applied, "
            + "but returned %d", applied).isEqualTo(4);
        assertReadModel("events 1 to 4 delivered again should change nothing:", AFTER_HISTORY);
    }

    @Test
    @Points(3)
    @DisplayName("After a crash the projection resumes from its saved checkpoint: nothing applied twice, nothing skipped")
    @Hint({"After a crash, what is left of a number kept in a field? ('The checkpoint' in the lesson's README.)",
           "The checkpoint lives where the read model is, in the read store. After a crash the projection reads it there and asks the stream for what comes after it.",
           "Last hint: catchUp starts from checkpoint(), read from projection_checkpoint, never from a number kept in memory."})
    void resumesFromTheCheckpointAfterACrash() {
        history(() -> {});
        var events = new EventTable(writeDb.dataSource());
        EventFeed diesAfterThree = (position, limit) -> {
            if (position >= 3) {
                readDb.close(); // the projector's process dies, its store with it
                throw new IllegalStateException("the projector's process died");
            }
            return events.after(position, Math.min(limit, 3));
        };
        catchUpUntilItFails(diesAfterThree);
        readDb.close();
        readDb = readDb.reopen();
        var restarted = new MyOrdersProjection(readDb.dataSource());
        var asked = new ArrayList<Long>();
        EventFeed recording = (position, limit) -> {
            asked.add(position);
            return events.after(position, limit);
        };

        int applied = Expect.returns(() -> restarted.catchUp(recording), "catching up after the restart should work");

        assertThat(asked).withFailMessage("3 events were applied before the crash, so after the restart the projection should ask for the events "
            + "after 3 first, but it asked for the events after %s", asked).startsWith(3L);
        assertReadModel("after the crash and the restart", AFTER_HISTORY);
        assertThat(applied).withFailMessage("after the restart 5 events were left to apply; catchUp should return 5, not %d", applied).isEqualTo(5);
    }

    @Test
    @Points(3)
    @DisplayName("A read model change that fails leaves the checkpoint where it was, so the event is applied when the projection runs again")
    @Hint({"The change fails, but the checkpoint already moved on. Where does the next run start? ('The checkpoint' in the lesson's README.)",
           "A checkpoint saved without its change loses the event for good. The checkpoint is saved in the same transaction as the change: both commit, or neither does.",
           "Last hint: one connection, c.setAutoCommit(false); the change, then the checkpoint update, then c.commit(); c.rollback() when anything fails."})
    void aFailedChangeKeepsTheCheckpoint() {
        history(() -> {});
        var events = new EventTable(writeDb.dataSource());
        readDb.run("alter table my_orders add constraint no_big_orders check (items < 4)"); // o-3 (event 5) has 4 items: its row fails
        catchUpUntilItFails(events);
        long checkpoint = projection.checkpoint();
        readDb.run("alter table my_orders drop constraint no_big_orders");

        Expect.returns(() -> projection.catchUp(events), "catching up once o-3's row can be written should work");

        assertThat(checkpoint).withFailMessage("o-3's OrderPlaced (event 5) could not be applied, so the checkpoint should have stayed at 4, "
            + "but it was %d: was it saved before the change, in a transaction of its own?", checkpoint).isEqualTo(4);
        assertReadModel("once the change could be written, the next run should have applied event 5 and the rest:", AFTER_HISTORY);
    }

    @Test
    @Points(3)
    @DisplayName("A checkpoint that cannot be saved takes its read model change with it: both commit together, or neither does")
    @Hint({"The change commits, the checkpoint does not. What does the next run do with that event?",
           "It applies the event again, and o-3 counts twice in Ada's summary. The change and its checkpoint must commit together, in one transaction.",
           "Last hint: one connection, setAutoCommit(false), the change and the checkpoint update, then one commit(); rollback() when either fails."})
    void theChangeAndItsCheckpointCommitTogether() {
        history(() -> {});
        var events = new EventTable(writeDb.dataSource());
        readDb.run("alter table projection_checkpoint add constraint disk_full check (position <= 4)"); // the checkpoint of event 5 fails
        catchUpUntilItFails(events);
        var afterFailure = readModel();
        readDb.run("alter table projection_checkpoint drop constraint disk_full");

        Expect.returns(() -> projection.catchUp(events), "catching up once the checkpoint can be saved should work");

        assertThat(afterFailure).withFailMessage("the checkpoint of event 5 (o-3 placed) could not be saved, so o-3 should not be in the read model either: "
            + "it should be%n  %s%nbut it is%n  %s", UP_TO_FOUR, afterFailure).isEqualTo(UP_TO_FOUR);
        assertReadModel("after the next run every event should count once:", AFTER_HISTORY);
    }

    @Test
    @Points(3)
    @DisplayName("A change that fails half way, after its first write, leaves none of its writes behind, and the event is applied again on the next run")
    @Hint({"An OrderPlaced writes a row, then the summary. What if the second write fails?",
           "All of an event's writes and its checkpoint are one transaction. When any of them fails, none stays, and the event is applied again on the next run.",
           "Last hint: no commit between an OrderPlaced's insert and its summary update, nor between an OrderCancelled's two updates; the only commit comes after the checkpoint update."})
    void aChangeThatFailsHalfWayLeavesNothing() {
        history(() -> {});
        var events = new EventTable(writeDb.dataSource());
        readDb.run("alter table customer_summary add constraint spending_cap check (spent_cents <= 10000)"); // o-3 (event 5): its row is written, Ada's summary fails
        catchUpUntilItFails(events);
        var afterPlacedFailed = readModel();
        readDb.run("alter table customer_summary drop constraint spending_cap");
        readDb.run("alter table my_orders add constraint no_cancelling check (status <> 'CANCELLED')"); // o-4's cancellation (event 8): the summary changes, the status fails
        catchUpUntilItFails(events);
        var afterCancelFailed = readModel();
        readDb.run("alter table my_orders drop constraint no_cancelling");

        Expect.returns(() -> projection.catchUp(events), "catching up once every write can be made should work");

        assertThat(afterPlacedFailed).withFailMessage("o-3's summary update (event 5) failed after its row was inserted, so neither should be kept and "
            + "the checkpoint should stay at 4: the read model should be%n  %s%nbut it is%n  %s", UP_TO_FOUR, afterPlacedFailed).isEqualTo(UP_TO_FOUR);
        var upToSeven = List.of(
            "order o-1 of c-7: 1 items, 4999 cents, SHIPPED TRK-1",
            "order o-2 of c-9: 2 items, 3000 cents, PLACED null",
            "order o-3 of c-7: 4 items, 7996 cents, PAID null",
            "order o-4 of c-7: 1 items, 1500 cents, PLACED null",
            "summary of c-7: 3 orders, 14495 cents spent",
            "summary of c-9: 1 orders, 3000 cents spent",
            "checkpoint 7");
        assertThat(afterCancelFailed).withFailMessage("o-4's cancellation (event 8) could not set the status, so its change to Ada's summary should not "
            + "be kept either: the read model should be%n  %s%nbut it is%n  %s", upToSeven, afterCancelFailed).isEqualTo(upToSeven);
        assertReadModel("after the next run every event should count once:", AFTER_HISTORY);
    }

    @Test
    @Points(3)
    @DisplayName("A full rebuild gives the same read model as the one built event by event, and repairs a damaged one")
    @Hint({"Read 'Rebuild' in the lesson's README. Where does a rebuild start?",
           "A rebuild starts from nothing: no rows, no summaries, checkpoint 0. Then every event from the first, and the same read model comes back.",
           "Last hint: delete from my_orders, delete from customer_summary, set the checkpoint to 0, in one transaction; then return catchUp(feed)."})
    void rebuildEqualsIncremental() {
        var events = new EventTable(writeDb.dataSource());
        history(() -> projection.catchUp(events)); // the projection runs after every command, as it would live
        var incremental = readModel();
        readDb.run("update my_orders set status = 'LOST'; update customer_summary set orders = 0"); // a bug, or a hand-written fix gone wrong

        int replayed = Expect.returns(() -> projection.rebuild(events), "rebuilding the read model should work");

        assertThat(incremental).withFailMessage("built event by event, the read model should be%n  %s%nbut it was%n  %s", AFTER_HISTORY, incremental)
            .isEqualTo(AFTER_HISTORY);
        assertReadModel("rebuilt from the first event, like the one built event by event,", incremental);
        assertThat(replayed).withFailMessage("a rebuild applies all 8 events again and should return 8, but returned %d", replayed).isEqualTo(8);
    }

    @Test
    @Points(3)
    @DisplayName("A rebuild whose clearing fails clears nothing: the old read model stays whole, whichever step of the clearing fails")
    @Hint({"While the rebuild runs, the page still reads the read model. What does it see if the clearing stops half way?",
           "The clearing is one transaction: rows, summaries and checkpoint go together, or the old read model stays whole.",
           "Last hint: c.setAutoCommit(false); the two deletes and the checkpoint update; c.commit(); in the catch, c.rollback() and throw."})
    void aRebuildThatCannotClearClearsNothing() {
        var events = new EventTable(writeDb.dataSource());
        history(() -> {});
        Expect.returns(() -> projection.catchUp(events), "catching up on 8 events should work");
        readDb.run("alter table projection_checkpoint add constraint never_rewinds check (position > 0)"); // the last step of the clearing fails
        rebuildUntilItFails(events);
        var afterCheckpointFailed = readModel();
        readDb.run("alter table projection_checkpoint drop constraint never_rewinds");
        readDb.run("create table loyalty (customer_id varchar(64) references customer_summary); insert into loyalty values ('c-7')"); // the second step fails
        rebuildUntilItFails(events);
        var afterSummariesFailed = readModel();
        readDb.run("drop table loyalty");

        int replayed = Expect.returns(() -> projection.rebuild(events), "rebuilding once the read model can be cleared should work");

        assertThat(afterCheckpointFailed).withFailMessage("the checkpoint could not be set back to 0, the clearing's last step, so nothing should be "
            + "cleared: the read model should still be%n  %s%nbut it is%n  %s", AFTER_HISTORY, afterCheckpointFailed).isEqualTo(AFTER_HISTORY);
        assertThat(afterSummariesFailed).withFailMessage("Ada's summary could not be deleted, the clearing's second step, so the rows deleted before it "
            + "should be back: the read model should still be%n  %s%nbut it is%n  %s", AFTER_HISTORY, afterSummariesFailed).isEqualTo(AFTER_HISTORY);
        assertReadModel("rebuilt once it could be cleared,", AFTER_HISTORY);
        assertThat(replayed).withFailMessage("the rebuild applies all 8 events again and should return 8, but returned %d", replayed).isEqualTo(8);
    }

    @Test
    @Points(2)
    @DisplayName("A rebuild that fails during the replay keeps what it replayed, and the next catch-up goes on from there")
    @Hint({"After the clearing, is a rebuild's replay different from an ordinary catch-up?",
           "A rebuild is a clearing and then an ordinary catch-up from checkpoint 0. Every event it replays is saved with its checkpoint, so a failure halfway keeps what was replayed.",
           "Last hint: rebuild is the one clearing transaction followed by return catchUp(feed); nothing of its own for the replay."})
    void aRebuildThatFailsDuringTheReplayResumes() {
        var events = new EventTable(writeDb.dataSource());
        history(() -> {});
        Expect.returns(() -> projection.catchUp(events), "catching up on 8 events should work");
        readDb.run("alter table my_orders add constraint no_paid_orders check (status <> 'PAID') nocheck"); // the replay fails at event 2, o-1 paid
        rebuildUntilItFails(events);
        var afterFailure = readModel();
        readDb.run("alter table my_orders drop constraint no_paid_orders");

        int applied = Expect.returns(() -> projection.catchUp(events), "catching up after the failed rebuild should work");

        var upToOne = List.of("order o-1 of c-7: 1 items, 4999 cents, PLACED null", "summary of c-7: 1 orders, 4999 cents spent", "checkpoint 1");
        assertThat(afterFailure).withFailMessage("the rebuild cleared the read model and replayed event 1 before event 2 failed, so the read model "
            + "should be%n  %s%nbut it is%n  %s", upToOne, afterFailure).isEqualTo(upToOne);
        assertReadModel("the next catch-up should have applied events 2 to 8:", AFTER_HISTORY);
        assertThat(applied).withFailMessage("after the failed rebuild 7 events were left to apply; catchUp should return 7, not %d", applied).isEqualTo(7);
    }

    // ---- the query side, over HTTP ----

    @Test
    @Points(2)
    @DisplayName("Ada's page comes from the read model: her orders newest first, with items, total, status and tracking code, and her summary")
    @Hint({"Read 'The query side' in the lesson's README. Which tables does the page's query read?",
           "The read model is shaped like the page: the query is a select on my_orders by customer, and one row of customer_summary. The page's version is the checkpoint it was read at.",
           "Last hint: read the checkpoint, the summary (0 and 0 when there is none) and the rows of my_orders \"where customer_id = ? order by placed_at desc\"; answer a MyOrdersPage as JSON."})
    void pageComesFromTheReadModel() {
        serviceWithHistoryProjected(GENEROUS);

        JsonNode page = pageOf(get("/customers/c-7/orders"));

        assertThat(ids(page)).withFailMessage("Ada's orders, newest first, should be [o-4, o-3, o-1], but the page lists %s", ids(page))
            .containsExactly("o-4", "o-3", "o-1");
        var o3 = page.path("recent").get(1);
        assertThat(List.of(o3.path("items").asInt(), o3.path("totalCents").asLong(), o3.path("status").asText()))
            .withFailMessage("o-3 should show 4 items, 7996 cents, PAID, but shows %s", o3).isEqualTo(List.of(4, 7996L, "PAID"));
        var o1 = page.path("recent").get(2);
        assertThat(List.of(o1.path("status").asText(), o1.path("trackingCode").asText(), o1.path("placedAt").asText()))
            .withFailMessage("o-1 should show SHIPPED, TRK-1, placed at %s, but shows %s", ManualClock.EPOCH, o1)
            .isEqualTo(List.of("SHIPPED", "TRK-1", ManualClock.EPOCH.toString()));
        assertThat(List.of(page.path("orders").asInt(), page.path("spentCents").asLong(), page.path("version").asLong()))
            .withFailMessage("Ada placed 3 orders, spent 12995 cents (o-4 was cancelled), and the page shows events up to 8: expected [3, 12995, 8] "
                + "for orders, spentCents and version, but got %s", List.of(page.path("orders"), page.path("spentCents"), page.path("version")))
            .isEqualTo(List.of(3, 12995L, 8L));
    }

    @Test
    @Points(2)
    @DisplayName("Newest first means by the time an order was placed, not by its id; and the page's version is the read model's checkpoint")
    @Hint({"Does order id o-10 come before o-2? Was Bob's z-1 his last order?",
           "Order ids are names, not clocks. Newest first means by the time an order was placed. And the page's version is what the read model itself has saved.",
           "Last hint: order by placed_at desc in the select on my_orders, and select position from projection_checkpoint for the version, on the same connection."})
    void newestFirstByTimeNotById() {
        serviceWithHistoryProjected(GENEROUS);
        versionOf(post("/orders", "{\"orderId\": \"z-1\", \"customerId\": \"c-9\", \"lines\": [{\"sku\": \"CB-1\", \"quantity\": 3, \"unitPriceCents\": 999}, "
            + "{\"sku\": \"MS-3\", \"quantity\": 1, \"unitPriceCents\": 1500}]}"));
        clock.advance(Duration.ofMinutes(1));
        versionOf(post("/orders", "{\"orderId\": \"o-10\", \"customerId\": \"c-9\", \"lines\": [{\"sku\": \"KB-42\", \"quantity\": 1, \"unitPriceCents\": 4999}]}"));
        long version = versionOf(post("/orders/z-1/cancellation", "{\"reason\": \"found it cheaper\"}"));
        Expect.returns(() -> projection.catchUp(new EventTable(writeDb.dataSource())), "catching up on Bob's three new events should work");

        JsonNode page = pageOf(get("/customers/c-9/orders"));

        assertThat(ids(page)).withFailMessage("Bob placed o-2, then z-1, then o-10: newest first his page should list [o-10, z-1, o-2], but it lists %s",
            ids(page)).containsExactly("o-10", "z-1", "o-2");
        var z1 = page.path("recent").get(1);
        assertThat(List.of(z1.path("items").asInt(), z1.path("totalCents").asLong(), z1.path("status").asText()))
            .withFailMessage("z-1 should show 4 items, 4497 cents, CANCELLED, but shows %s", z1).isEqualTo(List.of(4, 4497L, "CANCELLED"));
        assertThat(List.of(page.path("orders").asInt(), page.path("spentCents").asLong(), page.path("version").asLong()))
            .withFailMessage("Bob placed 3 orders and spent 7999 cents (z-1 was cancelled), and the read model's checkpoint is %d (the projector has "
                + "not told the queries yet): expected [3, 7999, %d] for orders, spentCents and version, but got %s", version, version,
                List.of(page.path("orders"), page.path("spentCents"), page.path("version")))
            .isEqualTo(List.of(3, 7999L, version));
    }

    @Test
    @DisplayName("A customer with no orders gets an empty page, not an error")
    @Hint({"A customer with no row in customer_summary: is that an error?",
           "No summary row is a customer who has not ordered yet: an empty page, not an error.",
           "Last hint: when the summary select finds no row, answer orders 0, spentCents 0 and an empty list of orders."})
    void emptyPageForANewCustomer() {
        serviceWithHistoryProjected(GENEROUS);

        JsonNode page = pageOf(get("/customers/c-404/orders"));

        assertThat(List.of(page.path("orders").asInt(-1), page.path("spentCents").asLong(-1), page.path("recent").size()))
            .withFailMessage("c-404 has no orders: expected orders 0, spentCents 0 and no recent orders, but the page was %s", page)
            .isEqualTo(List.of(0, 0L, 0));
    }

    @Test
    @Points(3)
    @DisplayName("Until the projection catches up the page is stale: a new order is missing, because the query reads the read model, not the write tables")
    @Hint({"Read 'Eventually consistent' in the lesson's README. When does the read model learn of a new order?",
           "The write store has the order when the command answers; the read model has it once the projector has run. Until then the page is stale, because the query reads only the read model.",
           "Last hint: the query reads my_orders and customer_summary in the read store only, never orders, order_lines, payments or shipments."})
    void staleUntilTheProjectionCatchesUp() {
        serviceWithHistoryProjected(GENEROUS);

        long version = versionOf(post("/orders", "{\"orderId\": \"o-5\", \"customerId\": \"c-7\", \"lines\": [{\"sku\": \"KB-42\", \"quantity\": 1, \"unitPriceCents\": 4999}]}"));
        JsonNode before = pageOf(get("/customers/c-7/orders"));
        projector().runOnce();
        JsonNode after = pageOf(get("/customers/c-7/orders"));

        assertThat(ids(before)).withFailMessage("before the projector ran, the page should still show [o-4, o-3, o-1] (stale: o-5 is only in the write "
            + "store), but it showed %s: does the query read the write tables?", ids(before)).containsExactly("o-4", "o-3", "o-1");
        assertThat(before.path("version").asLong()).withFailMessage("before the projector ran, the page's version should be 8, not %s", before.path("version"))
            .isEqualTo(8);
        assertThat(ids(after)).withFailMessage("once the projector ran, the page should show o-5 first, but showed %s", ids(after))
            .containsExactly("o-5", "o-4", "o-3", "o-1");
        assertThat(after.path("version").asLong()).withFailMessage("once the projector ran, the page's version should be %d, the version POST /orders "
            + "answered, but it was %s", version, after.path("version")).isEqualTo(version);
    }

    @Test
    @Points(3)
    @DisplayName("The page still answers with the write store down: the query side never touches it")
    @Hint({"Does the page need the checkout's database? ('The query side' in the lesson's README.)",
           "The point of a separate read model is that the page does not depend on the checkout's database, its load or its locks. The query side never touches the write store.",
           "Last hint: use only the readStore in the query; the write store's DataSource belongs to the commands."})
    void answersWithTheWriteStoreDown() {
        serviceWithHistoryProjected(GENEROUS);
        writeDb.close(); // the checkout's database is down for maintenance

        var answer = get("/customers/c-7/orders");

        assertThat(answer.statusCode()).withFailMessage("with the write store down the page should still answer 200 from the read model, "
            + "but it answered %s", describe(answer)).isEqualTo(200);
        assertThat(ids(pageOf(answer))).withFailMessage("the page should show Ada's three orders, but showed %s", ids(pageOf(answer)))
            .containsExactly("o-4", "o-3", "o-1");
    }

    @Test
    @Points(3)
    @DisplayName("Read your writes: a query with the version a command returned waits until the projection has reached it, then shows the write")
    @Hint({"Read 'Read your own writes' in the lesson's README. What does ?atLeast=VERSION ask of the query?",
           "The command answers the version it wrote. A query given that version waits until the read model is that fresh, then shows the write.",
           "Last hint: progress.awaitAtLeast(Long.parseLong(atLeast), maxWait) before reading; it returns at once when the projection is already there."})
    void readYourWrites() throws Exception {
        serviceWithHistoryProjected(GENEROUS);
        for (int reached : List.of(8, 7)) {
            var alreadyThere = get("/customers/c-7/orders?atLeast=" + reached);
            assertThat(alreadyThere.statusCode()).withFailMessage("the projection is at 8, so ?atLeast=%d should answer 200 at once, but got %s",
                reached, describe(alreadyThere)).isEqualTo(200);
        }

        long version = versionOf(post("/orders/o-3/shipment", "{\"trackingCode\": \"TRK-3\"}"));
        var pending = HTTP.sendAsync(request("/customers/c-7/orders?atLeast=" + version).GET().build(), BodyHandlers.ofString());
        var parked = CompletableFuture.supplyAsync(() -> waitingQueries(1));
        CompletableFuture.anyOf(pending, parked).get(30, TimeUnit.SECONDS);
        if (pending.isDone()) {
            var early = translateTodo(pending.get());
            throw new AssertionError("the query asked for version " + version + " and answered before the projection got there, with "
                + describe(early) + ": it should have waited (progress.awaitAtLeast)");
        }
        assertThat(parked.get()).withFailMessage("the query for version %d neither answered nor waited on progress.awaitAtLeast", version).isTrue();
        projector().runOnce();
        HttpResponse<String> answer;
        try {
            answer = translateTodo(pending.get(30, TimeUnit.SECONDS));
        } catch (TimeoutException e) {
            throw new AssertionError("the projection reached version " + version + ", but the waiting query had not answered 30 s later: "
                + "does it wake when progress.awaitAtLeast returns?");
        }

        JsonNode page = pageOf(answer);
        var o3 = page.path("recent").get(1);
        assertThat(List.of(o3.path("orderId").asText(), o3.path("status").asText(), o3.path("trackingCode").asText()))
            .withFailMessage("once the projection reached version %d the page should show o-3 SHIPPED with TRK-3, but showed %s", version, o3)
            .isEqualTo(List.of("o-3", "SHIPPED", "TRK-3"));
        assertThat(page.path("version").asLong()).withFailMessage("the page's version should be at least %d, but was %s", version, page.path("version"))
            .isGreaterThanOrEqualTo(version);
    }

    @Test
    @Points(2)
    @DisplayName("A query for a version the projection does not reach in time answers 503 with Retry-After, not a page without the customer's write")
    @Hint({"Ada just ordered, and the projection is behind. Which is better: a page without her order, or an honest 'not yet'? ('Read your own writes' in the lesson's README.)",
           "A stale page right after her own order tells Ada the order is lost. When the projection does not get there in time, answer 'not yet' and let the app try again.",
           "Last hint: if (!progress.awaitAtLeast(version, maxWait)) { ctx.status(503).header(\"Retry-After\", \"1\").result(...); return; } and no page."})
    void notReachedInTimeAnswers503() {
        serviceWithHistoryProjected(Duration.ZERO);
        long version = versionOf(post("/orders/o-2/payment", ""));

        var answer = get("/customers/c-9/orders?atLeast=" + version);

        assertThat(answer.statusCode()).withFailMessage("the projection is at 8 and stays there, so a query for version %d should answer 503, "
            + "but it answered %s", version, describe(answer)).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).withFailMessage("the 503 should say when to try again, in a Retry-After header").isPresent();
    }

    // ---- helpers ----

    /**
     * Ada (c-7) and Bob (c-9), eight events: o-1 placed (1), paid (2); o-2 placed by Bob (3); o-1 shipped (4);
     * o-3 placed (5), paid (6); o-4 placed (7), cancelled (8). A minute passes between commands.
     */
    private void history(Runnable afterEachCommand) {
        List<Runnable> steps = List.of(
            () -> commands.placeOrder("o-1", "c-7", List.of(new Line("KB-42", 1, 4999))),
            () -> commands.pay("o-1"),
            () -> commands.placeOrder("o-2", "c-9", List.of(new Line("MS-3", 2, 1500))),
            () -> commands.ship("o-1", "TRK-1"),
            () -> commands.placeOrder("o-3", "c-7", List.of(new Line("CB-1", 3, 999), new Line("KB-42", 1, 4999))),
            () -> commands.pay("o-3"),
            () -> commands.placeOrder("o-4", "c-7", List.of(new Line("MS-3", 1, 1500))),
            () -> commands.cancel("o-4", "changed my mind"));
        for (Runnable step : steps) {
            step.run();
            afterEachCommand.run();
            clock.advance(Duration.ofMinutes(1));
        }
    }

    /** The whole read store as lines a learner can compare: every row, every summary, the checkpoint. */
    private List<String> readModel() {
        var lines = new ArrayList<String>();
        try (var c = readDb.connect(); var s = c.createStatement()) {
            try (var rs = s.executeQuery("select order_id, customer_id, items, total_cents, status, tracking_code from my_orders order by order_id")) {
                while (rs.next()) {
                    lines.add("order %s of %s: %d items, %d cents, %s %s".formatted(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4),
                        rs.getString(5), rs.getString(6)));
                }
            }
            try (var rs = s.executeQuery("select customer_id, orders, spent_cents from customer_summary order by customer_id")) {
                while (rs.next()) lines.add("summary of %s: %d orders, %d cents spent".formatted(rs.getString(1), rs.getInt(2), rs.getLong(3)));
            }
            try (var rs = s.executeQuery("select position from projection_checkpoint")) {
                while (rs.next()) lines.add("checkpoint " + rs.getLong(1));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return lines;
    }

    /** Runs a catch-up the test has set up to fail part of the way (a crash, a refused write); a stub's TODO still surfaces. */
    private void catchUpUntilItFails(EventFeed feed) {
        untilItFails(() -> projection.catchUp(feed));
    }

    /** Runs a rebuild the test has set up to fail part of the way (a refused write); a stub's TODO still surfaces. */
    private void rebuildUntilItFails(EventFeed feed) {
        untilItFails(() -> projection.rebuild(feed));
    }

    private static void untilItFails(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException expected) {
            if (expected instanceof UnsupportedOperationException todo && String.valueOf(todo.getMessage()).startsWith("TODO")) throw todo;
        }
    }

    /** A feed of exactly these events, as a stream with gaps between positions would deliver them. */
    private static EventFeed listed(StoredEvent... events) {
        return (position, limit) -> Arrays.stream(events).filter(e -> e.position() > position).limit(limit).toList();
    }

    private void assertReadModel(String when, List<String> expected) {
        var actual = readModel();
        assertThat(actual).withFailMessage("%s the read model should be%n  %s%nbut it is%n  %s", when, expected, actual).isEqualTo(expected);
    }

    /** Starts the order service (queries wait up to maxWait for a version), writes the history, and projects it: version 8. */
    private void serviceWithHistoryProjected(Duration maxWait) {
        service = new OrderService(writeDb.dataSource(), readDb.dataSource(), progress, clock, maxWait).start();
        history(() -> {});
        projector().runOnce();
    }

    private Projector projector() {
        return new Projector(projection, new EventTable(writeDb.dataSource()), progress);
    }

    private boolean waitingQueries(int queries) {
        try {
            return progress.awaitWaiting(queries, Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(service.uri().resolve(path)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    private HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(BodyPublishers.ofString(json)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return translateTodo(HTTP.send(request, BodyHandlers.ofString()));
        } catch (java.io.IOException e) {
            throw new AssertionError(request.method() + " " + request.uri().getPath() + " got no answer from the order service: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** The stub's TODO surfaces as a 500 naming it: pass it on as the TODO it is. */
    private static HttpResponse<String> translateTodo(HttpResponse<String> answer) {
        String todo = "java.lang.UnsupportedOperationException: TODO";
        if (answer.statusCode() == 500 && answer.body().startsWith(todo)) {
            throw new UnsupportedOperationException(answer.body().substring(todo.length() - 4));
        }
        return answer;
    }

    private static long versionOf(HttpResponse<String> commandAnswer) {
        assertThat(commandAnswer.statusCode() / 100).withFailMessage("the command should have been accepted, but got %s", describe(commandAnswer)).isEqualTo(2);
        return json(commandAnswer).path("version").asLong();
    }

    private static JsonNode pageOf(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).withFailMessage("GET %s should answer 200 with the page, but answered %s", answer.uri().getPath()
            + (answer.uri().getQuery() == null ? "" : "?" + answer.uri().getQuery()), describe(answer)).isEqualTo(200);
        return json(answer);
    }

    private static JsonNode json(HttpResponse<String> answer) {
        try {
            return JSON.readTree(answer.body());
        } catch (Exception e) {
            throw new AssertionError("the answer should be JSON, but was: " + describe(answer));
        }
    }

    private static List<String> ids(JsonNode page) {
        var ids = new ArrayList<String>();
        page.path("recent").forEach(o -> ids.add(o.path("orderId").asText()));
        return ids;
    }

    private static String describe(HttpResponse<String> answer) {
        String body = answer.body();
        return answer.statusCode() + (body.isEmpty() ? "" : " " + (body.length() > 200 ? body.substring(0, 200) + "…" : body));
    }
}
