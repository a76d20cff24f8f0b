package eventsourcing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;

/** Given: how an event is written into the store's columns (a type name and a JSON payload) and read back. */
public final class Codec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Codec() {}

    /** The event's type as stored: "ItemAdded", "CouponDropped", ... */
    public static String type(CartEvent event) {
        return event.getClass().getSimpleName();
    }

    /** The event's fields as JSON: {"sku":"KB-42","quantity":2,"unitPriceCents":4999}. */
    public static String toJson(CartEvent event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + event + " as JSON", e);
        }
    }

    /** The event a row holds, from its type and payload columns. */
    public static CartEvent fromJson(String type, String payload) {
        Class<?> kind = Arrays.stream(CartEvent.class.getPermittedSubclasses())
            .filter(c -> c.getSimpleName().equals(type)).findFirst()
            .orElseThrow(() -> new IllegalStateException("unknown event type " + type));
        try {
            return (CartEvent) JSON.readValue(payload, kind);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read a " + type + " from " + payload, e);
        }
    }
}
