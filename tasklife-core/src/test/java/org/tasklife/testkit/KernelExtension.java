package org.tasklife.testkit;

import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.tasklife.Kernel;
import org.tasklife.ShutdownReport;
import org.tasklife.internal.wait.WaitQueue;

/**
 * Gives each test a fresh {@link Kernel} and audits it after the test (STYLE G17): no live task, no
 * queued waiter, no armed timer, no owned resource left open; then closes it and checks nothing was
 * stuck. A test that means to leave tasks running must end them itself.
 *
 * <pre>{@code @ExtendWith(KernelExtension.class) class FooTest { @Test void t(Kernel k) { ... } } }</pre>
 */
public final class KernelExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KernelExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == Kernel.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return c.getStore(NS).getOrComputeIfAbsent("kernel",
                k -> Kernel.builder().name("test").killGracePeriod(Duration.ofSeconds(5)).boot(), Kernel.class);
    }

    @Override
    public void afterEach(ExtensionContext c) {
        Kernel kernel = c.getStore(NS).remove("kernel", Kernel.class);
        if (kernel == null) {
            return;
        }
        try {
            if (c.getExecutionException().isEmpty()) {
                audit(kernel);
            }
        } finally {
            ShutdownReport report = kernel.close(Await.scaled(Duration.ofSeconds(5)));
            if (c.getExecutionException().isEmpty() && !report.isClean()) {
                throw new AssertionError("kernel close found stuck tasks: " + report.stuck());
            }
        }
    }

    /** Asserts the kernel is quiescent, waiting a bounded time for tasks that are finishing. */
    public static void audit(Kernel kernel) {
        Await.until("no live tasks", () -> kernel.liveTaskCount() == 0, () -> "\n" + kernel.snapshot().renderTable());
        Await.until("no queued waiters", () -> WaitQueue.linkedNodesInJvm() == 0,
                () -> WaitQueue.linkedNodesInJvm() + " still linked");
        Await.until("no armed timers", () -> kernel.pendingTimerCount() == 0,
                () -> kernel.pendingTimerCount() + " armed");
        Await.until("no open owned resources", () -> kernel.openResourceCount() == 0,
                () -> kernel.openResourceCount() + " open");
    }
}
