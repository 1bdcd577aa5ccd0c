package org.tasklife.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.ShutdownReport;
import org.tasklife.SpawnOptions;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;

/**
 * Shared plumbing of the benchmarks: a kernel with a long-lived "home" group to spawn benchmark tasks
 * into, and two ways of running a loop off the JMH thread, one per side of a comparison:
 * {@link #inTasks} (tasklife tasks, which are virtual threads) and {@link #inVirtualThreads} (plain
 * virtual threads). Both start every body, then wait for every body, so their fixed costs match and are
 * amortised by the loop inside the body ({@code @OperationsPerInvocation}).
 */
final class Harness {
    /** How long setup waits for tasks to reach a state before it gives up (a wedged benchmark fails). */
    static final long SETUP_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final SpawnOptions DETACHED = SpawnOptions.named("bench").detached(true);

    /**
     * Warm-up shots of a single-shot crowd row (a mass kill, a domain stop, a coroutine crowd cancel; not the JDK
     * baselines, whose 100,000 shots take seconds to tens of seconds): the first shots of a crowd are the first
     * time its waiters ever wake, and every frame the JIT compiled as unreachable after the park deoptimizes on
     * its own; measured shots after a single warm-up came out 2-20x slower than from the fourth on, on every side.
     */
    static final int CROWD_WARMUPS = 4;

    /** Measured shots of such a row: the median of five is read (Suite, ScalingPlot). */
    static final int CROWD_SHOTS = 5;

    private Harness() {}

    /**
     * A booted kernel and a group whose main task only sleeps, so that the group lives until
     * {@link #close()}. Benchmark tasks are spawned into the group as detached tasks: their records go
     * as soon as they end, so nothing accumulates across invocations.
     */
    static final class Home implements AutoCloseable {
        final Kernel kernel;
        final TaskGroup group;

        Home(String name) {
            kernel = Kernel.builder().name(name).boot();
            group = kernel.spawnGroup("home", () -> {
                Tasks.sleep(Duration.ofDays(1)); // ended by close(): kill ends a tasklife sleep at once
                return 0;
            });
        }

        /** Waits until only the home group's main task is live: every benchmark task has ended. */
        void awaitIdle() {
            awaitLive(kernel, 1);
        }

        /** Kills everything and stops the kernel's threads; fails if a task did not end. */
        @Override
        public void close() {
            closeChecked(kernel);
        }
    }

    /** Interrupts every thread, then joins each: the JDK baseline's "kill and wait". @return the threads */
    static Thread[] interruptAndJoin(Thread[] threads) throws InterruptedException {
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join();
        }
        return threads;
    }

    /** Fails if a baseline thread is still alive after its benchmark (a leak between iterations). */
    static void checkAllEnded(Thread[] threads) {
        for (Thread t : threads) {
            if (t.isAlive()) {
                throw new IllegalStateException("baseline thread still alive: " + t);
            }
        }
    }

    /** Closes {@code kernel} and fails if any task outlived the close (a leak between iterations). */
    static void closeChecked(Kernel kernel) {
        ShutdownReport report = kernel.close(Duration.ofSeconds(60));
        if (!report.isClean() || kernel.liveTaskCount() != 0) {
            throw new IllegalStateException("kernel close was not clean: " + report + ", live tasks "
                    + kernel.liveTaskCount());
        }
    }

    /** Waits until the kernel has exactly {@code live} live tasks (ending tasks finish asynchronously). */
    static void awaitLive(Kernel kernel, long live) {
        await(() -> kernel.liveTaskCount() == live, () -> "live tasks " + kernel.liveTaskCount() + ", expected " + live);
    }

    /** Waits until {@code t} is parked in a tasklife wait. */
    static void awaitBlocked(Task<?> t) {
        await(() -> t.state() == TaskState.BLOCKED, () -> "task " + t + " is " + t.state() + ", expected BLOCKED");
    }

    /** Waits until the virtual thread {@code t} is parked. */
    static void awaitWaiting(Thread t) {
        await(() -> t.getState() == Thread.State.WAITING, () -> "thread " + t + " is " + t.getState());
    }

    /** Polls {@code done} (yielding, then sleeping) until true; throws after {@link #SETUP_TIMEOUT_NANOS}. */
    static void await(BooleanSupplier done, Supplier<String> what) {
        long start = System.nanoTime();
        int spins = 0;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - start > SETUP_TIMEOUT_NANOS) {
                throw new IllegalStateException("benchmark setup timed out: " + what.get());
            }
            if (++spins < 1000) {
                Thread.yield();
            } else {
                sleepMillis(1);
            }
        }
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Runs each body in its own detached task of {@code group} and waits (from the JMH thread, through
     * {@code onExit}) until all have ended; fails unless each ended {@code Exited(0)}.
     */
    static void inTasks(TaskGroup group, Runnable... bodies) {
        List<CompletableFuture<ExitStatus>> exits = new ArrayList<>(bodies.length);
        for (Runnable body : bodies) {
            exits.add(group.spawnTask(DETACHED, () -> {
                body.run();
                return null;
            }).onExit());
        }
        for (CompletableFuture<ExitStatus> exit : exits) {
            ExitStatus s = exit.join();
            if (!s.isSuccess()) {
                throw new IllegalStateException("benchmark task ended " + s);
            }
        }
    }

    /** Runs each body in its own virtual thread and joins them all; fails if a body threw. */
    static void inVirtualThreads(Runnable... bodies) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[bodies.length];
        for (int i = 0; i < bodies.length; i++) {
            Runnable body = bodies[i];
            threads[i] = Thread.ofVirtual().start(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
        }
        for (Thread t : threads) {
            joinUninterruptibly(t);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("benchmark virtual thread failed", failure.get());
        }
    }

    static void joinUninterruptibly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A JDK call that declares InterruptedException, for lambdas. */
    @FunctionalInterface
    interface Interruptible {
        void run() throws InterruptedException;
    }

    /** Runs {@code op}; an interrupt (never expected in these loops) becomes an unchecked failure. */
    static void unchecked(Interruptible op) {
        try {
            op.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
