package org.tasklife.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.tasklife.ExitStatus;
import org.tasklife.GroupMain;
import org.tasklife.Kernel;
import org.tasklife.SpawnOptions;
import org.tasklife.Task;
import org.tasklife.TaskBody;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;

/** Shared scenario helpers for kernel tests; every wait is bounded by {@link Await#LONG}. */
public final class Fixtures {
    private static final long LONG_MS = Await.LONG.toMillis();

    private Fixtures() {}

    /** {@code f.get()} bounded by {@link Await#LONG}. */
    public static <T> T get(Future<T> f) throws Exception {
        return f.get(LONG_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Blocks until {@code latch} opens, whatever interrupts come: code that ignores kills (a JDK lock, a
     * swallowing loop), used to stand for the uncooperative code a kill cannot end. Restores the interrupt
     * status when it returns.
     */
    public static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        for (;;) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Awaits {@code latch}, failing after {@link Await#LONG}. */
    public static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(LONG_MS, TimeUnit.MILLISECONDS)).as("latch reached in time").isTrue();
    }

    /** The main task of {@code g} (its id is the group's id). */
    public static Task<?> mainOf(Kernel kernel, TaskGroup g) {
        return kernel.findTask(g.id()).orElseThrow();
    }

    /** The group's exit status, bounded by {@link Await#LONG}. */
    public static ExitStatus ended(TaskGroup g) throws Exception {
        return get(g.onExit());
    }

    /** The task's exit status, bounded by {@link Await#LONG}. */
    public static ExitStatus ended(Task<?> t) throws Exception {
        return get(t.onExit());
    }

    /** Kills every group and waits for each to end (without reaping). */
    public static void end(TaskGroup... groups) throws Exception {
        for (TaskGroup g : groups) {
            g.kill();
        }
        for (TaskGroup g : groups) {
            ended(g);
        }
    }

    /** Kills {@code g}, waits for its end and reaps it. */
    public static void killAndReap(TaskGroup g) throws Exception {
        g.kill();
        get(g.onExit());
        g.reap();
    }

    /** A group main that sleeps until killed. */
    public static int sleepForever() {
        Tasks.sleep(Duration.ofHours(1));
        return 0;
    }

    /** A group whose main task sleeps until killed: a home for tasks spawned from the test. */
    public static TaskGroup idleGroup(Kernel kernel, String name) {
        return kernel.spawnGroup(name, Fixtures::sleepForever);
    }

    /** {@link #idleGroup(Kernel, String)} with options. */
    public static TaskGroup idleGroup(Kernel kernel, SpawnOptions options) {
        return kernel.spawnGroup(options, Fixtures::sleepForever);
    }

    /** A task started by {@link #attempt} and what its body returned or threw. */
    public record Attempt(Task<Void> task, CompletableFuture<Object> outcome) {
        /** The body's result or throwable, bounded by {@link Await#LONG}. */
        public Object get() throws Exception {
            return outcome.get(LONG_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Runs {@code body} in a new task of {@code g}; errors are recorded and rethrown so a killed task ends Killed. */
    public static Attempt attempt(TaskGroup g, String name, TaskBody<?> body) {
        CompletableFuture<Object> out = new CompletableFuture<>();
        Task<Void> t = g.spawnTask(name, () -> {
            try {
                out.complete(body.run());
            } catch (Throwable e) {
                out.complete(e);
                if (e instanceof Error err) {
                    throw err;
                }
            }
            return null;
        });
        return new Attempt(t, out);
    }

    /** Spawns a child group of {@code parent} from a short-lived task of {@code parent}. */
    public static TaskGroup spawnChild(TaskGroup parent, String name, GroupMain main) throws Exception {
        Object r = attempt(parent, "spawn-" + name, () -> Tasks.spawnGroup(name, main)).get();
        assertThat(r).isInstanceOf(TaskGroup.class);
        return (TaskGroup) r;
    }

    /** Bytes allocated so far by the calling thread (HotSpot's Threading MBean attribute, read through JMX). */
    public static long allocatedBytes() {
        try {
            return (Long) java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("java.lang:type=Threading"), "getThreadAllocatedBytes",
                    new Object[] {Thread.currentThread().threadId()}, new String[] {long.class.getName()});
        } catch (javax.management.JMException e) {
            throw new AssertionError(e);
        }
    }
}
