package org.tasklife.internal.group;

import java.util.List;
import java.util.concurrent.Callable;
import org.tasklife.ExitStatus;
import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.internal.sched.CpuSet;
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
     * or threw (contract K5); else thrown -> Failed (and the group fails unless its policy is FAIL_TASK,
     * contract E5); else Exited(0) with the body's result, and for a main task the returned code ends the
     * group (contract E2).
     *
     * Stuck exit (contract K8): the exit sequence runs user code only in task-local destructors and close() of
     * owned resources, so only there can it block. A task that was not killed gets its grace timer when it
     * is about to run such code (KillBatch.watchExit; a killed one is watched by its kill's batch already): if it has not published within
     * the grace period, the reaper reports it and force-closes what it still owns. A task with neither
     * (most tasks: spawn and join benchmarks) arms nothing. kill() of an exiting task stays false (contract K1);
     * it needs no timer of its own: the exit's timer covers it.
     */

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
        Thread thread = b.name(t.name() + "#" + t.id()).unstarted(() -> run(t, g, body, main));
        if (scheduler != null) {
            scheduler.admit(thread, t.id(), priority, affinity == null ? null : CpuSet.of(affinity));
        }
        return thread;
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

    private void run(TaskControlBlock t, GroupControlBlock g, Callable<?> body, boolean main) {
        CpuScheduler.Entity cpu = scheduler == null ? null : scheduler.current();
        if (cpu != null) {
            scheduler.start(cpu); // scheduler mode: no task code before this task holds a CPU
        }
        try {
            runOnCpu(t, g, body, main);
        } finally {
            if (cpu != null) {
                scheduler.exit(cpu);
            }
        }
    }

    private void runOnCpu(TaskControlBlock t, GroupControlBlock g, Callable<?> body, boolean main) {
        Object result = null;
        Throwable failure = null;
        try {
            if (t.start()) {
                result = body.call();
            }
        } catch (Throwable e) {
            failure = e;
        }
        exit(t, g, main, result, failure);
    }

    private void exit(TaskControlBlock t, GroupControlBlock g, boolean main, Object result, Throwable failure) {
        int word = t.beginExit();
        ExitStatus status;
        Object value = null;
        if (TaskControlBlock.wasExitRequested(word)) {
            status = ExitStatus.exited(t.requestedExitCode());
            value = t.requestedExitValue(); // Tasks.exit(value): what joiners get (contract E1)
        } else if (TaskControlBlock.wasKilled(word)) {
            status = ExitStatus.KILLED;
        } else if (failure != null) {
            status = new ExitStatus.Failed(failure);
            if (!g.failTaskOnly()) {
                core.lifecycle().endGroup(g, status, t);
            }
        } else if (main) {
            status = ExitStatus.exited((Integer) result);
            core.lifecycle().endGroup(g, status, t);
        } else {
            status = ExitStatus.exited(0);
            value = result;
        }
        GroupLifecycle life = core.lifecycle();
        boolean watch = !TaskControlBlock.wasKilled(word); // a kill's batch watches it already
        if (watch && t.hasExitHooks()) {
            life.watchExit(t);
            watch = false;
        }
        t.runExitHooks();
        List<ResourceList.Entry> owned = t.resources().takeAll();
        if (watch && owned != null) {
            life.watchExit(t);
        }
        t.recordCloseFailures(t.resources().closeTaken(owned));
        t.fireDeathWatches(); // robust mutexes still held go to their next locker, owner-died (contract §9)
        t.publish(status, value);
        Trace.taskExited(core.name(), t, t.id(), t.name(), g.id(), status, t.isKilled(), t.cpuTimeNanos());
        life.disposeIfDetached(t);
        ExitStatus groupEnd = g.memberEnded(t, false) ? life.finishGroup(g) : null;
        life.taskEnded(g, groupEnd); // last: domain stops and Kernel.close() come after the group's end
    }
}
