package engine;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs a command of ours (a lesson, a tool, PIT, npx) with no input, to its end or to a time limit. */
public final class Processes {
    private Processes() {}

    /**
     * How a command ended. {@code timedOut}: it was still running at the limit, so it and every process it started
     * were killed, and {@code exitCode} is what the kill left.
     */
    public record Ended(int exitCode, boolean timedOut, double seconds) {
        public boolean ok() { return !timedOut && exitCode == 0; }
    }

    /** Starts {@code command} (its output redirected as the caller set it), closes its input and waits up to {@code limit}. */
    public static Ended run(ProcessBuilder command, Duration limit) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = command.start();
        p.getOutputStream().close();   // no input: a lesson does not pause, a tool does not wait for a key
        boolean ended = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        return new Ended(p.exitValue(), !ended, (System.nanoTime() - start) / 1e9);
    }
}
