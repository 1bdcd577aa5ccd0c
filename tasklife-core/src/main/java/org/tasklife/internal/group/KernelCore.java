package org.tasklife.internal.group;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.tasklife.ChildExit;
import org.tasklife.ChildSelector;
import org.tasklife.CpuTimes;
import org.tasklife.DeadlockException;
import org.tasklife.ExitStatus;
import org.tasklife.GroupInfo;
import org.tasklife.GroupState;
import org.tasklife.InvalidTaskOperationException;
import org.tasklife.KernelSnapshot;
import org.tasklife.NoChildException;
import org.tasklife.NoSuchTaskException;
import org.tasklife.NotPermittedException;
import org.tasklife.SpawnRefusedException;
import org.tasklife.StuckTaskReport;
import org.tasklife.TaskFailedException;
import org.tasklife.TaskInfo;
import org.tasklife.TaskKilledException;
import org.tasklife.internal.reap.Reaper;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.TimerService;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitChannel;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;
import org.tasklife.internal.wait.Waiter;

/**
 * One kernel instance: the task and group tables, the group tree, the timer service and the reaper,
 * and every lifecycle operation on them (spawn, exit, kill, join, detach, child wait, reap).
 */
public final class KernelCore {
    /*
     * Implementation notes
     *
     * Overview: tasks run on their own (virtual or platform) threads through TaskRunner, which runs the
     * exit sequence (SPEC E6) on the task's own thread (DESIGN I6). Groups end by counter (G1 in
     * GroupControlBlock). The group tree (parents, children, zombies, reaping) is guarded by one
     * kernel-wide topology lock, held only for map updates; membership by each group's own lock.
     *
     * Tables and ids (DESIGN I8): ids come from one counter shared by tasks and groups (a group's id is
     * its main task's id, like a TGID) and are never reused. A task record leaves the table when it has
     * ended and was joined, detached, or its group was reaped; a group record when it was reaped. A
     * handle to a removed record answers NoSuchTaskException for operations that need the record.
     *
     * Kill (DESIGN "Kill, step by step"): TaskControlBlock.kill() sets the flag and ends the current
     * wait in O(1); this class adds the reaper's grace timer (SPEC K8). Group kill and exitGroup record
     * the status first under the group lock, then kill the member snapshot taken under that same lock.
     *
     * Wake-ups (SPEC K10): queues are signalled after every kernel lock is released; onExit futures,
     * whose callbacks are user code, complete with no lock held.
     *
     * Known limits: the topology lock serialises spawnGroup, group exit and reaping across the kernel;
     * the benchmark issue decides whether that must be split.
     */

    private final String name;
    private final Clock clock;
    private final TimerService timers;
    private final Blocker blocker;
    private final Reaper reaper;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, TaskControlBlock> tasks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, GroupControlBlock> groups = new ConcurrentHashMap<>();
    private final ReentrantLock topologyLock = new ReentrantLock();
    private final AtomicLong liveTasks = new AtomicLong();
    private final AtomicLong openResources = new AtomicLong();
    private final ReentrantLock quiescenceLock = new ReentrantLock();
    private final Condition quiescent = quiescenceLock.newCondition();
    private final TaskRunner runner = new TaskRunner(this);
    private final GroupControlBlock rootGroup;
    private volatile boolean closed;

    /**
     * Boots a kernel: starts its timer and reaper threads and creates the root domain's root group.
     *
     * @param killGraceNanos how long a killed task may take to unwind before it is reported stuck
     * @param stuckListener told about each stuck-task report, on the reaper thread
     */
    public KernelCore(String name, Clock clock, long killGraceNanos, Consumer<StuckTaskReport> stuckListener) {
        this.name = name;
        this.clock = clock;
        this.timers = new TimerService(clock, name + "-timer");
        this.timers.start();
        this.blocker = new Blocker(clock, timers);
        this.reaper = new Reaper(clock, timers, killGraceNanos, this::describe, stuckListener, name + "-reaper");
        this.rootGroup = newDomainRoot("root");
    }

    private GroupControlBlock newDomainRoot(String domainName) {
        long id = ids.incrementAndGet();
        GroupControlBlock g = new GroupControlBlock(id, domainName, this, null, false, false, false);
        groups.put(id, g);
        return g;
    }

    // ---- accessors ----

    /** The kernel's name (thread name prefix). */
    public String name() {
        return name;
    }

    /** The kernel's clock. */
    public Clock clock() {
        return clock;
    }

    /** The timer service (audits: pending timers). */
    public TimerService timers() {
        return timers;
    }

    /** The one blocking mechanism of this kernel. */
    public Blocker blocker() {
        return blocker;
    }

    /** The root domain's root group. */
    public GroupControlBlock rootGroup() {
        return rootGroup;
    }

    /** Kernel-wide count of owned resources still open. */
    public AtomicLong openResources() {
        return openResources;
    }

    /** Number of tasks not yet terminated. */
    public long liveTaskCount() {
        return liveTasks.get();
    }

    /** Whether close has begun. */
    public boolean isClosed() {
        return closed;
    }

    /** Stuck-task reports made by the reaper so far. */
    public List<StuckTaskReport> stuckReports() {
        return reaper.reports();
    }

    void topologyLock() {
        topologyLock.lock();
    }

    void topologyUnlock() {
        topologyLock.unlock();
    }

    boolean topologyLockHeld() {
        return topologyLock.isHeldByCurrentThread();
    }

    /** The task record with this id, if not disposed. */
    public TaskControlBlock findTask(long id) {
        return tasks.get(id);
    }

    /** The group record with this id, if not reaped. */
    public GroupControlBlock findGroup(long id) {
        return groups.get(id);
    }

    /**
     * The group of the task running on this thread if it belongs to this kernel, else {@code null}.
     */
    public GroupControlBlock currentGroup() {
        TaskControlBlock t = TaskControlBlock.current();
        if (t == null || !(t.owner() instanceof GroupControlBlock g) || g.core() != this) {
            return null;
        }
        return g;
    }

    /** The group a task belongs to. */
    public static GroupControlBlock groupOf(TaskControlBlock t) {
        return (GroupControlBlock) t.owner();
    }

    // ---- spawn (SPEC P1-P5) ----

    /**
     * Creates a group under {@code parent} whose main task runs {@code main} (an Integer-returning body).
     *
     * @throws SpawnRefusedException if the kernel is closed, the parent is exiting, or no thread starts
     */
    public GroupControlBlock spawnGroup(GroupControlBlock parent, String groupName, boolean platform, boolean autoReap,
            boolean subreaper, boolean failTaskOnly, Callable<?> main) {
        checkOpen();
        long id = ids.incrementAndGet();
        GroupControlBlock g = new GroupControlBlock(id, groupName, this, parent, autoReap, subreaper, failTaskOnly);
        TaskControlBlock t = new TaskControlBlock(id, groupName, g, platform, clock, openResources);
        Thread thread = runner.newThread(t, g, main, true);
        topologyLock.lock();
        try {
            checkOpen();
            if (!parent.isDomainRoot() && parent.state() != GroupState.ALIVE) {
                throw new SpawnRefusedException("cannot spawn group '" + groupName + "' from group " + parent.id()
                        + ": that group is " + parent.state() + " and accepts no new children");
            }
            parent.childrenLocked().put(id, g);
            g.addMember(t);
            groups.put(id, g);
            tasks.put(id, t);
            liveTasks.incrementAndGet();
        } finally {
            topologyLock.unlock();
        }
        start(thread, t, g);
        return g;
    }

    /**
     * Adds a task running {@code body} to group {@code g} (SPEC P2).
     *
     * @throws SpawnRefusedException if the kernel is closed, the group is exiting, or no thread starts
     */
    public TaskControlBlock spawnTask(GroupControlBlock g, String taskName, boolean platform, boolean detached,
            Callable<?> body) {
        checkOpen();
        long id = ids.incrementAndGet();
        TaskControlBlock t = new TaskControlBlock(id, taskName, g, platform, clock, openResources);
        if (detached) {
            t.markDetached();
        }
        Thread thread = runner.newThread(t, g, body, false);
        if (!g.addMember(t)) {
            throw new SpawnRefusedException("cannot spawn task '" + taskName + "' into group " + g.id() + ": the group is "
                    + g.state() + " and accepts no new tasks");
        }
        tasks.put(id, t);
        liveTasks.incrementAndGet();
        start(thread, t, g);
        return t;
    }

    private void checkOpen() {
        if (closed) {
            throw new SpawnRefusedException("kernel '" + name + "' is closed: it spawns nothing");
        }
    }

    private void start(Thread thread, TaskControlBlock t, GroupControlBlock g) {
        try {
            thread.start();
        } catch (Throwable e) {
            // no half-built task survives (SPEC P3): undo every trace of it
            tasks.remove(t.id());
            taskEnded();
            boolean last = g.removeUnstarted(t);
            if (last && g.id() == t.id()) {
                topologyLock.lock();
                try {
                    g.parent().childrenLocked().remove(g.id());
                    groups.remove(g.id());
                } finally {
                    topologyLock.unlock();
                }
            } else if (last) {
                finishGroup(g);
            }
            throw new SpawnRefusedException("could not start a thread for task '" + t.name() + "': " + e, e);
        }
    }

    void taskEnded() {
        if (liveTasks.decrementAndGet() == 0) {
            quiescenceLock.lock();
            try {
                quiescent.signalAll();
            } finally {
                quiescenceLock.unlock();
            }
        }
    }

    // ---- kill and exit (SPEC K1-K8, E3) ----

    /** Kills one task (SPEC K1). @return whether this call killed it */
    public boolean killTask(TaskControlBlock t) {
        if (t.kill()) {
            reaper.armGrace(t);
            return true;
        }
        return false;
    }

    /**
     * Records {@code status} as the group's status (first wins) and kills every live member but
     * {@code except}.
     *
     * @return whether this call recorded the status
     */
    public boolean endGroup(GroupControlBlock g, ExitStatus status, TaskControlBlock except) {
        List<TaskControlBlock> live = g.recordExit(status);
        if (live == null) {
            return false;
        }
        List<TaskControlBlock> killed = new ArrayList<>(live.size());
        for (TaskControlBlock t : live) {
            if (t != except && t.setKilled()) {
                killed.add(t); // every flag first: a member woken by another's death is already killed
            }
        }
        for (TaskControlBlock t : killed) {
            t.wakeForKill();
            reaper.armGrace(t);
        }
        return true;
    }

    /** Kills a group (SPEC K7). @return whether this call caused it */
    public boolean killGroup(GroupControlBlock g) {
        return endGroup(g, ExitStatus.KILLED, null);
    }

    /**
     * The last member of {@code g} ended: close group resources, become a zombie, reparent children,
     * notify the parent (SPEC E6, R1, R4). Runs on that member's thread with no lock held.
     */
    void finishGroup(GroupControlBlock g) {
        ExitStatus status = g.statusAtEnd();
        g.recordCloseFailures(g.resources().closeAll());
        List<WaitQueue> toSignal = new ArrayList<>(2);
        topologyLock.lock();
        try {
            g.becomeZombieLocked(status);
            reparentChildrenLocked(g, toSignal);
            GroupControlBlock parent = g.parent();
            if (g.isAutoReap() || g.isAdoptedByRootLocked()) {
                reapLocked(g);
            }
            // also when reaped here: waiters that matched it re-check and get ECHILD if nothing is left (SPEC W2, W5)
            toSignal.add(parent.childExits());
        } finally {
            topologyLock.unlock();
        }
        toSignal.forEach(WaitQueue::signalAll);
        g.onExit().complete(status);
    }

    private void reparentChildrenLocked(GroupControlBlock g, List<WaitQueue> toSignal) {
        var children = g.childrenLocked();
        if (children.isEmpty()) {
            return;
        }
        GroupControlBlock heir = g.domainRoot();
        for (GroupControlBlock p = g.parent(); p != null && !p.isDomainRoot(); p = p.parent()) {
            if (p.isSubreaper() && p.state() != GroupState.ZOMBIE && p.state() != GroupState.REAPED) {
                heir = p;
                break;
            }
        }
        boolean zombieMoved = false;
        for (GroupControlBlock c : new ArrayList<>(children.values())) {
            c.setParentLocked(heir);
            heir.childrenLocked().put(c.id(), c);
            if (heir.isDomainRoot()) {
                c.setAdoptedByRootLocked(); // the root reaps orphans itself (SPEC R4)
                if (c.state() == GroupState.ZOMBIE) {
                    reapLocked(c);
                }
            } else if (c.state() == GroupState.ZOMBIE) {
                zombieMoved = true;
            }
        }
        children.clear();
        if (zombieMoved) {
            toSignal.add(heir.childExits());
        }
    }

    private void reapLocked(GroupControlBlock c) {
        assert topologyLockHeld();
        CpuTimes times = c.times();
        c.becomeReapedLocked();
        GroupControlBlock p = c.parent();
        p.childrenLocked().remove(c.id());
        p.addReapedChildCpuLocked(times.totalNanos());
        groups.remove(c.id());
        for (TaskControlBlock t : c.records()) {
            dispose(t);
        }
    }

    private void dispose(TaskControlBlock t) {
        if (t.markDisposed()) {
            tasks.remove(t.id());
            groupOf(t).forget(t);
        }
    }

    // ---- join and detach (SPEC J1-J4) ----

    /**
     * Waits for {@code target} to end and returns its result.
     *
     * @param caller the calling task, or {@code null} from outside tasks
     */
    public Object join(TaskControlBlock caller, TaskControlBlock target) {
        if (caller == null) {
            throw new NotPermittedException("join(task " + target.id() + ") must be called from a task of group "
                    + groupOf(target).id() + "; outside tasks use onExit()");
        }
        if (caller == target) {
            throw new DeadlockException("task " + caller.id() + " cannot join itself: it would wait forever");
        }
        if (caller.owner() != target.owner()) {
            throw new NotPermittedException("task " + caller.id() + " of group " + caller.owner().ownerId()
                    + " cannot join task " + target.id() + " of group " + target.owner().ownerId()
                    + ": only tasks of the same group join each other; use onExit() or waitChild()");
        }
        if (target.isDisposed()) {
            throw new NoSuchTaskException("task " + target.id() + " no longer exists: it was already joined or its"
                    + " record was released");
        }
        if (target.isDetached()) {
            throw new InvalidTaskOperationException("task " + target.id() + " is detached and cannot be joined");
        }
        caller.checkpoint();
        WaitQueue q = target.joiners();
        for (;;) {
            WaitNode node;
            q.lock();
            try {
                if (target.isTerminated()) {
                    break;
                }
                node = new WaitNode(q, WaitChannel.of("join(task " + target.id() + ")"));
                q.enqueueLocked(node);
            } finally {
                q.unlock();
            }
            if (blocker.await(caller, node, Blocker.NO_DEADLINE) == WaitNode.KILLED) {
                throw caller.unwindingThrowable(); // SPEC J3: the target is untouched
            }
        }
        if (target.markJoined()) {
            dispose(target);
        }
        return resultOf(target);
    }

    /** The result of an ended task, or the exception its status calls for (SPEC J1, E5). */
    public static Object resultOf(TaskControlBlock target) {
        ExitStatus s = target.status();
        return switch (s) {
            case ExitStatus.Exited e -> target.result();
            case ExitStatus.Killed k -> throw new TaskKilledException("task " + target.id() + " (" + target.name()
                    + ") was killed");
            case ExitStatus.Failed f -> throw new TaskFailedException("task " + target.id() + " (" + target.name()
                    + ") failed: " + f.cause(), f.cause());
        };
    }

    /** Detaches {@code target} (SPEC J2); releases its record if it already ended. */
    public void detach(TaskControlBlock target) {
        if (target.isDisposed()) {
            throw new NoSuchTaskException("task " + target.id() + " no longer exists: it was already joined or its"
                    + " record was released");
        }
        if (!target.markDetached()) {
            throw new InvalidTaskOperationException("task " + target.id() + " is already detached");
        }
        if (target.isTerminated()) {
            dispose(target);
        }
    }

    /** Called by the runner once a detached task terminated. */
    void disposeIfDetached(TaskControlBlock t) {
        if (t.isDetached()) {
            dispose(t);
        }
    }

    // ---- child wait and reap (SPEC W1-W6, R1-R2) ----

    /**
     * Waits for a child group of {@code parent} matching {@code selector} to end.
     *
     * @param waiter the calling task, or the host waiter
     * @param callerTask the calling task, or {@code null} for host code
     * @return the ended child, or empty with {@code noHang} when matching children live
     * @throws NoChildException if no child matches (SPEC W2)
     */
    public Optional<ChildExit> waitChild(GroupControlBlock parent, ChildSelector selector, boolean noHang,
            boolean noReap, Waiter waiter, TaskControlBlock callerTask) {
        if (callerTask != null) {
            callerTask.checkpoint();
        }
        for (;;) {
            WaitNode node;
            topologyLock.lock();
            try {
                boolean matched = false;
                GroupControlBlock ended = null;
                for (GroupControlBlock c : candidatesLocked(parent, selector)) {
                    matched = true;
                    if (c.state() == GroupState.ZOMBIE) {
                        ended = c; // ascending ids: the lowest ended child first (SPEC W4)
                        break;
                    }
                }
                if (!matched) {
                    throw new NoChildException("group " + parent.id() + " has no " + selector
                            + (selector.groupId() == -1 ? "" : " (not a child of this group, or already reaped)"));
                }
                if (ended != null) {
                    ChildExit exit = new ChildExit(ended.id(), ended.finalStatus(), ended.times());
                    if (!noReap) {
                        reapLocked(ended);
                    }
                    return Optional.of(exit);
                }
                if (noHang) {
                    return Optional.empty();
                }
                WaitQueue q = parent.childExits();
                node = new WaitNode(q, WaitChannel.of("waitChild(" + selector + ")"));
                q.lock();
                try {
                    q.enqueueLocked(node);
                } finally {
                    q.unlock();
                }
            } finally {
                topologyLock.unlock();
            }
            if (blocker.await(waiter, node, Blocker.NO_DEADLINE) == WaitNode.KILLED) {
                throw callerTask.unwindingThrowable();
            }
        }
    }

    private List<GroupControlBlock> candidatesLocked(GroupControlBlock parent, ChildSelector selector) {
        var children = parent.childrenLocked();
        if (selector.groupId() == -1) {
            return new ArrayList<>(children.values());
        }
        GroupControlBlock c = children.get(selector.groupId());
        return c == null ? List.of() : List.of(c);
    }

    // ---- sleep (SPEC T1) ----

    /** Sleeps the calling task for {@code nanos}; a kill ends it at once (SPEC K2). */
    public void sleep(TaskControlBlock caller, long nanos) {
        caller.checkpoint();
        if (nanos <= 0) {
            return;
        }
        long deadline = Clock.deadlineAfter(clock.nanoTime(), nanos);
        WaitNode node = new WaitNode(null, WaitChannel.lazy(
                () -> "sleep(" + Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoTime())) + " ms left)"));
        if (blocker.await(caller, node, deadline) == WaitNode.KILLED) {
            throw caller.unwindingThrowable();
        }
    }

    // ---- introspection (SPEC §11) ----

    /** A snapshot of live tasks and unreaped groups. */
    public KernelSnapshot snapshot() {
        long now = clock.nanoTime();
        List<TaskInfo> taskRows = new ArrayList<>();
        List<GroupInfo> groupRows = new ArrayList<>();
        for (GroupControlBlock g : groups.values()) {
            GroupControlBlock p = g.parent();
            long parentId = p == null ? 0 : p.id();
            String domain = g.domainRoot().name();
            groupRows.add(new GroupInfo(g.id(), parentId, domain, g.name(), g.state(), g.liveCount(),
                    Optional.ofNullable(g.finalStatus()), g.times()));
            for (TaskControlBlock t : g.records()) {
                if (t.isTerminated()) {
                    continue;
                }
                Object ch = t.waitChannel();
                taskRows.add(new TaskInfo(t.id(), g.id(), parentId, domain, t.name(), t.taskState(),
                        ch == null ? "" : ch.toString(), t.isKilled(), t.cpuTimeNanos(), now - t.createdNanos(),
                        t.resources().size()));
            }
        }
        taskRows.sort(Comparator.comparingLong(TaskInfo::id));
        groupRows.sort(Comparator.comparingLong(GroupInfo::id));
        return new KernelSnapshot(taskRows, groupRows);
    }

    StuckTaskReport describe(TaskControlBlock t) {
        Thread th = t.thread();
        Object ch = t.waitChannel();
        StackTraceElement[] stack = th == null ? new StackTraceElement[0] : th.getStackTrace();
        return new StuckTaskReport(t.id(), t.owner().ownerId(), t.name(), t.taskState(), ch == null ? "" : ch.toString(),
                Arrays.asList(stack));
    }

    // ---- shutdown ----

    /**
     * Refuses new spawns, kills every group, waits up to {@code timeoutNanos} for every task to end,
     * then stops the timer and reaper threads.
     *
     * @return the tasks still live when the wait ended
     */
    public List<StuckTaskReport> close(long timeoutNanos) {
        closed = true;
        for (GroupControlBlock g : groups.values()) {
            if (!g.isDomainRoot()) {
                killGroup(g);
            }
        }
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
        List<StuckTaskReport> stuck = new ArrayList<>();
        for (TaskControlBlock t : tasks.values()) {
            if (!t.isTerminated()) {
                stuck.add(describe(t));
                reaper.forceClose(t); // SPEC K8, O2: on the reaper, never on the caller's (killer's) thread
            }
        }
        for (GroupControlBlock g : groups.values()) {
            if (!g.isDomainRoot() && (g.state() == GroupState.ALIVE || g.state() == GroupState.EXITING)) {
                reaper.forceClose(g.resources(), g::recordCloseFailures); // its stuck member keeps it from ending
            }
        }
        stuck.sort(Comparator.comparingLong(StuckTaskReport::taskId));
        reaper.close();
        timers.close();
        return stuck;
    }
}
