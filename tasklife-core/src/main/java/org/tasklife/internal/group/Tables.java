package org.tasklife.internal.group;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.tasklife.TaskLifeException;
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.domain.Topology;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.wait.WaitQueue;

/**
 * The task and group tables of one kernel and its live count: what a task or group id finds, and when the
 * kernel is quiescent.
 */
final class Tables {
    /*
     * Implementation notes
     *
     * Tables (DESIGN I8): a task record leaves the task table when it has ended and was joined, detached,
     * or its group was reaped (dispose); a group record leaves the group table when it was reaped, or its
     * domain freed. A handle to a removed record answers TaskLifeException(NO_SUCH_TASK) for operations that need it.
     * Both tables are concurrent maps read without a lock; the group table changes only under the topology
     * lock (with the tree it mirrors), the task table also outside it (spawnTask, dispose).
     *
     * Live count: liveTasks counts tasks from the moment they are in the table until the last step of their
     * exit sequence (GroupLifecycle.taskEnded). The quiescence condition and the close waiters are signalled
     * when it reaches 0; close() sets Topology.closed before it reads the count, and taskLeft reads closed
     * after its decrement (Dekker, both volatile), so a task of another kernel in close() is never left
     * waiting.
     */

    private final Topology topology;
    // keyed by the record itself (its hashCode is its id's) and looked up by an IdKey: no boxed Long per task
    private final ConcurrentHashMap<Object, TaskControlBlock> tasks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, GroupControlBlock> groups = new ConcurrentHashMap<>();
    private final AtomicLong liveTasks = new AtomicLong();
    private final AtomicLong openResources = new AtomicLong();
    private final ReentrantLock quiescenceLock = new ReentrantLock();
    private final Condition quiescent = quiescenceLock.newCondition();
    private final WaitQueue closeWaiters = new WaitQueue(); // tasks of other kernels in close(); signalled once closed

    Tables(Topology topology) {
        this.topology = topology;
    }

    /** The task record with this id, if not disposed. */
    TaskControlBlock task(long id) {
        return tasks.get(new IdKey(id));
    }

    /**
     * A lookup key for the task table: equal to the record with this id (the table's keys are the records, which
     * hash as their ids). Only ever the argument of a lookup, never stored.
     */
    private record IdKey(long id) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TaskControlBlock t && t.id() == id;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id);
        }
    }

    /** The group record with this id, if not reaped. */
    GroupControlBlock group(long id) {
        return groups.get(id);
    }

    /** Every task record, in no order. */
    Collection<TaskControlBlock> tasks() {
        return tasks.values();
    }

    /** Every group record, in no order. */
    Collection<GroupControlBlock> groups() {
        return groups.values();
    }

    /** The root group of a domain that is not freed, or {@code null}. */
    GroupControlBlock rootGroupOf(DomainControlBlock d) {
        GroupControlBlock g = groups.get(d.id());
        return g != null && g.isDomainRoot() ? g : null;
    }

    void putGroupLocked(GroupControlBlock g) {
        assert topology.isHeld();
        groups.put(g.id(), g);
    }

    void removeGroupLocked(GroupControlBlock g) {
        assert topology.isHeld();
        groups.remove(g.id());
    }

    /** A new task is in the table and live. */
    void putLiveTask(TaskControlBlock t) {
        tasks.put(t, t);
        liveTasks.incrementAndGet();
    }

    /** Undoes putLiveTask's table entry for a task whose thread did not start (its live count goes in taskLeft). */
    void removeTask(TaskControlBlock t) {
        tasks.remove(t);
    }

    /** Releases an ended task's record (DESIGN I8): it leaves the table and its group's records, once. */
    void dispose(TaskControlBlock t) {
        if (t.markDisposed()) {
            tasks.remove(t);
            KernelCore.groupOf(t).forget(t);
        }
    }

    /** Kernel-wide count of owned resources still open. */
    AtomicLong openResources() {
        return openResources;
    }

    /** Number of tasks not yet at the end of their exit sequence. */
    long liveTaskCount() {
        return liveTasks.get();
    }

    /** Queue of tasks of other kernels waiting in this kernel's close(). */
    WaitQueue closeWaiters() {
        return closeWaiters;
    }

    /** A task left the live count (the last step of its exit, or a spawn undone); at 0 wakes whoever waits. */
    void taskLeft() {
        if (liveTasks.decrementAndGet() == 0) {
            quiescenceLock.lock();
            try {
                quiescent.signalAll();
            } finally {
                quiescenceLock.unlock();
            }
            if (topology.isClosed()) { // read after the decrement; close() writes it before it reads the count
                closeWaiters.signalAll();
            }
        }
    }

    /** Waits for the live count to reach 0, at most {@code timeoutNanos} of real time; host code (or a task of this kernel). */
    void awaitQuiescent(long timeoutNanos) {
        // real time on purpose: close must end even under a manual clock that nobody advances
        long deadline = Clock.deadlineAfter(Clock.system().nanoTime(), timeoutNanos);
        quiescenceLock.lock();
        try {
            long left;
            while (liveTasks.get() > 0 && (left = deadline - Clock.system().nanoTime()) > 0) {
                quiescent.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            quiescenceLock.unlock();
        }
    }
}
