package org.tasklife.internal.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.tasklife.DomainState;
import org.tasklife.ExitStatus;
import org.tasklife.internal.wait.WaitQueue;

/**
 * The domain control block: a domain's place in the domain tree, its limits and counters, and the
 * state and status of its stop (contract §10). A domain's groups hang under its root group, which the
 * group layer keeps; this block knows nothing of groups.
 */
public final class DomainControlBlock {
    /*
     * Implementation notes
     *
     * States (DomainState), every change under the kernel's topology lock (Topology; each ...Locked method
     * asserts it):
     *   RUNNING  -> STOPPING  // stop(status) recorded the status first (first wins), or a parent stopped
     *   RUNNING  -> STOPPED   // stopWhenEmpty: the live count dropped to 0 after a task had run
 *   RUNNING  -> STOPPED   // a graceful stop was requested and the live count dropped to 0 (its status)
     *   STOPPING -> STOPPED   // the live count is 0
     *   STOPPED  -> FREED     // the parent freed it
     *
     * Counters: liveTasks counts tasks of this domain and every domain below it from reservation (before
     * the task exists) to the end of the task's exit sequence (after its group finished, if it was the
     * last member); groups counts groups from reservation until reaped. Both are reserved level by level
     * from the spawning domain up with a bounded CAS (never above a limit), and rolled back on refusal.
     *
     * Invariants:
     *  D1 a domain leaves RUNNING only under the topology lock, and a spawn checks RUNNING under the same
     *     lock after its reservation: a stop's group scan sees every group that will ever be in it.
     *  D2 STOPPED is decided under the topology lock with liveTasks == 0 read there; a reservation made
     *     before the state check keeps the count above 0, so nothing starts in a stopped domain, and the
     *     release that brings the count back to 0 re-runs the decision (so a transient reservation by a
     *     refused spawn cannot hide the end of a stop from both sides).
     *  D3 status is written before the state leaves RUNNING and never again; it is what the parent sees.
     *  D4 a domain becomes STOPPED only after every domain below it: tasks ending concurrently in a child
     *     and a parent can see the parent's count reach 0 first, so whoever stops a domain retries its
     *     parent, and the parent's listener always hears after the children's.
     *
     * Known limits: two spawns racing for the last slot under a limit can both be refused if a third is
     * rolling back a reservation at that instant (a spurious EAGAIN, never an excess).
     */

    /** What the domain tells its creator; called with no kernel lock held. */
    public interface Listener {
        /** A group of domain {@code d} ended with a status other than Exited(0) while {@code d} ran. */
        void abnormalExit(DomainControlBlock d, long groupId, ExitStatus status, long liveTasks);

        /** Domain {@code d} stopped (exactly once). */
        void stopped(DomainControlBlock d, ExitStatus status);
    }

    private final long id;
    private final String name;
    private final Topology topology;             // immutable: the kernel's (its lock guards the state and children)
    private final DomainControlBlock parent;
    private final long maxTasks;
    private final long maxGroups;
    private final boolean stopWhenEmpty;
    private final boolean autoFree;
    private final Listener listener;
    private final AtomicLong liveTasks = new AtomicLong();
    private final AtomicLong groups = new AtomicLong();
    private final CompletableFuture<ExitStatus> onStopped = new CompletableFuture<>();
    private final WaitQueue stopWaiters = new WaitQueue();
    private final List<DomainControlBlock> children = new ArrayList<>(); // guarded by the topology lock
    private volatile DomainState state = DomainState.RUNNING;
    private volatile ExitStatus status;
    private volatile ExitStatus lastGroupStatus;
    private volatile ExitStatus gracefulStop;   // written once, under the topology lock, while RUNNING (contract K13)
    private volatile boolean hadTask;

    /**
     * @param id the id of the domain's root group
     * @param topology the kernel's topology (its lock guards every {@code ...Locked} method here)
     * @param parent the parent domain, or {@code null} for a kernel's root domain
     * @param listener told about events, or {@code null}
     */
    public DomainControlBlock(long id, String name, Topology topology, DomainControlBlock parent, long maxTasks,
            long maxGroups, boolean stopWhenEmpty, boolean autoFree, Listener listener) {
        this.id = id;
        this.name = name;
        this.topology = topology;
        this.parent = parent;
        this.maxTasks = maxTasks;
        this.maxGroups = maxGroups;
        this.stopWhenEmpty = stopWhenEmpty;
        this.autoFree = autoFree;
        this.listener = listener;
    }

    /** The id of the domain's root group, which is the domain's id. */
    public long id() {
        return id;
    }

    /** The domain's name. */
    public String name() {
        return name;
    }

    /** The parent domain, or {@code null} for a kernel's root domain. */
    public DomainControlBlock parent() {
        return parent;
    }

    /** The topology of the kernel this domain belongs to: the kernel's identity for Authority. */
    public Topology topology() {
        return topology;
    }

    /** The state. */
    public DomainState state() {
        return state;
    }

    /** The recorded stop status, or {@code null} while running. */
    public ExitStatus status() {
        return status;
    }

    /** Live tasks here and below. */
    public long liveTasks() {
        return liveTasks.get();
    }

    /** Unreaped groups here and below. */
    public long groups() {
        return groups.get();
    }

    /** The live task limit ({@code Long.MAX_VALUE}: none). */
    public long maxTasks() {
        return maxTasks;
    }

    /** The group limit ({@code Long.MAX_VALUE}: none). */
    public long maxGroups() {
        return maxGroups;
    }

    /** Whether the parent side wants it freed as soon as it stops. */
    public boolean isAutoFree() {
        return autoFree;
    }

    /** Completes with the status once the domain has stopped. */
    public CompletableFuture<ExitStatus> onStopped() {
        return onStopped;
    }

    /** Tasks waiting for this domain to stop. */
    public WaitQueue stopWaiters() {
        return stopWaiters;
    }

    /** Whether {@code this} is {@code other} or a domain above it. */
    public boolean contains(DomainControlBlock other) {
        for (DomainControlBlock d = other; d != null; d = d.parent) {
            if (d == this) {
                return true;
            }
        }
        return false;
    }

    // ---- counters ----

    /**
     * Reserves a task slot here and in every domain above.
     *
     * @return {@code null} if reserved, else the domain whose limit refused (nothing stays reserved)
     */
    public DomainControlBlock reserveTask() {
        return reserve(true);
    }

    /** Reserves a group slot here and above. @return {@code null}, or the refusing domain */
    public DomainControlBlock reserveGroup() {
        return reserve(false);
    }

    private DomainControlBlock reserve(boolean task) {
        for (DomainControlBlock d = this; d != null; d = d.parent) {
            AtomicLong counter = task ? d.liveTasks : d.groups;
            long limit = task ? d.maxTasks : d.maxGroups;
            long n;
            do {
                n = counter.get();
                if (n >= limit) {
                    for (DomainControlBlock u = this; u != d; u = u.parent) {
                        (task ? u.liveTasks : u.groups).decrementAndGet();
                    }
                    return d;
                }
            } while (!counter.compareAndSet(n, n + 1));
        }
        return null;
    }

    /** Marks that a task really started here (for stopWhenEmpty). */
    public void noteTaskStarted() {
        for (DomainControlBlock d = this; d != null && !d.hadTask; d = d.parent) {
            d.hadTask = true;
        }
    }

    /**
     * Releases a task slot here and above (the task ended, or its spawn was refused after reserving).
     *
     * @return the domains, deepest first, whose count reached 0 and may have to stop now
     */
    public List<DomainControlBlock> releaseTask() {
        List<DomainControlBlock> idle = null;
        for (DomainControlBlock d = this; d != null; d = d.parent) {
            if (d.liveTasks.decrementAndGet() == 0 && d.mayStopWhenIdle()) {
                if (idle == null) {
                    idle = new ArrayList<>(2);
                }
                idle.add(d);
            }
        }
        return idle == null ? List.of() : idle;
    }

    /** Releases a group slot here and above (reaped, or its spawn refused). */
    public void releaseGroup() {
        for (DomainControlBlock d = this; d != null; d = d.parent) {
            d.groups.decrementAndGet();
        }
    }

    /** Whether the count is 0 and the domain is stopping, or running with stopWhenEmpty after a task. */
    public boolean isIdleAndDueLocked() {
        assert topology.isHeld();
        return liveTasks.get() == 0 && mayStopWhenIdle();
    }

    private boolean mayStopWhenIdle() {
        DomainState s = state;
        return s == DomainState.STOPPING
                || (s == DomainState.RUNNING && (gracefulStop != null || stopWhenEmpty && hadTask));
    }

    /** Remembers the final status of a group that ended here or below (the status of a stopWhenEmpty end). */
    public void noteGroupEnded(ExitStatus s) {
        for (DomainControlBlock d = this; d != null; d = d.parent) {
            d.lastGroupStatus = s;
        }
    }

    // ---- state (topology lock held by the caller) ----

    /** Children, for the caller holding the topology lock. */
    public List<DomainControlBlock> childrenLocked() {
        assert topology.isHeld();
        return children;
    }

    /**
     * RUNNING -> STOPPING with {@code s} recorded first (D3).
     *
     * @return false if the domain was not running
     */
    public boolean beginStopLocked(ExitStatus s) {
        assert topology.isHeld();
        if (state != DomainState.RUNNING) {
            return false;
        }
        status = s;
        state = DomainState.STOPPING;
        return true;
    }

    /**
     * Decides whether the domain stops now (D2): idle and stopping, or idle, running and stopWhenEmpty.
     *
     * @return whether this call stopped it; the caller then runs {@link #announceStopped()} unlocked
     */
    public boolean tryFinishStopLocked() {
        assert topology.isHeld();
        if (!isIdleAndDueLocked()) {
            return false;
        }
        for (DomainControlBlock c : children) {
            if (c.state != DomainState.STOPPED && c.state != DomainState.FREED) {
                return false; // D4: the domains below stop first; the last of them retries this one
            }
        }
        if (state == DomainState.RUNNING) {
            ExitStatus last = lastGroupStatus;
            ExitStatus graceful = gracefulStop;
            status = graceful != null ? graceful : last != null ? last : ExitStatus.exited(0);
        }
        state = DomainState.STOPPED;
        return true;
    }

    /**
     * Records a graceful stop with {@code s} (contract K13): the domain keeps running, and stops by itself
     * with {@code s} when its live count reaches 0 (or is stopped when the grace runs out).
     *
     * @return false if the domain does not run or a graceful stop was requested before
     */
    public boolean requestGracefulStopLocked(ExitStatus s) {
        assert topology.isHeld();
        if (state != DomainState.RUNNING || gracefulStop != null) {
            return false;
        }
        gracefulStop = s;
        return true;
    }

    /** Whether a graceful stop of this domain was requested (it may have become a stop since). */
    public boolean isGracefulStopRequested() {
        return gracefulStop != null;
    }

    /** STOPPED -> FREED. @return false if not STOPPED */
    public boolean markFreedLocked() {
        assert topology.isHeld();
        if (state != DomainState.STOPPED) {
            return false;
        }
        state = DomainState.FREED;
        return true;
    }

    // ---- telling (no lock held) ----

    /**
     * Tells the listener, then completes {@link #onStopped()} and wakes waiters: once, after
     * tryFinishStopLocked. The listener comes first so that whoever sees the future sees the event.
     */
    public void announceStopped() {
        ExitStatus s = status;
        if (listener != null) {
            try {
                listener.stopped(this, s);
            } catch (Throwable ignored) {
                // documented: a listener cannot stop the domain from stopping (nor end the task it runs on)
            }
        }
        stopWaiters.signalAll();
        onStopped.complete(s);
    }

    /** Tells the listener that a group ended abnormally, if the domain still runs. */
    public void announceAbnormalExit(long groupId, ExitStatus s) {
        if (listener != null && state == DomainState.RUNNING) {
            try {
                listener.abnormalExit(this, groupId, s, liveTasks.get());
            } catch (Throwable ignored) {
                // documented: a listener cannot change the domain's course (nor end the task it runs on)
            }
        }
    }

    @Override
    public String toString() {
        return "Domain[" + id + " " + name + " " + state + "]";
    }
}
