package org.tasklife.junit;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.extension.AfterEachCallback;
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
 * for the kernel to be quiescent (no live task, no queued waiter, no armed timer, no open owned resource)
 * and otherwise fails the test with a {@code ps} table of what is left;</li>
 * <li>in every case the kernel is closed (every task killed, a bounded wait); if the test passed and a
 * task did not end in time, the test fails with where that task is stuck.</li>
 * </ol>
 * A failing test keeps its own failure: the audit does not run then, so it cannot hide the cause.
 *
 * <p>Configuration parameters (e.g. in {@code junit-platform.properties}):
 * {@code tasklife.junit.auditTimeout} (ISO-8601 duration, default {@code PT5S}), how long the audit waits
 * for tasks that are finishing; {@code tasklife.junit.closeTimeout} (default {@code PT5S}).
 *
 * <p>Limits: the queued-waiter count is JVM-wide ({@link Kernel#queuedWaitersInJvm()}), so with parallel
 * test execution one test's blocked tasks would fail another's audit; run tasklife tests in the same
 * thread, or in a separate JVM per fork.
 */
public final class TaskLifeExtension implements ParameterResolver, AfterEachCallback {
    /** Configuration parameter: how long the audit waits for the kernel to become quiescent. */
    public static final String AUDIT_TIMEOUT = "tasklife.junit.auditTimeout";
    /** Configuration parameter: how long {@link Kernel#close(Duration)} may take after the test. */
    public static final String CLOSE_TIMEOUT = "tasklife.junit.closeTimeout";

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TaskLifeExtension.class);
    private static final String KEY = "kernel";

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
    public void afterEach(ExtensionContext c) {
        Kernel kernel = c.getStore(NS).remove(KEY, Kernel.class);
        if (kernel == null) {
            return; // the test took no kernel
        }
        boolean passed = c.getExecutionException().isEmpty();
        AssertionError leak = null;
        try {
            if (passed) {
                LeakAudit.assertQuiescent(kernel, timeout(c, AUDIT_TIMEOUT));
            }
        } catch (AssertionError e) {
            leak = e;
        } finally {
            ShutdownReport report = kernel.close(timeout(c, CLOSE_TIMEOUT));
            if (passed && !report.isClean()) {
                StringBuilder sb = new StringBuilder("tasklife: kernel close found tasks that did not end in ")
                        .append(report.elapsed().toMillis()).append(" ms:");
                for (StuckTaskReport r : report.stuck()) {
                    sb.append('\n').append(r.render());
                }
                AssertionError stuck = new AssertionError(sb.toString());
                if (leak == null) {
                    leak = stuck;
                } else {
                    leak.addSuppressed(stuck);
                }
            }
        }
        if (leak != null) {
            throw leak;
        }
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
