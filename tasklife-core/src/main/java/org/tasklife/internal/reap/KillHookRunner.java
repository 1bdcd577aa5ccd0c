package org.tasklife.internal.reap;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.tasklife.internal.task.KillHookList;
import org.tasklife.internal.task.KillHookList.Hook;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Timeout;

/**
 * Runs the kill hooks a kill claimed (contract K15): on a virtual thread started for them, never on the
 * killer's thread and under no kernel lock, newest first, each once. A hook that throws is recorded (the
 * task's close failures) and logged; one that runs longer than the kill grace period is logged with its
 * stack, and the hooks still waiting behind it go on on a fresh thread.
 */
final class KillHookRunner implements Runnable {
    /*
     * Implementation notes
     *
     * Overview: KillBatch calls fire(t) for every task it killed, after waking it, when the task has a hook
     * list (one volatile read otherwise: a mass kill of tasks without hooks pays a null check each). fire
     * claims the hooks (KillHookList.takeForKill, KH1) and starts one virtual thread that runs them in turn:
     * a thread start, which never blocks, so kill() still returns at once (contract K7).
     *
     * Threads and authority: the hook thread does not inherit the killer's inheritable thread locals (the
     * killer's authority, a host's or another domain's); it runs the hooks as the killed task's owner's
     * work (TaskControlBlock A2: callbacks run with the authority of whoever registered them, here the task
     * itself). It is not a task: a hook cannot be killed, and the Tasks methods refuse it (NOT_IN_TASK).
     *
     * A hook that blocks: the runner arms one grace timer (the kernel's kill grace period) when it starts and
     * cancels it when it is done. If it fires first, the reaper thread logs the hook still running (task,
     * action, stack) and starts another runner over the same list: hooks still QUEUED are taken by whichever
     * runner reaches them first (QUEUED -> RUNNING, KH1), so each still runs once, in order, and none waits
     * behind a stuck one for more than a grace period. Nothing is fatal; the blocked hook thread is left to
     * its action.
     *
     * Known limits: hook threads are plain virtual threads outside the scheduler and deterministic modes, so
     * in deterministic mode a hook's timing is not part of the replayed schedule. Kernel.close() does not
     * wait for hooks still running.
     */

    static final System.Logger LOG = System.getLogger("org.tasklife"); // the library's one logger name

    private final Reaper reaper;               // immutable
    private final TaskControlBlock task;       // immutable: the killed task
    private final List<Hook> hooks;            // immutable: claimed, in running order; shared with later runners
    private volatile Thread thread;            // set when the runner starts
    private volatile Hook current;             // the hook this runner runs now, or null
    private volatile boolean finished;         // set once when this runner has passed the last hook

    private KillHookRunner(Reaper reaper, TaskControlBlock task, List<Hook> hooks) {
        this.reaper = reaper;
        this.task = task;
        this.hooks = hooks;
    }

    /**
     * Claims and starts the kill hooks of {@code t}, which the caller has just killed (killer's thread, no
     * lock held). Does nothing if {@code t} has none.
     */
    static void fire(Reaper reaper, TaskControlBlock t) {
        KillHookList list = t.killHooks();
        if (list == null) {
            return;
        }
        List<Hook> claimed = list.takeForKill();
        if (!claimed.isEmpty()) {
            new KillHookRunner(reaper, t, claimed).start();
        }
    }

    private void start() {
        Thread.ofVirtual().name("tasklife-kill-hooks-" + task.id()).inheritInheritableThreadLocals(false).start(this);
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        Timeout timer = reaper.scheduleGrace(() -> reaper.execute(this::graceOver)); // null while the kernel closes
        List<Throwable> failures = new ArrayList<>(0);
        try {
            TaskControlBlock.runAsOwnerOf(task, () -> runHooks(failures));
        } finally {
            current = null;
            finished = true;
            if (timer != null) {
                timer.cancel();
            }
            task.recordCloseFailures(failures); // contract O3, K15: visible as the task's close failures
        }
    }

    private void runHooks(List<Throwable> failures) {
        for (Hook h : hooks) {
            if (!h.start()) {
                continue; // another runner has it (KH1)
            }
            current = h;
            try {
                h.action().close();
            } catch (Throwable e) {
                failures.add(e);
                LOG.log(Level.WARNING, () -> "kill hook " + describe(h.action()) + " of task " + task.id() + " ("
                        + task.name() + ") failed: " + e, e);
            } finally {
                current = null;
                h.finish();
            }
        }
    }

    /** The action's own text (Unblockers name their target), or its class if its toString() fails: user code. */
    private static String describe(AutoCloseable action) {
        try {
            return String.valueOf(action);
        } catch (RuntimeException e) {
            return action.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(action));
        }
    }

    /** The grace period is over (reaper thread): report a hook still running, and run the rest elsewhere. */
    private void graceOver() {
        Hook h = current;
        Thread th = thread;
        if (finished || h == null || !h.isRunning()) {
            return;
        }
        StringBuilder sb = new StringBuilder("kill hook ").append(describe(h.action())).append(" of task ")
                .append(task.id()).append(" (").append(task.name()).append(") still runs after the kill grace period (")
                .append(TimeUnit.NANOSECONDS.toMillis(reaper.graceNanos()))
                .append(" ms); it is left running, and the task's other hooks go on without it");
        if (th != null) {
            for (StackTraceElement e : th.getStackTrace()) {
                sb.append("\n\tat ").append(e);
            }
        }
        LOG.log(Level.WARNING, sb.toString());
        for (Hook rest : hooks) {
            if (rest.isQueued()) {
                new KillHookRunner(reaper, task, hooks).start(); // it and those after it run there
                return;
            }
        }
    }
}
