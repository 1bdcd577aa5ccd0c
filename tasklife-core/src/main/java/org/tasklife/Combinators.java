package org.tasklife;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.group.GroupControlBlock;
import org.tasklife.internal.group.KernelCore;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.TaskExitSignal;
import org.tasklife.internal.task.WaitContext;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitChannel;
import org.tasklife.internal.wait.WaitQueue;

/**
 * {@link Tasks#all} and {@link Tasks#firstSuccess}: run bodies as tasks of the caller's group, and kill the
 * losers before returning (docs/contract.md, K14).
 */
final class Combinators {
    /*
     * Implementation notes
     *
     * Overview: one Run per call. It spawns one task per body in the caller's group; each task's body is
     * wrapped so that it returns its outcome (a Success or a Failure) instead of throwing, so a failing body
     * fails only its task, never the group (contract E5). Each task's onExit, which completes when it has
     * published its status (TERMINATED), queues its index and signals the Run's wait queue; the caller waits
     * on that queue (one WaitContext.awaitUntil, killable like every kernel wait) and joins each task as it
     * ends (the join returns at once and releases the record). The losers are killed and then joined too,
     * so "ended" means TERMINATED and nothing of them is left in the group.
     *
     * Invariants:
     *  C1 every task a Run spawned is joined or detached before the call returns or throws: joined on the
     *     normal paths; on the others (the caller killed, a spawn refused mid-way) killed and detached in
     *     abandon(), which a killed caller can still run (kill and detach never block, contract K5).
     *  C2 no lost wake-up: an ending task adds its index to `ended` before it signals the queue, and the
     *     caller polls `ended` under the queue's lock before it links its node (awaitUntil), so it either
     *     sees the index or is linked when the signal comes.
     *  C3 a body's kill and its exit request are not outcomes: the wrapper rethrows TaskKilledError (the task
     *     ends Killed: the join says so) and TaskExitSignal (Tasks.exit(value) from a body returns value).
     *
     * Known limits: a body stuck in code that ignores kills keeps the call waiting for it (as any join does);
     * the kill grace period reports it stuck (contract K8), and a kill of the caller ends the wait.
     */

    private Combinators() {}

    /** What a wrapped body returned. */
    private record Success(Object value) {}

    /** What a wrapped body threw. */
    private record Failure(Throwable thrown) {}

    /** A task that failed or was killed, as {@link Run#join} reports it: the exception its join would throw. */
    private record Lost(TaskLifeException why) {}

    static <T> List<T> all(List<? extends TaskBody<? extends T>> bodies) {
        Run run = Run.start("all", bodies);
        try {
            Object[] results = new Object[run.size()];
            for (int left = run.size(); left > 0; left--) {
                int i = run.nextEnded();
                Object outcome = run.join(i);
                if (outcome instanceof Lost lost) {
                    run.killAndJoinTheRest();
                    throw lost.why();
                }
                results[i] = outcome;
            }
            @SuppressWarnings("unchecked")
            List<T> out = (List<T>) Collections.unmodifiableList(Arrays.asList(results));
            return out;
        } finally {
            run.abandon(); // C1: only what the paths above left un-joined
        }
    }

    static <T> T firstSuccess(List<? extends TaskBody<? extends T>> bodies) {
        Run run = Run.start("firstSuccess", bodies);
        try {
            Throwable[] failures = new Throwable[run.size()];
            for (int left = run.size(); left > 0; left--) {
                int i = run.nextEnded();
                Object outcome = run.join(i);
                if (outcome instanceof Lost lost) {
                    failures[i] = lost.why() instanceof TaskFailedException f ? f.getCause() : lost.why();
                    continue;
                }
                run.killAndJoinTheRest();
                @SuppressWarnings("unchecked")
                T value = (T) outcome;
                return value;
            }
            TaskFailedException all = new TaskFailedException("every one of the " + run.size()
                    + " bodies of Tasks.firstSuccess failed (each failure is suppressed here, in the order of the"
                    + " bodies)", null);
            for (Throwable f : failures) {
                all.addSuppressed(f);
            }
            throw all;
        } finally {
            run.abandon();
        }
    }

    /** One call: the caller, its tasks, and the queue of those that ended. */
    private static final class Run {
        private final String what;                                   // immutable: "all" or "firstSuccess"
        private final TaskControlBlock caller;                       // immutable
        private final KernelCore core;                               // immutable: the caller's kernel
        private final List<TaskControlBlock> tasks = new ArrayList<>(); // the caller's only
        private final boolean[] joined;                              // the caller's only
        private final WaitQueue endings = new WaitQueue();           // signalled after each index is queued (C2)
        private final ConcurrentLinkedQueue<Integer> ended = new ConcurrentLinkedQueue<>();

        private Run(String what, TaskControlBlock caller, int size) {
            this.what = what;
            this.caller = caller;
            this.core = KernelCore.groupOf(caller).core();
            this.joined = new boolean[size];
        }

        /**
         * Checks the arguments and the caller, then spawns one task per body.
         *
         * @throws SpawnRefusedException if a task cannot be spawned: those spawned are killed and joined first
         */
        static Run start(String what, List<? extends TaskBody<?>> bodies) {
            Objects.requireNonNull(bodies, "bodies");
            if (bodies.isEmpty()) {
                throw new IllegalArgumentException("bodies must not be empty: Tasks." + what + " needs at least one");
            }
            for (int i = 0; i < bodies.size(); i++) {
                Objects.requireNonNull(bodies.get(i), "bodies[" + i + "]");
            }
            TaskControlBlock caller = TaskControlBlock.current();
            if (caller == null) {
                throw new TaskLifeException(Reason.NOT_IN_TASK, "Tasks." + what + " must be called from a task;"
                        + " the calling thread '" + Thread.currentThread().getName() + "' is not a tasklife task");
            }
            caller.checkpoint();
            Run run = new Run(what, caller, bodies.size());
            try {
                for (int i = 0; i < bodies.size(); i++) {
                    run.spawn(i, bodies.get(i));
                }
            } catch (RuntimeException refused) {
                try {
                    run.killAndJoinTheRest();
                } finally {
                    run.abandon();
                }
                throw refused;
            }
            return run;
        }

        int size() {
            return joined.length;
        }

        private void spawn(int index, TaskBody<?> body) {
            GroupControlBlock g = KernelCore.groupOf(caller);
            TaskControlBlock t = core.lifecycle().spawnTask(g, what + "[" + index + "]", false, false,
                    SpawnOptions.DEFAULT_PRIORITY, null, () -> {
                        try {
                            return new Success(body.run());
                        } catch (TaskKilledError | TaskExitSignal unwinding) {
                            throw unwinding; // C3
                        } catch (Throwable e) {
                            return new Failure(e);
                        }
                    });
            tasks.add(t);
            t.onExit().whenComplete((s, e) -> {
                ended.add(index); // C2: before the signal
                endings.signalAll();
            });
        }

        /** Waits, killably, until one more task has ended; returns its index. */
        int nextEnded() {
            return WaitContext.of(caller, core.blocker()).awaitUntil(endings, null, ended::poll,
                    WaitChannel.lazy(() -> "Tasks." + what + "(" + size() + " tasks)"), Blocker.NO_DEADLINE);
        }

        /** Joins task {@code i}: its body's value, or a {@link Lost} (returned, not thrown: the caller decides). */
        Object join(int i) {
            TaskControlBlock t = tasks.get(i);
            Object r;
            try {
                r = core.waits().join(caller, t);
            } catch (TaskKilledException killed) {
                joined[i] = true;
                return new Lost(new TaskKilledException("task " + t.id() + " (" + t.name() + ") of Tasks." + what
                        + " was killed"));
            }
            joined[i] = true;
            if (r instanceof Failure f) {
                return new Lost(new TaskFailedException("task " + t.id() + " (" + t.name() + ") of Tasks." + what
                        + " failed: " + f.thrown(), f.thrown()));
            }
            return r instanceof Success s ? s.value() : r; // any other value came from Tasks.exit(value) (C3)
        }

        /** Kills every task not yet joined, then joins each: they have all ended when this returns. */
        void killAndJoinTheRest() {
            for (int i = 0; i < tasks.size(); i++) {
                if (!joined[i]) {
                    core.lifecycle().kill(tasks.get(i));
                }
            }
            for (int i = 0; i < tasks.size(); i++) {
                if (!joined[i]) {
                    join(i);
                }
            }
        }

        /** C1: kills and detaches every task not joined (non-blocking: a killed caller can run it). */
        void abandon() {
            for (int i = 0; i < tasks.size(); i++) {
                if (!joined[i]) {
                    TaskControlBlock t = tasks.get(i);
                    joined[i] = true;
                    core.lifecycle().kill(t);
                    try {
                        core.waits().detach(t); // released now if it ended, else when it ends
                    } catch (TaskLifeException goneAlready) {
                        // joined or detached by a task of the group that got hold of its handle: nothing to release
                    }
                }
            }
        }
    }
}
