package org.tasklife;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.tasklife.internal.group.GroupControlBlock;
import org.tasklife.internal.task.TaskControlBlock;

/**
 * A handle to a task group (a process, TGID): tasks that share fate, owned resources and one exit
 * status, with a parent group and children (docs/contract.md, §1–§7).
 */
public final class TaskGroup {
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
        return spawnTask(SpawnOptions.named(name), body);
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
        return new Task<>(gcb.core().lifecycle().spawnTask(gcb, options.name(), options.platformThread(),
                options.detached(), options.priority(), options.affinity(),
                body::run));
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
