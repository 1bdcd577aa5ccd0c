package org.tasklife.internal.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.tasklife.ChildExit;
import org.tasklife.ChildSelector;
import org.tasklife.CpuTimes;
import org.tasklife.DomainAccessException;
import org.tasklife.ExitStatus;
import org.tasklife.GroupState;
import org.tasklife.NoChildException;
import org.tasklife.TaskFailedException;
import org.tasklife.TaskKilledException;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.domain.Authority;
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.domain.Topology;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.WaitContext;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.NodeChannel;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitChannel;

/**
 * The kernel's own waits on tasks and groups: join and detach (contract J1–J4), child waits (W1–W6) and sleep
 * (T1). Each is one call of {@link WaitContext#awaitUntil} (sleep: its one pass, inlined); the domain stop wait
 * (Domains.awaitStopped) and close's wait are too.
 */
public final class KernelWaits {
    /*
     * Implementation notes
     *
     * A kernel wait: check the arguments and the caller's right to wait (specific exceptions, nothing
     * changed), run the caller's kill checkpoint, then WaitContext.awaitUntil with the condition as a poll
     * (under the queue's lock, or under the topology lock for child waits, whose condition is the tree) and a
     * lazily rendered wait channel. To add one: give the awaited object a WaitQueue, signal it (signalAll,
     * after every kernel lock is released, contract K10) wherever the condition may have become true, and write
     * the method here the same way.
     *
     * Callers of other kernels: a task of another kernel counts as host code for what it may see and do
     * (currentGroup() is null), but a wait it enters here (child wait, reap) is its own (WaitContext.of).
     */

    private final Topology topology;
    private final Tables tables;
    private final GroupLifecycle lifecycle;
    private final Authority authority;
    private final Blocker blocker;
    private final Clock clock;

    KernelWaits(Topology topology, Tables tables, GroupLifecycle lifecycle, Authority authority, Blocker blocker,
            Clock clock) {
        this.topology = topology;
        this.tables = tables;
        this.lifecycle = lifecycle;
        this.authority = authority;
        this.blocker = blocker;
        this.clock = clock;
    }

    // ---- join and detach (contract J1-J4) ----

    /**
     * Waits for {@code target} to end and returns its result.
     *
     * @param caller the calling task, or {@code null} from outside tasks
     */
    public Object join(TaskControlBlock caller, TaskControlBlock target) {
        checkJoinable(caller, target);
        caller.checkpoint();
        if (!target.isTerminated()) { // ended already: nothing to wait for, no wait objects, no joiners queue
            WaitContext.of(caller, blocker).awaitUntil(target.joiners(), null,
                    () -> target.isTerminated() ? Boolean.TRUE : null,
                    WaitChannel.lazy(() -> "join(task " + target.id() + ")"), Blocker.NO_DEADLINE);
        }
        // a kill ended the wait with its throwable: the target is untouched (contract J3)
        if (target.markJoined()) {
            tables.dispose(target);
        }
        return resultOf(target);
    }

    /**
     * Waits at most {@code timeoutNanos} for {@code target} to end, as {@code Thread.join(Duration)} does: it
     * neither takes the result nor releases the record (join() does), so the target stays joinable either way.
     * A zero or negative timeout does not wait.
     *
     * @param caller the calling task, or {@code null} from outside tasks (refused, as for join)
     * @return whether the target has ended
     */
    public boolean awaitEnd(TaskControlBlock caller, TaskControlBlock target, long timeoutNanos) {
        checkJoinable(caller, target);
        caller.checkpoint();
        WaitContext w = WaitContext.of(caller, blocker);
        return w.awaitUntil(target.joiners(), null, () -> target.isTerminated() ? Boolean.TRUE : null,
                WaitChannel.lazy(() -> "join(task " + target.id() + ", timed)"), w.deadlineAfter(timeoutNanos)) != null;
    }

    /** The checks of a join, timed or not (contract J2, J4): specific exceptions, nothing changed. */
    private static void checkJoinable(TaskControlBlock caller, TaskControlBlock target) {
        if (caller == null) {
            throw new TaskLifeException(Reason.NOT_PERMITTED,
                    "join(task " + target.id() + ") must be called from a task of group "
                    + KernelCore.groupOf(target).id() + "; outside tasks use onExit()");
        }
        if (caller == target) {
            throw new TaskLifeException(Reason.DEADLOCK,
                    "task " + caller.id() + " cannot join itself: it would wait forever");
        }
        if (caller.owner() != target.owner()) {
            throw new TaskLifeException(Reason.NOT_PERMITTED,
                    "task " + caller.id() + " of group " + caller.owner().ownerId()
                    + " cannot join task " + target.id() + " of group " + target.owner().ownerId()
                    + ": only tasks of the same group join each other; use onExit() or waitChild()");
        }
        if (target.isDisposed()) {
            throw noSuchTask(target);
        }
        if (target.isDetached()) {
            throw new TaskLifeException(Reason.INVALID_OPERATION,
                    "task " + target.id() + " is detached and cannot be joined");
        }
    }

    /** The result of an ended task, or the exception its status calls for (contract J1, E5). */
    private static Object resultOf(TaskControlBlock target) {
        ExitStatus s = target.status();
        return switch (s) {
            case ExitStatus.Exited e -> target.result();
            case ExitStatus.Killed k -> throw new TaskKilledException("task " + target.id() + " (" + target.name()
                    + ") was killed");
            case ExitStatus.Failed f -> throw new TaskFailedException("task " + target.id() + " (" + target.name()
                    + ") failed: " + f.cause(), f.cause());
        };
    }

    /**
     * Detaches {@code target} (contract J2) for an API caller; releases its record if it already ended.
     *
     * @throws DomainAccessException if the caller may not act on the task's domain
     */
    public void detach(TaskControlBlock target) {
        authority.checkVisible(KernelCore.groupOf(target).domain(), "detach task " + target.id());
        if (target.isDisposed()) {
            throw noSuchTask(target);
        }
        if (!target.markDetached()) {
            throw new TaskLifeException(Reason.INVALID_OPERATION, "task " + target.id() + " is already detached");
        }
        if (target.isTerminated()) {
            tables.dispose(target);
        }
    }

    private static TaskLifeException noSuchTask(TaskControlBlock target) {
        return new TaskLifeException(Reason.NO_SUCH_TASK,
                "task " + target.id() + " no longer exists: it was already joined or its"
                + " record was released");
    }

    // ---- child wait (contract W1-W6) ----

    /**
     * The root group of {@code d}, whose children (the domain's top-level groups) host code waits for.
     *
     * @throws DomainAccessException if the caller may not see {@code d}
     * @throws NoChildException if {@code d} was freed
     */
    public GroupControlBlock domainRootToWaitIn(DomainControlBlock d) {
        authority.checkVisible(d, "wait for a group of domain '" + d.name() + "'");
        GroupControlBlock root = tables.rootGroupOf(d);
        if (root == null) {
            throw new NoChildException("domain '" + d.name() + "' was freed: it has no groups");
        }
        return root;
    }

    /**
     * Waits for a child group of {@code parent} matching {@code selector} to end, and reaps it unless
     * {@code noReap}.
     *
     * @param callerTask the calling task (of any kernel: its kill ends the wait), or {@code null} for host code
     * @return the ended child, or empty with {@code noHang} when matching children live
     * @throws NoChildException if no child matches (contract W2)
     */
    public Optional<ChildExit> waitChild(GroupControlBlock parent, ChildSelector selector, boolean noHang,
            boolean noReap, TaskControlBlock callerTask) {
        if (callerTask != null) {
            callerTask.checkpoint();
        }
        return WaitContext.of(callerTask, blocker).awaitUntil(parent.childExits(), topology.asLock(),
                () -> pollChildLocked(parent, selector, noHang, noReap),
                WaitChannel.lazy(() -> "waitChild(" + selector + ")"), Blocker.NO_DEADLINE);
    }

    /**
     * Waits at most {@code timeoutNanos} for a child group of {@code parent} matching {@code selector} to end, and
     * reaps it. A zero or negative timeout does not wait (an ended child is still reaped: contract T1).
     *
     * @param callerTask the calling task (of any kernel: its kill ends the wait), or {@code null} for host code
     * @return the ended child, or empty if none had ended when the timeout passed (nothing is changed then)
     * @throws NoChildException if no child matches (contract W2)
     */
    public Optional<ChildExit> waitChild(GroupControlBlock parent, ChildSelector selector, TaskControlBlock callerTask,
            long timeoutNanos) {
        if (callerTask != null) {
            callerTask.checkpoint();
        }
        WaitContext w = WaitContext.of(callerTask, blocker);
        Optional<ChildExit> exit = w.awaitUntil(parent.childExits(), topology.asLock(),
                () -> pollChildLocked(parent, selector, false, false),
                WaitChannel.lazy(() -> "waitChild(" + selector + ", timed)"), w.deadlineAfter(timeoutNanos));
        return exit == null ? Optional.empty() : exit;
    }

    /** One look at the children (topology lock held): an ended one, empty for NO_HANG, or null to wait. */
    private Optional<ChildExit> pollChildLocked(GroupControlBlock parent, ChildSelector selector, boolean noHang,
            boolean noReap) {
        assert topology.isHeld();
        boolean matched = false;
        GroupControlBlock ended = null;
        for (GroupControlBlock c : candidatesLocked(parent, selector)) {
            matched = true;
            if (c.state() == GroupState.ZOMBIE) {
                ended = c; // ascending ids: the lowest ended child first (contract W4)
                break;
            }
        }
        if (!matched) {
            throw new NoChildException("group " + parent.id() + " has no " + selector
                    + (selector.groupId() == -1 ? "" : " (not a child of this group, or already reaped)"));
        }
        if (ended != null) {
            CpuTimes times = ended.times(); // a zombie's final times: read once, for the answer and the reap
            ChildExit exit = new ChildExit(ended.id(), ended.finalStatus(), times);
            if (!noReap) {
                lifecycle.reapLocked(ended, times);
            }
            return Optional.of(exit);
        }
        return noHang ? Optional.empty() : null;
    }

    private List<GroupControlBlock> candidatesLocked(GroupControlBlock parent, ChildSelector selector) {
        assert topology.isHeld();
        var children = parent.childrenLocked();
        if (selector.groupId() == -1) {
            return new ArrayList<>(children.values());
        }
        GroupControlBlock c = children.get(selector.groupId());
        return c == null ? List.of() : List.of(c);
    }

    // ---- sleep (contract T1) ----

    /**
     * Every sleep's wait channel: renders the time left, from the node's own timer, only when a snapshot asks (one
     * shared object: a sleeping task holds no channel of its own).
     */
    private static final NodeChannel SLEEP =
            n -> "sleep(" + TimeUnit.NANOSECONDS.toMillis(n.nanosLeft()) + " ms left)";

    /** Sleeps the calling task for {@code nanos}; a kill ends it at once (contract K2). */
    public void sleep(TaskControlBlock caller, long nanos) {
        caller.checkpoint();
        if (nanos <= 0) {
            return;
        }
        long deadline = Clock.deadlineAfter(clock.nanoTime(), nanos);
        // The one pass of WaitContext.awaitUntil that a sleep needs (no queue, nothing to poll), inlined: a sleeping
        // task holds one node and one channel, and two frames fewer on its parked stack (memory per sleeping task).
        // Nothing signals a node without a queue, so the loop only guards the contract: a sleep ends by its
        // deadline or a kill.
        Blocker own = caller.owner().blocker();
        int outcome;
        do {
            outcome = own.await(caller, new WaitNode(null, SLEEP), deadline);
        } while (outcome == WaitNode.SIGNALLED);
        if (outcome == WaitNode.KILLED) {
            throw caller.unwindingThrowable();
        }
    }

}
