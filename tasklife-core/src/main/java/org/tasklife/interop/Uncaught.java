package org.tasklife.interop;

import org.tasklife.internal.group.InteropSupport;

/** How the bridges run code that may throw where a JDK thread would die of an uncaught exception. */
final class Uncaught {
    private Uncaught() {}

    /**
     * Runs {@code r} in the calling task, whose failure ends it alone: what {@code r} throws goes, as for any JDK
     * thread, to the thread's uncaught-exception handler, then ends the task (status {@code Failed}); a kill or an
     * exit request unwinding the task is not a failure and is not reported.
     */
    static void runAlone(Runnable r) {
        InteropSupport.failAlone();
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            if (!InteropSupport.callerUnwinding()) {
                report(e);
            }
            throw e;
        }
    }

    /** Gives {@code e} to the calling thread's uncaught-exception handler; what the handler throws is ignored (as the JVM does). */
    static void report(Throwable e) {
        Thread t = Thread.currentThread();
        try {
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
        } catch (Throwable ignored) {
            // the JVM ignores what an uncaught-exception handler throws, and so do we
        }
    }
}
