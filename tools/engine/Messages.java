package engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/** Turns a test's failure into what a learner needs: the message, and where in their code it happened. */
final class Messages {
    private Messages() {}

    static String explain(Throwable t) {
        if (t instanceof UnsupportedOperationException && t.getMessage() != null && t.getMessage().startsWith("TODO")) {
            return "Not written yet: " + t.getMessage() + where(t);
        }
        if (t instanceof AssertionError) {
            return t.getMessage() == null ? "assertion failed" : t.getMessage().strip();
        }
        if (t instanceof TimeoutException || String.valueOf(t.getMessage()).contains("timed out after")) {
            return "Took too long: " + t.getMessage() + " (an endless loop, or waiting for something that never comes?)";
        }
        String message = t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        List<String> causes = new ArrayList<>();
        for (Throwable c = t.getCause(); c != null && causes.size() < 3; c = c.getCause()) {
            causes.add("caused by " + c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage()));
        }
        return message + where(t) + (causes.isEmpty() ? "" : "\n  " + String.join("\n  ", causes));
    }

    /**
     * Where the exercise's code runs right now, in any thread: for a test that hangs, the line it loops on or waits
     * at. Frames of the exercise are those of classes its own class loader ("exercise", see TestRunner) loaded.
     */
    static String whereItRuns() {
        for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
            for (StackTraceElement e : stack) {
                if (!"exercise".equals(e.getClassLoaderName()) || e.getFileName() == null || e.getFileName().endsWith("Test.java")) continue;
                return "\n  at " + e.getFileName() + ":" + e.getLineNumber() + " (" + e.getMethodName() + "), still running";
            }
        }
        return "";
    }

    /** The first stack frame in the exercise's own code (not the JDK, libraries, or the kit). */
    private static String where(Throwable t) {
        for (StackTraceElement e : t.getStackTrace()) {
            String cls = e.getClassName();
            if (cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun.") || cls.startsWith("org.")
                || cls.startsWith("com.") || cls.startsWith("io.") || cls.startsWith("kit.") || cls.startsWith("engine.")) continue;
            if (e.getFileName() != null && e.getFileName().endsWith("Test.java")) continue;
            return "\n  at " + e.getFileName() + ":" + e.getLineNumber() + " (" + e.getMethodName() + ")";
        }
        return "";
    }
}
