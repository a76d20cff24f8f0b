package scaling;

/**
 * Two thresholds on one signal, with a band between them where nothing happens: hysteresis.
 * A signal above {@code high} is hot; below {@code low} it is cool; in between it is neither, whichever way it
 * came in. A single threshold would have the pool scale out at 10.1 and back in at 9.9, tick after tick.
 */
public record Watermarks(double low, double high) {
    public Watermarks {
        if (!(low < high)) throw new IllegalArgumentException("the low watermark must lie below the high one: low " + low + ", high " + high);
    }

    public boolean above(double value) { return value > high; }

    public boolean below(double value) { return value < low; }
}
