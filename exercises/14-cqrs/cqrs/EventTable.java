package cqrs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cqrs.OrderEvent.Line;
import cqrs.OrderEvent.OrderCancelled;
import cqrs.OrderEvent.OrderPaid;
import cqrs.OrderEvent.OrderPlaced;
import cqrs.OrderEvent.OrderShipped;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Given: the write store's {@code events} table, as a stream. The order service appends to it in each command's
 * transaction; the projection reads it with {@link #after}. In production this is often a broker topic fed by an
 * outbox (lesson 11) or the event store itself (lesson 13); the projection only sees an {@link EventFeed}.
 */
public final class EventTable implements EventFeed {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DataSource writeStore;

    public EventTable(DataSource writeStore) {
        this.writeStore = writeStore;
    }

    @Override
    public List<StoredEvent> after(long position, int limit) {
        try (Connection c = writeStore.getConnection();
             var select = c.prepareStatement("select position, type, payload from events where position > ? order by position fetch first ? rows only")) {
            select.setLong(1, position);
            select.setInt(2, limit);
            var events = new ArrayList<StoredEvent>();
            try (var rs = select.executeQuery()) {
                while (rs.next()) events.add(new StoredEvent(rs.getLong(1), decode(rs.getString(2), rs.getString(3))));
            }
            return events;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the events after " + position + ": " + e.getMessage(), e);
        }
    }

    /** Appends the event in the caller's transaction; returns its position, the version the command answers with. */
    static long append(Connection c, OrderEvent event) throws SQLException {
        try (var insert = c.prepareStatement("insert into events (order_id, type, payload) values (?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            insert.setString(1, event.orderId());
            insert.setString(2, event.getClass().getSimpleName());
            insert.setString(3, encode(event).toString());
            insert.executeUpdate();
            try (var keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    static ObjectNode encode(OrderEvent event) {
        ObjectNode json = JSON.createObjectNode().put("orderId", event.orderId());
        switch (event) {
            case OrderPlaced p -> {
                json.put("customerId", p.customerId()).put("placedAt", p.placedAt().toString());
                var lines = json.putArray("lines");
                p.lines().forEach(l -> lines.addObject().put("sku", l.sku()).put("quantity", l.quantity()).put("unitPriceCents", l.unitPriceCents()));
            }
            case OrderPaid p -> json.put("paidAt", p.paidAt().toString());
            case OrderShipped s -> json.put("trackingCode", s.trackingCode()).put("shippedAt", s.shippedAt().toString());
            case OrderCancelled x -> json.put("reason", x.reason()).put("cancelledAt", x.cancelledAt().toString());
        }
        return json;
    }

    static OrderEvent decode(String type, String payload) {
        try {
            JsonNode json = JSON.readTree(payload);
            String orderId = json.path("orderId").asText();
            return switch (type) {
                case "OrderPlaced" -> {
                    var lines = new ArrayList<Line>();
                    json.path("lines").forEach(l -> lines.add(new Line(l.path("sku").asText(), l.path("quantity").asInt(), l.path("unitPriceCents").asLong())));
                    yield new OrderPlaced(orderId, json.path("customerId").asText(), lines, Instant.parse(json.path("placedAt").asText()));
                }
                case "OrderPaid" -> new OrderPaid(orderId, Instant.parse(json.path("paidAt").asText()));
                case "OrderShipped" -> new OrderShipped(orderId, json.path("trackingCode").asText(), Instant.parse(json.path("shippedAt").asText()));
                case "OrderCancelled" -> new OrderCancelled(orderId, json.path("reason").asText(), Instant.parse(json.path("cancelledAt").asText()));
                default -> throw new IllegalStateException("unknown event type " + type);
            };
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("unreadable event " + type + ": " + payload, e);
        }
    }
}
