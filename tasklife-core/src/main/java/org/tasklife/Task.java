package org.tasklife;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.tasklife.internal.group.KernelCore;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;

/**
 * A handle to one task (a thread, TID). Handles stay valid forever: once the task's record is
 * disposed (joined, detached, its group reaped), operations that need it throw
 * {@link TaskLifeException} ({@code NO_SUCH_TASK}), and {@link #kill()} returns {@code false}; it never names another
 * task.
 *
 * @param <T> the body's result type
 */
public final class Task<T> {
    private final TaskControlBlock tcb;

    Task(TaskControlBlock tcb) {
        this.tcb = tcb;
    }

    TaskControlBlock tcb() {
        return tcb;
    }

    /** {@return the task id (never reused)} */
    public long id() {
        return tcb.id();
    }

    /** {@return the task's name} */
    public String name() {
        return tcb.name();
    }

    /** {@return the id of the task's group} */
    public long groupId() {
        return tcb.owner().ownerId();
    }

    /** {@return the task's group} */
    public TaskGroup group() {
        return new TaskGroup(KernelCore.groupOf(tcb));
    }

    /** {@return the task's current state} */
    public TaskState state() {
        return tcb.taskState();
    }

    /** {@return whether the task was killed (sticky, docs/contract.md, §1)} */
    public boolean isKilled() {
        return tcb.isKilled();
    }

    /**
     * Kills the task (docs/contract.md, K1–K4): a wait it is blocked in ends at once with
     * {@link TaskKilledError}; a running task sees it at its next safe point (and JDK blocking calls are
     * interrupted). Asynchronous: use {@link #onExit()} to wait for the end. A task already in its exit
     * sequence is not killed (false); if that sequence (destructors, {@code close()} of what it owns) does
     * not end within the kill grace period, the task is reported stuck all the same
     * ({@link Kernel#stuckTasks()}).
     *
     * @return whether this call killed it; false if already killed, exiting, ended or disposed
     * @throws DomainAccessException if called from a task outside the task's domain (docs/contract.md,
     *     D5)
     */
    public boolean kill() {
        return core().lifecycle().kill(tcb);
    }

    /**
     * Waits for the task to end and returns its body's result (docs/contract.md, J1–J4). All concurrent
     * joiners get it; afterwards the record is released and a later join throws {@link TaskLifeException}
     * ({@code NO_SUCH_TASK}).
     *
     * @return what the body returned, or the value it gave {@link Tasks#exit(Object)}
     * @throws TaskKilledException if the task was killed
     * @throws TaskFailedException if the task failed (the cause is what it threw)
     * @throws TaskLifeException ({@code DEADLOCK}) if a task joins itself
     * @throws TaskLifeException ({@code INVALID_OPERATION}) if the task is detached
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller is not a task of the same group
     * @throws TaskLifeException ({@code NO_SUCH_TASK}) if the record was already released
     * @throws TaskKilledError if the caller is killed while waiting (the target stays joinable)
     */
    @SuppressWarnings("unchecked")
    public T join() {
        return (T) core().waits().join(TaskControlBlock.current(), tcb);
    }

    /**
     * Waits at most {@code timeout} for the task to end, as {@link Thread#join(Duration)} does: returns whether it
     * has ended, and takes neither its result nor its record, so a {@code true} is followed by {@link #join()},
     * which then returns the result (or throws for a killed or failed task) without waiting. A timeout is a
     * {@code false}, never an exception (docs/contract.md, T1), and leaves the task as it was, still joinable. A
     * zero or negative timeout does not wait, as the JDK's timed waits do. A timeout too long to count in
     * nanoseconds means "for ever". The rules of {@link #join()} apply (docs/contract.md, J2–J4): only a task
     * of the same group joins, and a kill of the caller ends the wait.
     *
     * @param timeout how long to wait at most
     * @return whether the task has ended (exited, failed or killed)
     * @throws NullPointerException if {@code timeout} is null
     * @throws TaskLifeException ({@code DEADLOCK}) if a task joins itself
     * @throws TaskLifeException ({@code INVALID_OPERATION}) if the task is detached
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller is not a task of the same group (host code
     *     waits with {@code onExit().get(timeout, unit)})
     * @throws TaskLifeException ({@code NO_SUCH_TASK}) if the record was already released
     * @throws TaskKilledError if the caller is killed while waiting (or was before the call)
     */
    public boolean join(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return core().waits().awaitEnd(TaskControlBlock.current(), tcb, Clock.saturatedNanos(timeout));
    }

    /**
     * Detaches the task: nobody may join it and its record is released when it ends (now, if it has).
     *
     * @throws TaskLifeException ({@code INVALID_OPERATION}) if already detached
     * @throws TaskLifeException ({@code NO_SUCH_TASK}) if the record was already released
     * @throws DomainAccessException if the calling code works for a domain the task is outside of
     */
    public void detach() {
        core().waits().detach(tcb);
    }

    /**
     * A future of the task's exit status; completes on every path (docs/contract.md, R3). Completing or
     * cancelling the returned future affects only that copy. Its dependents, async ones included, run with
     * the authority of the code that called this method, whichever thread completes it.
     *
     * <p>It completes when the task publishes its status, which is before the task's thread leaves its
     * group's live count (docs/contract.md, E6): when the task's end also ends its group, the group's last
     * steps (closing group-owned resources, becoming a zombie) may still be running on that thread. Wait
     * for {@link TaskGroup#onExit()} to see the group's end.
     *
     * @return a new future of the status
     */
    public CompletableFuture<ExitStatus> onExit() {
        return core().authority().bindToCaller(tcb.onExit());
    }

    /** {@return the exit status once {@link TaskState#TERMINATED}} */
    public Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(tcb.status());
    }

    /** {@return failures of closing this task's owned resources and of its destructors (docs/contract.md, O3)} */
    public List<Throwable> closeFailures() {
        return tcb.closeFailures();
    }

    /** {@return CPU time so far (see {@link CpuTimes} for how virtual threads are measured)} */
    public Duration cpuTime() {
        return Duration.ofNanos(tcb.cpuTimeNanos());
    }

    /**
     * Makes the task own {@code resource} (docs/contract.md, O1): it is closed exactly once when the task
     * ends.
     *
     * The resource's {@code close()} runs with the authority of the task's domain.
     *
     * @param resource what to close when the task ends
     * @return the ownership, which can release the resource early
     * @throws TaskLifeException ({@code INVALID_OPERATION}) if the task already ended (the resource is not registered)
     * @throws DomainAccessException if the calling code works for a domain the task is outside of
     */
    public Owned own(AutoCloseable resource) {
        return Owned.register(core().lifecycle().resourcesToGive(tcb), resource, "task " + tcb.id());
    }

    private KernelCore core() {
        return KernelCore.groupOf(tcb).core();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Task<?> other && other.tcb == tcb;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(tcb.id());
    }

    @Override
    public String toString() {
        return tcb.toString();
    }
}
