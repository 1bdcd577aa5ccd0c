package org.tasklife.internal.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.tasklife.ChildSelector;
import org.tasklife.CpuTimes;
import org.tasklife.DomainAccessException;
import org.tasklife.DomainLimitExceededException;
import org.tasklife.DomainState;
import org.tasklife.ExitStatus;
import org.tasklife.GroupState;
import org.tasklife.KillReason;
import org.tasklife.NoChildException;
import org.tasklife.SpawnRefusedException;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.domain.Authority;
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.domain.Domains;
import org.tasklife.internal.domain.Topology;
import org.tasklife.internal.reap.KillBatch;
import org.tasklife.internal.reap.Reaper;
import org.tasklife.internal.task.ResourceList;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.trace.Trace;
import org.tasklife.internal.wait.WaitQueue;

/**
 * The life of groups and tasks in one kernel: spawn (contract P1–P5), kill (K1, K7, E3), exit (E6: the end of a
 * task and of its group), reparenting (R4) and reaping (R1, R2).
 */
public final class GroupLifecycle implements Domains.Groups {
    /*
     * Implementation notes
     *
     * Overview: tasks run on their own threads through TaskRunner, which runs the exit sequence on the
     * task's own thread (DESIGN I6) and calls in here for the group's part. Groups end by counter
     * (GroupControlBlock G1). Every kill is a KillBatch (reap/): flags, wakes, one grace timer.
     *
     * Exit timeline (contract E6, DESIGN "Exit, step by step"): which thread runs each step, under which lock.
     *   step                                              thread               lock            file
     *   1 beginExit: CAS to EXITING, decides the status   the exiting task     none (CAS)      TaskRunner
     *     (a failure or a main's return: endGroup, which  the exiting task     group lock,     GroupLifecycle
     *      records the group status and kills the others              then none (KillBatch))
     *   2 task-local destructors, then owned resources    the exiting task     none            TaskRunner
     *     (under the grace watch of KillBatch.watchExit
     *      when it was not killed and runs user code)
     *   3 death watches (robust mutexes go on)            the exiting task     each primitive's TaskRunner
     *   4 publish: status, joiners, onExit; the kill's    the exiting task     queue locks     TaskControlBlock
     *     grace watch counts it ended
     *   5 detached: the record leaves the table           the exiting task     none            Tables.dispose
     *   6 memberEnded: the group's live count drops       the exiting task     group lock for  GroupControlBlock
     *     (a CAS while others stay live: G5)                                  the last (G4)
     *   7 if it was the last (finishGroup):               the exiting task
     *     7a group-owned resources close                                      none            GroupLifecycle
     *     7b ZOMBIE, reparent children, auto-reap                              topology lock   GroupLifecycle
     *     7c wake the parent's child waiters (W5: all)                         queue locks     GroupLifecycle
     *     7d complete the group's onExit                                       none            GroupLifecycle
     *   8 taskEnded: the domain slot (a domain may stop   the exiting task     topology lock   Domains
     *     here: Domains' stop steps 3–4), then the                              briefly, then
     *     kernel's live count (close() may return)                              none            Tables
     * A task stuck in step 2 past its grace period is reported by the reaper thread, which force-closes what
     * it owns and fires its death watches (steps 2–3 on the reaper's thread, under no kernel lock).
     *
     * Kill: killTask is KillBatch.kill of one task; a group kill and exitGroup record the status first under
     * the group lock (first wins, contract E3), then kill the member snapshot taken under that same lock as one
     * batch. A domain stop kills every group of its subtree as one batch (killGroupsLocked, for Domains).
     *
     * Wake-ups (contract K10): queues are signalled after every kernel lock is released; onExit futures, whose
     * callbacks are user code, complete with no lock held.
     *
     * Why one file over 500 lines: spawn, kill, exit, reparent and reap are the one state machine of a
     * group (GroupControlBlock's table), each edge of which is written here; split, each half would need
     * the other's private steps (the undo of a half-built spawn is an exit; a reap is the end of an exit).
     */

    private final KernelCore core;
    private final Topology topology;
    private final Tables tables;
    private final Domains domains;
    private final Authority authority;
    private final Reaper reaper;
    private final TaskRunner runner;
    private final Clock clock;

    GroupLifecycle(KernelCore core, Topology topology, Tables tables, Domains domains, Authority authority,
            Reaper reaper, TaskRunner runner, Clock clock) {
        this.core = core;
        this.topology = topology;
        this.tables = tables;
        this.domains = domains;
        this.authority = authority;
        this.reaper = reaper;
        this.runner = runner;
        this.clock = clock;
    }

    /** The task trampoline (GroupControlBlock.runTask). */
    TaskRunner runner() {
        return runner;
    }

    // ---- spawn (contract P1-P5) ----

    /**
     * The parent of a group spawned through the kernel (contract P1): the root group of the domain the caller works
     * for, whether the caller is one of this kernel's tasks or not. The call decides the parent, never the
     * caller: a child of the caller's group comes from Tasks.spawnGroup.
     *
     * @throws DomainAccessException if the caller may act on nothing in this kernel
     * @throws SpawnRefusedException if that domain was freed
     */
    public GroupControlBlock parentForCaller(Supplier<String> groupName) {
        DomainControlBlock d = authority.callerDomain("spawn a group");
        GroupControlBlock parent = d == null ? core.rootGroup() : tables.rootGroupOf(d);
        if (parent == null) {
            throw new SpawnRefusedException("cannot spawn group '" + groupName.get() + "': domain '" + d.name()
                    + "' was freed");
        }
        return parent;
    }

    /**
     * The root group of {@code d}, for a spawn of a top-level group into it.
     *
     * @throws DomainAccessException if the caller may not act on {@code d}
     * @throws SpawnRefusedException if {@code d} was freed
     */
    public GroupControlBlock domainRootForSpawn(DomainControlBlock d) {
        authority.checkVisible(d, "spawn into domain '" + d.name() + "'");
        GroupControlBlock root = tables.rootGroupOf(d);
        if (root == null) {
            throw new SpawnRefusedException("cannot spawn into domain '" + d.name() + "': it was freed");
        }
        return root;
    }

    /**
     * Creates a group under {@code parent} whose main task runs {@code main} (an Integer-returning body).
     *
     * @throws SpawnRefusedException if the kernel is closed, the parent is exiting, or no thread starts
     * @throws DomainLimitExceededException if a limit of the parent's domain or one above is reached
     */
    public GroupControlBlock spawnGroup(GroupControlBlock parent, String groupName, boolean platform, boolean autoReap,
            boolean subreaper, boolean failTaskOnly, int priority, int[] affinity, Callable<?> main) {
        DomainControlBlock d = parent.domain();
        String what = "group '" + groupName + "'";
        main = core.spawnHooks().prepare(main, what); // user code, before anything is reserved (contract P3)
        reserveSlots(d, what, true);
        long id = topology.nextId();
        GroupControlBlock g = new GroupControlBlock(id, groupName, core, parent, autoReap, subreaper, failTaskOnly);
        TaskControlBlock t = new TaskControlBlock(id, groupName, g, platform, clock, tables.openResources());
        Thread thread;
        try {
            thread = runner.newThread(t, g, main, true, priority, affinity);
        } catch (IllegalArgumentException badAffinity) {
            d.releaseGroup();
            domains.releaseTask(d);
            throw badAffinity;
        }
        String refusal;
        topology.lock();
        try {
            refusal = topology.isClosed() ? "kernel '" + topology.kernelName() + "' is closed: it spawns nothing"
                    : d.state() != DomainState.RUNNING ? Domains.refusal(d, what)
                    : !parent.isDomainRoot() && parent.state() != GroupState.ALIVE
                            ? "cannot spawn group '" + groupName + "' from group " + parent.id() + ": that group is "
                                    + parent.state() + " and accepts no new children"
                            : null;
            if (refusal == null) {
                parent.childrenLocked().put(id, g);
                g.addMember(t);
                tables.putGroupLocked(g);
                tables.putLiveTask(t);
            }
        } finally {
            topology.unlock();
        }
        if (refusal != null) {
            runner.forget(thread);
            d.releaseGroup();
            domains.releaseTask(d); // may end a stop that this reservation kept open (D2)
            throw new SpawnRefusedException(refusal);
        }
        d.noteTaskStarted();
        start(thread, t, g);
        core.safePoint();
        return g;
    }

    /**
     * Adds a task running {@code body} to group {@code g} (contract P2), for an API caller.
     *
     * @throws DomainAccessException if the caller may not act on the group's domain
     * @throws SpawnRefusedException if the kernel is closed, the group is exiting, or no thread starts
     * @throws DomainLimitExceededException if a live task limit of the group's domain is reached
     */
    public TaskControlBlock spawnTask(GroupControlBlock g, String taskName, boolean platform, boolean detached,
            int priority, int[] affinity, Callable<?> body) {
        authority.checkVisible(g.domain(), "spawn into group ", g.id()); // no message string unless refused
        DomainControlBlock d = g.domain();
        String what = "task '" + taskName + "'"; // one string per spawn: the decorator is given it
        body = core.spawnHooks().prepare(body, what); // user code, before any reservation (P3)
        reserveSlots(d, what, false);
        long id = topology.nextId();
        TaskControlBlock t = new TaskControlBlock(id, taskName, g, platform, clock, tables.openResources());
        if (detached) {
            t.markDetached();
        }
        Thread thread;
        try {
            thread = runner.newThread(t, g, body, false, priority, affinity);
        } catch (IllegalArgumentException badAffinity) {
            domains.releaseTask(d);
            throw badAffinity;
        }
        // a stopping domain's groups are all EXITING (D1), so this also refuses spawns into a stopping domain
        if (!g.addMember(t)) {
            runner.forget(thread);
            domains.releaseTask(d);
            throw new SpawnRefusedException("cannot spawn task '" + taskName + "' into group " + g.id() + ": the group is "
                    + g.state() + " and accepts no new tasks");
        }
        d.noteTaskStarted();
        tables.putLiveTask(t);
        start(thread, t, g);
        core.safePoint();
        return t;
    }

    /**
     * Adds a task running {@code body} to group {@code g} whose thread is made but not started: it is returned to
     * the caller, who starts it, or not (TaskControlBlock H1; for TaskThreadFactory). The task is a live, detached
     * member from now on (findable, counted against the limits, in ps as NEW); started, it runs as any task;
     * killed before its thread starts, it is retired (status Killed) and the thread returns at once when started;
     * dropped unstarted, it is killed once the thread is unreachable.
     *
     * @throws TaskLifeException ({@code INVALID_OPERATION}) in scheduler mode, which starts every task's thread itself
     * @throws DomainAccessException if the caller may not act on the group's domain
     * @throws SpawnRefusedException if the kernel is closed, the group is exiting, or the caller is a killed task
     * @throws DomainLimitExceededException if a live task limit of the group's domain is reached
     */
    public Thread spawnUnstarted(GroupControlBlock g, String taskName, boolean platform, Callable<?> body) {
        checkUnstartedThreads();
        authority.checkVisible(g.domain(), "spawn into group ", g.id());
        DomainControlBlock d = g.domain();
        String what = "task '" + taskName + "'";
        body = core.spawnHooks().prepare(body, what); // as every spawn: decorator, inherited values
        reserveSlots(d, what, false);
        long id = topology.nextId();
        TaskControlBlock t = new TaskControlBlock(id, taskName, g, platform, clock, tables.openResources());
        t.markDetached(); // nobody joins a thread a library started: the record goes when it ends
        t.markHandedOut();
        TaskRunner.HandedOut run = runner.newHandedOutThread(t, g, body);
        if (!g.addMember(t)) {
            domains.releaseTask(d);
            throw new SpawnRefusedException("cannot spawn task '" + taskName + "' into group " + g.id() + ": the group is "
                    + g.state() + " and accepts no new tasks");
        }
        d.noteTaskStarted();
        tables.putLiveTask(t);
        run.watchDrop();
        Trace.taskSpawned(topology.kernelName(), t.id(), t.name(), g.id(), g.domain().name(), !t.isPlatform());
        reaper.totals().spawned();
        core.safePoint();
        return run.thread;
    }

    /**
     * Refuses unstarted threads in scheduler mode, whose scheduler admits only the threads it starts itself.
     *
     * @throws TaskLifeException ({@code INVALID_OPERATION}) in scheduler mode
     */
    public void checkUnstartedThreads() {
        if (core.scheduler() != null) {
            throw new TaskLifeException(Reason.INVALID_OPERATION, "kernel '" + topology.kernelName()
                    + "' runs in scheduler mode (cpus or deterministic), which starts every task's thread itself:"
                    + " it hands out no unstarted threads");
        }
    }

    /** Queues the retirement of {@code t}, handed out and killed before its thread started (TaskControlBlock H1). */
    void retireLater(TaskControlBlock t, GroupControlBlock g) {
        reaper.execute(() -> runner.retire(t, g));
    }

    /** Kills {@code t}, handed out and dropped unstarted (its thread is unreachable): the kill retires it. */
    void killDropped(TaskControlBlock t) {
        KillBatch.kill(reaper, t);
    }

    /**
     * The early checks of a spawn, then its reservations in {@code d} and every domain above: a group slot
     * (with {@code group}) and a task slot; on a refusal nothing stays reserved. The decisive checks come
     * later, under the topology lock (DomainControlBlock D1).
     */
    private void reserveSlots(DomainControlBlock d, String what, boolean group) {
        topology.checkOpen();
        refuseKilledCaller();
        Domains.checkRunning(d, what);
        if (!group) {
            reserveTask(d, what);
            return;
        }
        try {
            Domains.reserveGroup(d, what);
        } catch (DomainLimitExceededException e) {
            reaper.totals().refusedByLimit(true);
            throw e;
        }
        try {
            reserveTask(d, what);
        } catch (DomainLimitExceededException e) {
            d.releaseGroup();
            throw e;
        }
    }

    /** Domains.reserveTask, counting a refusal in the running totals. */
    private void reserveTask(DomainControlBlock d, String what) {
        try {
            Domains.reserveTask(d, what);
        } catch (DomainLimitExceededException e) {
            reaper.totals().refusedByLimit(false);
            throw e;
        }
    }

    /**
     * A killed task spawns nothing (contract P3: the specific refusal, not the kill throwable): a task that
     * loops on spawning, catching refusals (a fork bomb), cannot outlive its kill by spawning.
     */
    private static void refuseKilledCaller() {
        TaskControlBlock caller = TaskControlBlock.current();
        if (caller != null && caller.isKilled()) {
            throw new SpawnRefusedException("task " + caller.id() + " (" + caller.name() + ") was killed: it spawns nothing");
        }
    }

    private void start(Thread thread, TaskControlBlock t, GroupControlBlock g) {
        try {
            thread.start();
            runner.started(thread);
            Trace.taskSpawned(topology.kernelName(), t.id(), t.name(), g.id(), g.domain().name(), !t.isPlatform());
            reaper.totals().spawned();
        } catch (Throwable e) {
            runner.forget(thread);
            // no half-built task survives (contract P3): undo every trace of it
            tables.removeTask(t);
            boolean last = g.removeUnstarted(t);
            ExitStatus groupEnd = null;
            if (last && g.id() == t.id()) {
                topology.lock();
                try {
                    g.parent().childrenLocked().remove(g.id());
                    tables.removeGroupLocked(g);
                } finally {
                    topology.unlock();
                }
                g.domain().releaseGroup();
            } else if (last) {
                groupEnd = finishGroup(g);
            }
            taskEnded(g, groupEnd);
            throw new SpawnRefusedException("could not start a thread for task '" + t.name() + "': " + e, e);
        }
    }

    // ---- kill (contract K1, K7, E3) ----

    /**
     * Kills the task with id {@code taskId} for an API caller (contract K1).
     *
     * @return whether this call killed it; false for an unknown id
     * @throws DomainAccessException if the caller may not act on the task's domain
     */
    public boolean kill(long taskId) {
        TaskControlBlock t = tables.task(taskId);
        if (t == null) {
            return false;
        }
        authority.checkVisible(KernelCore.groupOf(t).domain(), "kill task ", taskId);
        return killTask(t);
    }

    /**
     * Kills {@code t} for an API caller (contract K1).
     *
     * @throws DomainAccessException if the caller may not act on the task's domain
     */
    public boolean kill(TaskControlBlock t) {
        authority.checkVisible(KernelCore.groupOf(t).domain(), "kill task ", t.id()); // no string per kill
        return killTask(t);
    }

    /** Kills one task (contract K1). @return whether this call killed it */
    private boolean killTask(TaskControlBlock t) {
        boolean killed = KillBatch.kill(reaper, t); // records its TaskKill event while recording
        core.safePoint();
        return killed;
    }

    /**
     * Kills a group for an API caller (contract K7).
     *
     * @return whether this call recorded the kill
     * @throws DomainAccessException if the caller may not act on the group's domain
     */
    public boolean kill(GroupControlBlock g) {
        authority.checkVisible(g.domain(), "kill group ", g.id());
        return endGroup(g, ExitStatus.KILLED, null);
    }

    /**
     * Records {@code status} as the group's status (first wins, contract E3) and kills every live member but
     * {@code except}, as one batch.
     *
     * @return whether this call recorded the status
     */
    public boolean endGroup(GroupControlBlock g, ExitStatus status, TaskControlBlock except) {
        List<TaskControlBlock> live = g.recordExit(status);
        if (live == null) {
            return false;
        }
        // a group ended by a deadline or an expired grace kills its members for the same reason (contract K11, K12)
        KillBatch.kill(reaper, live, except, status instanceof ExitStatus.Killed k ? k.reason().ordinal() : 0);
        return true;
    }

    /**
     * Kills one task for the kernel itself (a deadline, an expired grace: contract K11, K12), with no
     * permission check and no safe point: it may run as a timer action.
     *
     * @return whether this call killed it
     */
    boolean killFor(TaskControlBlock t, KillReason reason) {
        return KillBatch.kill(reaper, t, reason.ordinal());
    }

    /** The kernel's reaper, whose thread runs work that must not run on the timer thread. */
    Reaper reaper() {
        return reaper;
    }

    /** For Domains' stop: see {@link Domains.Groups#killGroupsLocked}. */
    @Override
    public Runnable killGroupsLocked(Set<DomainControlBlock> inside, TaskControlBlock caller) {
        assert topology.isHeld();
        List<GroupControlBlock> victims = new ArrayList<>();
        for (GroupControlBlock g : tables.groups()) {
            if (!g.isDomainRoot() && inside.contains(g.domain())) {
                victims.add(g);
            }
        }
        return () -> {
            KillBatch.Flags batch = KillBatch.beginDomainStop(reaper);
            for (GroupControlBlock g : victims) {
                List<TaskControlBlock> live = g.recordExit(ExitStatus.KILLED);
                if (live != null) {
                    batch.flag(live, null); // every flag first, as in endGroup
                }
            }
            batch.wakeAndArm(caller); // the caller is running this: it unwinds at its next tasklife call
        };
    }

    /**
     * Arms the grace watch of a task that was not killed and whose exit sequence is about to run user code
     * (destructors, close()): if it has not ended within the grace period it is reported stuck (contract K8).
     */
    void watchExit(TaskControlBlock t) {
        KillBatch.watchExit(reaper, t);
    }

    // ---- exit (contract E6; steps 5-8 of the timeline) ----

    /** Step 5: a detached task's record leaves the table once it terminated. */
    void disposeIfDetached(TaskControlBlock t) {
        if (t.isDetached()) {
            tables.dispose(t);
        }
    }

    /**
     * Step 7: the last member of {@code g} ended: close group resources, become a zombie, reparent children,
     * notify the parent (contract E6, R1, R4). Runs on that member's thread with no lock held.
     */
    ExitStatus finishGroup(GroupControlBlock g) {
        ExitStatus status = g.statusAtEnd();
        g.recordCloseFailures(g.resources().closeAll());
        g.domain().noteGroupEnded(status);
        List<WaitQueue> toSignal = new ArrayList<>(2);
        topology.lock();
        try {
            g.becomeZombieLocked(status);
            reparentChildrenLocked(g, toSignal);
            GroupControlBlock parent = g.parent();
            if (g.isAutoReap() || g.isAdoptedByRootLocked()) {
                reapLocked(g, false);
            }
            // also when reaped here: waiters that matched it re-check and get ECHILD if nothing is left (contract W2, W5)
            toSignal.add(parent.childExits());
        } finally {
            topology.unlock();
        }
        toSignal.forEach(WaitQueue::signalAll);
        g.onExit().complete(status);
        return status;
    }

    /**
     * Step 8, the last of a task's end: gives back its domain slot (a domain may stop now), tells the domain
     * of an abnormal group end, then leaves the kernel's live count.
     *
     * @param groupEnd the group's final status if this task finished its group, else {@code null}
     */
    void taskEnded(GroupControlBlock g, ExitStatus groupEnd) {
        domains.taskEnded(g.domain(), g.id(), groupEnd);
        tables.taskLeft();
    }

    // ---- reparent (contract R4) ----

    private void reparentChildrenLocked(GroupControlBlock g, List<WaitQueue> toSignal) {
        assert topology.isHeld();
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
                c.setAdoptedByRootLocked(); // the root reaps orphans itself (contract R4)
                if (c.state() == GroupState.ZOMBIE) {
                    reapLocked(c, false);
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

    /**
     * Sets or clears {@code g}'s child-subreaper mark (contract R4, {@code prctl(PR_SET_CHILD_SUBREAPER)}):
     * children orphaned after this call go to the nearest marked ancestor as it is then.
     */
    public void setSubreaper(GroupControlBlock g, boolean on) {
        topology.lock();
        try {
            g.setSubreaperLocked(on);
        } finally {
            topology.unlock();
        }
    }

    // ---- reap (contract R1, R2) ----

    /**
     * Waits until {@code g} ends and reaps it, for an API caller: a task of its parent group, or host code for
     * a top-level group. A task of another kernel reaps a top-level group as host code does, but the wait is
     * its own: a kill of that task ends it.
     *
     * @return the group's status
     * @throws NoChildException if it was already reaped
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller is neither the parent's task nor host code for a
     *     top-level group
     * @throws DomainAccessException if the caller may not act on the group's domain
     */
    public ExitStatus reap(GroupControlBlock g) {
        TaskControlBlock caller = TaskControlBlock.current();
        GroupControlBlock parent = checkReap(g, caller);
        // a task of another kernel reaps as host code does, but waits as itself: its kill ends the wait
        return core.waits().waitChild(parent, ChildSelector.group(g.id()), false, false, caller).orElseThrow().status();
    }

    /**
     * {@link #reap(GroupControlBlock)} waiting at most {@code timeoutNanos}; a zero or negative timeout does not
     * wait (a zombie is still reaped).
     *
     * @return the group's status, or empty if it had not ended in time (the group is untouched then)
     */
    public Optional<ExitStatus> reap(GroupControlBlock g, long timeoutNanos) {
        TaskControlBlock caller = TaskControlBlock.current();
        GroupControlBlock parent = checkReap(g, caller);
        return core.waits().waitChild(parent, ChildSelector.group(g.id()), caller, timeoutNanos).map(e -> e.status());
    }

    /** The checks of a reap (specific exceptions, nothing changed). @return the group's parent */
    private GroupControlBlock checkReap(GroupControlBlock g, TaskControlBlock caller) {
        GroupControlBlock parent = g.parent();
        if (g.state() == GroupState.REAPED) {
            throw new NoChildException("group " + g.id() + " was already reaped");
        }
        if (parent == null) {
            throw new TaskLifeException(Reason.NOT_PERMITTED,
                    "group " + g.id() + " is a domain root and is never reaped");
        }
        authority.checkVisible(g.domain(), "reap group ", g.id());
        GroupControlBlock callerGroup = core.currentGroup();
        boolean permitted = callerGroup == parent || (caller == null || callerGroup == null) && parent.isDomainRoot();
        if (!permitted) {
            throw new TaskLifeException(Reason.NOT_PERMITTED,
                    "group " + g.id() + " can be reaped only by a task of its parent group "
                    + parent.id() + (parent.isDomainRoot() ? " or by host code" : ""));
        }
        return parent;
    }

    /**
     * Reaps zombie {@code c}: it leaves its parent and the tables. Only a reap by a wait adds the child's
     * CPU time to the parent's children time (contract T2, as Linux's RUSAGE_CHILDREN counts only waited-for
     * children); an auto-reaped child or an orphan reaped by the domain root adds nothing.
     */
    void reapLocked(GroupControlBlock c, boolean byWait) {
        reapLocked(c, byWait ? c.times() : null);
    }

    /**
     * {@link #reapLocked(GroupControlBlock, boolean)} for a wait that has read the zombie's times already
     * ({@code times}; null: not reaped by a wait): they are its final ones, so they are not read again.
     */
    void reapLocked(GroupControlBlock c, CpuTimes times) {
        assert topology.isHeld();
        boolean byWait = times != null;
        c.becomeReapedLocked();
        GroupControlBlock p = c.parent();
        p.childrenLocked().remove(c.id());
        if (byWait) {
            p.addReapedChildCpuLocked(times.totalNanos());
        }
        c.dropParentLocked();
        tables.removeGroupLocked(c);
        c.domain().releaseGroup();
        for (TaskControlBlock t : c.records()) {
            tables.dispose(t);
        }
    }

    // ---- for Domains (create, free) ----

    @Override
    public void addRootGroupLocked(DomainControlBlock d) {
        assert topology.isHeld();
        tables.putGroupLocked(new GroupControlBlock(d.id(), core, d));
    }

    @Override
    public Runnable removeGroupsLocked(Set<DomainControlBlock> inside) {
        assert topology.isHeld();
        List<TaskControlBlock> records = new ArrayList<>();
        for (GroupControlBlock g : new ArrayList<>(tables.groups())) {
            if (!inside.contains(g.domain())) {
                continue;
            }
            tables.removeGroupLocked(g);
            g.childrenLocked().clear(); // all in the subtree too: reaped here
            if (!g.isDomainRoot()) {
                if (g.state() == GroupState.ZOMBIE) {
                    g.becomeReapedLocked();
                    g.dropParentLocked();
                }
                g.domain().releaseGroup();
            }
            records.addAll(g.records());
        }
        return () -> records.forEach(tables::dispose);
    }

    /**
     * The resources {@code t} owns, for an API caller giving it one more.
     *
     * @throws DomainAccessException if the caller may not act on the task's domain
     */
    public ResourceList resourcesToGive(TaskControlBlock t) {
        authority.checkVisible(KernelCore.groupOf(t).domain(), "give task " + t.id() + " a resource to own");
        return t.resources();
    }

    /**
     * The resources {@code g} owns, for an API caller giving it one more.
     *
     * @throws DomainAccessException if the caller may not act on the group's domain
     */
    public ResourceList resourcesToGive(GroupControlBlock g) {
        authority.checkVisible(g.domain(), "give group " + g.id() + " a resource to own");
        return g.resources();
    }
}
