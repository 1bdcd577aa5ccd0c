package org.tasklife.internal.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.tasklife.DomainAccessException;
import org.tasklife.ExitStatus;
import org.tasklife.GroupState;
import org.tasklife.StuckTaskReport;
import org.tasklife.TaskKilledError;
import org.tasklife.internal.domain.Authority;
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.domain.Domains;
import org.tasklife.internal.domain.Topology;
import org.tasklife.internal.reap.Reaper;
import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.internal.sched.TimeSlicer;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.TaskExitSignal;
import org.tasklife.internal.task.WaitContext;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.TimerService;
import org.tasklife.internal.trace.Trace;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.Dispatch;
import org.tasklife.internal.wait.WaitChannel;

/**
 * One kernel instance: boots its parts and wires them together, and closes them. The API handles reach the
 * kernel's operations through the parts it hands out: {@link #lifecycle()} (spawn, kill, exit, reap),
 * {@link #waits()} (join, detach, child waits, sleep), {@link #domains()} (create, stop, free, limits),
 * {@link #introspection()} (lookups, counts, snapshots) and {@link #authority()} (who may act on what).
 */
public final class KernelCore {
    /*
     * Implementation notes
     *
     * The parts of a kernel, and who owns what:
     *   Topology (domain/)       the topology lock, ids, closed: shared by every group and domain block
     *   Tables                   task and group tables, the live count, quiescence
     *   Domains (domain/)        domain table, create/stop/finish/free, limits, the stop wait
     *   Authority (domain/)      visibility and permissions (contract D5)
     *   GroupLifecycle           spawn, kill, exit, reparent, reap; the exit timeline
     *   KernelWaits              join, detach, child waits, sleep (WaitContext.awaitUntil)
     *   Introspection            lookups, counts, snapshots, stuck reports
     *   TaskRunner               the trampoline: body, then the exit sequence on the task's thread
     *   Reaper, KillBatch (reap/), TimerService (time/), CpuScheduler (sched/), Blocker (wait/)
     * Policy lives in these parts, not in the API handles: every permission, visibility and state check is
     * made by the part that performs the operation, before it changes anything.
     *
     * Lock order: see Topology (topology lock -> group lock -> wait queue locks -> timer lock).
     *
     * Close: Topology.closed is set first (spawns and creates are refused from then on), then the root domain
     * is stopped like any other (one kill batch for every task of the kernel), then close waits for the live
     * count to reach 0 and force-closes what stuck tasks and unfinished groups own (on the reaper thread,
     * never the caller's: contract O2), then stops the reaper, the timers and the scheduler. Called by a task of
     * another kernel, the wait is that task's (WaitContext.of): its kill ends the wait, close finishes all
     * the same and then throws the kill throwable.
     */

    private final String name;
    private final Clock clock;
    private final TimerService timers;
    private final Blocker blocker;
    private final Reaper reaper;
    private final CpuScheduler scheduler; // null in the default mode
    private final TimeSlicer slicer;      // default mode only (contract K4); null in scheduler mode
    private final Topology topology;
    private final Tables tables;
    private final Authority authority;
    private final Domains domains;
    private final GroupLifecycle lifecycle;
    private final KernelWaits waits;
    private final Introspection introspection;
    private final GroupControlBlock rootGroup;
    private final SpawnHooks spawnHooks;

    /**
     * Boots a kernel: starts its timer and reaper threads and creates the root domain's root group.
     *
     * @param killGraceNanos how long a killed task may take to unwind before it is reported stuck
     * @param stuckListener told about each stuck-task report, on the reaper thread
     */
    public KernelCore(String name, Clock clock, long killGraceNanos, Consumer<StuckTaskReport> stuckListener) {
        this(name, clock, killGraceNanos, stuckListener, null, TimeSlicer.DEFAULT_SLICE_NANOS, false);
    }

    /**
     * Boots a kernel in scheduler mode when {@code scheduler} is given. A deterministic scheduler drives the
     * timers itself on a virtual clock ({@code clock} must be it): no timer thread.
     *
     * @param commonPoolIsHost whether code on common ForkJoinPool threads acts as host code (see Authority)
     */
    public KernelCore(String name, Clock clock, long killGraceNanos, Consumer<StuckTaskReport> stuckListener,
            CpuScheduler scheduler, boolean commonPoolIsHost) {
        this(name, clock, killGraceNanos, stuckListener, scheduler, TimeSlicer.DEFAULT_SLICE_NANOS, commonPoolIsHost);
    }

    /**
     * Boots a kernel; in default mode (no {@code scheduler}) a task gives up its carrier at its first safe
     * point after running for {@code sliceNanos} on {@code clock} (contract K4).
     *
     * @param commonPoolIsHost whether code on common ForkJoinPool threads acts as host code (see Authority)
     */
    public KernelCore(String name, Clock clock, long killGraceNanos, Consumer<StuckTaskReport> stuckListener,
            CpuScheduler scheduler, long sliceNanos, boolean commonPoolIsHost) {
        this(name, clock, killGraceNanos, stuckListener, scheduler, sliceNanos, commonPoolIsHost, null);
    }

    /**
     * Boots a kernel whose spawns run each body through {@code spawnDecorator} on the spawning thread (see
     * SpawnHooks).
     *
     * @param spawnDecorator wraps a body named by its second argument ("task 'x'"), or refuses the spawn by
     *     throwing; {@code null} for none
     */
    public KernelCore(String name, Clock clock, long killGraceNanos, Consumer<StuckTaskReport> stuckListener,
            CpuScheduler scheduler, long sliceNanos, boolean commonPoolIsHost,
            BiFunction<Callable<?>, String, Callable<?>> spawnDecorator) {
        this.spawnHooks = new SpawnHooks(spawnDecorator);
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
        this.blocker = new Blocker(clock, timers, scheduler == null ? Dispatch.FREE : scheduler);
        this.topology = new Topology(name);
        this.tables = new Tables(topology);
        DomainControlBlock rootDomain = new DomainControlBlock(topology.nextId(), "root", topology, null,
                Long.MAX_VALUE, Long.MAX_VALUE, false, false, null);
        this.authority = new Authority(topology, rootDomain, commonPoolIsHost);
        TaskRunner runner = new TaskRunner(this, scheduler);
        this.reaper = new Reaper(clock, timers, killGraceNanos, Introspection::describe,
                r -> { Trace.taskStuck(name, r); stuckListener.accept(r); }, name + "-reaper", name);
        // a seed must decide what a freed id finds, not the reaper thread's timing
        Executor disposer = scheduler != null && scheduler.isDeterministic() ? Runnable::run : reaper::execute;
        this.domains = new Domains(topology, authority, rootDomain, disposer);
        this.introspection = new Introspection(topology, tables, domains, authority, scheduler, clock, reaper, timers);
        reaper.setCarrierHolders(introspection::carrierHolders); // contract K8: who holds up a waiting killed task
        this.lifecycle = new GroupLifecycle(this, topology, tables, domains, authority, reaper, runner, clock);
        domains.setGroups(lifecycle);
        this.waits = new KernelWaits(topology, tables, lifecycle, authority, blocker, clock);
        if (scheduler != null) {
            scheduler.startWatchdog(50, (taskId, what) -> introspection.reportBlockedOutside(taskId, what, stuckListener));
        }
        this.rootGroup = new GroupControlBlock(rootDomain.id(), this, rootDomain);
        topology.lock();
        try {
            tables.putGroupLocked(rootGroup);
        } finally {
            topology.unlock();
        }
    }

    // ---- the parts ----

    /** Spawn, kill, exit, reparent, reap. */
    public GroupLifecycle lifecycle() {
        return lifecycle;
    }

    /** Join, detach, child waits, sleep. */
    public KernelWaits waits() {
        return waits;
    }

    /** The domain table and the stop protocol. */
    public Domains domains() {
        return domains;
    }

    /** Who may act on what (contract D5). */
    public Authority authority() {
        return authority;
    }

    /** Lookups, counts, snapshots, stuck reports. */
    public Introspection introspection() {
        return introspection;
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
     * it gives up its carrier once it has run a whole time slice (contract K4), so that CPU-bound tasks share the
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

    /**
     * A safe point of {@code t}, the calling task, that also offers the CPU to others: in scheduler mode the
     * next task of its CPU's run queue gets the CPU; in default mode the thread yields, and gives up its carrier
     * like {@link #safePoint(TaskControlBlock)} once its time slice is over.
     */
    public void yieldNow(TaskControlBlock t) {
        if (scheduler == null) {
            Thread.yield();
            safePoint(t); // and gives up its carrier once its slice is over (a yield alone may not)
        } else {
            scheduler.yieldNow(); // scheduler mode: the CPU goes to the next task of its run queue
        }
    }

    /** The one blocking mechanism of this kernel. */
    public Blocker blocker() {
        return blocker;
    }

    /** What a spawn does to a body on the spawning thread (the spawn decorator). */
    SpawnHooks spawnHooks() {
        return spawnHooks;
    }

    /** The root domain's root group. */
    public GroupControlBlock rootGroup() {
        return rootGroup;
    }

    /** The kernel's topology (lock, ids, closed). */
    Topology topology() {
        return topology;
    }

    /** Kernel-wide count of owned resources still open (the counter itself, for new records). */
    Tables tables() {
        return tables;
    }

    /** Number of tasks not yet at the end of their exit sequence, whoever asks (toString, audits). */
    public long liveTaskCount() {
        return tables.liveTaskCount();
    }

    /** Whether close has begun. */
    public boolean isClosed() {
        return topology.isClosed();
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

    // ---- shutdown ----

    /**
     * Refuses new spawns, kills every group, waits up to {@code timeoutNanos} for every task to end,
     * then stops the timer and reaper threads (see the notes).
     *
     * @param whenClosed run once close has begun, whatever happens after (the MXBean's unregistration), or null
     * @return the tasks still live when the wait ended
     * @throws DomainAccessException if the caller is not host code (then nothing happens)
     */
    public List<StuckTaskReport> close(long timeoutNanos, Runnable whenClosed) {
        authority.checkHost("close kernel '" + name + "'");
        try {
            return closeAsHost(timeoutNanos);
        } finally {
            if (whenClosed != null) {
                whenClosed.run(); // also when a killed caller's close throws: the kernel is closed
            }
        }
    }

    private List<StuckTaskReport> closeAsHost(long timeoutNanos) {
        topology.close();
        domains.stop(domains.root(), ExitStatus.KILLED, null); // every domain and group, one grace timer
        TaskControlBlock caller = TaskControlBlock.current();
        Error callerKilled = null;
        if (caller != null && caller.owner() instanceof GroupControlBlock g && g.core() != this) {
            callerKilled = awaitQuiescentAsTask(caller, timeoutNanos);
        } else {
            tables.awaitQuiescent(timeoutNanos);
        }
        List<StuckTaskReport> stuck = new ArrayList<>();
        for (TaskControlBlock t : tables.tasks()) {
            if (!t.isTerminated()) {
                stuck.add(Introspection.describe(t));
                reaper.forceClose(t); // contract K8, O2: on the reaper, never on the caller's (killer's) thread
            }
        }
        for (GroupControlBlock g : tables.groups()) {
            if (!g.isDomainRoot() && (g.state() == GroupState.ALIVE || g.state() == GroupState.EXITING)) {
                reaper.forceClose(g.resources(), g.authorityToken(), g::recordCloseFailures); // its stuck member keeps it from ending
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
        if (callerKilled != null) {
            throw callerKilled; // the kernel is closed all the same
        }
        return stuck;
    }

    /**
     * Close's wait for a task of another kernel: a tasklife wait of that task, on its kernel's clock, that its
     * kill ends (contract K2).
     *
     * @return the kill throwable if the wait ended because the task was killed (or had been), else {@code null}
     */
    private Error awaitQuiescentAsTask(TaskControlBlock caller, long timeoutNanos) {
        WaitContext w = WaitContext.of(caller, blocker);
        try {
            w.awaitUntil(tables.closeWaiters(), null, () -> tables.liveTaskCount() == 0 ? Boolean.TRUE : null,
                    WaitChannel.lazy(() -> "close(kernel " + name + ")"), w.deadlineAfter(timeoutNanos));
            return null;
        } catch (TaskKilledError | TaskExitSignal killed) { // the wait's kill throwable (WaitContext.killed)
            return killed;
        }
    }
}
