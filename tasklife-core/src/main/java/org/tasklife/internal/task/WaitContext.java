package org.tasklife.internal.task;

import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;
import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.TimerService;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.HostWaiter;
import org.tasklife.internal.wait.WaitChannel;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;
import org.tasklife.internal.wait.Waiter;

/**
 * Who is about to block and through which blocker: the calling task and its kernel's blocker, or, for
 * host threads (never killed), a host blocker. The task layer's narrow interface to the wait layer: the
 * {@code org.tasklife.sync} primitives and the kernel's own waits (join, child wait, domain stop, sleep,
 * close) block through it, and through nothing else.
 *
 * <pre>{@code
 * WaitContext w = WaitContext.current();
 * w.checkpoint();                               // a killed task throws before it enqueues
 * q.lock(); try { if (free) {take; return;} q.enqueueLocked(n = new WaitNode(q, channel)); } finally { q.unlock(); }
 * int outcome = w.await(n, deadline);           // SIGNALLED | TIMED_OUT | KILLED
 * if (outcome == WaitNode.KILLED) { giveBackWhatWasHanded(); throw w.killed(); }
 * }</pre>
 *
 * A kernel wait, whose condition is a plain check, is one call: {@link #awaitUntil}.
 */
public abstract sealed class WaitContext permits TaskControlBlock, WaitContext.Host {
    /*
     * Implementation notes
     *
     * A task is its own context (TaskControlBlock extends this class, adding no field): a blocking call of a task
     * allocates no context object, and a parked task holds none. A host thread's context is a Host: one shared
     * instance for the primitives, one per call for a kernel's own waits.
     *
     * Host threads: a primitive used outside any task still needs a timer for timed waits. One shared
     * daemon timer thread serves every host wait in the JVM; it starts on first use. A kernel's own waits
     * (of) use that kernel's blocker for host callers instead, so that its clock measures their deadlines.
     *
     * Callers of other kernels: a task is always its own waiter through its own kernel's blocker, whichever
     * kernel the awaited object belongs to, so that a kill of it ends the wait, its deadline is on its
     * kernel's clock, and in scheduler mode it gives up its own CPU.
     *
     * awaitUntil is the one loop of every kernel wait: check under the guard lock, link a node, park, and
     * check again after a signal (a signal means "look again", never "done": W5's losers re-check and find
     * nothing). Its wait channel is built once per call and rendered only when a snapshot asks.
     */

    /** The context of host threads: never killed, waiting through a host blocker. */
    static final class Host extends WaitContext {
        /** The context of host callers of the primitives: the shared host blocker (its timer starts on first use). */
        static final class Shared {
            static final Host INSTANCE = new Host(create());

            private static Blocker create() {
                TimerService timers = new TimerService(Clock.system(), "tasklife-host-timer");
                timers.start();
                return new Blocker(Clock.system(), timers);
            }
        }

        private final Blocker blocker; // immutable

        Host(Blocker blocker) {
            this.blocker = blocker;
        }

        @Override
        public TaskControlBlock task() {
            return null;
        }

        @Override
        Waiter waiter() {
            return HostWaiter.INSTANCE;
        }

        @Override
        Blocker blocker() {
            return blocker;
        }

        @Override
        public void checkpoint() {
            // a host thread is never killed
        }
    }

    WaitContext() {} // TaskControlBlock and Host only

    /** The calling task, or {@code null} on a host thread. */
    public abstract TaskControlBlock task();

    /** Who waits: the task itself, or the host waiter. */
    abstract Waiter waiter();

    /** The blocker this context parks through: its task's kernel's, or a host blocker. */
    abstract Blocker blocker();

    /** Safe point: throws the kill throwable if the calling task was killed (contract K5); nothing on a host thread. */
    public abstract void checkpoint();

    /**
     * A safe point at a primitive's entry or exit: in scheduler mode the calling task may be switched out
     * here (deterministic mode: on a seeded coin), so that a seed fixes the interleaving at every tasklife
     * call, not only at blocking ones. Costs one volatile read when no scheduler is open.
     */
    public static void safePoint() {
        if (CpuScheduler.anyOpen()) {
            TaskControlBlock t = TaskControlBlock.current();
            if (t != null) {
                t.owner().safePoint(t);
            }
        }
    }

    /** The context of the calling thread: its task, or a host thread waiting through the shared host blocker. */
    public static WaitContext current() {
        TaskControlBlock t = TaskControlBlock.current();
        return t != null ? t : Host.Shared.INSTANCE;
    }

    /**
     * The context of a kernel wait of {@code callerTask} (a task of any kernel), or of host code when it is
     * {@code null}, which then waits through {@code hostBlocker} (the kernel's own).
     */
    public static WaitContext of(TaskControlBlock callerTask, Blocker hostBlocker) {
        return callerTask != null ? callerTask : new Host(hostBlocker);
    }

    /** An id for error messages and owner fields: the task id, or -1 for host threads. */
    public long callerId() {
        TaskControlBlock t = task();
        return t == null ? -1 : t.id();
    }

    /** The clock deadlines are measured in. */
    public Clock clock() {
        return blocker().clock();
    }

    /** The absolute deadline {@code nanos} from now on {@link #clock()} (saturating). */
    public long deadlineAfter(long nanos) {
        return Clock.deadlineAfter(blocker().clock().nanoTime(), nanos);
    }

    /** Whether absolute {@code deadline} (on {@link #clock()}) has passed: the difference decides (STYLE G13). */
    public boolean hasPassed(long deadline) {
        return deadline - blocker().clock().nanoTime() <= 0;
    }

    /** {@code d} in nanoseconds, saturated at the ends of {@code long} (a huge timeout never overflows). */
    public static long nanosOf(java.time.Duration d) {
        return Clock.saturatedNanos(d);
    }

    /**
     * Blocks on {@code n} without a deadline in a way no kill ends (a condition waiter re-acquiring its
     * mutex after it was killed, contract §9), parking through the kernel's dispatch like every other wait, so
     * that in scheduler mode the caller gives up its CPU meanwhile.
     */
    public int awaitUnkillable(WaitNode n) {
        return new Blocker(Clock.system(), null, blocker().dispatch()).await(HostWaiter.INSTANCE, n, Blocker.NO_DEADLINE);
    }

    /**
     * Blocks on {@code n}, already linked by the caller under its queue lock.
     *
     * @param deadline absolute, in {@link #clock()} nanos, or {@link Blocker#NO_DEADLINE}
     * @return {@link WaitNode#SIGNALLED}, {@link WaitNode#TIMED_OUT} or {@link WaitNode#KILLED}
     */
    public int await(WaitNode n, long deadline) {
        return blocker().await(waiter(), n, deadline);
    }

    /** The throwable to throw after a wait ended {@link WaitNode#KILLED}. */
    public Error killed() {
        TaskControlBlock t = task();
        if (t == null) {
            throw new IllegalStateException("a host thread's wait cannot be killed");
        }
        return t.unwindingThrowable();
    }

    /**
     * Waits until {@code poll} answers: the one loop of the kernel's waits. Under {@code guard} (or, if it is
     * {@code null}, under the queue's own lock) asks {@code poll}; a non-null answer ends the wait with it.
     * Otherwise links a node on {@code queue} (taking the queue's lock inside the guard) and parks until it is
     * signalled (then asks again), times out, or is killed. With no queue (sleep) the node only times out or
     * is killed. The caller runs its kill checkpoint first where the wait needs one.
     *
     * @param channel what the wait is for, rendered only when a snapshot asks (built once per call)
     * @param deadline absolute, in {@link #clock()} nanos, or {@link Blocker#NO_DEADLINE}
     * @return {@code poll}'s answer, or {@code null} if the deadline passed first
     * @throws Error the kill throwable if the calling task is killed while it waits ({@link #killed()});
     *     whatever {@code poll} throws, with nothing linked
     */
    public <R> R awaitUntil(WaitQueue queue, Lock guard, Supplier<R> poll, WaitChannel channel, long deadline) {
        for (;;) {
            WaitNode node;
            lockFor(queue, guard);
            try {
                R answer = poll.get();
                if (answer != null) {
                    return answer;
                }
                node = new WaitNode(queue, channel);
                if (queue != null) {
                    if (guard != null) {
                        queue.lock(); // lock order: the guard (topology lock) before the queue's
                    }
                    try {
                        queue.enqueueLocked(node);
                    } finally {
                        if (guard != null) {
                            queue.unlock();
                        }
                    }
                }
            } finally {
                unlockFor(queue, guard);
            }
            int outcome = await(node, deadline);
            if (outcome == WaitNode.KILLED) {
                throw killed();
            }
            if (outcome == WaitNode.TIMED_OUT) {
                return null;
            }
        }
    }

    private static void lockFor(WaitQueue queue, Lock guard) {
        if (guard != null) {
            guard.lock();
        } else if (queue != null) {
            queue.lock();
        }
    }

    private static void unlockFor(WaitQueue queue, Lock guard) {
        if (guard != null) {
            guard.unlock();
        } else if (queue != null) {
            queue.unlock();
        }
    }
}
