package org.tasklife;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.tasklife.internal.group.GroupControlBlock;
import org.tasklife.internal.group.Termination;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;

/**
 * A handle to a task group (a process, TGID): tasks that share fate, owned resources and one exit
 * status, with a parent group and children (docs/contract.md, §1–§7).
 */
public final class TaskGroup {
    static {
        // org.tasklife.interop's bridges reach a group's control block through this (and nothing else)
        org.tasklife.internal.group.InteropSupport.lend(h -> ((TaskGroup) h).gcb);
    }

    private final GroupControlBlock gcb;

    TaskGroup(GroupControlBlock gcb) {
        this.gcb = gcb;
    }

    /** {@return the domain the group belongs to (its parent's domain, for life)} */
    public Domain domain() {
        return new Domain(gcb.core(), gcb.domain());
    }

    /** {@return the group id: its main task's id} */
    public long id() {
        return gcb.id();
    }

    /** {@return the group's name} */
    public String name() {
        return gcb.name();
    }

    /**
     * The current parent group's id: it changes when the group is reparented (its parent ended first), and
     * is {@code 0} once the group was reaped, since a reaped group has no parent any more.
     *
     * @return the parent's id, or {@code 0} after reaping
     */
    public long parentId() {
        GroupControlBlock p = gcb.parent();
        return p == null ? 0 : p.id();
    }

    /** {@return the group's state} */
    public GroupState state() {
        return gcb.state();
    }

    /**
     * Whether the group is marked child-subreaper now: orphans below it (children of its descendants whose
     * parent ends) are reparented to it rather than to the domain root. Set at spawn with
     * {@link SpawnOptions#childSubreaper(boolean)} or at run time by the group itself with
     * {@link Tasks#setChildSubreaper(boolean)}.
     *
     * @return the mark's current value
     */
    public boolean isChildSubreaper() {
        return gcb.isSubreaper();
    }

    /** {@return the exit status once a zombie} */
    public Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(gcb.finalStatus());
    }

    /**
     * A future of the exit status, completing on every path; does not reap (docs/contract.md, R3). Its
     * dependents, async ones included, run with the authority of the code that called this method, whichever
     * thread completes it.
     *
     * @return a new future of the exit status
     */
    public CompletableFuture<ExitStatus> onExit() {
        return gcb.core().authority().bindToCaller(gcb.onExit());
    }

    /** {@return live tasks of the group, by id} */
    public List<Task<?>> tasks() {
        List<Task<?>> out = new ArrayList<>();
        for (TaskControlBlock t : gcb.records()) {
            if (!t.isTerminated()) {
                out.add(new Task<>(t));
            }
        }
        out.sort(java.util.Comparator.comparingLong(Task::id));
        return out;
    }

    /** {@return the number of tasks not yet ended} */
    public int liveTaskCount() {
        return gcb.liveCount();
    }

    /**
     * Kills every task of the group; its status becomes {@code Killed} unless another status was
     * recorded first (docs/contract.md, K7). Asynchronous: see {@link #onExit()}.
     *
     * @return whether this call recorded the kill
     * @throws DomainAccessException if called from a task outside the group's domain (docs/contract.md,
     *     D5)
     */
    public boolean kill() {
        return gcb.core().lifecycle().kill(gcb);
    }

    /** {@return CPU times of the group and its reaped children (docs/contract.md, T2)} */
    public CpuTimes times() {
        return gcb.times();
    }

    /**
     * Makes the group own {@code resource}: closed exactly once when the group's last task ends
     * (docs/contract.md, O1–O3).
     *
     * The resource's {@code close()} runs with the authority of the group's domain.
     *
     * @param resource what to close when the group ends
     * @return the ownership, which can release the resource early
     * @throws TaskLifeException ({@code INVALID_OPERATION}) if the group already ended
     * @throws DomainAccessException if the calling code works for a domain the group is outside of
     */
    public Owned own(AutoCloseable resource) {
        return Owned.register(gcb.core().lifecycle().resourcesToGive(gcb), resource, "group " + gcb.id());
    }

    /** {@return failures of closing group-owned resources (docs/contract.md, O3)} */
    public List<Throwable> closeFailures() {
        return gcb.closeFailures();
    }

    /**
     * Adds a task to this group from any thread (docs/contract.md, P2).
     *
     * @param <T> the body's result type
     * @param name the task's name
     * @param body what the task runs
     * @return the new task, findable before its body starts
     * @throws SpawnRefusedException if the group is exiting or ended (nothing is created)
     * @throws DomainLimitExceededException if a live task limit of its domain is reached
     * @throws DomainAccessException if called from a task outside the group's domain (docs/contract.md,
     *     D5)
     */
    public <T> Task<T> spawnTask(String name, TaskBody<T> body) {
        String checked = SpawnOptions.checkName(name); // the checks of SpawnOptions.named(name), in its order
        java.util.Objects.requireNonNull(body, "body");
        // SpawnOptions.named(name)'s defaults, without an options object or a deadline wrapper per spawn
        return new Task<>(gcb.core().lifecycle().spawnTask(gcb, checked, false, false, SpawnOptions.DEFAULT_PRIORITY,
                null, body::run));
    }

    /**
     * Adds a task with options to this group, as {@link #spawnTask(String, TaskBody)} does.
     *
     * @param <T> the body's result type
     * @param options the task's name and options (group-only options are refused)
     * @param body what the task runs
     * @return the new task
     * @throws IllegalArgumentException if {@code options} has a group-only option
     * @throws SpawnRefusedException if the group is exiting or ended (nothing is created)
     * @throws DomainLimitExceededException if a live task limit of its domain is reached
     * @throws DomainAccessException if called from a task outside the group's domain
     */
    public <T> Task<T> spawnTask(SpawnOptions options, TaskBody<T> body) {
        java.util.Objects.requireNonNull(body, "body");
        options.checkForTask();
        return new Task<>(Termination.taskWithDeadline(gcb.core(), options.deadline().orElse(null), // contract K11
                body::run, wrapped -> gcb.core().lifecycle().spawnTask(gcb, options.name(), options.platformThread(),
                        options.detached(), options.priority(), options.affinity(), wrapped)));
    }

    /**
     * Asks the group to end, then kills it if it has not ended within {@code grace}: the graceful stop ladder
     * (SIGTERM, then SIGKILL; docs/contract.md, K12). The request is visible at once to every task of the
     * group ({@link Tasks#terminationRequested()}) and starts each handler registered with
     * {@link Tasks#onTerminate(Runnable)}, each as a new task of the group. A group whose tasks all end within
     * the grace ends with the status they give it (for example {@code Exited(0)} when its main returns 0);
     * when the grace runs out, every task still live is killed and the group ends
     * {@code Killed(GRACE_EXPIRED)} ({@link KillReason#GRACE_EXPIRED}). The grace runs on the kernel's timer
     * (virtual time in deterministic mode); its timer is cancelled when the group ends first.
     * Asynchronous, like {@link #kill()}: see {@link #onExit()}.
     *
     * <p>A group is terminated once: a second call returns {@code false} and changes nothing (to cut the
     * grace short, {@link #kill()} it: a kill's status wins over the one the grace would give). Only the group's
     * own tasks are asked; its child groups are not (as a signal to a process does not reach its children);
     * {@link Domain#stop(ExitStatus, Duration)} asks a whole domain.
     *
     * @param grace how long the group may take to end; zero kills it at once (after starting its handlers)
     * @return whether this call requested it; {@code false} if it was requested before, or the group is
     *     exiting (killed, {@code exitGroup}) or ended
     * @throws IllegalArgumentException if {@code grace} is null or negative (nothing is requested)
     * @throws DomainAccessException if called from a task outside the group's domain (docs/contract.md, D5)
     */
    public boolean terminate(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be zero or positive, was " + grace);
        }
        return Termination.terminate(gcb, Clock.saturatedNanos(grace));
    }

    /**
     * Waits until this group ends and reaps it, from host code (for a top-level group) or from a task
     * of its parent group (docs/contract.md, R2). A task of another kernel reaps a top-level group as host
     * code does, but the wait is its own: a kill of that task ends it.
     *
     * @return the group's status
     * @throws NoChildException if it was already reaped
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller is neither the parent's task nor host code for a
     *     top-level group
     * @throws TaskKilledError if the calling task is killed while waiting
     */
    public ExitStatus reap() {
        return gcb.core().lifecycle().reap(gcb);
    }

    /**
     * Waits at most {@code timeout} for this group to end and reaps it if it did, as {@link #reap()} does
     * (docs/contract.md, R2). A timeout is an empty result, never an exception (docs/contract.md, T1), and leaves
     * the group as it was: alive, or a zombie still to be reaped. A zero or negative timeout does not wait, as
     * the JDK's timed waits do: it reaps the group if it has already ended, else answers empty. From a task this
     * is a tasklife wait of that task: a kill of it ends the wait, and its own kernel's clock measures the
     * timeout. A timeout too long to count in nanoseconds means "for ever".
     *
     * @param timeout how long to wait at most
     * @return the group's status, now reaped; or empty if it had not ended when the timeout passed
     * @throws NullPointerException if {@code timeout} is null
     * @throws NoChildException if it was already reaped
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller is neither the parent's task nor host code for a
     *     top-level group
     * @throws DomainAccessException if the calling code works for a domain the group is outside of
     * @throws TaskKilledError if the calling task is killed while waiting (or was before the call)
     */
    public Optional<ExitStatus> reap(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return gcb.core().lifecycle().reap(gcb, Clock.saturatedNanos(timeout));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskGroup other && other.gcb == gcb;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(gcb.id());
    }

    @Override
    public String toString() {
        return gcb.toString();
    }
}
