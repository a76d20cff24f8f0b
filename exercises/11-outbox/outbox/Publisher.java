package outbox;

/** Sends a message to payments. Returns normally only once payments has confirmed it; throws PublishFailed otherwise. */
public interface Publisher {
    void publish(Message message);
}
