package org.tasklife;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.group.GroupControlBlock;
import org.tasklife.internal.group.KernelCore;
import org.tasklife.internal.group.Termination;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;

/**
 * A domain: a tenant or VM made of task groups, that can be stopped whole and cannot reach outside
 * itself (docs/contract.md, §10). Domains nest; a kernel starts with one root domain, and
 * {@link Kernel#createDomain(DomainOptions)} or {@link #createDomain(DomainOptions)} make more.
 *
 * <p>Each domain has a root (no tasks of its own) that is the parent of its top-level groups, which
 * host code reaps through {@link #waitChild}, and that adopts and reaps orphans itself (docs/contract.md, R4).
 * There is no "main task" of a domain: stopping a task ({@link Task#kill()}), a group
 * ({@link TaskGroup#kill()}) and a domain ({@link #stop(ExitStatus)}) are separate operations on one
 * kill mechanism.
 *
 * <p>Lifecycle ({@link DomainState}): RUNNING → {@link #stop} → STOPPING (status recorded, spawns
 * refused, every task killed whatever it is doing) → STOPPED when no task of it or of a domain below it
 * is live ({@link #onStopped()}, {@link #awaitStopped}, one {@link DomainEvent.Stopped}) →
 * {@link #free()} by its parent → FREED.
 *
 * <p>Isolation (docs/contract.md, D5): a task sees and acts on its own domain and the domains below it only; every
 * other attempt throws {@link DomainAccessException}. Host code (not running in a task) acts everywhere.
 *
 * <p>Handles are cheap values: two handles of one domain are {@link #equals equal}.
 */
public final class Domain {
    private final KernelCore core;
    private final DomainControlBlock dcb;

    Domain(KernelCore core, DomainControlBlock dcb) {
        this.core = core;
        this.dcb = dcb;
    }

    /** {@return the domain's id: the id of its root, the parent id of its top-level groups; never reused} */
    public long id() {
        return dcb.id();
    }

    /** {@return the domain's name} */
    public String name() {
        return dcb.name();
    }

    /** {@return the parent domain; empty for the kernel's root domain} */
    public Optional<Domain> parent() {
        DomainControlBlock p = dcb.parent();
        return p == null ? Optional.empty() : Optional.of(new Domain(core, p));
    }

    /** {@return the domains directly below this one, not freed} */
    public List<Domain> children() {
        List<Domain> out = new ArrayList<>();
        for (DomainControlBlock c : core.domains().children(dcb)) {
            out.add(new Domain(core, c));
        }
        return out;
    }

    /** {@return the state} */
    public DomainState state() {
        return dcb.state();
    }

    /** {@return the recorded stop status; empty while running} */
    public Optional<ExitStatus> status() {
        return Optional.ofNullable(dcb.status());
    }

    /** {@return live tasks of this domain and every domain below it} */
    public long liveTaskCount() {
        return dcb.liveTasks();
    }

    /** {@return groups of this domain and below, from spawn until reaped} */
    public long groupCount() {
        return dcb.groups();
    }

    /** {@return the live task limit, or {@link DomainOptions#UNLIMITED}} */
    public long maxTasks() {
        return dcb.maxTasks();
    }

    /** {@return the group limit, or {@link DomainOptions#UNLIMITED}} */
    public long maxGroups() {
        return dcb.maxGroups();
    }

    /**
     * Creates a domain below this one (docs/contract.md, D1).
     *
     * @param options the domain's name, limits and listener
     * @return the new domain
     * @throws SpawnRefusedException if this domain does not run, or the kernel is closed
     * @throws DomainAccessException if the calling task is outside this domain
     */
    public Domain createDomain(DomainOptions options) {
        Objects.requireNonNull(options, "options");
        return new Domain(core, core.domains().create(dcb, options.name(), options.maxTasks(), options.maxGroups(),
                options.stopWhenEmpty(), options.autoFree(), listener(core, options)));
    }

    /** The listener, run with the authority of the code that creates the domain (its parent side). */
    private static DomainControlBlock.Listener listener(KernelCore core, DomainOptions options) {
        var user = options.listener();
        if (user == null) {
            return null;
        }
        return new DomainControlBlock.Listener() {
            private final Executor asCreator = core.authority().callerBoundExecutor();

            @Override
            public void abnormalExit(DomainControlBlock d, long groupId, ExitStatus status, long liveTasks) {
                asCreator.execute(() -> user.accept(new DomainEvent.AbnormalExit(new Domain(core, d), groupId, status,
                        liveTasks)));
            }

            @Override
            public void stopped(DomainControlBlock d, ExitStatus status) {
                asCreator.execute(() -> user.accept(new DomainEvent.Stopped(new Domain(core, d), status)));
            }
        };
    }

    /**
     * Spawns a top-level group of this domain (docs/contract.md, P1): its parent is the domain's root,
     * whoever calls. See {@link Kernel#spawnGroup(String, GroupMain)} for the one call per parent.
     *
     * @param name the group's name (and its main task's)
     * @param main what the main task runs; its return value ends the group
     * @return the new group
     * @throws SpawnRefusedException if the domain does not run (or the kernel is closed)
     * @throws DomainLimitExceededException if a limit of this domain or one above is reached
     * @throws DomainAccessException if the calling task is outside this domain
     */
    public TaskGroup spawnGroup(String name, GroupMain main) {
        return spawnGroup(SpawnOptions.named(name), main);
    }

    /**
     * Spawns a top-level group with options, as {@link #spawnGroup(String, GroupMain)} does.
     *
     * @param options the group's name and options (task-only options are refused)
     * @param main what the main task runs; its return value ends the group
     * @return the new group
     * @throws IllegalArgumentException if {@code options} has a task-only option
     * @throws SpawnRefusedException if the domain does not run (or the kernel is closed)
     * @throws DomainLimitExceededException if a limit of this domain or one above is reached
     * @throws DomainAccessException if the calling task is outside this domain
     */
    public TaskGroup spawnGroup(SpawnOptions options, GroupMain main) {
        return Kernel.spawnGroupUnder(core.lifecycle().domainRootForSpawn(dcb), options, main);
    }

    /** {@return top-level groups not yet reaped} */
    public List<TaskGroup> groups() {
        List<TaskGroup> out = new ArrayList<>();
        for (GroupControlBlock g : core.introspection().topLevelGroups(dcb)) {
            out.add(new TaskGroup(g));
        }
        return out;
    }

    /**
     * Waits for a top-level group of this domain to end and reaps it (docs/contract.md, W1–W6 for the
     * root): {@code NO_HANG} returns empty while matching groups live; {@code NO_REAP} reports without
     * reaping.
     *
     * @param selector which top-level groups to wait for
     * @param options {@link WaitOption#NO_HANG}, {@link WaitOption#NO_REAP}, or none
     * @return the ended group; empty only with {@code NO_HANG} while matching groups live
     * @throws NoChildException if no top-level group matches
     * @throws DomainAccessException if the calling task is outside this domain
     * @throws TaskKilledError if the calling task (of this kernel or of another) is killed while waiting
     */
    public Optional<ChildExit> waitChild(ChildSelector selector, WaitOption... options) {
        Objects.requireNonNull(selector, "selector");
        GroupControlBlock root = core.waits().domainRootToWaitIn(dcb);
        return core.waits().waitChild(root, selector, Kernel.has(options, WaitOption.NO_HANG),
                Kernel.has(options, WaitOption.NO_REAP), TaskControlBlock.current());
    }

    /**
     * {@link #stop(ExitStatus)} with {@code Exited(code)}, like {@code exit(code)} of a whole VM.
     *
     * @param code the exit code to record
     * @return whether this call recorded the status
     * @throws TaskLifeException ({@code NOT_PERMITTED}) for the kernel's root domain
     * @throws DomainAccessException if the calling task is outside this domain
     */
    public boolean stop(int code) {
        return stop(ExitStatus.exited(code));
    }

    /**
     * Stops the domain (docs/contract.md, D2): records {@code status} first (the first recorded status wins
     * and is what {@link #status()}, {@link #onStopped()} and the parent's listener report), refuses new
     * spawns, stops every domain below (with status {@code Killed}) and kills every task in them —
     * running, blocked in any primitive, sleeping, waiting for a child or for a domain, in a timed wait —
     * each group ending {@code Killed}. Asynchronous: it returns before the tasks have ended; see
     * {@link #onStopped()} and {@link #awaitStopped(Duration)}. Idempotent.
     *
     * <p>A task may stop its own domain: it is killed too, but this call returns; the task's next
     * tasklife call (any wait, {@link Tasks#checkpoint()}) throws {@link TaskKilledError}, so it can
     * take no lock and wait for nothing afterwards (siblings may have died holding locks).
     *
     * @param status the status to record
     * @return whether this call recorded the status
     * @throws TaskLifeException ({@code NOT_PERMITTED}) for the kernel's root domain (it stops with
     *     {@link Kernel#close()})
     * @throws DomainAccessException if the calling task is outside this domain
     */
    public boolean stop(ExitStatus status) {
        Objects.requireNonNull(status, "status");
        return core.domains().stopFromCaller(dcb, status);
    }

    /**
     * Stops the domain gracefully (docs/contract.md, K13): asks first, kills after {@code grace}. The request is
     * recorded with {@code status} and is visible at once to every task of the domain and of the domains below
     * it ({@link Tasks#terminationRequested()}); each handler registered in their groups
     * ({@link Tasks#onTerminate(Runnable)}) starts as a new task of its group. The domain keeps running
     * meanwhile (spawns are accepted, and see the request too), and stops with {@code status} as soon as its
     * last task has ended, each group with the status it gave itself. When the grace runs out, every group
     * still alive in it and below is killed and ends {@code Killed(GRACE_EXPIRED)}
     * ({@link KillReason#GRACE_EXPIRED}), and the domain stops as {@link #stop(ExitStatus)} stops it, with
     * {@code status}. A domain with no live task stops at once. Asynchronous: see {@link #onStopped()}.
     *
     * <p>Requested once: a second graceful stop returns {@code false} and changes nothing. A
     * {@link #stop(ExitStatus)} during the grace stops the domain at once, and its status is the one
     * recorded (the graceful one was only requested).
     *
     * @param status the status to stop with
     * @param grace how long the domain may take to empty; zero kills at once (after starting the handlers)
     * @return whether this call requested the stop; {@code false} if the domain does not run or a graceful
     *     stop was requested before
     * @throws NullPointerException if {@code status} is null
     * @throws IllegalArgumentException if {@code grace} is null or negative (nothing is requested)
     * @throws TaskLifeException ({@code NOT_PERMITTED}) for the kernel's root domain
     * @throws DomainAccessException if the calling task is outside this domain
     */
    public boolean stop(ExitStatus status, Duration grace) {
        Objects.requireNonNull(status, "status");
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be zero or positive, was " + grace);
        }
        return Termination.stopDomain(core, dcb, status, Clock.saturatedNanos(grace));
    }

    /**
     * Completes with the stop status once the domain has stopped (no live task in it or below). Completing
     * or cancelling the returned future affects only that copy. Its dependents, async ones included, run
     * with the authority of the code that called this method, whichever thread completes it.
     *
     * @return a new future of the stop status
     */
    public CompletableFuture<ExitStatus> onStopped() {
        return core.authority().bindToCaller(dcb.onStopped());
    }

    /**
     * Waits until the domain has stopped, at most {@code timeout}. From a task, of this kernel or of
     * another, this is a tasklife wait of that task: a kill of it ends the wait with
     * {@link TaskKilledError}, and its own kernel's clock measures the timeout.
     *
     * <p>A zero or negative timeout does not wait: it answers whether the domain has stopped (as the JDK's timed
     * waits do).
     *
     * @param timeout how long to wait at most
     * @return whether the domain stopped
     * @throws DomainAccessException if the calling task is outside this domain
     */
    public boolean awaitStopped(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return core.domains().awaitStopped(dcb, Clock.saturatedNanos(timeout), TaskControlBlock.current(),
                core.blocker());
    }

    /**
     * Frees the stopped domain (docs/contract.md, D3): reaps its groups and those of the domains below, and
     * takes it out of the domain tree. Its ids are never reused.
     *
     * @throws TaskLifeException ({@code INVALID_OPERATION}) if the domain has not stopped, or was already freed
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if called by a task that is not in the parent domain (host code
     *     may)
     */
    public void free() {
        core.domains().freeFromCaller(dcb);
    }

    /** {@return a snapshot of the live tasks and unreaped groups of this domain and the domains below it} */
    public KernelSnapshot snapshot() {
        return core.introspection().ofDomain(dcb);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Domain d && d.dcb == dcb;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(dcb.id());
    }

    @Override
    public String toString() {
        return "Domain[" + dcb.id() + " " + dcb.name() + " " + dcb.state() + "]";
    }
}
