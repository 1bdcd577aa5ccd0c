package org.tasklife.junit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.tasklife.Kernel;

/**
 * The leak audit of {@link TaskLifeExtension}, for use by hand (for example with a kernel a test built
 * itself): a kernel is quiescent when it has no live task, no waiter is queued in any tasklife wait of
 * the JVM, it has no armed timer and no open owned resource.
 */
public final class LeakAudit {
    private LeakAudit() {}

    /**
     * Waits up to {@code timeout} for {@code kernel} to be quiescent (tasks that were just reaped may still be
     * running their last steps); fails otherwise, with every count and a {@code ps} table of the live tasks.
     *
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

    /** Whether {@code kernel} is quiescent now. */
    public static boolean isQuiescent(Kernel kernel) {
        return kernel.liveTaskCount() == 0 && Kernel.queuedWaitersInJvm() == 0 && kernel.pendingTimerCount() == 0
                && kernel.openResourceCount() == 0;
    }

    private static String describe(Kernel kernel, Duration timeout) {
        long live = kernel.liveTaskCount();
        StringBuilder sb = new StringBuilder("tasklife: the test leaked (still so after ").append(timeout.toMillis())
                .append(" ms): ").append(plural(live, "live task")).append(", ")
                .append(plural(Kernel.queuedWaitersInJvm(), "queued waiter")).append(" (JVM-wide), ")
                .append(plural(kernel.pendingTimerCount(), "armed timer")).append(", ")
                .append(plural(kernel.openResourceCount(), "open owned resource"));
        if (live > 0) {
            sb.append('\n').append(kernel.snapshot().renderTable());
        }
        sb.append("\nEnd every task the test starts (kill and reap its groups, join or detach its tasks) before "
                + "the test returns.");
        return sb.toString();
    }

    private static String plural(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
