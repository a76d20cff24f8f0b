package messaging;

/** What a consumer does with one event: notifications sends an e-mail, shipping books a parcel. */
@FunctionalInterface
public interface OrderHandler {
    /** Throws when processing failed; the message must then come back later, not be lost. */
    void handle(OrderPlaced event) throws Exception;
}
