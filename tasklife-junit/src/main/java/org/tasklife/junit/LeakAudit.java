package org.tasklife.junit;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.tasklife.Kernel;
import org.tasklife.management.KernelMXBean;

/**
 * The leak audit of {@link TaskLifeExtension}, for use by hand too (for example with a kernel a test built
 * itself): a kernel is quiescent when it has no live task, no armed timer and no open owned resource.
 *
 * <p>The audit is per kernel: another kernel's tasks, in this test or in another one running at the same
 * time, never make it fail.
 */
public final class LeakAudit {
    private LeakAudit() {}

    /**
     * Waits up to {@code timeout} for {@code kernel} to be quiescent (tasks that were just reaped may still be
     * running their last steps); fails otherwise, with every count and a {@code ps} table of the live tasks.
     *
     * @param kernel the kernel to audit
     * @param timeout how long its tasks may take to finish
     * @throws AssertionError if the kernel is not quiescent within {@code timeout}
     */
    public static void assertQuiescent(Kernel kernel, Duration timeout) {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1_000;
        while (!isQuiescent(kernel)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(describe(kernel, timeout));
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 10_000_000);
        }
    }

    /**
     * {@return whether {@code kernel} is quiescent now: no live task, no armed timer, no open owned resource}
     *
     * @param kernel the kernel to look at
     */
    public static boolean isQuiescent(Kernel kernel) {
        return kernel.liveTaskCount() == 0 && kernel.pendingTimerCount() == 0 && kernel.openResourceCount() == 0;
    }

    private static String describe(Kernel kernel, Duration timeout) {
        long live = kernel.liveTaskCount();
        StringBuilder sb = new StringBuilder("tasklife: the test leaked (still so after ").append(timeout.toMillis())
                .append(" ms): ").append(counts(live, kernel.pendingTimerCount(), kernel.openResourceCount()));
        if (live > 0) {
            sb.append('\n').append(kernel.snapshot().renderTable().stripTrailing());
        }
        sb.append("\nEnd every task the test starts (kill and reap its groups, join or detach its tasks) before "
                + "the test returns.");
        return sb.toString();
    }

    static String counts(long live, long timers, long resources) {
        return plural(live, "live task") + ", " + plural(timers, "armed timer") + ", "
                + plural(resources, "open owned resource");
    }

    static String plural(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    // ---- kernels seen through JMX (those booted with jmx(true), the default) ----

    /** The object names of the kernels open in this JVM now (empty if JMX cannot be asked). */
    static Set<ObjectName> openKernels() {
        try {
            return server().queryNames(new ObjectName(KernelMXBean.QUERY), null);
        } catch (MalformedObjectNameException | RuntimeException e) {
            return Set.of();
        }
    }

    /**
     * For each kernel open now and not in {@code before} that is not quiescent: a description with its
     * counts and {@code ps} table. Empty when every such kernel is quiescent (or has closed).
     */
    static List<String> busyKernelsSince(Set<ObjectName> before) {
        List<String> out = new ArrayList<>();
        for (ObjectName name : openKernels()) {
            if (before.contains(name)) {
                continue;
            }
            try {
                KernelMXBean k = JMX.newMXBeanProxy(server(), name, KernelMXBean.class);
                long live = k.getLiveTaskCount();
                int timers = k.getPendingTimerCount();
                long resources = k.getOpenResourceCount();
                if (live == 0 && timers == 0 && resources == 0) {
                    continue;
                }
                StringBuilder sb = new StringBuilder("kernel '").append(k.getName()).append("' (").append(name)
                        .append("), booted during the test and still open: ").append(counts(live, timers, resources));
                if (live > 0) {
                    sb.append('\n').append(k.getProcessTable().stripTrailing());
                }
                out.add(sb.toString());
            } catch (RuntimeException e) {
                // it closed (and unregistered) while we looked: nothing left to report
            }
        }
        return out;
    }

    private static MBeanServer server() {
        return ManagementFactory.getPlatformMBeanServer();
    }
}
