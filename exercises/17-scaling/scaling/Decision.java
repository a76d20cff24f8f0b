package scaling;

/** What the autoscaler decided for one service in one tick: add replicas, remove one, or leave the pool as it is. */
public sealed interface Decision {
    String service();

    /** The replicas the service should have from the next tick on. */
    int replicas();

    /** Why, in a few words, for the people reading the log at 12:03. */
    String why();

    record ScaleOut(String service, int from, int replicas, String why) implements Decision {}

    record ScaleIn(String service, int from, int replicas, String why) implements Decision {}

    record Hold(String service, int replicas, String why) implements Decision {}

    /** True for ScaleOut and ScaleIn: the decisions that change a pool (and start a cooldown). */
    default boolean changes() {
        return !(this instanceof Hold);
    }
}
