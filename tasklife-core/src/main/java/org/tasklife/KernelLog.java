package org.tasklife;

import java.lang.System.Logger.Level;
import java.util.function.Consumer;

/**
 * What a kernel logs by itself, through {@link System.Logger} named {@value #NAME}: a stuck-task report when no
 * {@code onStuckTask} listener was set (docs/contract.md, K8: a stuck task is never left silent), and the report
 * of a {@link Kernel#close()} whose {@link ShutdownReport} nobody reads, when it is not clean. {@code System.Logger}
 * reaches java.util.logging by default, and SLF4J, Log4j or any other backend that provides a
 * {@link System.LoggerFinder}, without tasklife depending on any of them.
 */
final class KernelLog {
    /*
     * Implementation notes
     *
     * One logger for the library: users configure one name. Messages are built only when the level is enabled
     * (Supplier overloads), and every message names its kernel ("kernel 'name'"), since one JVM may run several.
     * Both calls happen with no kernel lock held: the stuck listener runs on the reaper thread (or the scheduler's
     * watchdog), close's report on the closing thread after close has finished.
     */

    /** The logger's name. */
    static final String NAME = "org.tasklife";

    private static final System.Logger LOG = System.getLogger(NAME);

    private KernelLog() {}

    /** The default stuck-task listener of kernel {@code kernelName}: each report at WARNING, rendered with its stack. */
    static Consumer<StuckTaskReport> stuckListener(String kernelName) {
        return r -> LOG.log(Level.WARNING, () -> "kernel '" + kernelName + "': a task did not end within the kill"
                + " grace period and what it owned is force-closed, or it holds a carrier that a killed task waits for"
                + " (Kernel.Builder.onStuckTask replaces this log): "
                + r.render());
    }

    /** The report of a {@code close()} nobody reads: WARNING if tasks did not end in time, else DEBUG. */
    static void closed(String kernelName, ShutdownReport report) {
        if (report.isClean()) {
            LOG.log(Level.DEBUG, () -> "kernel '" + kernelName + "' closed in " + report.elapsed().toMillis() + " ms");
            return;
        }
        LOG.log(Level.WARNING, () -> {
            StringBuilder sb = new StringBuilder("kernel '").append(kernelName).append("' closed in ")
                    .append(report.elapsed().toMillis()).append(" ms, but ").append(report.stuck().size())
                    .append(report.stuck().size() == 1 ? " task" : " tasks")
                    .append(" did not end within its close timeout; what they and their groups owned was force-closed:");
            for (StuckTaskReport r : report.stuck()) {
                sb.append('\n').append(r.render());
            }
            return sb.toString();
        });
    }
}
