package org.tasklife;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.group.GroupControlBlock;
import org.tasklife.internal.group.KernelCore;
import org.tasklife.internal.group.Termination;
import org.tasklife.internal.task.KillHookList;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.TaskExitSignal;
import org.tasklife.internal.time.Clock;

/**
 * What the running task does to itself: spawn, exit, sleep, wait for children, reach a safe point.
 * Every method here throws {@link TaskLifeException} ({@code NOT_IN_TASK}) when called from outside a tasklife task.
 *
 * <p>Blocking methods ({@link #sleep}, {@link #waitChild}, {@link #checkpoint}, {@link Task#join()})
 * throw {@link TaskKilledError} when the calling task is killed, at once if it already was (docs/contract.md, K2, K5).
 */
public final class Tasks {
    private Tasks() {}

    private static TaskControlBlock self() {
        TaskControlBlock t = TaskControlBlock.current();
        if (t == null) {
            throw new TaskLifeException(Reason.NOT_IN_TASK, "the calling thread '" + Thread.currentThread().getName()
                    + "' is not a tasklife task");
        }
        return t;
    }

    private static GroupControlBlock selfGroup() {
        return KernelCore.groupOf(self());
    }

    /** {@return whether the calling thread is a tasklife task} */
    public static boolean inTask() {
        return TaskControlBlock.current() != null;
    }

    /** {@return the calling task} */
    public static Task<?> current() {
        return new Task<>(self());
    }

    /** {@return the calling task's group} */
    public static TaskGroup currentGroup() {
        return new TaskGroup(selfGroup());
    }

    /**
     * {@return the calling task's domain}
     *
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static Domain currentDomain() {
        GroupControlBlock g = selfGroup();
        return new Domain(g.core(), g.domain());
    }

    /**
     * Adds a task to the caller's group (docs/contract.md, P2).
     *
     * @param <T> the body's result type
     * @param name the task's name
     * @param body what the task runs
     * @return the new task, findable before its body starts
     * @throws SpawnRefusedException if the group is exiting
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static <T> Task<T> spawnTask(String name, TaskBody<T> body) {
        return currentGroup().spawnTask(name, body);
    }

    /**
     * Adds a task with options to the caller's group.
     *
     * @param <T> the body's result type
     * @param options the task's name and options (group-only options are refused)
     * @param body what the task runs
     * @return the new task
     * @throws SpawnRefusedException if the group is exiting
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static <T> Task<T> spawnTask(SpawnOptions options, TaskBody<T> body) {
        return currentGroup().spawnTask(options, body);
    }

    /**
     * Spawns a child group of the caller's group (docs/contract.md, P1), like {@code fork}: the caller's group
     * is its parent, waits for it ({@link #waitChild}) and reaps it. A top-level group instead comes from
     * {@link Kernel#spawnGroup(String, GroupMain)} or {@link Domain#spawnGroup(String, GroupMain)}.
     *
     * @param name the group's name (and its main task's)
     * @param main what the group's main task runs; its return value ends the group
     * @return the new group
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static TaskGroup spawnGroup(String name, GroupMain main) {
        return spawnGroup(SpawnOptions.named(name), main);
    }

    /**
     * Spawns a child group of the caller's group with options.
     *
     * @param options the group's name and options (task-only options are refused)
     * @param main what the group's main task runs; its return value ends the group
     * @return the new group
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static TaskGroup spawnGroup(SpawnOptions options, GroupMain main) {
        return Kernel.spawnGroupUnder(selfGroup(), options, main);
    }

    /**
     * Ends the calling task only ({@code pthread_exit}, docs/contract.md, E1): unwinds it (its {@code finally} blocks
     * run) and its status becomes {@code Exited(0)}. From the main task, the group lives on (docs/contract.md, E4).
     * Never returns.
     *
     * @throws TaskKilledError if the task was already killed
     */
    public static void exit() {
        exit(null);
    }

    /**
     * Ends the calling task only, with {@code value} as its result ({@code pthread_exit(value)}): from any
     * depth of its call stack, the task unwinds (its {@code finally} blocks run), its status becomes
     * {@code Exited(0)}, and every joiner's {@link Task#join()} returns {@code value}. Task-local
     * destructors and owned resources run exactly as for {@link #exit()}. From the main task the group
     * lives on, as with {@link #exit()}. Never returns.
     *
     * <p>Typing: like {@code pthread_exit}'s {@code void*}, the value is not checked against the type the
     * task was spawned with ({@code Task<T>}); generics are erased, so the kernel cannot check it. Pass a
     * value of the body's result type: a mismatch shows as a {@link ClassCastException} where a joiner
     * uses the result, never in the kernel. Code that knows the type can write
     * {@code Tasks.exit((T) value)}; a body that should return a value normally simply returns it.
     *
     * @param value the result joiners get; may be {@code null}
     * @throws TaskKilledError if the task was already killed (a killed task's result is not delivered)
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static void exit(Object value) {
        TaskControlBlock t = self();
        if (!t.requestExit(0, value)) {
            throw t.unwindingThrowable();
        }
        throw new TaskExitSignal(t.id());
    }

    /**
     * Ends the caller's whole group with {@code Exited(code)} ({@code exit_group}, docs/contract.md, E3): every other
     * task is killed, whatever it is doing; under concurrency the first code wins. Never returns.
     *
     * @param code the group's exit code
     * @throws TaskKilledError if the calling task was already killed
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static void exitGroup(int code) {
        TaskControlBlock t = self();
        t.checkpoint();
        GroupControlBlock g = selfGroup();
        g.core().lifecycle().endGroup(g, ExitStatus.exited(code), t);
        if (!t.requestExit(code, null)) {
            throw t.unwindingThrowable();
        }
        throw new TaskExitSignal(t.id());
    }

    /**
     * Sleeps for {@code duration} on the kernel's timer; a kill ends it at once. A zero or negative
     * duration does not sleep (as {@link Thread#sleep(Duration)}), but the call is still a safe point.
     *
     * @param duration how long to sleep; longer than about 292 years means for ever
     * @throws TaskKilledError if the calling task is killed, before or while sleeping
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static void sleep(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        TaskControlBlock t = self();
        KernelCore.groupOf(t).core().waits().sleep(t, Clock.saturatedNanos(duration));
    }

    /**
     * A safe point: throws {@link TaskKilledError} if the calling task was killed. A CPU-bound loop
     * should call it often: besides noticing its kill there, the task lets other tasks run. In scheduler
     * mode it may be preempted here once its time slice is over and another task waits for its CPU; in
     * default mode it gives up its carrier thread for a moment once it has run a whole time slice (see
     * {@link Kernel.Builder#timeSlice}). Until then a call costs a few nanoseconds.
     *
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static void checkpoint() {
        TaskControlBlock t = self();
        t.checkpoint();
        if (KernelCore.groupOf(t).core().safePoint(t)) {
            t.checkpoint(); // a task killed while it was off its CPU runs no more of its code
        }
    }

    /**
     * A safe point that also offers the CPU to other threads: in scheduler mode the next task of its CPU's
     * run queue gets the CPU; in default mode the thread yields ({@link Thread#yield()}), and also gives up
     * its carrier like {@link #checkpoint()} once its time slice is over (on the JDK's virtual-thread
     * scheduler a yield alone may hand the carrier straight back to the yielding task).
     *
     * @throws TaskKilledError if the calling task was killed
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static void yieldNow() {
        TaskControlBlock t = self();
        t.checkpoint();
        KernelCore.groupOf(t).core().yieldNow(t);
        t.checkpoint();
    }

    /**
     * Waits for a child group of the caller's group to end (docs/contract.md, W1–W6) and reaps it unless
     * {@link WaitOption#NO_REAP}. Any task of the group may wait; children belong to the group.
     *
     * @param selector which children to wait for
     * @param options {@link WaitOption#NO_HANG}, {@link WaitOption#NO_REAP}, or none
     * @return the ended child; empty only with {@link WaitOption#NO_HANG} while matching children live
     * @throws NoChildException if no child matches (also with NO_HANG)
     */
    public static Optional<ChildExit> waitChild(ChildSelector selector, WaitOption... options) {
        Objects.requireNonNull(selector, "selector");
        TaskControlBlock t = self();
        GroupControlBlock g = KernelCore.groupOf(t);
        return g.core().waits().waitChild(g, selector, Kernel.has(options, WaitOption.NO_HANG),
                Kernel.has(options, WaitOption.NO_REAP), t);
    }

    /**
     * Sets or clears the child-subreaper mark of the caller's group, as Linux's
     * {@code prctl(PR_SET_CHILD_SUBREAPER)} does for the calling process. While marked, a group whose
     * parent ends and that sits anywhere below the caller's group is reparented to the caller's group (the
     * nearest marked ancestor wins) instead of the domain root, and the caller's group can then wait for it.
     * The mark applies to orphans made after the call: children already reparented stay where they are;
     * clearing it sends later orphans on up to the next marked ancestor or the domain root. The mark reads
     * back as {@code Tasks.currentGroup().isChildSubreaper()} ({@code prctl(PR_GET_CHILD_SUBREAPER)}).
     *
     * @param on whether the group is a child subreaper from now on
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     * @throws TaskKilledError if the calling task was killed
     */
    public static void setChildSubreaper(boolean on) {
        TaskControlBlock t = self();
        t.checkpoint();
        GroupControlBlock g = KernelCore.groupOf(t);
        g.core().lifecycle().setSubreaper(g, on);
    }

    /**
     * Whether the calling task's group was asked to end: by {@link TaskGroup#terminate(Duration)}, or by a
     * graceful {@link Domain#stop(ExitStatus, Duration)} of its domain or of a domain above it
     * (docs/contract.md, K12, K13). Sticky. A loop that should end cleanly polls it:
     *
     * <pre>{@code
     * while (!Tasks.terminationRequested()) {
     *     serveOne(queue.take(Duration.ofSeconds(1)));
     * }
     * return 0; // ends the group with Exited(0) within the grace
     * }</pre>
     *
     * Not a safe point: it never throws {@link TaskKilledError}; a few volatile reads.
     *
     * @return whether the termination of the caller's group was requested
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static boolean terminationRequested() {
        return Termination.isRequested(selfGroup());
    }

    /**
     * Registers {@code handler} to run when the caller's group is asked to end ({@link TaskGroup#terminate},
     * a graceful {@link Domain#stop(ExitStatus, Duration)}; docs/contract.md, K12): then it runs once, as a new
     * task of the group (detached), with the group's authority, so a handler that does not finish within the
     * grace is killed with the rest. If the request was made already, it starts now. A handler typically
     * wakes the group's loops (closes a server socket, releases a semaphore, sets a flag). What it throws
     * ends the group as any task's failure does (docs/contract.md, E5). A handler that cannot be started
     * (the domain's task limit is reached, or the group is ending) does not run.
     *
     * @param handler what to run on the termination request
     * @return the registration, to {@link TerminationHandler#cancel() cancel} it
     * @throws NullPointerException if {@code handler} is null
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static TerminationHandler onTerminate(Runnable handler) {
        Objects.requireNonNull(handler, "handler");
        return new TerminationHandler(Termination.onTerminate(selfGroup(), handler));
    }

    /**
     * Runs each body as a new task of the caller's group and returns every result, in the order of
     * {@code bodies} (docs/contract.md, K14). The first body to fail (throw, or be killed) decides: every other
     * task is killed, and they have all <em>ended</em> before this call throws what the failed one's
     * {@link Task#join()} would ({@link TaskFailedException} with the body's throwable as its cause, or
     * {@link TaskKilledException}). A body's failure fails only its task, never the group.
     *
     * <p>Killable: if the calling task is killed while it waits, the tasks it started are killed too (they
     * then end on their own, and nothing of them is left to join) and this call throws {@link TaskKilledError}.
     *
     * @param <T> the result type
     * @param bodies what to run, each in a task of its own
     * @return the results, in the order of {@code bodies}
     * @throws NullPointerException if {@code bodies} or one of them is null
     * @throws IllegalArgumentException if {@code bodies} is empty
     * @throws TaskFailedException if a body threw (its throwable is the cause); the others have ended
     * @throws TaskKilledException if a body's task was killed by someone else; the others have ended
     * @throws SpawnRefusedException if a task could not be spawned (those started are killed and have ended)
     * @throws TaskKilledError if the calling task is killed
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static <T> List<T> all(List<? extends TaskBody<? extends T>> bodies) {
        return Combinators.all(bodies);
    }

    /**
     * Runs each body as a new task of the caller's group and returns the result of the first to succeed
     * (docs/contract.md, K14): the other tasks are killed, and they have all <em>ended</em> before this call
     * returns. If every body fails, throws a {@link TaskFailedException} whose
     * {@link Throwable#getSuppressed() suppressed} exceptions are each body's failure, in the order of
     * {@code bodies} (what it threw, or a {@link TaskKilledException} if its task was killed). A body's failure
     * fails only its task, never the group.
     *
     * <p>Killable: if the calling task is killed while it waits, the tasks it started are killed too and this
     * call throws {@link TaskKilledError}.
     *
     * @param <T> the result type
     * @param bodies what to run, each in a task of its own
     * @return the result of the first body to succeed
     * @throws NullPointerException if {@code bodies} or one of them is null
     * @throws IllegalArgumentException if {@code bodies} is empty
     * @throws TaskFailedException if every body failed (each failure is suppressed in it)
     * @throws SpawnRefusedException if a task could not be spawned (those started are killed and have ended)
     * @throws TaskKilledError if the calling task is killed
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static <T> T firstSuccess(List<? extends TaskBody<? extends T>> bodies) {
        return Combinators.firstSuccess(bodies);
    }

    /**
     * Registers {@code action} to run if the calling task is killed (docs/contract.md, K15): the way to end a
     * foreign blocking call that a kill cannot end by itself. A kill interrupts the task's thread (K4), but a
     * socket read on a platform thread, a JDBC query, {@code CompletableFuture.join()} or a driver's own wait
     * ignore interrupts, and a subprocess outlives its task; an action such as {@code socket::close},
     * {@code statement::cancel} or {@code org.tasklife.interop.Unblockers.process(p)} ends them.
     *
     * <p>If the task is killed while the hook is registered, the action runs exactly once, soon after the
     * kill, never on the killer's thread ({@code kill()} still returns at once, K7) and with no tasklife lock
     * held: on a virtual thread started for the task's hooks, which is not a task and works with the task's
     * domain's authority (D5). Several hooks of a task run one after another, the newest first. A kill of the
     * task's group or domain runs them too. If the task ends without being killed, or
     * {@link KillHook#close()} deregisters the hook first, the action never runs. What the action throws is
     * recorded in {@link Task#closeFailures()} and logged; an action still running after the kill grace period
     * is logged with its stack (see {@link KillHook}). Most code wants {@link #blocking(AutoCloseable,
     * Callable)}, which deregisters the hook when the call is over.
     *
     * <p>A safe point: a task already killed (or asked to exit, or in its exit sequence) registers nothing and
     * unwinds at once with {@link TaskKilledError}. A kill that lands while this call registers either finds the
     * hook, which then fires and is returned, or is seen by this call, which then registers nothing and throws.
     *
     * <pre>{@code
     * try (KillHook hook = Tasks.onKill(socket::close)) {
     *     int n = socket.getInputStream().read(buffer); // a kill closes the socket: read() throws
     * }
     * }</pre>
     *
     * @param action what to run if the task is killed; its {@code close()} should end the blocking call
     *     quickly and should not block
     * @return the registration; close it when the blocking call is over
     * @throws NullPointerException if {@code action} is {@code null}; nothing is registered
     * @throws TaskKilledError if the calling task is killed, before or during this call; nothing is registered
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static KillHook onKill(AutoCloseable action) {
        Objects.requireNonNull(action, "action");
        return new KillHook(KillHookList.register(self(), action));
    }

    /**
     * Runs {@code body}, a call that blocks outside tasklife, so that a kill ends it: {@code unblocker} is
     * registered as a kill hook ({@link #onKill(AutoCloseable)}) while {@code body} runs, and deregistered when
     * it returns or throws (docs/contract.md, K15).
     *
     * <p>If the task is not killed, {@code body}'s result, or what it throws, passes through unchanged. If it
     * is killed while {@code body} runs, the unblocker runs once (on its own thread, as for {@code onKill}),
     * {@code body} ends with whatever the unblocker caused ({@code SocketException}, {@code SQLException},
     * {@code CancellationException}, ...), and this call throws {@link TaskKilledError} instead, with what
     * {@code body} threw attached as suppressed: the task unwinds as killed and ends {@code Killed} (K5). A
     * {@code TaskKilledError} that {@code body} throws itself (it reached a tasklife wait) passes through as it
     * is.
     *
     * <pre>{@code
     * try (Statement stmt = connection.createStatement()) {
     *     ResultSet rows = Tasks.blocking(stmt::cancel, () -> stmt.executeQuery(sql));
     * }
     * String line = Tasks.blocking(Unblockers.socket(socket), reader::readLine);
     * Process p = new ProcessBuilder("make").start();
     * int code = Tasks.blocking(Unblockers.process(p), p::waitFor);
     * }</pre>
     *
     * <p>A safe point: a task already killed gets {@link TaskKilledError} and {@code body} does not run.
     *
     * @param <T> the body's result type
     * @param unblocker what ends {@code body}'s blocking call if the task is killed (see
     *     {@code org.tasklife.interop.Unblockers}); it should not block
     * @param body the blocking call
     * @return what {@code body} returned
     * @throws Exception what {@code body} threw, if the task was not killed
     * @throws TaskKilledError if the task is killed, before or while {@code body} runs
     * @throws NullPointerException if {@code unblocker} or {@code body} is {@code null}; nothing runs
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static <T> T blocking(AutoCloseable unblocker, Callable<T> body) throws Exception {
        Objects.requireNonNull(unblocker, "unblocker");
        Objects.requireNonNull(body, "body");
        TaskControlBlock t = self();
        KillHookList.Hook hook = KillHookList.register(t, unblocker);
        T result;
        try {
            result = body.call();
        } catch (Throwable e) {
            hook.withdraw(); // a killed task's hook is left to its kill; never waits for a running unblocker
            if (t.isKilled() && !(e instanceof TaskKilledError) && !(e instanceof TaskExitSignal)) {
                Error killed = t.unwindingThrowable();
                killed.addSuppressed(e);
                throw killed;
            }
            throw e;
        }
        hook.withdraw();
        if (t.isKilled()) {
            throw t.unwindingThrowable(); // killed in body: the task unwinds, whatever body returned (K5)
        }
        return result;
    }

    /**
     * Makes the calling task own {@code resource} (docs/contract.md, O1).
     *
     * @param resource what to close when the task ends
     * @return the ownership, which can release the resource early
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static Owned own(AutoCloseable resource) {
        return current().own(resource);
    }

    /**
     * Makes the caller's group own {@code resource} (docs/contract.md, O1).
     *
     * @param resource what to close when the group ends
     * @return the ownership, which can release the resource early
     * @throws TaskLifeException ({@code NOT_IN_TASK}) if not called from a task
     */
    public static Owned ownByGroup(AutoCloseable resource) {
        return currentGroup().own(resource);
    }
}
