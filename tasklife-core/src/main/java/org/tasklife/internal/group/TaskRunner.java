package org.tasklife.internal.group;

import java.lang.ref.Cleaner;
import java.util.List;
import java.util.concurrent.Callable;
import org.tasklife.ExitStatus;
import org.tasklife.KillReason;
import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.internal.sched.CpuSet;
import org.tasklife.internal.task.KillHookList;
import org.tasklife.internal.task.ResourceList;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.trace.Trace;

/**
 * The task trampoline: runs a body on the task's own thread and then its exit sequence (contract E6,
 * DESIGN I6), including the group's end when it is the last member.
 */
final class TaskRunner {
    /*
     * Implementation notes
     *
     * Exit order (contract E6; the timeline with threads and locks is in GroupLifecycle): beginExit (the CAS to
     * EXITING decides Killed vs the body's own outcome, contract K6) -> task-local destructors -> task-owned
     * resources -> mutexes still held are declared owner-dead (death watches) -> publish status, wake
     * joiners, complete onExit -> leave the group's live count -> if last: finish the group -> leave the
     * domain's and the kernel's live counts.
     *
     * Status of a task: exit requested (exit(), exit(value), exitGroup(code)) -> Exited(requested code),
     * with the requested value as the result (contract E1); else killed -> Killed, whatever the body returned
     * or threw (contract K5); else thrown -> Failed (and the group fails unless its policy is FAIL_TASK or
     * the task FAILS_ALONE, contract E5); else Exited(0) with the body's result, and for a main task the returned code ends the
     * group (contract E2).
     *
     * Stuck exit (contract K8): the exit sequence runs user code only in task-local destructors and close() of
     * owned resources, so only there can it block. A task that was not killed gets its grace timer when it
     * is about to run such code (KillBatch.watchExit; a killed one is watched by its kill's batch already): if it has not published within
     * the grace period, the reaper reports it and force-closes what it still owns. A task with neither
     * (most tasks: spawn and join benchmarks) arms nothing. kill() of an exiting task stays false (contract K1);
     * it needs no timer of its own: the exit's timer covers it.
     *
     * Handed-out threads (TaskControlBlock H1; TaskThreadFactory): newHandedOutThread makes the thread of a task
     * that is already a live member of its group, and whoever asked for it starts it, or not. Started, it claims
     * the task (claimStart) and runs as any task, killed or not. Killed before it started, the task is retired on
     * the reaper thread (retire): the exit sequence of a task that never ran, which has no destructors and
     * whose only user code is close() of what someone gave it to own, run with its owner's authority; its
     * thread, started later, returns at once. Dropped unstarted (the Thread object became unreachable: a
     * ThreadPoolExecutor that lost a race with its shutdown, a failed start), a Cleaner kills it, which
     * retires it. The Cleaner's action holds the record, never the thread, and is cleaned (unregistered) as
     * soon as the thread starts, so that a started thread's Thread object is not kept reachable through it.
     * The reaper runs a retirement's group end when it was the group's last member (finishGroup: group-owned
     * close() too), so such a close() that blocks delays the reaper's later jobs (see Reaper's known limits).
     */

    /** Retires the tasks of handed-out threads dropped unstarted (one daemon thread for the JVM, made on first use). */
    private static final class Dropped {
        static final Cleaner CLEANER = Cleaner.create(r -> Thread.ofPlatform().daemon().name("tasklife-dropped-threads")
                .inheritInheritableThreadLocals(false).unstarted(r)); // acts for nobody: a kill it makes is the kernel's
    }

    private static final KillReason[] KILL_REASONS = KillReason.values(); // one copy, not one per killed task
    private static final ExitStatus EXITED_0 = ExitStatus.exited(0); // a record: one shared value, not one per task

    private final KernelCore core;
    private final CpuScheduler scheduler; // null in the default mode

    TaskRunner(KernelCore core, CpuScheduler scheduler) {
        this.core = core;
        this.scheduler = scheduler;
    }

    /**
     * The thread of a new task, not started.
     *
     * @throws IllegalArgumentException in scheduler mode, if {@code affinity} allows none of the CPUs
     */
    Thread newThread(TaskControlBlock t, GroupControlBlock g, Callable<?> body, boolean main, int priority,
            int[] affinity) {
        Thread.Builder b = t.isPlatform() ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        assert main == (t.id() == g.id()) : "tid " + t.id() + ": only a group's main task has the group's id";
        t.setBody(body); // the record is the thread's Runnable: it hands the body to runTask (no start object per task)
        Thread thread = b.name(t.name() + "#" + t.id()).unstarted(t);
        if (scheduler != null) {
            scheduler.admit(thread, t.id(), priority, affinity == null ? null : CpuSet.of(affinity));
        }
        return thread;
    }

    /**
     * The thread of a new HANDED_OUT task (TaskControlBlock H1), not started: whoever gets it starts it. Default
     * mode only (a scheduler admits only the threads it starts itself).
     */
    HandedOut newHandedOutThread(TaskControlBlock t, GroupControlBlock g, Callable<?> body) {
        assert scheduler == null;
        HandedOut run = new HandedOut(t, g, body);
        Thread.Builder b = t.isPlatform() ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        run.thread = b.name(t.name() + "#" + t.id()).unstarted(run);
        return run;
    }

    /** A handed-out thread's body: claims its task, or returns at once if the task was retired first (H1). */
    final class HandedOut implements Runnable {
        private final TaskControlBlock t;
        private final GroupControlBlock g;
        private final Callable<?> body;
        Thread thread;                       // set once by newHandedOutThread, before the thread is handed out
        private Cleaner.Cleanable dropWatch; // set by watchDrop before the thread is handed out; read by run()

        private HandedOut(TaskControlBlock t, GroupControlBlock g, Callable<?> body) {
            this.t = t;
            this.g = g;
            this.body = body;
        }

        /**
         * Once the task is a member of its group: if the thread becomes unreachable without having started, the
         * task is killed (and so retired). The action holds the record, never the thread.
         */
        void watchDrop() {
            TaskControlBlock task = t;
            GroupLifecycle life = core.lifecycle();
            dropWatch = Dropped.CLEANER.register(thread, () -> {
                if (task.taskState() == org.tasklife.TaskState.NEW) {
                    life.killDropped(task);
                }
            });
        }

        @Override
        public void run() {
            boolean claimed = t.claimStart();
            Cleaner.Cleanable w = dropWatch;
            if (w != null) {
                w.clean(); // unregisters: the task left NEW, so its action does nothing
            }
            if (claimed) { // the body is called from this frame: one kernel frame below it, as TaskControlBlock.run
                Object result = null;
                Throwable failure = null;
                try {
                    if (t.bodyMayRun()) {
                        result = body.call();
                    }
                } catch (Throwable e) {
                    failure = e;
                }
                exit(t, g, false, result, failure);
            }
        }
    }

    /** The spawner started {@code thread}: in scheduler mode the task becomes runnable now. */
    void started(Thread thread) {
        if (scheduler != null) {
            scheduler.started(thread);
        }
    }

    /** Undoes newThread's admission for a thread that will not start. */
    void forget(Thread thread) {
        if (scheduler != null) {
            scheduler.forget(thread);
        }
    }

    /**
     * The start of a task made by newThread, on its own thread (TaskControlBlock.run -> GroupControlBlock.enterTask):
     * in scheduler mode no task code runs before this task holds a CPU. @return whether its body may run
     */
    boolean enterTask(TaskControlBlock t) {
        if (scheduler != null) {
            CpuScheduler.Entity cpu = scheduler.current();
            if (cpu != null) {
                scheduler.start(cpu);
            }
        }
        return t.start();
    }

    /**
     * The end of a task made by newThread, on its own thread, after its body (TaskControlBlock.run ->
     * GroupControlBlock.exitTask): the exit sequence, then in scheduler mode the CPU goes to the next task.
     */
    void exitTask(TaskControlBlock t, GroupControlBlock g, boolean main, Object result, Throwable failure) {
        CpuScheduler.Entity cpu = scheduler == null ? null : scheduler.current();
        try {
            exit(t, g, main, result, failure);
        } finally {
            if (cpu != null) {
                scheduler.exit(cpu);
            }
        }
    }

    /**
     * Ends {@code t}, a HANDED_OUT task killed before its thread started, on the calling (reaper) thread, unless its
     * thread started first (H1): the exit sequence of a task that never ran, with status Killed.
     */
    void retire(TaskControlBlock t, GroupControlBlock g) {
        if (!t.retireUnstarted()) {
            return; // its thread started first: it unwinds by itself
        }
        TaskControlBlock.runAsOwnerOf(t, () -> {
            List<ResourceList.Entry> owned = t.takeResources(); // what others gave it to own (contract O2)
            t.recordCloseFailures(t.resources().closeTaken(owned));
            t.fireDeathWatches();
            core.lifecycle().reaper().totals().exited(ExitStatus.KILLED); // before: whoever sees the status sees it counted
            t.publishRetired(ExitStatus.KILLED);
            Trace.taskExited(core.name(), t, t.id(), t.name(), g.id(), ExitStatus.KILLED, true, t.cpuTimeNanos());
            GroupLifecycle life = core.lifecycle();
            life.disposeIfDetached(t);
            ExitStatus groupEnd = g.memberEnded(t, false) ? life.finishGroup(g) : null;
            life.taskEnded(g, groupEnd);
        });
    }

    private void exit(TaskControlBlock t, GroupControlBlock g, boolean main, Object result, Throwable failure) {
        int word = t.beginExit();
        if (!TaskControlBlock.wasKilled(word)) {
            KillHookList.discardAtExit(t); // no kill can land any more: its hooks never run (contract K15)
        }
        ExitStatus status;
        Object value = null;
        if (TaskControlBlock.wasExitRequested(word)) {
            status = ExitStatus.exited(t.requestedExitCode());
            value = t.requestedExitValue(); // Tasks.exit(value): what joiners get (contract E1)
        } else if (TaskControlBlock.wasKilled(word)) {
            status = ExitStatus.killed(KILL_REASONS[TaskControlBlock.killReason(word)]); // contract K11, K12
        } else if (failure != null) {
            status = new ExitStatus.Failed(failure);
            if (!g.failTaskOnly() && !t.failsAlone()) {
                core.lifecycle().endGroup(g, status, t);
            }
        } else if (main) {
            status = ExitStatus.exited((Integer) result);
            core.lifecycle().endGroup(g, status, t);
        } else {
            status = EXITED_0;
            value = result;
        }
        GroupLifecycle life = core.lifecycle();
        boolean watch = !TaskControlBlock.wasKilled(word); // a kill's batch watches it already
        if (watch && t.hasExitHooks()) {
            life.watchExit(t);
            watch = false;
        }
        t.runExitHooks();
        List<ResourceList.Entry> owned = t.takeResources();
        if (watch && owned != null) {
            life.watchExit(t);
        }
        t.recordCloseFailures(t.resources().closeTaken(owned));
        t.fireDeathWatches(); // robust mutexes still held go to their next locker, owner-died (contract §9)
        core.lifecycle().reaper().totals().exited(status); // before: whoever sees the status sees it counted
        t.publish(status, value);
        Trace.taskExited(core.name(), t, t.id(), t.name(), g.id(), status, t.isKilled(), t.cpuTimeNanos());
        life.disposeIfDetached(t);
        ExitStatus groupEnd = g.memberEnded(t, false) ? life.finishGroup(g) : null;
        life.taskEnded(g, groupEnd); // last: domain stops and Kernel.close() come after the group's end
    }
}
