package messaging;

/**
 * What orders tells the rest of the shop after an order is placed: a fact, in the past tense. It travels as a
 * text message whose body is {@link #toText()}; {@link #fromText(String)} reads it back.
 */
public record OrderPlaced(String orderId, String sku, int quantity) {
    public String toText() {
        return orderId + ";" + sku + ";" + quantity;
    }

    public static OrderPlaced fromText(String text) {
        String[] parts = text.split(";", 3);
        if (parts.length != 3) throw new IllegalArgumentException("not an OrderPlaced: " + text);
        return new OrderPlaced(parts[0], parts[1], Integer.parseInt(parts[2]));
    }
}
