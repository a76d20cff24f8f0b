package scaling;

/** How many requests reach each service in each tick. Ticks are 10 s of shop time, from 11:59:00. */
@FunctionalInterface
public interface LoadProfile {
    int arrivals(String service, int tick);

    /** The tick at 12:00, when the drop opens. */
    int SPIKE = 6;
    /** Ticks 12 to 29: the first rush is over, but people keep checking out while the stock lasts. */
    int PLATEAU = 12;
    /** Ticks 30 to 39: sold out; the load falls back, a little every tick. */
    int DECAY = 30;
    /** Tick 40 on: a calm afternoon. */
    int CALM_AGAIN = 40;

    /**
     * The flash sale: checkouts (payments) go up ten times at 12:00, then six times while the stock lasts, then
     * back down. Browsing (catalog) goes up too, but far less: the drop's page was open in everyone's browser
     * before noon, and at noon they all press "buy".
     */
    static LoadProfile flashSale() {
        return (service, tick) -> switch (service) {
            case "payments" -> (int) Math.round(50 * surge(tick));
            case "catalog" -> (int) Math.round(150 * (1 + (surge(tick) - 1) / 15));
            default -> 0;
        };
    }

    /** How many times the usual load: 1 before noon, 10 in the spike, 6 on the plateau, falling to 1, then 1. */
    static double surge(int tick) {
        if (tick < SPIKE) return 1;
        if (tick < PLATEAU) return 10;
        if (tick < DECAY) return 6;
        if (tick < CALM_AGAIN) return 6 - 5.0 * (tick - DECAY + 1) / (CALM_AGAIN - DECAY);
        return 1;
    }
}
