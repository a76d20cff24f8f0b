package engine;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kit.Hint;
import kit.Points;
import org.junit.platform.engine.CancellationToken;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherExecutionRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs an exercise's JUnit tests in this JVM, in a fresh class loader, and reports each test with its display
 * name, outcome, a short message (never a stack of framework frames), its points and its hints.
 */
public final class TestRunner {
    /** HUNG and NOT_RUN come only from {@link #run(Compiler.Compiled, Listener, Duration)}: a test that outlasted its patience, and the tests after it. */
    public enum Status { PASSED, FAILED, ABORTED, HUNG, NOT_RUN }

    public record Result(String testClass, String method, String displayName, Status status, String message,
                         int points, List<String> hints) {
        public boolean passed() { return status == Status.PASSED; }
    }

    public record Report(List<Result> results) {
        public long passed() { return results.stream().filter(Result::passed).count(); }
        public long failed() { return results.size() - passed(); }
        public boolean allPassed() { return !results.isEmpty() && failed() == 0; }
        public int points() { return results.stream().filter(Result::passed).mapToInt(Result::points).sum(); }
        public int maxPoints() { return results.stream().mapToInt(Result::points).sum(); }
        public Optional<Result> firstFailure() { return results.stream().filter(r -> !r.passed() && r.status() != Status.NOT_RUN).findFirst(); }
    }

    /**
     * Told about each test as it runs, for callers that must not lose what is known if the JVM dies mid-run
     * (the grader streams every result to its parent process as it comes).
     */
    public interface Listener {
        default void started(String displayName) {}

        void finished(Result result);
    }

    /** Per-test time limit: a learner's endless loop fails its own test instead of hanging the check. */
    private final String timeout;

    public TestRunner(String timeout) { this.timeout = timeout; }

    public TestRunner() { this(CHECK_TIMEOUT); }

    /** A learner's check: the limit per test of {@code workbook check}, and of the IDE build's test runs. */
    public static final String CHECK_TIMEOUT = "20 s";

    /**
     * The JUnit settings every run of the tests gets; the IDE build's junit-platform.properties is written from
     * these, so that a test run from an IDE behaves as {@code workbook check} does.
     */
    public static Map<String, String> settings(String timeout) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("junit.jupiter.execution.timeout.default", timeout);
        settings.put("junit.jupiter.execution.timeout.mode", "enabled");
        settings.put("junit.jupiter.execution.timeout.thread.mode.default", "SEPARATE_THREAD");
        settings.put("junit.platform.output.capture.stdout", "false");
        return settings;
    }

    public Report run(Compiler.Compiled compiled) {
        return run(compiled, null);
    }

    /** Like {@link #run(Compiler.Compiled)}, telling {@code listener} (may be null) about each test as it runs. */
    public Report run(Compiler.Compiled compiled, Listener listener) {
        return execute(compiled, new Collector(listener, null));
    }

    /**
     * For verify's wrong answers, where one failing test is the whole verdict: the run stops at the first test that
     * does not pass (JUnit's cancellation), and the tests it did not get to are NOT_RUN.
     */
    public Report runUntilFirstFailure(Compiler.Compiled compiled) {
        return execute(compiled, new Collector(null, CancellationToken.create()));
    }

    /**
     * For a learner who waits: like {@link #run(Compiler.Compiled, Listener)}, but a test still running after
     * {@code patience} is not waited for. The report then names it HUNG, with where the exercise's code was at that
     * moment, and the tests that did not get to run as NOT_RUN. An endless loop cannot be stopped from inside the
     * JVM: its thread (a daemon) is left behind, and the caller decides whether the process must end.
     */
    public Report run(Compiler.Compiled compiled, Listener listener, Duration patience) {
        Collector collector = new Collector(listener, null);
        var report = new CompletableFuture<Report>();
        Thread.ofPlatform().daemon().name("exercise-tests").start(() -> {
            try {
                report.complete(execute(compiled, collector));
            } catch (Throwable t) {
                report.completeExceptionally(t);
            }
        });
        while (true) {
            try {
                return report.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                var running = collector.running;
                if (running != null && System.nanoTime() - running.since() > patience.toNanos()) {
                    return collector.hungAt(running, patience, compiled.testOrder());
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the tests ran", e);
            }
        }
    }

    private Report execute(Compiler.Compiled compiled, Collector collector) {
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader("exercise", new URL[] {compiled.classes().toUri().toURL()},
                                                        TestRunner.class.getClassLoader())) {
            current.setContextClassLoader(loader);
            List<ClassSelector> selectors = new ArrayList<>();
            for (String name : compiled.testClasses()) selectors.add(selectClass(loader.loadClass(name)));
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectors)
                .configurationParameters(settings(timeout))
                .build();
            LauncherFactory.create().execute(LauncherExecutionRequestBuilder.executionRequest(request)
                .listeners(collector)
                .cancellationToken(collector.stopAtFirstFailure == null ? CancellationToken.disabled() : collector.stopAtFirstFailure)
                .build());
            return inOrder(collector.results, compiled.testOrder());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("test class " + e.getMessage() + " not found: does its package match its file?", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            current.setContextClassLoader(previous);
        }
    }

    /** Results in the order their tests are written, so reports follow the source. */
    private static Report inOrder(List<Result> results, List<String> order) {
        List<Result> sorted;
        synchronized (results) { sorted = new ArrayList<>(results); }
        sorted.sort(Compiler.inWrittenOrder(order, Result::method));
        return new Report(List.copyOf(sorted));
    }

    /** The test running now, since when (System.nanoTime). */
    private record Running(TestIdentifier test, long since) {}

    private static final class Collector implements TestExecutionListener {
        final List<Result> results = Collections.synchronizedList(new ArrayList<>());
        private final Listener listener;
        private final List<TestIdentifier> planned = new CopyOnWriteArrayList<>();
        private final Set<String> finished = ConcurrentHashMap.newKeySet();
        volatile Running running;
        /** Cancelled at the first test that does not pass; null to run every test. */
        final CancellationToken stopAtFirstFailure;

        Collector(Listener listener, CancellationToken stopAtFirstFailure) {
            this.listener = listener;
            this.stopAtFirstFailure = stopAtFirstFailure;
        }

        @Override
        public void testPlanExecutionStarted(TestPlan plan) {
            for (TestIdentifier root : plan.getRoots()) {
                plan.getDescendants(root).stream().filter(TestIdentifier::isTest).forEach(planned::add);
            }
        }

        /** The report as it stands: the hung test, and every planned test without a result as not run. */
        Report hungAt(Running hung, Duration patience, List<String> order) {
            List<Result> all;
            synchronized (results) { all = new ArrayList<>(results); }
            if (!finished.contains(hung.test().getUniqueId())) all.add(result(hung.test(), Status.HUNG, "Still running after " + patience.toSeconds() + " s: an endless loop, or a deadlock"
                + " (two threads each waiting for the other)?" + Messages.whereItRuns()));
            for (TestIdentifier test : planned) {
                if (!test.equals(hung.test()) && !finished.contains(test.getUniqueId())) all.add(result(test, Status.NOT_RUN, "not run: an earlier test hung"));
            }
            return inOrder(all, order);
        }

        private void add(Result r) {
            results.add(r);
            if (listener != null) listener.finished(r);
        }

        @Override
        public void executionStarted(TestIdentifier id) {
            if (id.isTest()) running = new Running(id, System.nanoTime());
            if (listener != null && id.isTest()) listener.started(id.getDisplayName());
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            if (id.isTest()) {
                finished.add(id.getUniqueId());
                boolean cancelled = stopAtFirstFailure != null && stopAtFirstFailure.isCancellationRequested();
                add(cancelled ? result(id, Status.NOT_RUN, "not run: an earlier test failed") : result(id, Status.ABORTED, "skipped: " + reason));
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult outcome) {
            if (id.isTest()) {
                finished.add(id.getUniqueId());
                Status status = switch (outcome.getStatus()) {
                    case SUCCESSFUL -> Status.PASSED;
                    case FAILED -> Status.FAILED;
                    case ABORTED -> Status.ABORTED;
                };
                add(result(id, status, outcome.getThrowable().map(Messages::explain).orElse("")));
                if (status != Status.PASSED && stopAtFirstFailure != null) stopAtFirstFailure.cancel();
            } else if (outcome.getStatus() == TestExecutionResult.Status.FAILED && id.getSource().isPresent()) {
                // A whole class failed before its tests ran (a broken @BeforeAll, a constructor that throws).
                add(new Result(id.getDisplayName(), "", id.getDisplayName() + " could not start",
                    Status.FAILED, outcome.getThrowable().map(Messages::explain).orElse(""), 0, List.of()));
            }
        }

        private static Result result(TestIdentifier id, Status status, String message) {
            Optional<Method> method = id.getSource()
                .filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(TestRunner::javaMethod);
            int points = method.map(m -> m.getAnnotation(Points.class)).map(Points::value).orElse(1);
            List<String> hints = method.map(m -> m.getAnnotation(Hint.class)).map(h -> Arrays.asList(h.value())).orElse(List.of());
            String className = id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                .map(MethodSource::getClassName).orElse("");
            String methodName = method.map(Method::getName).orElse(id.getLegacyReportingName());
            return new Result(className, methodName, id.getDisplayName(), status, message, points, hints);
        }
    }

    private static Method javaMethod(MethodSource source) {
        try {
            return source.getJavaMethod();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
