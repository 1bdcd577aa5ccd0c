package org.tasklife;

import java.time.Duration;
import java.util.Objects;

/**
 * How to spawn a task or a group (docs/contract.md, P5): immutable. Each option has an accessor named as a
 * record's ({@link #priority()}) and a setter of the same name that returns a copy ({@link #priority(int)}),
 * as {@link Kernel.Builder}'s setters do.
 *
 * <pre>{@code
 * kernel.spawnGroup(SpawnOptions.named("indexer").platformThread(true).autoReap(true), () -> 0);
 * }</pre>
 *
 * <p>Options that apply only to groups ({@link #autoReap(boolean)}, {@link #childSubreaper(boolean)},
 * {@link #failurePolicy(FailurePolicy)}) or only to tasks ({@link #detached(boolean)}) are refused with an
 * {@link IllegalArgumentException} by a spawn of the other kind.
 */
public final class SpawnOptions {
    /** The default priority (scheduler mode): the user-normal class. */
    public static final int DEFAULT_PRIORITY = 60;

    private final String name;
    private final boolean detached;
    private final boolean platformThread;
    private final boolean autoReap;
    private final boolean childSubreaper;
    private final FailurePolicy failurePolicy;
    private final int priority;
    private final int[] affinity; // null: every CPU
    private final Duration deadline; // null: none

    private SpawnOptions(String name, boolean detached, boolean platformThread, boolean autoReap,
            boolean childSubreaper, FailurePolicy failurePolicy, int priority, int[] affinity, Duration deadline) {
        this.name = name;
        this.detached = detached;
        this.platformThread = platformThread;
        this.autoReap = autoReap;
        this.childSubreaper = childSubreaper;
        this.failurePolicy = failurePolicy;
        this.priority = priority;
        this.affinity = affinity;
        this.deadline = deadline;
    }

    /**
     * Options with a name and every default: joinable, virtual thread, zombie until reaped,
     * {@link FailurePolicy#FAIL_GROUP}.
     *
     * @param name the name of the task or group (and of its thread)
     * @return the options
     * @throws IllegalArgumentException if {@code name} is blank or longer than 200 characters
     */
    public static SpawnOptions named(String name) {
        return new SpawnOptions(checkName(name), false, false, false, false, FailurePolicy.FAIL_GROUP, DEFAULT_PRIORITY,
                null, null);
    }

    static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (name.length() > 200) {
            throw new IllegalArgumentException("name must be at most 200 characters, was " + name.length());
        }
        return name;
    }

    /**
     * Tasks only: whether the task is detached from the start (nobody joins it; its record goes when it
     * ends). Default false.
     *
     * @param on whether the task starts detached
     * @return a copy of these options with the option set
     */
    public SpawnOptions detached(boolean on) {
        return new SpawnOptions(name, on, platformThread, autoReap, childSubreaper, failurePolicy, priority,
                affinity, deadline);
    }

    /**
     * Whether to run on a platform thread instead of a virtual thread (exact CPU time; costs an OS thread).
     * Default false.
     *
     * @param on whether to run on a platform thread
     * @return a copy of these options with the option set
     */
    public SpawnOptions platformThread(boolean on) {
        return new SpawnOptions(name, detached, on, autoReap, childSubreaper, failurePolicy, priority,
                affinity, deadline);
    }

    /**
     * Groups only: whether the group is never a zombie, reaped as soon as it ends (like
     * {@code SIGCHLD=SIG_IGN}). Default false.
     *
     * @param on whether the group is auto-reaped
     * @return a copy of these options with the option set
     */
    public SpawnOptions autoReap(boolean on) {
        return new SpawnOptions(name, detached, platformThread, on, childSubreaper, failurePolicy, priority,
                affinity, deadline);
    }

    /**
     * Groups only: whether orphaned descendants are reparented to this group rather than the domain root
     * (docs/contract.md, R4). Default false.
     *
     * @param on whether the group is a child subreaper from its spawn
     * @return a copy of these options with the option set
     */
    public SpawnOptions childSubreaper(boolean on) {
        return new SpawnOptions(name, detached, platformThread, autoReap, on, failurePolicy, priority,
                affinity, deadline);
    }

    /**
     * Groups only: what an uncaught throwable in one of its tasks does (docs/contract.md, E5).
     *
     * @param policy fail the whole group (the default) or only the task
     * @return a copy of these options with the policy
     */
    public SpawnOptions failurePolicy(FailurePolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return new SpawnOptions(name, detached, platformThread, autoReap, childSubreaper, policy, priority,
                affinity, deadline);
    }

    /**
     * Scheduler mode only (ignored otherwise): the task's priority, 0 most urgent. 0–30 are real-time
     * classes (strictly before the others), 31–80 normal classes (they age, so none starves), above 80
     * idle. Default {@value #DEFAULT_PRIORITY}.
     *
     * @param priority the priority, 0 most urgent
     * @return a copy of these options with the priority
     * @throws IllegalArgumentException if negative
     */
    public SpawnOptions priority(int priority) {
        if (priority < 0) {
            throw new IllegalArgumentException("priority must be at least 0 (most urgent), was " + priority);
        }
        return new SpawnOptions(name, detached, platformThread, autoReap, childSubreaper, failurePolicy, priority,
                affinity, deadline);
    }

    /**
     * Scheduler mode only (ignored otherwise): the CPUs the task may run on. Spawning with an affinity
     * that allows none of the kernel's CPUs fails with {@link IllegalArgumentException}.
     *
     * @param cpus the ids of the CPUs allowed, from 0
     * @return a copy of these options with the affinity
     * @throws IllegalArgumentException if empty or an id is negative
     */
    public SpawnOptions affinity(int... cpus) {
        if (cpus.length == 0) {
            throw new IllegalArgumentException("affinity must name at least one CPU");
        }
        for (int c : cpus) {
            if (c < 0) {
                throw new IllegalArgumentException("CPU ids must be at least 0, got " + java.util.Arrays.toString(cpus));
            }
        }
        return new SpawnOptions(name, detached, platformThread, autoReap, childSubreaper, failurePolicy, priority,
                cpus.clone(), deadline);
    }

    /**
     * A deadline, counted from the spawn: when it passes, the task (for {@code spawnTask}) or every task of
     * the group (for {@code spawnGroup}) is killed, and the task or group ends
     * {@code Killed(DEADLINE)} ({@link ExitStatus.Killed} with {@link KillReason#DEADLINE}, docs/contract.md,
     * K11). Its timer is the kernel's: virtual time in deterministic mode, and it is cancelled when the task
     * or group ends first. A deadline too long to count in nanoseconds (about 292 years) means never. Default:
     * none.
     *
     * @param deadline how long the task or group may live
     * @return a copy of these options with the deadline
     * @throws IllegalArgumentException if {@code deadline} is null, zero or negative
     */
    public SpawnOptions deadline(Duration deadline) {
        if (deadline == null || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be a positive duration, was " + deadline);
        }
        return new SpawnOptions(name, detached, platformThread, autoReap, childSubreaper, failurePolicy, priority,
                affinity, deadline);
    }

    /** {@return the deadline, counted from the spawn; empty for none} */
    public java.util.Optional<Duration> deadline() {
        return java.util.Optional.ofNullable(deadline);
    }

    /** {@return the name} */
    public String name() {
        return name;
    }

    /** {@return whether the task starts detached} */
    public boolean detached() {
        return detached;
    }

    /** {@return whether a platform thread is requested} */
    public boolean platformThread() {
        return platformThread;
    }

    /** {@return whether the group is auto-reaped} */
    public boolean autoReap() {
        return autoReap;
    }

    /** {@return whether the group is a child subreaper from its spawn} */
    public boolean childSubreaper() {
        return childSubreaper;
    }

    /** {@return the group's failure policy} */
    public FailurePolicy failurePolicy() {
        return failurePolicy;
    }

    /** {@return the priority (scheduler mode)} */
    public int priority() {
        return priority;
    }

    /** {@return the affinity (scheduler mode), a copy; {@code null} for every CPU} */
    public int[] affinity() {
        return affinity == null ? null : affinity.clone();
    }

    /** @throws IllegalArgumentException naming the option if a group-only option is set */
    void checkForTask() {
        if (autoReap || childSubreaper || failurePolicy != FailurePolicy.FAIL_GROUP) {
            throw new IllegalArgumentException("options autoReap, childSubreaper and failurePolicy apply to groups "
                    + "(spawnGroup), not to tasks; got " + this);
        }
    }

    /** @throws IllegalArgumentException naming the option if a task-only option is set */
    void checkForGroup() {
        if (detached) {
            throw new IllegalArgumentException("option detached applies to tasks (spawnTask), not to groups: "
                    + "use autoReap for a group nobody waits for; got " + this);
        }
    }

    @Override
    public String toString() {
        return "SpawnOptions[name=" + name + (detached ? ", detached" : "") + (platformThread ? ", platformThread" : "")
                + (autoReap ? ", autoReap" : "") + (childSubreaper ? ", childSubreaper" : "")
                + ", " + failurePolicy + (priority == DEFAULT_PRIORITY ? "" : ", priority=" + priority)
                + (affinity == null ? "" : ", affinity=" + java.util.Arrays.toString(affinity))
                + (deadline == null ? "" : ", deadline=" + deadline) + "]";
    }
}
