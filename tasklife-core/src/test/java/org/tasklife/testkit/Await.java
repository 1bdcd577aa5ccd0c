package org.tasklife.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.tasklife.Task;
import org.tasklife.TaskState;

/**
 * Deadline polling for tests (STYLE G16): wait on an observable condition, never on a fixed sleep.
 * Timeouts scale with {@code -Dtasklife.timeoutFactor}.
 */
public final class Await {
    /** Generous bound for things that should happen "at once" on a loaded 2-core machine. */
    public static final Duration LONG = scaled(Duration.ofSeconds(10));

    private Await() {}

    /** {@code d} times the timeout factor property. */
    public static Duration scaled(Duration d) {
        long factor = Long.getLong("tasklife.timeoutFactor", 1L);
        return d.multipliedBy(Math.max(1, factor));
    }

    /** Polls {@code condition} until true; fails with {@code what} and {@code detail} after {@link #LONG}. */
    public static void until(String what, BooleanSupplier condition, Supplier<String> detail) {
        long deadline = System.nanoTime() + LONG.toNanos();
        long pause = 1;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + LONG + " waiting for " + what + "; " + detail.get());
            }
            Thread.onSpinWait();
            if (pause < 1_000_000) {
                pause *= 2;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(pause);
        }
    }

    /** {@link #until(String, BooleanSupplier, Supplier)} without detail. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, condition, () -> "");
    }

    /** Waits until {@code task} is in {@code state}. */
    public static void state(Task<?> task, TaskState state) {
        until("task " + task.id() + " to be " + state, () -> task.state() == state, () -> "it is " + task.state());
    }
}
