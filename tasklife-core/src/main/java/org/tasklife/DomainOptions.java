package org.tasklife;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to create a {@link Domain}: its name, limits, how it ends and who hears about it. Immutable. Each
 * option has an accessor named as a record's ({@link #maxTasks()}) and a setter of the same name that
 * returns a copy ({@link #maxTasks(long)}), as {@link SpawnOptions} and {@link Kernel.Builder} do.
 *
 * <pre>{@code
 * Domain tenant = kernel.createDomain(DomainOptions.named("tenant-42").maxTasks(10_000).maxGroups(500)
 *         .onEvent(e -> log.info("{}", e)));
 * }</pre>
 */
public final class DomainOptions {
    /** No limit. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private final String name;
    private final long maxTasks;
    private final long maxGroups;
    private final boolean stopWhenEmpty;
    private final boolean autoFree;
    private final Consumer<DomainEvent> listener;

    private DomainOptions(String name, long maxTasks, long maxGroups, boolean stopWhenEmpty, boolean autoFree,
            Consumer<DomainEvent> listener) {
        this.name = name;
        this.maxTasks = maxTasks;
        this.maxGroups = maxGroups;
        this.stopWhenEmpty = stopWhenEmpty;
        this.autoFree = autoFree;
        this.listener = listener;
    }

    /**
     * Options with a name and every default: no limits, runs until stopped, freed explicitly, no listener.
     *
     * @param name the domain's name
     * @return the options
     * @throws IllegalArgumentException if {@code name} is blank or longer than 200 characters
     */
    public static DomainOptions named(String name) {
        return new DomainOptions(SpawnOptions.checkName(name), UNLIMITED, UNLIMITED, false, false, null);
    }

    /**
     * At most {@code limit} live tasks in this domain and every domain below it (docs/contract.md, D4, like
     * a cgroup's {@code pids.max}); a spawn over it throws {@link DomainLimitExceededException}.
     *
     * @param limit the most live tasks at once
     * @return a copy of these options with the limit
     * @throws IllegalArgumentException if {@code limit < 1}
     */
    public DomainOptions maxTasks(long limit) {
        return new DomainOptions(name, checkLimit("maxTasks", limit), maxGroups, stopWhenEmpty, autoFree, listener);
    }

    /**
     * At most {@code limit} groups in this domain and every domain below it, counted from spawn until
     * reaped (an unreaped zombie still counts, as a zombie process holds its pid); a spawn over it
     * throws {@link DomainLimitExceededException}.
     *
     * @param limit the most groups at once
     * @return a copy of these options with the limit
     * @throws IllegalArgumentException if {@code limit < 1}
     */
    public DomainOptions maxGroups(long limit) {
        return new DomainOptions(name, maxTasks, checkLimit("maxGroups", limit), stopWhenEmpty, autoFree, listener);
    }

    /**
     * Whether the domain stops by itself when its live task count (nested domains included) drops to 0 after
     * it has had a task, with the final status of the group that ended last, like a VM whose last vCPU
     * stopped. Without it (the default) a domain runs, empty or not, until {@link Domain#stop} or kernel close.
     *
     * @param on whether the domain stops when it becomes empty
     * @return a copy of these options with the option set
     */
    public DomainOptions stopWhenEmpty(boolean on) {
        return new DomainOptions(name, maxTasks, maxGroups, on, autoFree, listener);
    }

    /**
     * Whether the domain is freed as soon as it has stopped and told its listener (docs/contract.md, D3), like
     * an auto-reaped group. Default false.
     *
     * @param on whether the domain is freed as soon as it stops
     * @return a copy of these options with the option set
     */
    public DomainOptions autoFree(boolean on) {
        return new DomainOptions(name, maxTasks, maxGroups, stopWhenEmpty, on, listener);
    }

    /**
     * Tells {@code listener} about the domain's {@link DomainEvent}s.
     *
     * @param listener told about each event
     * @return a copy of these options with the listener
     */
    public DomainOptions onEvent(Consumer<DomainEvent> listener) {
        return new DomainOptions(name, maxTasks, maxGroups, stopWhenEmpty, autoFree,
                Objects.requireNonNull(listener, "listener"));
    }

    private static long checkLimit(String what, long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, was " + limit);
        }
        return limit;
    }

    /** {@return the domain's name} */
    public String name() {
        return name;
    }

    /** {@return the live task limit, or {@link #UNLIMITED}} */
    public long maxTasks() {
        return maxTasks;
    }

    /** {@return the group limit, or {@link #UNLIMITED}} */
    public long maxGroups() {
        return maxGroups;
    }

    /** {@return whether the domain stops when it becomes empty} */
    public boolean stopWhenEmpty() {
        return stopWhenEmpty;
    }

    /** {@return whether the domain is freed as soon as it stops} */
    public boolean autoFree() {
        return autoFree;
    }

    /** {@return the listener, or {@code null}} */
    Consumer<DomainEvent> listener() {
        return listener;
    }

    @Override
    public String toString() {
        return "DomainOptions[name=" + name + (maxTasks == UNLIMITED ? "" : ", maxTasks=" + maxTasks)
                + (maxGroups == UNLIMITED ? "" : ", maxGroups=" + maxGroups) + (stopWhenEmpty ? ", stopWhenEmpty" : "")
                + (autoFree ? ", autoFree" : "") + (listener == null ? "" : ", onEvent") + "]";
    }
}
