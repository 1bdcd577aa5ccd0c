package org.tasklife;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.tasklife.internal.group.GroupControlBlock;
import org.tasklife.internal.group.KernelCore;
import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.task.TaskExitSignal;

/**
 * What the running task does to itself: spawn, exit, sleep, wait for children, reach a safe point.
 * Every method here throws {@link NotInTaskException} when called from outside a tasklife task.
 *
 * <p>Blocking methods ({@link #sleep}, {@link #waitChild}, {@link #checkpoint}, {@link Task#join()})
 * throw {@link TaskKilledError} when the calling task is killed, at once if it already was (SPEC K2, K5).
 */
public final class Tasks {
    private Tasks() {}

    private static TaskControlBlock self() {
        TaskControlBlock t = TaskControlBlock.current();
        if (t == null) {
            throw new NotInTaskException("the calling thread '" + Thread.currentThread().getName()
                    + "' is not a tasklife task");
        }
        return t;
    }

    private static GroupControlBlock selfGroup() {
        return KernelCore.groupOf(self());
    }

    /** Whether the calling thread is a tasklife task. */
    public static boolean inTask() {
        return TaskControlBlock.current() != null;
    }

    /** The calling task. */
    public static Task<?> current() {
        return new Task<>(self());
    }

    /** The calling task's group. */
    public static TaskGroup currentGroup() {
        return new TaskGroup(selfGroup());
    }

    /**
     * The calling task's domain.
     *
     * @throws NotInTaskException if not called from a task
     */
    public static Domain currentDomain() {
        GroupControlBlock g = selfGroup();
        return new Domain(g.core(), g.domain());
    }

    /** Whether the calling task was killed. */
    public static boolean isKilled() {
        return self().isKilled();
    }

    /** Adds a task to the caller's group (SPEC P2). @throws SpawnRefusedException if the group is exiting */
    public static <T> Task<T> spawnTask(String name, TaskBody<T> body) {
        return currentGroup().spawnTask(name, body);
    }

    /** Adds a task with options to the caller's group. */
    public static <T> Task<T> spawnTask(SpawnOptions options, TaskBody<T> body) {
        return currentGroup().spawnTask(options, body);
    }

    /** Spawns a child group of the caller's group (SPEC P1). */
    public static TaskGroup spawnGroup(String name, GroupMain main) {
        return spawnGroup(SpawnOptions.named(name), main);
    }

    /** Spawns a child group with options. */
    public static TaskGroup spawnGroup(SpawnOptions options, GroupMain main) {
        return Kernel.spawnGroupUnder(selfGroup(), options, main);
    }

    /**
     * Ends the calling task only ({@code pthread_exit}, SPEC E1): unwinds it (its {@code finally} blocks
     * run) and its status becomes {@code Exited(0)}. From the main task, the group lives on (SPEC E4).
     * Never returns.
     *
     * @throws TaskKilledError if the task was already killed
     */
    public static void exit() {
        TaskControlBlock t = self();
        if (!t.requestExit(0)) {
            throw t.unwindingThrowable();
        }
        throw new TaskExitSignal(t.id());
    }

    /**
     * Ends the caller's whole group with {@code Exited(code)} ({@code exit_group}, SPEC E3): every other
     * task is killed, whatever it is doing; under concurrency the first code wins. Never returns.
     */
    public static void exitGroup(int code) {
        TaskControlBlock t = self();
        t.checkpoint();
        GroupControlBlock g = selfGroup();
        g.core().endGroup(g, ExitStatus.exited(code), t);
        if (!t.requestExit(code)) {
            throw t.unwindingThrowable();
        }
        throw new TaskExitSignal(t.id());
    }

    /**
     * Sleeps for {@code duration} on the kernel's timer (SPEC T1); a kill ends it at once.
     *
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public static void sleep(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative, was " + duration);
        }
        TaskControlBlock t = self();
        KernelCore.groupOf(t).core().sleep(t, Clock.saturatedNanos(duration));
    }

    /**
     * A safe point: throws {@link TaskKilledError} if the calling task was killed. A CPU-bound loop
     * should call it often: besides noticing its kill there, the task lets other tasks run. In scheduler
     * mode it may be preempted here once its time slice is over and another task waits for its CPU; in
     * default mode it gives up its carrier thread for a moment once it has run a whole time slice (see
     * {@link Kernel.Builder#timeSlice}). Until then a call costs a few nanoseconds.
     *
     * @throws NotInTaskException if not called from a task
     */
    public static void checkpoint() {
        TaskControlBlock t = self();
        t.checkpoint();
        if (KernelCore.groupOf(t).core().safePoint(t)) {
            t.checkpoint(); // a task killed while it was off its CPU runs no more of its code
        }
    }

    /**
     * A safe point that also offers the CPU to other threads: in scheduler mode the next task of its CPU's
     * run queue gets the CPU; in default mode the thread yields ({@link Thread#yield()}), and also gives up
     * its carrier like {@link #checkpoint()} once its time slice is over (on the JDK's virtual-thread
     * scheduler a yield alone may hand the carrier straight back to the yielding task).
     *
     * @throws TaskKilledError if the calling task was killed
     * @throws NotInTaskException if not called from a task
     */
    public static void yieldNow() {
        TaskControlBlock t = self();
        t.checkpoint();
        KernelCore core = KernelCore.groupOf(t).core();
        CpuScheduler s = core.scheduler();
        if (s == null) {
            Thread.yield();
            core.safePoint(t);
        } else {
            s.yieldNow(); // scheduler mode: the CPU goes to the next task of its run queue
        }
        t.checkpoint();
    }

    /**
     * Waits for a child group of the caller's group to end (SPEC W1–W6) and reaps it unless
     * {@link WaitOption#NO_REAP}. Any task of the group may wait; children belong to the group.
     *
     * @return the ended child; empty only with {@link WaitOption#NO_HANG} while matching children live
     * @throws NoChildException if no child matches (also with NO_HANG)
     */
    public static Optional<ChildExit> waitChild(ChildSelector selector, WaitOption... options) {
        Objects.requireNonNull(selector, "selector");
        TaskControlBlock t = self();
        GroupControlBlock g = KernelCore.groupOf(t);
        return g.core().waitChild(g, selector, Kernel.has(options, WaitOption.NO_HANG),
                Kernel.has(options, WaitOption.NO_REAP), t, t);
    }

    /** Makes the calling task own {@code resource} (SPEC O1). */
    public static Owned own(AutoCloseable resource) {
        return current().own(resource);
    }

    /** Makes the caller's group own {@code resource} (SPEC O1). */
    public static Owned ownByGroup(AutoCloseable resource) {
        return currentGroup().own(resource);
    }
}
