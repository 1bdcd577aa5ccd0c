package org.tasklife.internal.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.tasklife.DomainAccessException;
import org.tasklife.DomainLimitExceededException;
import org.tasklife.DomainState;
import org.tasklife.ExitStatus;
import org.tasklife.SpawnRefusedException;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.WaitContext;
import org.tasklife.internal.trace.Trace;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitChannel;

/**
 * The domains of one kernel (contract §10): the domain table, creation, the stop protocol (stop, finish,
 * free), the limits, and the wait for a stop. The groups a stop kills and a free reaps are the group
 * layer's, which this layer reaches only through {@link Groups}.
 */
public final class Domains {
    /*
     * Implementation notes
     *
     * Overview: the group layer sits above this one (group -> domain): it checks a domain's state and
     * reserves its slots when it spawns, and tells it when a task ends (taskEnded). Where the stop protocol
     * needs the groups of a domain (to kill them, to reap them when freed, to give a new domain its root
     * group) it asks the Groups port, which the group layer implements; this package never names a group.
     *
     * A stop, step by step (contract D2; file that runs each step):
     *   1. Domains.stop, topology lock held: the status is recorded first (DomainControlBlock D3), the
     *      subtree's domains leave RUNNING (nested ones with Killed), and the port collects every group of
     *      the subtree (D1: spawns check RUNNING under the same lock, so no group can be missed).
     *   2. Domains.stop, no lock: the port records Killed on those groups and kills their tasks as ONE
     *      KillBatch (reap/): every flag, then every wake (the caller's own task is flagged, not woken), then
     *      one grace timer.
     *   3. Domains.finishIfIdle, deepest domain first: a domain whose live count is already 0 stops here;
     *      otherwise the task whose exit brings its count to 0 stops it (taskEnded, on that task's thread,
     *      GroupLifecycle.taskEnded's last step).
     *   4. Domains.finishIfIdle, topology lock held: STOPPED is decided (D2, D4: children before parents),
     *      then, with no lock held, the JFR event, the listener, onStopped and the stop waiters; an autoFree
     *      domain is freed right there.
     *
     * Limits (contract D4): slots are reserved level by level from the spawning domain up before anything is
     * created, and given back when the spawn is refused or the task ends (DomainControlBlock).
     *
     * Known limits: a stop scans the kernel's group table once under the topology lock (O(groups)); a stop
     * is rare, spawns are not, so groups carry no per-domain index.
     */

    /** What the domain layer needs from the group layer (implemented by GroupLifecycle). */
    public interface Groups {
        /** Creates and registers the root group of the new domain {@code d}. Topology lock held. */
        void addRootGroupLocked(DomainControlBlock d);

        /**
         * Collects the groups (not the domain roots) of the domains in {@code inside}, and returns the action,
         * to run with no lock held, that records Killed on each and kills their tasks in one batch, sparing
         * {@code caller}'s wake. Topology lock held.
         */
        Runnable killGroupsLocked(Set<DomainControlBlock> inside, TaskControlBlock caller);

        /**
         * Takes every group of the domains in {@code inside} out of the tables (zombies are reaped), and returns
         * the action that releases their task records, to run with no lock held. Topology lock held.
         */
        Runnable removeGroupsLocked(Set<DomainControlBlock> inside);
    }

    private final Topology topology;
    private final Authority authority;
    private final DomainControlBlock root;
    private final Executor disposer; // where task records of freed domains are released (reaper, or inline)
    private final ConcurrentHashMap<Long, DomainControlBlock> domains = new ConcurrentHashMap<>();
    private Groups groups;           // set once at boot, before any domain but the root exists

    /**
     * The domains of a kernel, starting with its root domain {@code root}.
     *
     * @param disposer runs the release of a freed domain's task records (the reaper thread; inline in
     *     deterministic mode, so that a seed decides what a freed id finds)
     */
    public Domains(Topology topology, Authority authority, DomainControlBlock root, Executor disposer) {
        this.topology = topology;
        this.authority = authority;
        this.root = root;
        this.disposer = disposer;
        domains.put(root.id(), root);
    }

    /** Wires the group layer in (boot). */
    public void setGroups(Groups groups) {
        this.groups = groups;
    }

    /** The kernel's root domain. */
    public DomainControlBlock root() {
        return root;
    }

    /** The domain with this id, if not freed. */
    public DomainControlBlock find(long id) {
        return domains.get(id);
    }

    /** Every domain not freed, in no order. */
    public Collection<DomainControlBlock> all() {
        return domains.values();
    }

    /**
     * The domains directly below {@code d}, not freed.
     *
     * @throws DomainAccessException if the caller may not see {@code d}
     */
    public List<DomainControlBlock> children(DomainControlBlock d) {
        authority.checkVisible(d, "list the domains below domain '" + d.name() + "'");
        topology.lock();
        try {
            return List.copyOf(d.childrenLocked());
        } finally {
            topology.unlock();
        }
    }

    // ---- create ----

    /**
     * Creates a domain below {@code parent} (contract D1).
     *
     * @throws DomainAccessException if the caller may not act on {@code parent}
     * @throws SpawnRefusedException if the kernel is closed or the parent does not run
     */
    public DomainControlBlock create(DomainControlBlock parent, String domainName, long maxTasks, long maxGroups,
            boolean stopWhenEmpty, boolean autoFree, DomainControlBlock.Listener listener) {
        authority.checkVisible(parent, "create a domain in domain '" + parent.name() + "'");
        topology.lock();
        try {
            topology.checkOpen();
            if (parent.state() != DomainState.RUNNING) {
                throw new SpawnRefusedException("cannot create domain '" + domainName + "' in domain '" + parent.name()
                        + "': that domain is " + parent.state() + " and accepts nothing new");
            }
            DomainControlBlock d = new DomainControlBlock(topology.nextId(), domainName, topology, parent, maxTasks,
                    maxGroups, stopWhenEmpty, autoFree, listener);
            parent.childrenLocked().add(d);
            groups.addRootGroupLocked(d);
            domains.put(d.id(), d);
            return d;
        } finally {
            topology.unlock();
        }
    }

    // ---- limits (contract D4) and spawn checks ----

    /**
     * Refuses a spawn early, with the domain's state in the message (the decisive check comes later, under
     * the topology lock: DomainControlBlock D1).
     *
     * @throws SpawnRefusedException if {@code d} does not run
     */
    public static void checkRunning(DomainControlBlock d, String what) {
        if (d.state() != DomainState.RUNNING) {
            throw new SpawnRefusedException(refusal(d, what));
        }
    }

    /** Why {@code d} refuses to spawn {@code what}: it is not running. */
    public static String refusal(DomainControlBlock d, String what) {
        return "cannot spawn " + what + " in domain '" + d.name() + "': the domain is " + d.state()
                + " and accepts no new tasks";
    }

    /**
     * Reserves a task slot in {@code d} and every domain above.
     *
     * @throws DomainLimitExceededException naming the domain whose limit refused; nothing stays reserved
     */
    public static void reserveTask(DomainControlBlock d, String what) {
        DomainControlBlock full = d.reserveTask();
        if (full != null) {
            throw new DomainLimitExceededException(full.name(), full.maxTasks(), "cannot spawn " + what + " in domain '"
                    + d.name() + "': domain '" + full.name() + "' is at its limit of " + full.maxTasks() + " live tasks");
        }
    }

    /**
     * Reserves a group slot in {@code d} and every domain above.
     *
     * @throws DomainLimitExceededException naming the domain whose limit refused; nothing stays reserved
     */
    public static void reserveGroup(DomainControlBlock d, String what) {
        DomainControlBlock full = d.reserveGroup();
        if (full != null) {
            throw new DomainLimitExceededException(full.name(), full.maxGroups(), "cannot spawn " + what + " in domain '"
                    + d.name() + "': domain '" + full.name() + "' is at its limit of " + full.maxGroups()
                    + " groups (a group counts until it is reaped)");
        }
    }

    /** Gives back a task slot of a refused spawn; a domain whose count reached 0 may stop now (D2). No lock held. */
    public void releaseTask(DomainControlBlock d) {
        for (DomainControlBlock idle : d.releaseTask()) {
            finishIfIdle(idle);
        }
    }

    /**
     * A task of {@code d} ended (the last step of its exit sequence, on its own thread, no lock held): gives
     * back its slot, tells the domain's listener of an abnormal group end, and stops the domains whose count
     * reached 0.
     *
     * @param groupEnd the final status of the task's group if the task finished it, else {@code null}
     */
    public void taskEnded(DomainControlBlock d, long groupId, ExitStatus groupEnd) {
        List<DomainControlBlock> idle = d.releaseTask();
        if (groupEnd != null && !groupEnd.isSuccess()) {
            d.announceAbnormalExit(groupId, groupEnd); // before Stopped, whose decision follows
        }
        for (DomainControlBlock x : idle) {
            finishIfIdle(x);
        }
    }

    // ---- stop (contract D2) ----

    /**
     * Stops a domain for API callers: refuses the root domain (it stops with the kernel), then checks that the
     * caller may act on it, then {@link #stop(DomainControlBlock, ExitStatus, TaskControlBlock)}.
     *
     * @throws TaskLifeException ({@code NOT_PERMITTED}) for the kernel's root domain
     * @throws DomainAccessException if the caller may not act on {@code d}
     */
    public boolean stopFromCaller(DomainControlBlock d, ExitStatus status) {
        if (d.parent() == null) {
            throw new TaskLifeException(Reason.NOT_PERMITTED,
                    "the root domain cannot be stopped: it stops with Kernel.close()");
        }
        authority.checkVisible(d, "stop domain '" + d.name() + "'");
        return stop(d, status, TaskControlBlock.current());
    }

    /**
     * Stops a domain (contract D2): records {@code status} first (first wins), refuses new spawns, stops the
     * domains below it (status Killed) and kills every task in them, the caller included; the domain
     * stops when its live count reaches 0. The caller, if killed, is only flagged: it unwinds at its next
     * tasklife call, so this returns. See the notes for the steps.
     *
     * @param caller the calling task, or {@code null} from host code
     * @return whether this call recorded the status
     */
    public boolean stop(DomainControlBlock d, ExitStatus status, TaskControlBlock caller) {
        List<DomainControlBlock> subtree;
        Runnable kill;
        topology.lock();
        try {
            if (!d.beginStopLocked(status)) {
                return false;
            }
            // before any kill: the stop cannot end before its event is entered
            Trace.domainStopBegun(topology.kernelName(), d, d.id(), d.name(), status, d.liveTasks());
            subtree = subtreeLocked(d);
            for (DomainControlBlock x : subtree) {
                x.beginStopLocked(ExitStatus.KILLED); // nested domains stop with their parent
            }
            kill = groups.killGroupsLocked(asSet(subtree), caller); // D1: every group that will ever be in the subtree
        } finally {
            topology.unlock();
        }
        kill.run();
        for (int i = subtree.size() - 1; i >= 0; i--) {
            finishIfIdle(subtree.get(i)); // deepest first; an empty domain stops here
        }
        return true;
    }

    /** {@code d} and every domain below it, parents before children. Topology lock held. */
    private List<DomainControlBlock> subtreeLocked(DomainControlBlock d) {
        assert topology.isHeld();
        List<DomainControlBlock> out = new ArrayList<>();
        out.add(d);
        for (int i = 0; i < out.size(); i++) {
            out.addAll(out.get(i).childrenLocked());
        }
        return out;
    }

    private static Set<DomainControlBlock> asSet(List<DomainControlBlock> subtree) {
        Set<DomainControlBlock> inside = Collections.newSetFromMap(new IdentityHashMap<>());
        inside.addAll(subtree);
        return inside;
    }

    /** Stops {@code d} if its count is 0 and it should (D2); then tells everyone, with no lock held. */
    private void finishIfIdle(DomainControlBlock d) {
        List<DomainControlBlock> stopped = new ArrayList<>(1); // in the order they stopped: children first
        topology.lock();
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
            topology.unlock();
        }
        for (DomainControlBlock x : stopped) {
            Trace.domainStopped(x); // before the announcement: whoever sees the stop sees the event
            x.announceStopped();
            if (x.isAutoFree()) {
                free(x, false); // quietly: a parent's free may have taken it already
            }
        }
    }

    // ---- free (contract D3) ----

    /**
     * Frees a stopped domain (contract D3) for an API caller: only the parent domain's code or host code may.
     *
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller is not in the parent domain, or for the root
     *     domain
     * @throws DomainAccessException if the caller may act on nothing in this kernel
     * @throws TaskLifeException ({@code INVALID_OPERATION}) if the domain has not stopped, or was freed already
     */
    public void freeFromCaller(DomainControlBlock d) {
        DomainControlBlock from = authority.callerDomain("free domain '" + d.name() + "'");
        if (from != null && from != d.parent() && d.parent() != null) {
            throw new TaskLifeException(Reason.NOT_PERMITTED,
                    "domain '" + d.name() + "' can be freed only by its parent domain '"
                    + d.parent().name() + "' or by host code, not by " + authority.describeCaller());
        }
        free(d, true);
    }

    /**
     * Reaps the groups of {@code d} and of the domains below, and takes them out of the tree. Task records are
     * released by the disposer, off every lock.
     *
     * @param strict whether a domain that is not STOPPED is an error (else: nothing to do)
     */
    private void free(DomainControlBlock d, boolean strict) {
        if (d.parent() == null) {
            throw new TaskLifeException(Reason.NOT_PERMITTED,
                    "the root domain cannot be freed: it ends with Kernel.close()");
        }
        Runnable dispose;
        topology.lock();
        try {
            if (d.state() != DomainState.STOPPED) {
                if (!strict) {
                    return;
                }
                throw new TaskLifeException(Reason.INVALID_OPERATION, "domain '" + d.name() + "' is " + d.state()
                        + (d.state() == DomainState.FREED ? " already" : ": only a STOPPED domain can be freed"));
            }
            List<DomainControlBlock> subtree = subtreeLocked(d);
            dispose = groups.removeGroupsLocked(asSet(subtree));
            for (DomainControlBlock x : subtree) {
                x.markFreedLocked();
                domains.remove(x.id());
            }
            d.parent().childrenLocked().remove(d);
        } finally {
            topology.unlock();
        }
        disposer.execute(dispose);
    }

    // ---- wait (a kernel wait: WaitContext.awaitUntil) ----

    /**
     * Waits until {@code d} has stopped or {@code timeoutNanos} passed; a kill of the calling task ends it.
     * A task's wait is measured on its own kernel's clock (WaitContext.of).
     *
     * @param callerTask the calling task (of any kernel), or {@code null} for host code
     * @param hostBlocker the kernel's blocker, for host code
     * @return whether the domain stopped
     * @throws DomainAccessException if the caller may not see {@code d}
     */
    public boolean awaitStopped(DomainControlBlock d, long timeoutNanos, TaskControlBlock callerTask,
            Blocker hostBlocker) {
        authority.checkVisible(d, "wait for domain '" + d.name() + "'");
        if (callerTask != null) {
            callerTask.checkpoint();
        }
        WaitContext w = WaitContext.of(callerTask, hostBlocker);
        Boolean stopped = w.awaitUntil(d.stopWaiters(), null, () -> isStopped(d) ? Boolean.TRUE : null,
                WaitChannel.lazy(() -> "awaitStopped(domain " + d.name() + ")"), w.deadlineAfter(timeoutNanos));
        return stopped != null || isStopped(d);
    }

    private static boolean isStopped(DomainControlBlock d) {
        return d.state() == DomainState.STOPPED || d.state() == DomainState.FREED;
    }
}
