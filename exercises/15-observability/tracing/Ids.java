package tracing;

import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * New trace and span ids, from a random source given by whoever starts the service: a secure one in production,
 * a seeded one in tests, so every run draws the same ids. This part is done.
 */
public final class Ids {
    private final RandomGenerator random;

    public Ids(RandomGenerator random) {
        this.random = random;
    }

    /** 32 lowercase hex digits, never all zero (W3C Trace Context forbids an all-zero trace id). */
    public synchronized String traceId() {
        return nonZeroHex(16);
    }

    /** 16 lowercase hex digits, never all zero. */
    public synchronized String spanId() {
        return nonZeroHex(8);
    }

    private String nonZeroHex(int bytes) {
        byte[] id = new byte[bytes];
        do {
            random.nextBytes(id);
        } while (isAllZero(id));
        return HexFormat.of().formatHex(id);
    }

    private static boolean isAllZero(byte[] id) {
        for (byte b : id) if (b != 0) return false;
        return true;
    }
}
