package org.tasklife.junit;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import javax.management.ObjectName;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.tasklife.Kernel;
import org.tasklife.ShutdownReport;
import org.tasklife.StuckTaskReport;

/**
 * Gives each test a fresh {@link Kernel} and audits it when the test ends.
 *
 * <p>A test (or its {@code @BeforeEach}/{@code @AfterEach} methods) declares a {@code Kernel} parameter;
 * every such parameter of one test is the same kernel, named after the test method. After the test:
 * <ol>
 * <li>if the test passed, {@link LeakAudit#assertQuiescent(Kernel, Duration)} waits up to the audit timeout
 * for the test's kernel to be quiescent (no live task, no armed timer, no open owned resource) and otherwise
 * fails the test with a {@code ps} table of what is left;</li>
 * <li>in every case the kernel is closed (every task killed, a bounded wait); if the test passed and a
 * task did not end in time, the test fails with where that task is stuck;</li>
 * <li>if the test passed and tests run one at a time, what the test left <em>outside</em> its kernel fails
 * it too: a kernel it booted itself and left open with live tasks, armed timers or open resources (named,
 * with its table; seen through JMX, so booted with the default {@code jmx(true)}), and tasklife waiters it
 * left queued (the JVM-wide {@link Kernel#queuedWaitersInJvm()} count, compared with its value when the
 * test began).</li>
 * </ol>
 * A failing test keeps its own failure: the audit does not run then, so it cannot hide the cause. So one
 * test's leak fails that test, never the next one.
 *
 * <p>Parallel execution ({@code junit.jupiter.execution.parallel.enabled=true}) is supported: each test's
 * own kernel is audited exactly as above, unaffected by the tests running beside it. The checks outside
 * the test's kernel (step 3) are skipped then, because what other kernels and the JVM-wide count show
 * cannot be told apart between tests running at the same time.
 *
 * <p>Configuration parameters (e.g. in {@code junit-platform.properties}):
 * {@code tasklife.junit.auditTimeout} (ISO-8601 duration, default {@code PT5S}), how long the audit waits
 * for tasks that are finishing; {@code tasklife.junit.closeTimeout} (default {@code PT5S}).
 *
 * <p>Works with JUnit 5.10 and later: the JUnit API is not a dependency of this artifact (Maven scope
 * {@code provided}), so the project's own JUnit version is the one used.
 */
public final class TaskLifeExtension implements ParameterResolver, BeforeEachCallback, AfterEachCallback {
    /** Configuration parameter: how long the audit waits for the kernel to become quiescent. */
    public static final String AUDIT_TIMEOUT = "tasklife.junit.auditTimeout";
    /** Configuration parameter: how long {@link Kernel#close(Duration)} may take after the test. */
    public static final String CLOSE_TIMEOUT = "tasklife.junit.closeTimeout";

    /** JUnit's own switch for parallel execution. */
    private static final String PARALLEL = "junit.jupiter.execution.parallel.enabled";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TaskLifeExtension.class);
    private static final String KEY = "kernel";
    private static final String BEFORE = "before";

    /** What the JVM held when the test began: what the test leaves beyond it is its own. */
    private record Before(long queuedWaiters, Set<ObjectName> kernels) {}

    /** Used by JUnit. */
    public TaskLifeExtension() {}

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == Kernel.class && c.getTestMethod().isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        String name = c.getRequiredTestMethod().getName();
        return c.getStore(NS).getOrComputeIfAbsent(KEY, k -> Kernel.builder().name(name).boot(), Kernel.class);
    }

    @Override
    public void beforeEach(ExtensionContext c) {
        if (!parallel(c)) {
            c.getStore(NS).put(BEFORE, new Before(Kernel.queuedWaitersInJvm(), LeakAudit.openKernels()));
        }
    }

    @Override
    public void afterEach(ExtensionContext c) {
        Kernel kernel = c.getStore(NS).remove(KEY, Kernel.class);
        Before before = c.getStore(NS).remove(BEFORE, Before.class);
        boolean passed = c.getExecutionException().isEmpty();
        AssertionError leak = null;
        if (kernel != null) {
            try {
                if (passed) {
                    LeakAudit.assertQuiescent(kernel, timeout(c, AUDIT_TIMEOUT));
                }
            } catch (AssertionError e) {
                leak = e;
            } finally {
                leak = add(leak, closeReport(kernel, timeout(c, CLOSE_TIMEOUT), passed));
            }
        }
        if (passed && before != null) {
            leak = add(leak, outside(before, timeout(c, AUDIT_TIMEOUT)));
        }
        if (leak != null) {
            throw leak;
        }
    }

    /** Closes the test's kernel; a failure if the test passed and a task did not end in time. */
    private static AssertionError closeReport(Kernel kernel, Duration timeout, boolean passed) {
        ShutdownReport report = kernel.close(timeout);
        if (!passed || report.isClean()) {
            return null;
        }
        StringBuilder sb = new StringBuilder("tasklife: kernel close found tasks that did not end in ")
                .append(report.elapsed().toMillis()).append(" ms:");
        for (StuckTaskReport r : report.stuck()) {
            sb.append('\n').append(r.render());
        }
        return new AssertionError(sb.toString());
    }

    /**
     * Waits up to {@code timeout} for what the test left outside its kernel to go; a failure describing it
     * if it does not: kernels booted during the test that are still busy, and waiters queued beyond the count
     * at its start.
     */
    private static AssertionError outside(Before before, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1_000;
        for (;;) {
            List<String> kernels = LeakAudit.busyKernelsSince(before.kernels());
            long waiters = Kernel.queuedWaitersInJvm();
            if (kernels.isEmpty() && waiters <= before.queuedWaiters()) {
                return null;
            }
            if (System.nanoTime() - deadline > 0) {
                return new AssertionError(describeOutside(kernels, waiters, before, timeout));
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 10_000_000);
        }
    }

    private static String describeOutside(List<String> kernels, long waiters, Before before, Duration timeout) {
        List<String> items = new ArrayList<>(kernels);
        if (waiters > before.queuedWaiters()) {
            long n = waiters - before.queuedWaiters();
            items.add(LeakAudit.plural(n, "tasklife waiter") + " queued during the test and still queued (JVM-wide: "
                    + waiters + " now, " + before.queuedWaiters() + " when the test began), in a kernel the test "
                    + "booted or in a wait of a thread it started");
        }
        StringBuilder sb = new StringBuilder("tasklife: the test leaked outside its kernel (still so after ")
                .append(timeout.toMillis()).append(" ms):");
        for (String item : items) {
            sb.append("\n- ").append(item);
        }
        sb.append("\nClose every kernel the test boots (try-with-resources) and end every task and wait it starts "
                + "before the test returns.");
        return sb.toString();
    }

    private static AssertionError add(AssertionError first, AssertionError next) {
        if (first == null) {
            return next;
        }
        if (next != null) {
            first.addSuppressed(next);
        }
        return first;
    }

    private static boolean parallel(ExtensionContext c) {
        return c.getConfigurationParameter(PARALLEL).map(v -> v.strip().equalsIgnoreCase("true")).orElse(false);
    }

    private static Duration timeout(ExtensionContext c, String key) {
        return c.getConfigurationParameter(key).map(v -> {
            try {
                return Duration.parse(v);
            } catch (DateTimeParseException e) {
                throw new ExtensionConfigurationException(key + " must be an ISO-8601 duration such as PT5S, was '"
                        + v + "'", e);
            }
        }).orElse(DEFAULT_TIMEOUT);
    }
}
