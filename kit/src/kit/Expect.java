package kit;

import java.util.concurrent.Callable;

/**
 * Assertions about exceptions that speak to a learner: what was expected and why, what happened instead,
 * and no stack trace of the test framework. A stub's "TODO" is passed through untouched, so the workbook can
 * say "not written yet" instead of "wrong".
 */
public final class Expect {
    private Expect() {}

    /**
     * Runs {@code call} and returns the exception it threw, which must be a {@code type}.
     * @param why the sentence the learner sees on failure, for example "an unknown sku is the order service's UnknownSku"
     */
    public static <T extends Throwable> T thrown(Class<T> type, Callable<?> call, String why) {
        Object returned;
        try {
            returned = call.call();
        } catch (Throwable t) {
            if (type.isInstance(t)) return type.cast(t);
            if (isTodo(t)) throw (UnsupportedOperationException) t;
            throw new AssertionError(why + ": expected " + type.getSimpleName() + ", but it threw "
                + t.getClass().getName() + (t.getMessage() == null ? "" : ": " + firstLine(t.getMessage())), t);
        }
        throw new AssertionError(why + ": expected " + type.getSimpleName() + ", but it returned "
            + (returned == null ? "null" : returned) + " without an exception");
    }

    /** Runs {@code call}, turning any exception into a failure that says why the call should have worked. */
    public static <V> V returns(Callable<V> call, String why) {
        try {
            return call.call();
        } catch (Throwable t) {
            if (isTodo(t)) throw (UnsupportedOperationException) t;
            throw new AssertionError(why + ", but it threw " + t.getClass().getName()
                + (t.getMessage() == null ? "" : ": " + firstLine(t.getMessage())), t);
        }
    }

    static boolean isTodo(Throwable t) {
        return t instanceof UnsupportedOperationException && t.getMessage() != null && t.getMessage().startsWith("TODO");
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " …";
    }
}
