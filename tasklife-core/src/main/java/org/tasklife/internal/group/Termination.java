package org.tasklife.internal.group;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.tasklife.DomainAccessException;
import org.tasklife.DomainState;
import org.tasklife.ExitStatus;
import org.tasklife.GroupState;
import org.tasklife.KillReason;
import org.tasklife.SpawnOptions;
import org.tasklife.SpawnRefusedException;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.domain.Topology;
import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.Timeout;

/**
 * Ends work on time: deadlines given at spawn (contract K11) and the graceful stop ladder of a group or a
 * domain (contract K12): request, handlers, then a kill of whatever is left when the grace runs out.
 */
public final class Termination {
    /*
     * Implementation notes
     *
     * Overview: every step below is an existing mechanism with a timer in front of it. A deadline is a
     * timer whose action is the kill of a task (KillBatch, reason DEADLINE) or the end of a group
     * (GroupLifecycle.endGroup with Killed(DEADLINE), which kills each member for the same reason). A
     * terminate is a flag, handlers started as tasks of the group, and a timer whose action is endGroup with
     * Killed(GRACE_EXPIRED). A graceful domain stop is a flag on the domain (DomainControlBlock; it makes the
     * domain stop by itself, with the requested status, once its live count reaches 0), the same handlers in
     * every group of its subtree, and a timer whose action kills what is left (GRACE_EXPIRED) and then stops
     * the domain as Domains.stop does.
     *
     * Timers: each is cancelled by the end of what it watches (a task's or group's onExit, a domain's
     * onStopped): every callback runs with no kernel lock held, after the status is published, on the
     * thread that ended it; Timeout.cancel is lock-free (TimerService TM5). A timer that wins the race with
     * the end finds nothing left to kill: endGroup refuses a group that recorded a status (first wins,
     * contract E3) and a kill refuses an ended task (K1). In deterministic mode the timers are on the virtual
     * clock, so a deadline of an hour passes as soon as every task is blocked.
     *
     * Where the actions run: a kill never runs user code (flags, wakes, one grace timer: DESIGN I4), so
     * deadline and group-grace actions run on the timer thread like a sleep's timeout. The domain's expiry
     * also stops the domain, whose last step may announce it to the creator's listener (user code); it
     * runs on the reaper thread (inline in deterministic mode, where a seed must decide it), never on the
     * timer thread.
     *
     * Invariants:
     *  TR1 a group's termination is requested at most once (terminationRequested, set under the group
     *      lock while the group is ALIVE), and its handlers are taken out of the group in that same hold:
     *      a handler is started exactly once, by the request or, if registered after it, by its
     *      registration; never both (both decide under the group lock).
     *  TR2 a domain's graceful stop is recorded at most once and only while RUNNING (topology lock), before
     *      its groups are collected: a group spawned later sees the domain's flag when its tasks poll or
     *      register a handler (the registration reads the flag after taking the group lock).
     *  TR3 no user code under a kernel lock: handlers are collected under the group lock and started after
     *      it is released, as tasks of the group (so they are killable and act with the group's authority).
     *
     * Known limits: a handler that cannot be started (the domain's task limit is reached, or the group
     * stopped accepting tasks) does not run; the grace timer still ends the group. A group spawned into a
     * domain between the grace's kill pass and the domain's stop ends Killed (an explicit kill), not
     * Killed(GRACE_EXPIRED): it had no grace to run out.
     */

    private static final ExitStatus DEADLINE = ExitStatus.killed(KillReason.DEADLINE);
    private static final ExitStatus GRACE_EXPIRED = ExitStatus.killed(KillReason.GRACE_EXPIRED);

    private Termination() {}

    /** A handler registered on a group: run once, as a task of the group, when its termination is requested. */
    public static final class Handler {
        private final GroupControlBlock group;  // immutable
        private final Runnable action;          // immutable: user code, run only in its own task

        private Handler(GroupControlBlock group, Runnable action) {
            this.group = group;
            this.action = action;
        }

        /**
         * Removes the handler if it was not started.
         *
         * @return whether this call removed it (false: it was started, or removed before)
         */
        public boolean cancel() {
            group.lock.lock();
            try {
                List<Handler> handlers = group.terminationHandlersLocked();
                return handlers != null && handlers.remove(this);
            } finally {
                group.lock.unlock();
            }
        }
    }

    // ---- deadlines (contract K11) ----

    /**
     * Spawns a task under a deadline ({@code null}: none): {@code spawn} is given the body to run (
     * {@code body}, wrapped) and spawns the task; when the deadline passes, the task is killed with reason
     * DEADLINE.
     */
    public static TaskControlBlock taskWithDeadline(KernelCore core, Duration deadline, Callable<?> body,
            Function<Callable<?>, TaskControlBlock> spawn) {
        if (deadline == null) {
            return spawn.apply(body);
        }
        Deadline d = Deadline.arm(core, deadline);
        TaskControlBlock t = d.spawn(spawn, body, () -> d.attachTask(core, TaskControlBlock.current()));
        d.attachTask(core, t);
        return t;
    }

    /**
     * Spawns a group under a deadline ({@code null}: none): {@code spawn} is given the main body to run
     * ({@code main}, wrapped) and spawns the group; when the deadline passes, the group ends Killed(DEADLINE),
     * every member killed for that reason.
     */
    public static GroupControlBlock groupWithDeadline(KernelCore core, Duration deadline, Callable<?> main,
            Function<Callable<?>, GroupControlBlock> spawn) {
        if (deadline == null) {
            return spawn.apply(main);
        }
        Deadline d = Deadline.arm(core, deadline);
        GroupControlBlock g = d.spawn(spawn, main,
                () -> d.attachGroup(core, KernelCore.groupOf(TaskControlBlock.current())));
        d.attachGroup(core, g);
        return g;
    }

    /**
     * A deadline, armed before its task or group exists so that it counts from the spawn, and attached to
     * its target twice: by the target's first task as it starts (before any code of its body: in
     * deterministic mode virtual time may pass while the spawner, host code the seed does not drive, is
     * still in the spawn), and by the spawner once the spawn returns (a task killed before it started never
     * runs the wrapper).
     *
     * DL1: the timer's action writes {@code passed} then reads {@code kill}; an attach writes {@code kill}
     * then reads {@code passed} (volatile, Dekker): at least one of them kills, and a second kill is refused
     * (contract K1, E3: the first wins). DL2: the timer is cancelled when the target ends (its onExit, with no
     * lock held), or when the spawn is refused.
     */
    private static final class Deadline implements Runnable {
        private Timeout timer;             // written by arm() before the spawn; read by the spawner only
        private volatile boolean passed;   // DL1
        private volatile Runnable kill;    // DL1: set by the first attach

        static Deadline arm(KernelCore core, Duration deadline) {
            Deadline d = new Deadline();
            d.timer = schedule(core, Clock.saturatedNanos(deadline), d);
            return d;
        }

        /** Spawns with {@code body} wrapped so that {@code atStart} runs first on the new task's thread. */
        <T> T spawn(Function<Callable<?>, T> spawn, Callable<?> body, Runnable atStart) {
            Timeout armed = timer;
            try {
                return spawn.apply(() -> {
                    atStart.run();
                    return body.call();
                });
            } catch (RuntimeException | Error refused) {
                if (armed != null) {
                    armed.cancel(); // DL2: nothing was spawned
                }
                throw refused;
            }
        }

        void attachTask(KernelCore core, TaskControlBlock t) {
            attach(() -> core.lifecycle().killFor(t, KillReason.DEADLINE), t.onExit());
            if (TaskControlBlock.current() == t) {
                t.checkpoint(); // at its start: a deadline that passed already ends it before its body runs
            }
        }

        void attachGroup(KernelCore core, GroupControlBlock g) {
            attach(() -> core.lifecycle().endGroup(g, DEADLINE, null), g.onExit());
            TaskControlBlock self = TaskControlBlock.current();
            if (self != null && self.owner() == g) {
                self.checkpoint(); // its main, at its start
            }
        }

        private void attach(Runnable killTarget, CompletableFuture<ExitStatus> end) {
            kill = killTarget;
            if (passed) {
                killTarget.run();
            }
            Timeout armed = timer;
            if (armed != null) {
                end.whenComplete((s, e) -> armed.cancel()); // DL2; at once if it ended already
            }
        }

        @Override
        public void run() {
            passed = true;
            Runnable k = kill;
            if (k != null) {
                k.run();
            }
        }
    }

    // ---- terminate a group (contract K12) ----

    /**
     * Requests the termination of {@code g} for an API caller: its tasks see it, its handlers start, and
     * when {@code graceNanos} have passed whatever is left is killed (Killed(GRACE_EXPIRED)).
     *
     * @return whether this call requested it; false if it was requested before, or the group is exiting or
     *     ended
     * @throws DomainAccessException if the caller may not act on the group's domain
     */
    public static boolean terminate(GroupControlBlock g, long graceNanos) {
        KernelCore core = g.core();
        core.authority().checkVisible(g.domain(), "terminate group " + g.id());
        List<Handler> toStart;
        g.lock.lock();
        try {
            if (g.state() != GroupState.ALIVE || g.isTerminationRequested()) {
                return false;
            }
            toStart = g.requestTerminationLocked(); // TR1
        } finally {
            g.lock.unlock();
        }
        Timeout timer = schedule(core, graceNanos, () -> core.lifecycle().endGroup(g, GRACE_EXPIRED, null));
        if (timer != null) {
            g.onExit().whenComplete((s, e) -> timer.cancel());
        }
        startAll(g, toStart); // TR3: after the lock, and after the timer: the grace counts from the request
        return true;
    }

    /**
     * Whether the termination of {@code g} was requested: by a terminate of the group, or by a graceful stop
     * of its domain or of a domain above it.
     */
    public static boolean isRequested(GroupControlBlock g) {
        if (g.isTerminationRequested()) {
            return true;
        }
        for (DomainControlBlock d = g.domain(); d != null; d = d.parent()) {
            if (d.isGracefulStopRequested()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Registers {@code action} to run, as a new task of {@code g}, when the group's termination is requested;
     * if it already was, starts it now.
     */
    public static Handler onTerminate(GroupControlBlock g, Runnable action) {
        Handler h = new Handler(g, action);
        g.lock.lock();
        try {
            // TR2: the domain's flag is read under the group lock, after a domain request may have set it
            if (!g.isTerminationRequested() && !isRequested(g)) {
                g.addTerminationHandlerLocked(h);
                return h;
            }
        } finally {
            g.lock.unlock();
        }
        startAll(g, List.of(h));
        return h;
    }

    // ---- a graceful domain stop (contract K13) ----

    /**
     * Stops {@code d} gracefully for an API caller: records the request and {@code status}, requests the
     * termination of every group of its subtree, and when {@code graceNanos} have passed kills what is left
     * (Killed(GRACE_EXPIRED)) and stops the domain with {@code status}; it stops by itself, with
     * {@code status}, as soon as its last task ends.
     *
     * @return whether this call made the request; false if the domain does not run or a graceful stop was
     *     requested before
     * @throws TaskLifeException ({@code NOT_PERMITTED}) for the kernel's root domain
     * @throws DomainAccessException if the caller may not act on {@code d}
     */
    public static boolean stopDomain(KernelCore core, DomainControlBlock d, ExitStatus status, long graceNanos) {
        if (d.parent() == null) {
            throw new TaskLifeException(Reason.NOT_PERMITTED,
                    "the root domain cannot be stopped: it stops with Kernel.close()");
        }
        core.authority().checkVisible(d, "stop domain '" + d.name() + "'");
        List<GroupControlBlock> groups;
        Topology topology = core.topology();
        topology.lock();
        try {
            if (!d.requestGracefulStopLocked(status)) {
                return false;
            }
            groups = groupsLocked(core, d); // TR2: after the flag
        } finally {
            topology.unlock();
        }
        if (d.liveTasks() == 0) { // nothing to wait for; a task ending now would stop it too (first wins)
            core.domains().stop(d, status, TaskControlBlock.current());
            return true;
        }
        Timeout timer = schedule(core, graceNanos, () -> offTimerThread(core, () -> graceOver(core, d, status)));
        if (timer != null) {
            d.onStopped().whenComplete((s, e) -> timer.cancel());
        }
        for (GroupControlBlock g : groups) {
            List<Handler> toStart;
            g.lock.lock();
            try {
                if (g.state() != GroupState.ALIVE || g.isTerminationRequested()) {
                    continue; // ended, or terminated already: its handlers were started then
                }
                toStart = g.requestTerminationLocked();
            } finally {
                g.lock.unlock();
            }
            startAll(g, toStart);
        }
        return true;
    }

    /** The grace of a graceful stop of {@code d} ran out: kill what is left, then stop it as Domains.stop does. */
    private static void graceOver(KernelCore core, DomainControlBlock d, ExitStatus status) {
        List<GroupControlBlock> groups;
        core.topology().lock();
        try {
            if (d.state() != DomainState.RUNNING) {
                return; // it stopped by itself, or a plain stop took over
            }
            groups = groupsLocked(core, d);
        } finally {
            core.topology().unlock();
        }
        for (GroupControlBlock g : groups) {
            core.lifecycle().endGroup(g, GRACE_EXPIRED, null);
        }
        core.domains().stop(d, status, null);
    }

    /** The groups (not the roots) of {@code d} and the domains below it. Topology lock held. */
    private static List<GroupControlBlock> groupsLocked(KernelCore core, DomainControlBlock d) {
        assert core.topology().isHeld();
        List<DomainControlBlock> subtree = new ArrayList<>();
        subtree.add(d);
        for (int i = 0; i < subtree.size(); i++) {
            subtree.addAll(subtree.get(i).childrenLocked());
        }
        Set<DomainControlBlock> inside = Collections.newSetFromMap(new IdentityHashMap<>());
        inside.addAll(subtree);
        List<GroupControlBlock> out = new ArrayList<>();
        for (GroupControlBlock g : core.tables().groups()) {
            if (!g.isDomainRoot() && inside.contains(g.domain())) {
                out.add(g);
            }
        }
        return out;
    }

    // ---- helpers ----

    /** Starts each handler as a detached task of {@code g}; one that cannot start does not run (see the notes). */
    private static void startAll(GroupControlBlock g, List<Handler> handlers) {
        for (Handler h : handlers) {
            try {
                g.core().lifecycle().spawnTask(g, "on-terminate", false, true, SpawnOptions.DEFAULT_PRIORITY, null,
                        () -> {
                            h.action.run();
                            return null;
                        });
            } catch (SpawnRefusedException refused) {
                // the group stopped accepting tasks, or a limit is reached: the grace timer still ends it
            }
        }
    }

    /**
     * Arms a timer {@code nanos} from now on the kernel's clock.
     *
     * @return the timer, or {@code null} if the kernel is closing (its close kills everything anyway)
     */
    private static Timeout schedule(KernelCore core, long nanos, Runnable action) {
        try {
            return core.timers().schedule(Clock.deadlineAfter(core.clock().nanoTime(), nanos), action);
        } catch (IllegalStateException closed) {
            return null;
        }
    }

    /** Runs {@code job} off the timer thread: on the reaper thread, or inline where a seed decides (deterministic). */
    private static void offTimerThread(KernelCore core, Runnable job) {
        CpuScheduler s = core.scheduler();
        if (s != null && s.isDeterministic()) {
            job.run();
        } else {
            core.lifecycle().reaper().execute(job);
        }
    }
}
