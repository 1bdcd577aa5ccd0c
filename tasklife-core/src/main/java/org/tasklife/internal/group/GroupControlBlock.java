package org.tasklife.internal.group;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.tasklife.CpuTimes;
import org.tasklife.ExitStatus;
import org.tasklife.GroupState;
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.domain.Topology;
import org.tasklife.internal.task.ResourceList;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.TaskOwner;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitQueue;

/**
 * The group control block: a task group's members, live count, exit status, place in the tree,
 * child-exit wait queue and owned resources. A domain root is a group with no tasks.
 */
public final class GroupControlBlock implements TaskOwner {
    /*
     * Implementation notes
     *
     * States (group lock for ALIVE/EXITING, kernel topology lock for ZOMBIE/REAPED):
     *   ALIVE   -> EXITING   // exitGroup, kill or a failure recorded a status first (first wins, contract E3)
     *   ALIVE   -> EXITING   // the last member ended with no recorded status (G4); it ends Exited(0) (contract E4)
     *   EXITING -> ZOMBIE    // last member ended: the recorded status
     *   ZOMBIE  -> REAPED    // a child wait of the parent, or auto-reap, or the domain root for orphans
     *
     * Invariants:
     *  G1 (DESIGN I7) group fate is the live counter: the member whose exit brings it to 0 finishes the
     *     group; nobody scans or waits for blocked members.
     *  G2 a member is added only while ALIVE, under the group lock (contract P3): a spawn racing exitGroup
     *     either is refused or is seen, and killed, by exitGroup's member snapshot.
     *  G3 parent, children, adoptedByRoot and reapedChildrenCpu change only under the kernel topology lock
     *     (every ...Locked method asserts it); a child is in exactly one parent's children map until REAPED.
     *  G4 a group whose live count reached 0 is EXITING at once, under the same lock: a spawnTask racing
     *     the last member's exit is refused instead of joining a group that is about to become a zombie.
     *  G5 the live count rises only under the group lock (addMember) and reaches 0 only under it
     *     (lastMemberGone); a member whose exit leaves others live lowers it with a CAS from c > 1 to c - 1,
     *     without the lock, so that a crowd ending at once does not queue on it. Every change is atomic, so a
     *     locked drop and a lock-free one never lose each other, and exactly one exit sees the drop to 0.
     *  G6 the child-exit queue and the close-failure list are made by their first user, with a CAS (the loser
     *     uses the winner's): a group nobody waits on for a child, and whose closes never fail, makes neither. A
     *     waker that finds no queue yet makes an empty one and signals nobody; a waiter made or found the same
     *     one before it checked its condition under the topology lock, as before.
     *
     * Lock order (Topology): topology lock -> group lock -> wait queue locks. No user code under any of them.
     */

    private static final VarHandle LIVE_COUNT;
    private static final VarHandle CHILD_EXITS;
    private static final VarHandle CLOSE_FAILURES;
    private static final VarHandle ENDED_MEMBERS_CPU;
    private static final VarHandle LAST_SELF_READING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LIVE_COUNT = l.findVarHandle(GroupControlBlock.class, "liveCount", int.class);
            CHILD_EXITS = l.findVarHandle(GroupControlBlock.class, "childExits", WaitQueue.class);
            CLOSE_FAILURES = l.findVarHandle(GroupControlBlock.class, "closeFailures", ConcurrentLinkedQueue.class);
            ENDED_MEMBERS_CPU = l.findVarHandle(GroupControlBlock.class, "endedMembersCpu", long.class);
            LAST_SELF_READING = l.findVarHandle(GroupControlBlock.class, "lastSelfReading", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;                      // immutable
    private final String name;                  // immutable
    private final KernelCore core;              // immutable
    private final Topology topology;            // immutable: the kernel's (its lock guards the ...Locked methods)
    private final GroupControlBlock root;       // immutable: the domain root (itself for a root)
    private final DomainControlBlock domain;    // immutable: the domain it belongs to
    private final boolean autoReap;             // immutable
    private volatile boolean subreaper;         // written under the topology lock (setSubreaperLocked); read by queries
    private final boolean failTaskOnly;         // immutable
    private final long createdNanos;            // immutable
    private final ResourceList resources;
    // Made on first use (G6): a group that never has a child waited for, or a close that fails, never pays for them.
    private volatile WaitQueue childExits;      // CHILD_EXITS
    private final CompletableFuture<ExitStatus> onExit = new CompletableFuture<>();
    private volatile ConcurrentLinkedQueue<Throwable> closeFailures; // CLOSE_FAILURES
    private volatile long endedMembersCpu;      // ENDED_MEMBERS_CPU: CPU of the members that ended
    private volatile long lastSelfReading;      // LAST_SELF_READING: times() never reports less than before

    final ReentrantLock lock = new ReentrantLock();
    private final MemberList records = new MemberList(); // guarded by lock: not disposed, in joining order
    private volatile int liveCount;             // G5: rises and reaches 0 under lock; LIVE_COUNT for every change
    private ExitStatus pendingStatus;           // guarded by lock: recorded by exitGroup/kill/failure
    private volatile GroupState state = GroupState.ALIVE; // see table; volatile for readers
    private volatile ExitStatus finalStatus;    // set before ZOMBIE
    private volatile boolean terminationRequested; // set once, under lock (Termination TR1)
    private List<Termination.Handler> terminationHandlers; // guarded by lock; null until one is registered, and
                                                // from the termination request on (Termination TR1)

    // guarded by the topology lock (G3)
    private volatile GroupControlBlock parent;
    private final TreeMap<Long, GroupControlBlock> children = new TreeMap<>();
    private boolean adoptedByRoot;
    private long reapedChildrenCpu;

    /** A group under {@code parent}, in the parent's domain. */
    GroupControlBlock(long id, String name, KernelCore core, GroupControlBlock parent, boolean autoReap,
            boolean subreaper, boolean failTaskOnly) {
        this(id, name, core, parent, parent.domain, autoReap, subreaper, failTaskOnly);
    }

    /** The root group of {@code domain}. */
    GroupControlBlock(long id, KernelCore core, DomainControlBlock domain) {
        this(id, domain.name(), core, null, domain, false, false, false);
    }

    private GroupControlBlock(long id, String name, KernelCore core, GroupControlBlock parent, DomainControlBlock domain,
            boolean autoReap, boolean subreaper, boolean failTaskOnly) {
        this.id = id;
        this.name = name;
        this.core = core;
        this.topology = core.topology();
        this.parent = parent;
        this.domain = domain;
        this.root = parent == null ? this : parent.root;
        this.autoReap = autoReap;
        this.subreaper = subreaper;
        this.failTaskOnly = failTaskOnly;
        this.createdNanos = core.clock().nanoTime();
        this.resources = new ResourceList(core.tables().openResources());
    }

    /** The start of {@code t} on its thread (the record's run()). */
    @Override
    public boolean enterTask(TaskControlBlock t) {
        return core.lifecycle().runner().enterTask(t);
    }

    /** The exit sequence of {@code t} on its thread (the record's run(); the main task's id is the group's). */
    @Override
    public void exitTask(TaskControlBlock t, Object result, Throwable failure) {
        core.lifecycle().runner().exitTask(t, this, t.id() == id, result, failure);
    }

    @Override
    public long ownerId() {
        return id;
    }

    /** Its domain: the token of the domain's authority (see Authority). */
    @Override
    public Object authorityToken() {
        return domain;
    }

    /** The blocker of the group's kernel. */
    @Override
    public Blocker blocker() {
        return core.blocker();
    }

    @Override
    public void safePoint(TaskControlBlock self) {
        core.safePoint(self);
    }

    /** A handed-out task of this group was killed before its thread started: the reaper retires it. */
    @Override
    public void handedOutKilledBeforeStart(TaskControlBlock t) {
        core.lifecycle().retireLater(t, this);
    }

    /** The group id (TGID; equal to its main task's id). */
    public long id() {
        return id;
    }

    /** The group's name. */
    public String name() {
        return name;
    }

    /** The kernel it belongs to. */
    public KernelCore core() {
        return core;
    }

    /** Whether this group is a domain root (it has no tasks). */
    public boolean isDomainRoot() {
        return root == this;
    }

    /** The root of this group's domain. */
    public GroupControlBlock domainRoot() {
        return root;
    }

    /** The domain this group belongs to. */
    public DomainControlBlock domain() {
        return domain;
    }

    /** The current parent, or {@code null} for a domain root and for a reaped group. */
    public GroupControlBlock parent() {
        return parent;
    }

    /** The group's state. */
    public GroupState state() {
        return state;
    }

    /** Whether the failure policy is FAIL_TASK. */
    boolean failTaskOnly() {
        return failTaskOnly;
    }

    /** The final status, or {@code null} before ZOMBIE. */
    public ExitStatus finalStatus() {
        return finalStatus;
    }

    /** Completes with the status when the group becomes a zombie (contract R3). */
    public CompletableFuture<ExitStatus> onExit() {
        return onExit;
    }

    /** Group-owned resources. */
    public ResourceList resources() {
        return resources;
    }

    /** Recorded close failures of group-owned resources. */
    public List<Throwable> closeFailures() {
        ConcurrentLinkedQueue<Throwable> q = closeFailures;
        return q == null ? List.of() : List.copyOf(q);
    }

    /** The queue of tasks waiting for a child of this group to end (G6: made by its first user, waiter or waker). */
    WaitQueue childExits() {
        WaitQueue q = childExits;
        if (q == null) {
            q = new WaitQueue();
            if (!CHILD_EXITS.compareAndSet(this, null, q)) {
                q = childExits;
            }
        }
        return q;
    }

    /** Clock nanos at creation. */
    public long createdNanos() {
        return createdNanos;
    }

    /** Number of tasks not yet ended. */
    public int liveCount() {
        return liveCount;
    }

    /** Task records of this group not yet disposed (live or ended-but-joinable). */
    public List<TaskControlBlock> records() {
        lock.lock();
        try {
            return records.toList();
        } finally {
            lock.unlock();
        }
    }

    // ---- membership (group lock) ----

    /**
     * Adds a new member if the group is ALIVE (G2).
     *
     * @return false if the group is exiting or ended
     */
    boolean addMember(TaskControlBlock t) {
        lock.lock();
        try {
            if (state != GroupState.ALIVE) {
                return false;
            }
            records.add(t);
            LIVE_COUNT.getAndAdd(this, 1); // G5: atomic against lock-free drops
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Undoes {@link #addMember} for a task whose thread could not start. @return whether it was the last */
    boolean removeUnstarted(TaskControlBlock t) {
        lock.lock();
        try {
            records.remove(t);
            return lastMemberGone();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records {@code status} as the group's exit status unless one is already recorded, and returns the
     * members to end (contract E3: the first status wins).
     *
     * @return the live members to kill, or {@code null} if a status was already recorded or the group ended
     */
    List<TaskControlBlock> recordExit(ExitStatus status) {
        lock.lock();
        try {
            if (state != GroupState.ALIVE) {
                return null;
            }
            pendingStatus = status;
            state = GroupState.EXITING;
            List<TaskControlBlock> live = new ArrayList<>(records.size());
            for (TaskControlBlock t = records.first(); t != null; t = t.memberNext()) {
                if (t.isLive()) {
                    live.add(t);
                }
            }
            return live;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A member finished its exit sequence (G1).
     *
     * @return whether it was the last live member: the caller must then finish the group
     */
    boolean memberEnded(TaskControlBlock t, boolean dispose) {
        long cpu = t.cpuTimeNanos();
        if (cpu != 0) {
            ENDED_MEMBERS_CPU.getAndAdd(this, cpu); // a task that measured nothing leaves the shared counter alone
        }
        if (!dispose) {
            for (int c = liveCount; c > 1; c = liveCount) {
                if (LIVE_COUNT.compareAndSet(this, c, c - 1)) {
                    return false; // G5: others are live; not the last
                }
            }
        }
        lock.lock();
        try {
            if (dispose) {
                records.remove(t);
            }
            return lastMemberGone();
        } finally {
            lock.unlock();
        }
    }

    /** Drops the live count; at 0 the group takes no new member (G4). Group lock held. */
    private boolean lastMemberGone() {
        if ((int) LIVE_COUNT.getAndAdd(this, -1) != 1) {
            return false;
        }
        if (state == GroupState.ALIVE) {
            state = GroupState.EXITING;
        }
        return true;
    }

    /** Forgets a disposed record. */
    void forget(TaskControlBlock t) {
        lock.lock();
        try {
            records.remove(t);
        } finally {
            lock.unlock();
        }
    }

    /** The status to end with: the recorded one, else Exited(0) (contract E4). */
    ExitStatus statusAtEnd() {
        lock.lock();
        try {
            return pendingStatus != null ? pendingStatus : ExitStatus.exited(0);
        } finally {
            lock.unlock();
        }
    }

    void recordCloseFailures(List<Throwable> failures) {
        if (failures.isEmpty()) {
            return;
        }
        ConcurrentLinkedQueue<Throwable> q = closeFailures;
        if (q == null) {
            q = new ConcurrentLinkedQueue<>();
            if (!CLOSE_FAILURES.compareAndSet(this, null, q)) {
                q = closeFailures;
            }
        }
        q.addAll(failures);
    }

    // ---- graceful termination (Termination, contract K12) ----

    /** Whether the group's termination was requested (by a terminate, or by a graceful stop of its domain). */
    boolean isTerminationRequested() {
        return terminationRequested;
    }

    /** Marks the termination requested and takes the handlers to start (TR1). Group lock held. */
    List<Termination.Handler> requestTerminationLocked() {
        assert lock.isHeldByCurrentThread();
        terminationRequested = true;
        List<Termination.Handler> h = terminationHandlers;
        terminationHandlers = null;
        return h == null ? List.of() : h;
    }

    /** Registers a handler to start on the termination request. Group lock held, request not made. */
    void addTerminationHandlerLocked(Termination.Handler h) {
        assert lock.isHeldByCurrentThread() && !terminationRequested;
        if (terminationHandlers == null) {
            terminationHandlers = new ArrayList<>(2);
        }
        terminationHandlers.add(h);
    }

    /** The handlers not yet started, or {@code null}. Group lock held. */
    List<Termination.Handler> terminationHandlersLocked() {
        assert lock.isHeldByCurrentThread();
        return terminationHandlers;
    }

    // ---- topology (the topology lock, G3) ----

    TreeMap<Long, GroupControlBlock> childrenLocked() {
        assert topology.isHeld();
        return children;
    }

    void setParentLocked(GroupControlBlock p) {
        assert topology.isHeld();
        parent = p;
    }

    boolean isAdoptedByRootLocked() {
        assert topology.isHeld();
        return adoptedByRoot;
    }

    void setAdoptedByRootLocked() {
        assert topology.isHeld();
        adoptedByRoot = true;
    }

    boolean isAutoReap() {
        return autoReap;
    }

    /** Whether the group is marked child-subreaper now (contract R4). */
    public boolean isSubreaper() {
        return subreaper;
    }

    /** Sets or clears the child-subreaper mark; orphans made after this see the new value (contract R4). */
    void setSubreaperLocked(boolean on) {
        assert topology.isHeld();
        subreaper = on;
    }

    void becomeZombieLocked(ExitStatus status) {
        assert topology.isHeld();
        finalStatus = status;
        state = GroupState.ZOMBIE;
    }

    void becomeReapedLocked() {
        assert topology.isHeld() && state == GroupState.ZOMBIE;
        state = GroupState.REAPED;
    }

    /** A reaped group has no parent any more (contract R4); called last in reaping, after the parent's books. */
    void dropParentLocked() {
        assert topology.isHeld() && state == GroupState.REAPED;
        parent = null;
    }

    void addReapedChildCpuLocked(long nanos) {
        assert topology.isHeld();
        reapedChildrenCpu += nanos;
    }

    // ---- CPU time (contract T2) ----

    /** CPU times now; successive readings never decrease. */
    public CpuTimes times() {
        // a zombie's (or reaped group's) members all ended, and each added its CPU time in memberEnded before the
        // last one made the group a zombie (volatile write, read first here): no live member to look at, no copy
        GroupState s = state;
        long self = endedMembersCpu;
        if (s != GroupState.ZOMBIE && s != GroupState.REAPED) {
            for (TaskControlBlock t : records()) {
                if (t.isLive()) {
                    self += t.cpuTimeNanos();
                }
            }
        }
        // a member between "ended" and "counted" can make one reading dip: never report less than before
        for (long last = lastSelfReading; self > last; last = lastSelfReading) {
            if (LAST_SELF_READING.compareAndSet(this, last, self)) {
                break;
            }
        }
        self = Math.max(self, lastSelfReading);
        long childrenNanos;
        topology.lock();
        try {
            childrenNanos = reapedChildrenCpu;
        } finally {
            topology.unlock();
        }
        return new CpuTimes(self, childrenNanos);
    }

    @Override
    public String toString() {
        return "Group[" + id + " " + name + " " + state + "]";
    }
}
