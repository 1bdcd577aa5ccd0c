package org.tasklife.internal.group;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
import org.tasklife.DomainAccessException;
import org.tasklife.DomainInfo;
import org.tasklife.DomainLimitExceededException;
import org.tasklife.DomainState;
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
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.reap.Reaper;
import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.internal.sched.TimeSlicer;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.Timeout;
import org.tasklife.internal.time.TimerService;
import org.tasklife.internal.trace.Trace;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.Dispatch;
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
    private final ConcurrentHashMap<Long, DomainControlBlock> domains = new ConcurrentHashMap<>();
    private final ReentrantLock topologyLock = new ReentrantLock();
    private final AtomicLong liveTasks = new AtomicLong();
    private final AtomicLong openResources = new AtomicLong();
    private final ReentrantLock quiescenceLock = new ReentrantLock();
    private final Condition quiescent = quiescenceLock.newCondition();
    private final TaskRunner runner;
    private final CpuScheduler scheduler; // null in the default mode
    private final TimeSlicer slicer;      // default mode only (SPEC K4); null in scheduler mode
    private final GroupControlBlock rootGroup;
    private volatile boolean closed;

    /**
     * Boots a kernel: starts its timer and reaper threads and creates the root domain's root group.
     *
     * @param killGraceNanos how long a killed task may take to unwind before it is reported stuck
     * @param stuckListener told about each stuck-task report, on the reaper thread
     */
    public KernelCore(String name, Clock clock, long killGraceNanos, Consumer<StuckTaskReport> stuckListener) {
        this(name, clock, killGraceNanos, stuckListener, null);
    }

    /**
     * Boots a kernel in scheduler mode when {@code scheduler} is given (issue 7). A deterministic
     * scheduler drives the timers itself on a virtual clock ({@code clock} must be it): no timer thread.
     */
    public KernelCore(String name, Clock clock, long killGraceNanos, Consumer<StuckTaskReport> stuckListener,
            CpuScheduler scheduler) {
        this(name, clock, killGraceNanos, stuckListener, scheduler, TimeSlicer.DEFAULT_SLICE_NANOS);
    }

    /**
     * Boots a kernel; in default mode (no {@code scheduler}) a task gives up its carrier at its first safe
     * point after running for {@code sliceNanos} on {@code clock} (SPEC K4).
     */
    public KernelCore(String name, Clock clock, long killGraceNanos, Consumer<StuckTaskReport> stuckListener,
            CpuScheduler scheduler, long sliceNanos) {
        this.name = name;
        this.clock = clock;
        this.scheduler = scheduler;
        this.slicer = scheduler == null ? TimeSlicer.start(name + "-tick", clock, sliceNanos) : null;
        this.timers = new TimerService(clock, name + "-timer");
        if (scheduler != null && scheduler.isDeterministic()) {
            scheduler.driveTimers(timers);
        } else {
            this.timers.start();
        }
        this.runner = new TaskRunner(this, scheduler);
        this.blocker = new Blocker(clock, timers, scheduler == null ? Dispatch.FREE : scheduler);
        this.reaper = new Reaper(clock, timers, killGraceNanos, this::describe,
                r -> { Trace.taskStuck(name, r); stuckListener.accept(r); }, name + "-reaper");
        if (scheduler != null) {
            scheduler.startWatchdog(50, (taskId, what) -> reportBlockedOutside(taskId, what, stuckListener));
        }
        long id = ids.incrementAndGet();
        DomainControlBlock root = new DomainControlBlock(id, "root", null, Long.MAX_VALUE, Long.MAX_VALUE, false, false,
                null);
        this.rootGroup = new GroupControlBlock(id, this, root);
        groups.put(id, rootGroup);
        domains.put(id, root);
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

    /** The scheduler of scheduler mode, or {@code null}. */
    public CpuScheduler scheduler() {
        return scheduler;
    }

    /**
     * A safe point of the calling thread, task or host: see {@link #safePoint(TaskControlBlock)}. In default
     * mode it costs a {@code ThreadLocal} lookup more; the primitives' fast paths therefore call it only while
     * a scheduler is open (WaitContext.safePoint), and spawn and kill, which cost microseconds, always.
     */
    public void safePoint() {
        if (scheduler != null) {
            scheduler.safePoint();
            return;
        }
        TaskControlBlock t = TaskControlBlock.current();
        if (t != null) {
            safePoint(t);
        }
    }

    /**
     * A safe point of {@code t}, the calling task: in scheduler mode it may be preempted here; in default mode
     * it gives up its carrier once it has run a whole time slice (SPEC K4), so that CPU-bound tasks share the
     * carriers. Until the slice is over it costs a few loads and a compare, no clock read.
     *
     * @return whether {@code t} may have been off its CPU or carrier: the caller then checks its kill again
     */
    public boolean safePoint(TaskControlBlock t) {
        TimeSlicer s = slicer;
        if (s == null) {
            scheduler.safePoint();
            return true;
        }
        if (!t.sliceOver(s)) {
            return false;
        }
        TimeSlicer.giveUpCarrier();
        t.newSlice();
        return true;
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
            boolean subreaper, boolean failTaskOnly, int priority, int[] affinity, Callable<?> main) {
        checkOpen();
        refuseKilledCaller();
        DomainControlBlock d = parent.domain();
        checkRunning(d, "group '" + groupName + "'");
        reserveGroupSlot(d, "group '" + groupName + "'");
        try {
            reserveTaskSlot(d, "group '" + groupName + "'");
        } catch (DomainLimitExceededException e) {
            d.releaseGroup();
            throw e;
        }
        long id = ids.incrementAndGet();
        GroupControlBlock g = new GroupControlBlock(id, groupName, this, parent, autoReap, subreaper, failTaskOnly);
        TaskControlBlock t = new TaskControlBlock(id, groupName, g, platform, clock, openResources);
        Thread thread;
        try {
            thread = runner.newThread(t, g, main, true, priority, affinity);
        } catch (IllegalArgumentException badAffinity) {
            d.releaseGroup();
            releaseTaskSlot(d);
            throw badAffinity;
        }
        String refusal;
        topologyLock.lock();
        try {
            refusal = closed ? "kernel '" + name + "' is closed: it spawns nothing"
                    : d.state() != DomainState.RUNNING ? domainRefusal(d, "group '" + groupName + "'")
                    : !parent.isDomainRoot() && parent.state() != GroupState.ALIVE
                            ? "cannot spawn group '" + groupName + "' from group " + parent.id() + ": that group is "
                                    + parent.state() + " and accepts no new children"
                            : null;
            if (refusal == null) {
                parent.childrenLocked().put(id, g);
                g.addMember(t);
                groups.put(id, g);
                tasks.put(id, t);
                liveTasks.incrementAndGet();
            }
        } finally {
            topologyLock.unlock();
        }
        if (refusal != null) {
            runner.forget(thread);
            d.releaseGroup();
            releaseTaskSlot(d); // may end a stop that this reservation kept open (D2)
            throw new SpawnRefusedException(refusal);
        }
        d.noteTaskStarted();
        start(thread, t, g);
        safePoint();
        return g;
    }

    /**
     * Adds a task running {@code body} to group {@code g} (SPEC P2).
     *
     * @throws SpawnRefusedException if the kernel is closed, the group is exiting, or no thread starts
     */
    public TaskControlBlock spawnTask(GroupControlBlock g, String taskName, boolean platform, boolean detached,
            int priority, int[] affinity, Callable<?> body) {
        checkOpen();
        refuseKilledCaller();
        DomainControlBlock d = g.domain();
        checkRunning(d, "task '" + taskName + "'");
        reserveTaskSlot(d, "task '" + taskName + "'");
        long id = ids.incrementAndGet();
        TaskControlBlock t = new TaskControlBlock(id, taskName, g, platform, clock, openResources);
        if (detached) {
            t.markDetached();
        }
        Thread thread;
        try {
            thread = runner.newThread(t, g, body, false, priority, affinity);
        } catch (IllegalArgumentException badAffinity) {
            releaseTaskSlot(d);
            throw badAffinity;
        }
        // a stopping domain's groups are all EXITING (D1), so this also refuses spawns into a stopping domain
        if (!g.addMember(t)) {
            runner.forget(thread);
            releaseTaskSlot(d);
            throw new SpawnRefusedException("cannot spawn task '" + taskName + "' into group " + g.id() + ": the group is "
                    + g.state() + " and accepts no new tasks");
        }
        d.noteTaskStarted();
        tasks.put(id, t);
        liveTasks.incrementAndGet();
        start(thread, t, g);
        safePoint();
        return t;
    }

    /** Refuses early, with the domain's state in the message (the decisive checks come later, D1). */
    private static void checkRunning(DomainControlBlock d, String what) {
        if (d.state() != DomainState.RUNNING) {
            throw new SpawnRefusedException(domainRefusal(d, what));
        }
    }

    private static String domainRefusal(DomainControlBlock d, String what) {
        return "cannot spawn " + what + " in domain '" + d.name() + "': the domain is " + d.state()
                + " and accepts no new tasks";
    }

    private static void reserveTaskSlot(DomainControlBlock d, String what) {
        DomainControlBlock full = d.reserveTask();
        if (full != null) {
            throw new DomainLimitExceededException(full.name(), full.maxTasks(), "cannot spawn " + what + " in domain '"
                    + d.name() + "': domain '" + full.name() + "' is at its limit of " + full.maxTasks() + " live tasks");
        }
    }

    private static void reserveGroupSlot(DomainControlBlock d, String what) {
        DomainControlBlock full = d.reserveGroup();
        if (full != null) {
            throw new DomainLimitExceededException(full.name(), full.maxGroups(), "cannot spawn " + what + " in domain '"
                    + d.name() + "': domain '" + full.name() + "' is at its limit of " + full.maxGroups()
                    + " groups (a group counts until it is reaped)");
        }
    }

    /** Gives back a task slot; a domain whose count reached 0 may stop now (D2). No lock held. */
    private void releaseTaskSlot(DomainControlBlock d) {
        for (DomainControlBlock idle : d.releaseTask()) {
            maybeFinishStop(idle);
        }
    }

    /**
     * A killed task spawns nothing (SPEC P3: the specific refusal, not the kill throwable): a task that
     * loops on spawning, catching refusals (a fork bomb), cannot outlive its kill by spawning.
     */
    private static void refuseKilledCaller() {
        TaskControlBlock caller = TaskControlBlock.current();
        if (caller != null && caller.isKilled()) {
            throw new SpawnRefusedException("task " + caller.id() + " (" + caller.name() + ") was killed: it spawns nothing");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new SpawnRefusedException("kernel '" + name + "' is closed: it spawns nothing");
        }
    }

    private void start(Thread thread, TaskControlBlock t, GroupControlBlock g) {
        try {
            thread.start();
            runner.started(thread);
            Trace.taskSpawned(name, t, g);
        } catch (Throwable e) {
            runner.forget(thread);
            // no half-built task survives (SPEC P3): undo every trace of it
            tasks.remove(t.id());
            boolean last = g.removeUnstarted(t);
            ExitStatus groupEnd = null;
            if (last && g.id() == t.id()) {
                topologyLock.lock();
                try {
                    g.parent().childrenLocked().remove(g.id());
                    groups.remove(g.id());
                } finally {
                    topologyLock.unlock();
                }
                g.domain().releaseGroup();
            } else if (last) {
                groupEnd = finishGroup(g);
            }
            taskEnded(g, groupEnd);
            throw new SpawnRefusedException("could not start a thread for task '" + t.name() + "': " + e, e);
        }
    }

    /**
     * The last step of a task's end: gives back its domain slot (a domain may stop now), tells the domain
     * of an abnormal group end, then leaves the kernel's live count.
     *
     * @param groupEnd the group's final status if this task finished its group, else {@code null}
     */
    void taskEnded(GroupControlBlock g, ExitStatus groupEnd) {
        DomainControlBlock d = g.domain();
        List<DomainControlBlock> idle = d.releaseTask();
        if (groupEnd != null && !groupEnd.isSuccess()) {
            d.announceAbnormalExit(g.id(), groupEnd); // before Stopped, whose decision follows
        }
        for (DomainControlBlock x : idle) {
            maybeFinishStop(x);
        }
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
        Object traced = Trace.beforeKill(t); // null unless recording; reads the wait channel the kill ends
        boolean killed = t.kill();
        if (killed) {
            Trace.taskKilled(name, t, groupOf(t), traced);
            reaper.armGrace(t);
        }
        safePoint();
        return killed;
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
        }
        if (!killed.isEmpty()) {
            // one grace timer for the whole group, not one per member (mass kill: issue 5 #5)
            Timeout grace = reaper.armGrace(killed);
            if (grace != null) {
                g.setGraceTimer(grace);
            }
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
    ExitStatus finishGroup(GroupControlBlock g) {
        g.cancelGraceTimer(); // every member ended: nobody left to report stuck
        ExitStatus status = g.statusAtEnd();
        g.recordCloseFailures(g.resources().closeAll());
        g.domain().noteGroupEnded(status);
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
        return status;
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
        c.domain().releaseGroup();
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

    // ---- domains (SPEC §10) ----

    /** The root domain. */
    public DomainControlBlock rootDomain() {
        return rootGroup.domain();
    }

    /** The domain with this id, if not freed. */
    public DomainControlBlock findDomain(long id) {
        return domains.get(id);
    }

    /** The root group of a domain that is not freed, or {@code null}. */
    public GroupControlBlock rootGroupOf(DomainControlBlock d) {
        GroupControlBlock g = groups.get(d.id());
        return g != null && g.isDomainRoot() ? g : null;
    }

    /** The domains directly below {@code d}, not freed. */
    public List<DomainControlBlock> childDomains(DomainControlBlock d) {
        topologyLock.lock();
        try {
            return List.copyOf(d.childrenLocked());
        } finally {
            topologyLock.unlock();
        }
    }

    /**
     * Creates a domain below {@code parent}.
     *
     * @throws SpawnRefusedException if the kernel is closed or the parent does not run
     */
    public DomainControlBlock createDomain(DomainControlBlock parent, String domainName, long maxTasks, long maxGroups,
            boolean stopWhenEmpty, boolean autoFree, DomainControlBlock.Listener listener) {
        topologyLock.lock();
        try {
            checkOpen();
            if (parent.state() != DomainState.RUNNING) {
                throw new SpawnRefusedException("cannot create domain '" + domainName + "' in domain '" + parent.name()
                        + "': that domain is " + parent.state() + " and accepts nothing new");
            }
            long id = ids.incrementAndGet();
            DomainControlBlock d = new DomainControlBlock(id, domainName, parent, maxTasks, maxGroups, stopWhenEmpty,
                    autoFree, listener);
            parent.childrenLocked().add(d);
            groups.put(id, new GroupControlBlock(id, this, d));
            domains.put(id, d);
            return d;
        } finally {
            topologyLock.unlock();
        }
    }

    /**
     * Stops a domain (SPEC D2): records {@code status} first (first wins), refuses new spawns, stops the
     * domains below it (status Killed) and kills every task in them, the caller included; the domain
     * stops when its live count reaches 0. The caller, if killed, is only flagged: it unwinds at its next
     * tasklife call, so this returns.
     *
     * @param caller the calling task, or {@code null} from host code
     * @return whether this call recorded the status
     */
    public boolean stopDomain(DomainControlBlock d, ExitStatus status, TaskControlBlock caller) {
        List<DomainControlBlock> subtree;
        List<GroupControlBlock> victims = new ArrayList<>();
        topologyLock.lock();
        try {
            if (!d.beginStopLocked(status)) {
                return false;
            }
            Trace.domainStopBegun(name, d, status); // before any kill: the stop cannot end before it
            subtree = subtreeLocked(d);
            for (DomainControlBlock x : subtree) {
                x.beginStopLocked(ExitStatus.KILLED); // nested domains stop with their parent
            }
            Set<DomainControlBlock> inside = Collections.newSetFromMap(new IdentityHashMap<>());
            inside.addAll(subtree);
            for (GroupControlBlock g : groups.values()) {
                if (!g.isDomainRoot() && inside.contains(g.domain())) {
                    victims.add(g); // D1: every group that will ever be in the subtree is here
                }
            }
        } finally {
            topologyLock.unlock();
        }
        List<TaskControlBlock> killed = new ArrayList<>();
        for (GroupControlBlock g : victims) {
            List<TaskControlBlock> live = g.recordExit(ExitStatus.KILLED);
            if (live != null) {
                for (TaskControlBlock t : live) {
                    if (t.setKilled()) {
                        killed.add(t); // every flag first, as in endGroup
                    }
                }
            }
        }
        for (TaskControlBlock t : killed) {
            if (t != caller) {
                t.wakeForKill(); // the caller is running this: it unwinds at its next tasklife call
            }
        }
        if (!killed.isEmpty()) {
            Timeout grace = reaper.armGrace(killed);
            if (grace != null) {
                d.setGraceTimer(grace);
            }
        }
        for (int i = subtree.size() - 1; i >= 0; i--) {
            maybeFinishStop(subtree.get(i)); // deepest first; an empty domain stops here
        }
        return true;
    }

    /** {@code d} and every domain below it, parents before children. Topology lock held. */
    private List<DomainControlBlock> subtreeLocked(DomainControlBlock d) {
        List<DomainControlBlock> out = new ArrayList<>();
        out.add(d);
        for (int i = 0; i < out.size(); i++) {
            out.addAll(out.get(i).childrenLocked());
        }
        return out;
    }

    /** Stops {@code d} if its count is 0 and it should (D2); then tells everyone, with no lock held. */
    private void maybeFinishStop(DomainControlBlock d) {
        List<DomainControlBlock> stopped = new ArrayList<>(1); // in the order they stopped: children first
        topologyLock.lock();
        try {
            if (!d.isIdleAndDueLocked()) {
                return;
            }
            // a stopWhenEmpty end: the (empty) domains below stop with it, first
            List<DomainControlBlock> below = subtreeLocked(d);
            for (int i = below.size() - 1; i > 0; i--) {
                DomainControlBlock x = below.get(i);
                x.beginStopLocked(ExitStatus.KILLED);
                if (x.tryFinishStopLocked()) {
                    stopped.add(x);
                }
            }
            if (d.tryFinishStopLocked()) {
                stopped.add(d);
                // D4: a parent whose count reached 0 first, on another thread, waited for this one
                for (DomainControlBlock p = d.parent(); p != null && p.tryFinishStopLocked(); p = p.parent()) {
                    stopped.add(p);
                }
            }
        } finally {
            topologyLock.unlock();
        }
        for (DomainControlBlock x : stopped) {
            Trace.domainStopped(x); // before the announcement: whoever sees the stop sees the event
            x.announceStopped();
            if (x.isAutoFree()) {
                free(x, false); // quietly: a parent's free may have taken it already
            }
        }
    }

    /**
     * Frees a stopped domain (SPEC D3): reaps its groups and those of the domains below, and takes them
     * out of the tree. Task records are released by the reaper thread, off every lock.
     *
     * @param caller the calling task, or {@code null} for host code
     * @throws NotPermittedException if the caller is not in the parent domain
     * @throws InvalidTaskOperationException if the domain has not stopped, or was freed already
     */
    public void freeDomain(DomainControlBlock d, TaskControlBlock caller) {
        if (caller != null && groupOf(caller).domain() != d.parent() && d.parent() != null) {
            throw new NotPermittedException("domain '" + d.name() + "' can be freed only by its parent domain '"
                    + d.parent().name() + "' or by host code, not by a task of domain '" + groupOf(caller).domain().name()
                    + "'");
        }
        free(d, true);
    }

    private void free(DomainControlBlock d, boolean strict) {
        if (d.parent() == null) {
            throw new NotPermittedException("the root domain cannot be freed: it ends with Kernel.close()");
        }
        List<TaskControlBlock> records = new ArrayList<>();
        topologyLock.lock();
        try {
            if (d.state() != DomainState.STOPPED) {
                if (!strict) {
                    return;
                }
                throw new InvalidTaskOperationException("domain '" + d.name() + "' is " + d.state()
                        + (d.state() == DomainState.FREED ? " already" : ": only a STOPPED domain can be freed"));
            }
            List<DomainControlBlock> subtree = subtreeLocked(d);
            Set<DomainControlBlock> inside = Collections.newSetFromMap(new IdentityHashMap<>());
            inside.addAll(subtree);
            for (GroupControlBlock g : new ArrayList<>(groups.values())) {
                if (!inside.contains(g.domain())) {
                    continue;
                }
                groups.remove(g.id());
                g.childrenLocked().clear(); // all in the subtree too: reaped here
                if (!g.isDomainRoot()) {
                    if (g.state() == GroupState.ZOMBIE) {
                        g.becomeReapedLocked();
                    }
                    g.domain().releaseGroup();
                }
                records.addAll(g.records());
            }
            for (DomainControlBlock x : subtree) {
                x.markFreedLocked();
                domains.remove(x.id());
            }
            d.parent().childrenLocked().remove(d);
        } finally {
            topologyLock.unlock();
        }
        reaper.execute(() -> records.forEach(this::dispose)); // deferred disposal, off every lock
    }

    /**
     * Waits until {@code d} has stopped or the deadline passed; a kill of the calling task ends it.
     *
     * @return whether the domain stopped
     */
    public boolean awaitDomainStopped(DomainControlBlock d, long deadline, Waiter waiter, TaskControlBlock callerTask) {
        if (callerTask != null) {
            callerTask.checkpoint();
        }
        WaitQueue q = d.stopWaiters();
        for (;;) {
            WaitNode node;
            q.lock();
            try {
                if (isStopped(d)) {
                    return true;
                }
                node = new WaitNode(q, WaitChannel.of("awaitStopped(domain " + d.name() + ")"));
                q.enqueueLocked(node);
            } finally {
                q.unlock();
            }
            int outcome = blocker.await(waiter, node, deadline);
            if (outcome == WaitNode.KILLED) {
                throw callerTask.unwindingThrowable();
            }
            if (outcome == WaitNode.TIMED_OUT) {
                return isStopped(d);
            }
        }
    }

    private static boolean isStopped(DomainControlBlock d) {
        return d.state() == DomainState.STOPPED || d.state() == DomainState.FREED;
    }

    /** The domain of the calling task if it runs in this kernel, else {@code null} (host code). */
    public DomainControlBlock callerDomain() {
        GroupControlBlock g = currentGroup();
        return g == null ? null : g.domain();
    }

    /**
     * D5: a task sees its own domain and the domains below it; host code sees everything.
     *
     * @throws DomainAccessException if the calling task may not see {@code target}
     */
    public void checkVisible(DomainControlBlock target, String what) {
        DomainControlBlock from = callerDomain();
        if (from != null && !from.contains(target)) {
            throw new DomainAccessException("a task of domain '" + from.name() + "' cannot " + what
                    + ": it is outside its domain (a task sees only its own domain and the domains below it)");
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

    /**
     * A snapshot of live tasks, unreaped groups and unfreed domains of {@code scope} and the domains below
     * it.
     */
    public KernelSnapshot snapshot(DomainControlBlock scope) {
        long now = clock.nanoTime();
        List<TaskInfo> taskRows = new ArrayList<>();
        List<GroupInfo> groupRows = new ArrayList<>();
        List<DomainInfo> domainRows = new ArrayList<>();
        for (DomainControlBlock d : domains.values()) {
            if (scope.contains(d)) {
                DomainControlBlock p = d.parent();
                domainRows.add(new DomainInfo(d.id(), p == null ? 0 : p.id(), d.name(), d.state(),
                        Optional.ofNullable(d.status()), d.liveTasks(), d.groups(), d.maxTasks(), d.maxGroups()));
            }
        }
        for (GroupControlBlock g : groups.values()) {
            if (!scope.contains(g.domain())) {
                continue;
            }
            GroupControlBlock p = g.parent();
            long parentId = p == null ? 0 : p.id();
            long domainId = g.domain().id();
            String domain = g.domain().name();
            groupRows.add(new GroupInfo(g.id(), parentId, domainId, domain, g.name(), g.state(), g.liveCount(),
                    Optional.ofNullable(g.finalStatus()), g.times()));
            for (TaskControlBlock t : g.records()) {
                if (t.isTerminated() || t.isDisposed()) {
                    continue;
                }
                Object ch = t.waitChannel();
                CpuScheduler.Placed placed = scheduler == null ? null : scheduler.placement(t.id());
                if (placed == null) {
                    taskRows.add(new TaskInfo(t.id(), g.id(), parentId, domainId, domain, t.name(), t.taskState(),
                            ch == null ? "" : ch.toString(), t.isKilled(), t.cpuTimeNanos(), now - t.createdNanos(),
                            t.resources().size()));
                } else { // scheduler mode: exact CPU time is the time it held a CPU (SPEC T2)
                    taskRows.add(new TaskInfo(t.id(), g.id(), parentId, domainId, domain, t.name(), t.taskState(),
                            ch == null ? "" : ch.toString(), t.isKilled(), placed.cpuNanos(), now - t.createdNanos(),
                            t.resources().size(), placed.cpu(), placed.priority(), placed.runQueuePosition()));
                }
            }
        }
        taskRows.sort(Comparator.comparingLong(TaskInfo::id));
        groupRows.sort(Comparator.comparingLong(GroupInfo::id));
        domainRows.sort(Comparator.comparingLong(DomainInfo::id));
        return new KernelSnapshot(taskRows, groupRows, domainRows);
    }

    private void reportBlockedOutside(long taskId, String what, Consumer<StuckTaskReport> listener) {
        TaskControlBlock t = tasks.get(taskId);
        if (t == null) {
            return;
        }
        StuckTaskReport full = describe(t);
        StuckTaskReport r = new StuckTaskReport(full.taskId(), full.groupId(), full.name(), full.state(), what,
                full.stack());
        Trace.taskStuck(name, r);
        try {
            listener.accept(r);
        } catch (Throwable ignored) {
            // a listener's failure must not stop the watchdog
        }
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
        stopDomain(rootDomain(), ExitStatus.KILLED, null); // every domain and group, one grace timer
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
        if (scheduler != null) {
            scheduler.close();
        } else {
            slicer.close();
        }
        return stuck;
    }
}
