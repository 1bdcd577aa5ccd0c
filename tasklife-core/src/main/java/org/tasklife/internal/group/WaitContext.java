package org.tasklife.internal.group;

import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.TimerService;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.HostWaiter;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.Waiter;

/**
 * Who is about to block and through which blocker: the calling task and its kernel's blocker, or, for
 * host threads (never killed), a shared host blocker. The entry point for clients of the wait layer
 * that do not belong to a kernel, such as the {@code org.tasklife.sync} primitives.
 *
 * <pre>{@code
 * WaitContext w = WaitContext.current();
 * w.checkpoint();                               // a killed task throws before it enqueues
 * q.lock(); try { if (free) {take; return;} q.enqueueLocked(n = new WaitNode(q, channel)); } finally { q.unlock(); }
 * int outcome = w.await(n, deadline);           // SIGNALLED | TIMED_OUT | KILLED
 * if (outcome == WaitNode.KILLED) { giveBackWhatWasHanded(); throw w.killed(); }
 * }</pre>
 */
public final class WaitContext {
    /*
     * Implementation notes
     *
     * Host threads: a primitive used outside any task still needs a timer for timed waits. One shared
     * daemon timer thread serves every host wait in the JVM; it starts on first use.
     */

    private static final class HostBlocker {
        static final Blocker INSTANCE = create();

        private static Blocker create() {
            TimerService timers = new TimerService(Clock.system(), "tasklife-host-timer");
            timers.start();
            return new Blocker(Clock.system(), timers);
        }
    }

    private final TaskControlBlock task;   // null on host threads
    private final Waiter waiter;
    private final Blocker blocker;

    private WaitContext(TaskControlBlock task, Waiter waiter, Blocker blocker) {
        this.task = task;
        this.waiter = waiter;
        this.blocker = blocker;
    }

    /**
     * A safe point at a primitive's entry or exit (issue 7): in scheduler mode the calling task may be
     * switched out here (deterministic mode: on a seeded coin), so that a seed fixes the interleaving at
     * every tasklife call, not only at blocking ones. Costs one volatile read when no scheduler is open.
     */
    public static void safePoint() {
        if (CpuScheduler.anyOpen()) {
            TaskControlBlock t = TaskControlBlock.current();
            if (t != null) {
                KernelCore.groupOf(t).core().safePoint();
            }
        }
    }

    /** The context of the calling thread. */
    public static WaitContext current() {
        TaskControlBlock t = TaskControlBlock.current();
        if (t == null) {
            return new WaitContext(null, HostWaiter.INSTANCE, HostBlocker.INSTANCE);
        }
        return new WaitContext(t, t, KernelCore.groupOf(t).core().blocker());
    }

    /** The calling task, or {@code null} on a host thread. */
    public TaskControlBlock task() {
        return task;
    }

    /** An id for error messages and owner fields: the task id, or -1 for host threads. */
    public long callerId() {
        return task == null ? -1 : task.id();
    }

    /** The clock deadlines are measured in. */
    public Clock clock() {
        return blocker.clock();
    }

    /** Safe point: throws the kill throwable if the calling task was killed (SPEC K5). */
    public void checkpoint() {
        if (task != null) {
            task.checkpoint();
        }
    }

    /**
     * Blocks on {@code n} without a deadline in a way no kill ends (a condition waiter re-acquiring its
     * mutex after it was killed, SPEC §9), parking through the kernel's dispatch like every other wait, so
     * that in scheduler mode the caller gives up its CPU meanwhile.
     */
    public int awaitUnkillable(WaitNode n) {
        return new Blocker(Clock.system(), null, blocker.dispatch()).await(HostWaiter.INSTANCE, n, Blocker.NO_DEADLINE);
    }

    /**
     * Blocks on {@code n}, already linked by the caller under its queue lock.
     *
     * @param deadline absolute, in {@link #clock()} nanos, or {@link Blocker#NO_DEADLINE}
     * @return {@link WaitNode#SIGNALLED}, {@link WaitNode#TIMED_OUT} or {@link WaitNode#KILLED}
     */
    public int await(WaitNode n, long deadline) {
        return blocker.await(waiter, n, deadline);
    }

    /** The throwable to throw after a wait ended {@link WaitNode#KILLED}. */
    public Error killed() {
        if (task == null) {
            throw new IllegalStateException("a host thread's wait cannot be killed");
        }
        return task.unwindingThrowable();
    }
}
