package org.tasklife.internal.group;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.tasklife.DomainAccessException;
import org.tasklife.DomainInfo;
import org.tasklife.GroupInfo;
import org.tasklife.KernelSnapshot;
import org.tasklife.StuckTaskReport;
import org.tasklife.TaskInfo;
import org.tasklife.internal.domain.Authority;
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.domain.Domains;
import org.tasklife.internal.domain.Topology;
import org.tasklife.internal.reap.Reaper;
import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.TimerService;
import org.tasklife.internal.trace.Trace;

/**
 * What callers may see of one kernel (contract §11, D5): lookups by id, counts, snapshots of tasks, groups and
 * domains, and stuck-task reports, each confined to what the caller's authority reaches.
 */
public final class Introspection {
    /*
     * Implementation notes
     *
     * Rows are read from the concurrent tables without stopping the world (domains first, then groups and
     * their tasks), so a snapshot taken during spawns and exits is consistent row by row, not as a whole: a
     * domain freed meanwhile may be listed without its groups. Each row is sorted by id.
     */

    private final String kernelName;
    private final Topology topology;
    private final Tables tables;
    private final Domains domains;
    private final Authority authority;
    private final CpuScheduler scheduler; // null in the default mode
    private final Clock clock;
    private final Reaper reaper;
    private final TimerService timers;

    Introspection(Topology topology, Tables tables, Domains domains, Authority authority, CpuScheduler scheduler,
            Clock clock, Reaper reaper, TimerService timers) {
        this.reaper = reaper;
        this.timers = timers;
        this.kernelName = topology.kernelName();
        this.topology = topology;
        this.tables = tables;
        this.domains = domains;
        this.authority = authority;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    // ---- lookups and counts ----

    /**
     * The task with this id, if its record exists.
     *
     * @throws DomainAccessException if it exists and the caller may not see it
     */
    public TaskControlBlock findTask(long id) {
        TaskControlBlock t = tables.task(id);
        if (t != null) {
            authority.checkVisible(KernelCore.groupOf(t).domain(), "see task " + id);
        }
        return t;
    }

    /**
     * The group with this id, if it is not reaped and not a domain root.
     *
     * @throws DomainAccessException if it exists and the caller may not see it
     */
    public GroupControlBlock findGroup(long id) {
        GroupControlBlock g = tables.group(id);
        if (g == null || g.isDomainRoot()) {
            return null;
        }
        authority.checkVisible(g.domain(), "see group " + id);
        return g;
    }

    /**
     * The domain with this id, if not freed.
     *
     * @throws DomainAccessException if it exists and the caller may not see it
     */
    public DomainControlBlock findDomain(long id) {
        DomainControlBlock d = domains.find(id);
        if (d != null) {
            authority.checkVisible(d, "see domain " + id);
        }
        return d;
    }

    /**
     * The top-level groups of {@code d} not yet reaped (the children of its root), by id.
     *
     * @throws DomainAccessException if the caller may not see {@code d}
     */
    public List<GroupControlBlock> topLevelGroups(DomainControlBlock d) {
        authority.checkVisible(d, "list the groups of domain '" + d.name() + "'");
        GroupControlBlock root = tables.rootGroupOf(d);
        if (root == null) {
            return List.of();
        }
        topology.lock();
        try {
            return new ArrayList<>(root.childrenLocked().values());
        } finally {
            topology.unlock();
        }
    }

    /**
     * Live tasks the caller may count: the kernel's for host code, else its domain's and below.
     *
     * @throws DomainAccessException if the caller may act on nothing in this kernel
     */
    public long liveTaskCount() {
        DomainControlBlock scope = authority.callerDomain("count the live tasks");
        return scope == null ? tables.liveTaskCount() : scope.liveTasks();
    }

    /**
     * Kernel-wide count of owned resources still open.
     *
     * @throws DomainAccessException if the caller is not host code
     */
    public long openResourceCount() {
        authority.checkHost("read the kernel-wide count of open resources");
        return tables.openResources().get();
    }

    /**
     * Kernel-wide count of armed timers.
     *
     * @throws DomainAccessException if the caller is not host code
     */
    public int pendingTimerCount() {
        authority.checkHost("read the kernel-wide count of timers");
        return timers.pendingCount();
    }

    /**
     * The kernel's running totals.
     *
     * @throws DomainAccessException if the caller is not host code
     */
    public org.tasklife.KernelStatistics statistics() {
        authority.checkHost("read the kernel's running totals");
        return reaper.totals().read();
    }

    /**
     * Stuck-task reports the caller may read: all for host code, else those of its domain and below.
     *
     * @throws DomainAccessException if the caller may act on nothing in this kernel
     */
    public List<StuckTaskReport> stuckReports() {
        DomainControlBlock scope = authority.callerDomain("read stuck-task reports");
        List<StuckTaskReport> all = reaper.reports();
        if (scope == null) {
            return all;
        }
        return all.stream().filter(r -> {
            GroupControlBlock g = tables.group(r.groupId());
            return g != null && scope.contains(g.domain());
        }).toList();
    }

    // ---- snapshots ----

    /**
     * A snapshot of what the caller may see: the whole kernel for host code, else its domain and below.
     *
     * @throws DomainAccessException if the caller may act on nothing in this kernel
     */
    public KernelSnapshot forCaller() {
        DomainControlBlock scope = authority.callerDomain("take a snapshot");
        return of(scope == null ? domains.root() : scope);
    }

    /**
     * A snapshot of {@code d} and the domains below it, for an API caller.
     *
     * @throws DomainAccessException if the caller may not see {@code d}
     */
    public KernelSnapshot ofDomain(DomainControlBlock d) {
        authority.checkVisible(d, "see domain '" + d.name() + "'");
        return of(d);
    }

    /**
     * A snapshot of live tasks, unreaped groups and unfreed domains of {@code scope} and the domains below
     * it.
     */
    KernelSnapshot of(DomainControlBlock scope) {
        long now = clock.nanoTime();
        List<TaskInfo> taskRows = new ArrayList<>();
        List<GroupInfo> groupRows = new ArrayList<>();
        List<DomainInfo> domainRows = new ArrayList<>();
        for (DomainControlBlock d : domains.all()) {
            if (scope.contains(d)) {
                DomainControlBlock p = d.parent();
                domainRows.add(new DomainInfo(d.id(), p == null ? 0 : p.id(), d.name(), d.state(),
                        d.status() == null ? "" : d.status().toString(), d.liveTasks(), d.groups(), d.maxTasks(),
                        d.maxGroups()));
            }
        }
        for (GroupControlBlock g : tables.groups()) {
            if (!scope.contains(g.domain())) {
                continue;
            }
            GroupControlBlock p = g.parent();
            long parentId = p == null ? 0 : p.id();
            long domainId = g.domain().id();
            String domain = g.domain().name();
            groupRows.add(new GroupInfo(g.id(), parentId, domainId, domain, g.name(), g.state(), g.liveCount(),
                    g.finalStatus() == null ? "" : g.finalStatus().toString(), g.times()));
            for (TaskControlBlock t : g.records()) {
                if (t.isTerminated() || t.isDisposed()) {
                    continue;
                }
                Object ch = t.waitChannel();
                CpuScheduler.Placed placed = scheduler == null ? null : scheduler.placement(t.id());
                if (placed == null) {
                    taskRows.add(new TaskInfo(t.id(), g.id(), parentId, domainId, domain, t.name(), t.taskState(),
                            ch == null ? "" : ch.toString(), t.isKilled(), t.cpuTimeNanos(), now - t.createdNanos(),
                            t.ownedResourceCount()));
                } else { // scheduler mode: exact CPU time is the time it held a CPU (contract T2)
                    taskRows.add(new TaskInfo(t.id(), g.id(), parentId, domainId, domain, t.name(), t.taskState(),
                            ch == null ? "" : ch.toString(), t.isKilled(), placed.cpuNanos(), now - t.createdNanos(),
                            t.ownedResourceCount(), placed.cpu(), placed.priority(), placed.runQueuePosition()));
                }
            }
        }
        taskRows.sort(Comparator.comparingLong(TaskInfo::id));
        groupRows.sort(Comparator.comparingLong(GroupInfo::id));
        domainRows.sort(Comparator.comparingLong(DomainInfo::id));
        return new KernelSnapshot(taskRows, groupRows, domainRows);
    }

    /**
     * Live virtual-thread tasks that have held a carrier since {@code sinceNanos} (kernel clock) without reaching
     * a safe point: RUNNING, their thread runnable (not parked in a JDK wait), and their carrier got before
     * then (the reaper's view of what holds up killed tasks that wait for a carrier, contract K8). The longest
     * held first, at most as many as the virtual-thread scheduler has carriers. Default mode only (in
     * scheduler mode the CPUs are the scheduler's, and its watchdog reports what holds them): empty there.
     */
    List<TaskControlBlock> carrierHolders(long sinceNanos) {
        if (scheduler != null) {
            return List.of();
        }
        record Held(TaskControlBlock task, long since) {} // the racy runSince read once: a stable sort key
        List<Held> held = new ArrayList<>();
        for (TaskControlBlock t : tables.tasks()) {
            long since = t.runSinceNanos();
            if (t.isPlatform() || t.taskState() != org.tasklife.TaskState.RUNNING || since - sinceNanos > 0) {
                continue;
            }
            Thread th = t.thread();
            if (th != null && th.getState() == Thread.State.RUNNABLE) {
                held.add(new Held(t, since));
            }
        }
        held.sort(Comparator.comparingLong(Held::since));
        int carriers = Math.max(1, Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors()));
        return held.stream().limit(carriers).map(Held::task).toList();
    }

    /** A stuck report of {@code t} now: state, wait channel, stack. */
    static StuckTaskReport describe(TaskControlBlock t) {
        Thread th = t.thread();
        Object ch = t.waitChannel();
        StackTraceElement[] stack = th == null ? new StackTraceElement[0] : th.getStackTrace();
        return new StuckTaskReport(t.id(), t.owner().ownerId(), t.name(), t.taskState(), ch == null ? "" : ch.toString(),
                Arrays.asList(stack));
    }

    /** The scheduler's watchdog saw task {@code taskId} blocked outside tasklife while holding a CPU. */
    void reportBlockedOutside(long taskId, String what, Consumer<StuckTaskReport> listener) {
        TaskControlBlock t = tables.task(taskId);
        if (t == null) {
            return;
        }
        StuckTaskReport full = describe(t);
        StuckTaskReport r = new StuckTaskReport(full.taskId(), full.groupId(), full.name(), full.state(), what,
                full.stack());
        Trace.taskStuck(kernelName, r);
        try {
            listener.accept(r);
        } catch (Throwable ignored) {
            // a listener's failure must not stop the watchdog
        }
    }
}
