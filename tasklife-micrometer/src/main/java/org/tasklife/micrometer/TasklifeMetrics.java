package org.tasklife.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.tasklife.DomainInfo;
import org.tasklife.DomainState;
import org.tasklife.GroupInfo;
import org.tasklife.GroupState;
import org.tasklife.Kernel;
import org.tasklife.KernelSnapshot;
import org.tasklife.KernelStatistics;
import org.tasklife.KillReason;
import org.tasklife.StuckTaskReport;
import org.tasklife.TaskInfo;
import org.tasklife.TaskState;

/**
 * Micrometer gauges, counters and a timer of one {@link Kernel}, read from its public introspection
 * ({@link Kernel#snapshot()}, {@link Kernel#pendingTimerCount()}, {@link Kernel#queuedWaitersInJvm()},
 * {@link Kernel#stuckTasks()}) and its running totals ({@link Kernel#statistics()}).
 *
 * <pre>{@code
 * new TasklifeMetrics(kernel).bindTo(registry);                  // the gauges below
 * new TasklifeMetrics(kernel).perDomain(true).bindTo(registry);  // and one gauge per domain (at most 100)
 * }</pre>
 *
 * <table>
 * <caption>Meters (every one tagged {@code kernel=<name>})</caption>
 * <tr><th>name</th><th>tags</th><th>value</th></tr>
 * <tr><td>{@code tasklife.tasks.live}</td><td>{@code state} = NEW, RUNNING, BLOCKED, EXITING</td>
 *     <td>live tasks in that state</td></tr>
 * <tr><td>{@code tasklife.groups}</td><td>{@code state} = ALIVE, EXITING, ZOMBIE</td>
 *     <td>unreaped task groups in that state (domain root groups not counted)</td></tr>
 * <tr><td>{@code tasklife.domains}</td><td>{@code state} = RUNNING, STOPPING, STOPPED</td>
 *     <td>domains in that state, the kernel's root domain included</td></tr>
 * <tr><td>{@code tasklife.waiters.queued}</td><td></td>
 *     <td>waiters queued in any tasklife wait queue of this JVM, over every kernel (wait queues belong to
 *     primitives, not to a kernel)</td></tr>
 * <tr><td>{@code tasklife.timers.armed}</td><td></td><td>timers armed and not yet fired or cancelled</td></tr>
 * <tr><td>{@code tasklife.tasks.stuck}</td><td></td>
 *     <td>tasks reported stuck (contract K8) that are still live</td></tr>
 * <tr><td>{@code tasklife.tasks.stuck.reports}</td><td></td>
 *     <td>a counter: stuck-task reports made so far</td></tr>
 * <tr><td>{@code tasklife.domain.tasks.live}</td><td>{@code domain}, {@code domain.id}</td>
 *     <td>only with {@link #perDomain(boolean) perDomain(true)}: live tasks of that domain and the domains
 *     below it, for at most {@value #MAX_DOMAIN_GAUGES} domains (the oldest ones, by id)</td></tr>
 * <tr><td>{@code tasklife.tasks.spawned}</td><td></td><td>a counter: tasks spawned</td></tr>
 * <tr><td>{@code tasklife.tasks.exited}</td><td>{@code kind} = exited, failed, killed; {@code reason} = none
 *     (exited, failed), kill, deadline, grace_expired (killed)</td><td>a counter: tasks ended with that
 *     status</td></tr>
 * <tr><td>{@code tasklife.kills}</td><td>{@code kind} = task, group, domain</td>
 *     <td>a counter: tasks killed by a kill of one task, by the end of their group, by a domain stop</td></tr>
 * <tr><td>{@code tasklife.refusals}</td><td>{@code limit} = tasks, groups</td>
 *     <td>a counter: spawns refused by a domain's limit on live tasks or on groups</td></tr>
 * <tr><td>{@code tasklife.kill.latency}</td><td></td>
 *     <td>a function timer: count and total time from a kill (of a task, a group, a domain) to the status of
 *     the last task it killed being published, one sample per kill</td></tr>
 * <tr><td>{@code tasklife.kill.latency.max}</td><td></td>
 *     <td>a time gauge: the longest kill latency since the kernel booted</td></tr>
 * </table>
 *
 * <p>A scrape reads the gauges one by one; they share one snapshot of the kernel, taken at most once per
 * {@link #snapshotMaxAge(Duration) snapshotMaxAge} (default 1 s), so a scrape costs one snapshot, not one per
 * gauge. Values may thus be up to that age old. Bind from host code (not from a task of a domain: a domain's
 * code sees only its own part of the kernel, and kernel-wide counts are refused to it).
 *
 * <p>The counters and the timer read the kernel's running totals at each read (a sum of a few striped
 * counters, no snapshot): they count every task, however short-lived, and cost the kernel nothing per event
 * beyond its own counters. The kill latency is a {@link FunctionTimer} because the kernel keeps exactly a count
 * and a total (a backend derives the mean and the rates from them) and a {@link TimeGauge} for the maximum since
 * boot; no percentiles.
 *
 * <p>Configure before {@link #bindTo}; an instance may be bound to several registries.
 */
public final class TasklifeMetrics implements MeterBinder {
    /*
     * Implementation notes
     *
     * Overview: every gauge reads a field of one Reading, derived from one Kernel.snapshot() (plus the
     * counts that are not in a snapshot). reading() returns the cached Reading while it is younger than
     * maxAgeNanos, else takes a new one under the monitor of this object.
     *
     * Invariants:
     *   M1. At most one snapshot per maxAgeNanos is taken, however many gauges (and registries) read:
     *       refreshes are serialised by the monitor and re-check the age inside it.
     *   M2. Gauges hold this binder strongly (strongReference(true)): `new TasklifeMetrics(k).bindTo(r)`
     *       keeps reporting though the caller drops the binder.
     *   M3. Per-domain rows are at most MAX_DOMAIN_GAUGES, chosen as the lowest domain ids (the oldest,
     *       the root first); the rows are re-registered (overwrite) at each refresh, so a domain that is gone
     *       leaves the registry at the next refresh after it is.
     *
     * Concurrency: `cached` is volatile, written only under the monitor (M1); a Reading is immutable.
     * Per-domain rows are re-registered from inside a gauge read (the refresh); Micrometer reads gauges
     * outside its registry locks, so registering from there is allowed.
     *
     * Known limits: values lag the kernel by up to maxAge; newly seen domains get their gauge at the
     * refresh that sees them, so a registry that reads the per-domain gauges before any other gauge may
     * export them one scrape late. The counters and the timer read Kernel.statistics() at each read, not the
     * cached Reading: it is cheap, and a counter must never go back (a cached value cannot, either, but a fresh
     * one is also never stale).
     */

    /** The most domains that get a per-domain gauge (see {@link #perDomain(boolean)}). */
    public static final int MAX_DOMAIN_GAUGES = 100;

    private static final String PREFIX = "tasklife.";

    private final Kernel kernel;                       // immutable
    private String kernelName;                         // set by the configuring thread before bindTo
    private boolean perDomain;                         // set by the configuring thread before bindTo
    private long maxAgeNanos = Duration.ofSeconds(1).toNanos(); // ditto
    private final List<MultiGauge> domainGauges = new ArrayList<>(); // guarded by this
    private volatile Reading cached;                   // written under this (M1); null until the first read
    private long snapshotsTaken;                       // guarded by this; for tests

    /**
     * A binder of the given kernel's gauges, tagged {@code kernel=<the kernel's name>}.
     *
     * @param kernel the kernel to read
     * @throws NullPointerException if {@code kernel} is null
     */
    public TasklifeMetrics(Kernel kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.kernelName = kernel.name();
    }

    /**
     * The value of the {@code kernel} tag. Default: the name the kernel was booted with
     * ({@link Kernel.Builder#name(String)}).
     *
     * @param name the tag value (not blank)
     * @return this binder
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws NullPointerException if {@code name} is null
     */
    public TasklifeMetrics kernelName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("kernelName: the kernel tag value must not be blank");
        }
        this.kernelName = name;
        return this;
    }

    /**
     * Whether to register {@code tasklife.domain.tasks.live} per domain (tags {@code domain} and
     * {@code domain.id}), for at most {@value #MAX_DOMAIN_GAUGES} domains (the oldest ones): each domain is a
     * time series, so this is off by default. Default false.
     *
     * @param enabled true to register per-domain gauges
     * @return this binder
     */
    public TasklifeMetrics perDomain(boolean enabled) {
        this.perDomain = enabled;
        return this;
    }

    /**
     * How long a kernel snapshot is reused by the gauges. Default 1 s; zero takes a snapshot at every read.
     *
     * @param maxAge the longest reuse (zero or positive)
     * @return this binder
     * @throws IllegalArgumentException if {@code maxAge} is negative
     * @throws NullPointerException if {@code maxAge} is null
     */
    public TasklifeMetrics snapshotMaxAge(Duration maxAge) {
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("snapshotMaxAge: must be zero or positive, was " + maxAge);
        }
        this.maxAgeNanos = saturatedNanos(maxAge);
        return this;
    }

    /**
     * Registers this kernel's meters (see the class description) with {@code registry}.
     *
     * @param registry the registry
     * @throws NullPointerException if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        Tags base = Tags.of("kernel", kernelName);
        for (TaskState s : Reading.TASK_STATES) {
            gauge(registry, "tasks.live", "Live tasks by state", base.and("state", s.name()),
                    m -> m.reading().tasks.get(s));
        }
        for (GroupState s : Reading.GROUP_STATES) {
            gauge(registry, "groups", "Unreaped task groups by state", base.and("state", s.name()),
                    m -> m.reading().groups.get(s));
        }
        for (DomainState s : Reading.DOMAIN_STATES) {
            gauge(registry, "domains", "Domains by state, the root domain included", base.and("state", s.name()),
                    m -> m.reading().domains.get(s));
        }
        gauge(registry, "waiters.queued", "Waiters queued in tasklife wait queues of this JVM", base,
                m -> m.reading().queuedWaiters);
        gauge(registry, "timers.armed", "Timers armed and not yet fired or cancelled", base,
                m -> m.reading().armedTimers);
        gauge(registry, "tasks.stuck", "Tasks reported stuck that are still live", base,
                m -> m.reading().stuckLive);
        FunctionCounter.builder(PREFIX + "tasks.stuck.reports", this, m -> m.reading().stuckReports)
                .description("Stuck-task reports made so far").tags(base).register(registry);
        bindTotals(registry, base);
        if (perDomain) {
            MultiGauge g = MultiGauge.builder(PREFIX + "domain.tasks.live")
                    .description("Live tasks of a domain and the domains below it").tags(base).register(registry);
            synchronized (this) {
                domainGauges.add(g);
                Reading r = cached;
                if (r != null) {
                    registerDomainRows(g, r);
                }
            }
            reading(); // registers the rows of the domains present now
        }
    }

    private void bindTotals(MeterRegistry registry, Tags base) {
        counter(registry, "tasks.spawned", "Tasks spawned", base, KernelStatistics::tasksSpawned);
        counter(registry, "tasks.exited", "Tasks ended, by status", base.and("kind", "exited").and("reason", "none"),
                KernelStatistics::tasksExited);
        counter(registry, "tasks.exited", "Tasks ended, by status", base.and("kind", "failed").and("reason", "none"),
                KernelStatistics::tasksFailed);
        for (KillReason r : KillReason.values()) {
            counter(registry, "tasks.exited", "Tasks ended, by status",
                    base.and("kind", "killed").and("reason", r.name().toLowerCase(java.util.Locale.ROOT)),
                    st -> st.tasksKilled(r));
        }
        counter(registry, "kills", "Tasks killed, by kind of kill", base.and("kind", "task"),
                KernelStatistics::killsOfTasks);
        counter(registry, "kills", "Tasks killed, by kind of kill", base.and("kind", "group"),
                KernelStatistics::killsOfGroups);
        counter(registry, "kills", "Tasks killed, by kind of kill", base.and("kind", "domain"),
                KernelStatistics::killsByDomainStop);
        counter(registry, "refusals", "Spawns refused by a domain limit", base.and("limit", "tasks"),
                KernelStatistics::refusedByTaskLimit);
        counter(registry, "refusals", "Spawns refused by a domain limit", base.and("limit", "groups"),
                KernelStatistics::refusedByGroupLimit);
        FunctionTimer.builder(PREFIX + "kill.latency", kernel, k -> k.statistics().killLatencyCount(),
                k -> k.statistics().killLatencyTotalNanos(), TimeUnit.NANOSECONDS)
                .description("From a kill to the status of the last task it killed being published").tags(base).register(registry);
        TimeGauge.builder(PREFIX + "kill.latency.max", kernel, TimeUnit.NANOSECONDS,
                k -> k.statistics().killLatencyMaxNanos())
                .description("The longest kill latency since the kernel booted").tags(base).strongReference(true)
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, Tags tags,
            ToDoubleFunction<KernelStatistics> f) {
        FunctionCounter.builder(PREFIX + name, kernel, k -> f.applyAsDouble(k.statistics())).description(description)
                .tags(tags).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, Tags tags,
            ToDoubleFunction<TasklifeMetrics> f) {
        Gauge.builder(PREFIX + name, this, f).description(description).tags(tags).strongReference(true) // M2
                .register(registry);
    }

    /** Snapshots taken so far (M1), for tests. */
    synchronized long snapshotsTaken() {
        return snapshotsTaken;
    }

    private Reading reading() {
        Reading r = cached;
        if (r != null && System.nanoTime() - r.takenNanos < maxAgeNanos) {
            return r;
        }
        synchronized (this) {
            r = cached;
            if (r != null && System.nanoTime() - r.takenNanos < maxAgeNanos) {
                return r; // another reader refreshed it (M1)
            }
            r = Reading.of(kernel);
            snapshotsTaken++;
            cached = r;
            for (MultiGauge g : domainGauges) {
                registerDomainRows(g, r);
            }
            return r;
        }
    }

    private void registerDomainRows(MultiGauge g, Reading r) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        r.snapshot.domains().stream().sorted(Comparator.comparingLong(DomainInfo::id)).limit(MAX_DOMAIN_GAUGES)
                .forEach(d -> {
                    long id = d.id();
                    rows.add(MultiGauge.Row.of(Tags.of(Tag.of("domain", d.name()), Tag.of("domain.id",
                            Long.toString(id))), this, m -> m.reading().domainLive(id)));
                });
        g.register(rows, true); // M3
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** One read of the kernel; immutable. */
    private static final class Reading {
        static final List<TaskState> TASK_STATES =
                List.of(TaskState.NEW, TaskState.RUNNING, TaskState.BLOCKED, TaskState.EXITING);
        static final List<GroupState> GROUP_STATES = List.of(GroupState.ALIVE, GroupState.EXITING, GroupState.ZOMBIE);
        static final List<DomainState> DOMAIN_STATES =
                List.of(DomainState.RUNNING, DomainState.STOPPING, DomainState.STOPPED);

        final long takenNanos;
        final KernelSnapshot snapshot;
        final Map<TaskState, Long> tasks = new EnumMap<>(TaskState.class);
        final Map<GroupState, Long> groups = new EnumMap<>(GroupState.class);
        final Map<DomainState, Long> domains = new EnumMap<>(DomainState.class);
        final long queuedWaiters;
        final long armedTimers;
        final long stuckLive;
        final long stuckReports;

        private Reading(Kernel kernel) {
            this.snapshot = kernel.snapshot();
            TASK_STATES.forEach(s -> tasks.put(s, 0L));
            GROUP_STATES.forEach(s -> groups.put(s, 0L));
            DOMAIN_STATES.forEach(s -> domains.put(s, 0L));
            Set<Long> live = new HashSet<>();
            for (TaskInfo t : snapshot.tasks()) {
                tasks.computeIfPresent(t.state(), (k, n) -> n + 1);
                live.add(t.id());
            }
            for (GroupInfo g : snapshot.groups()) {
                if (g.parentId() != 0) { // a domain root is its domain, not a group the user spawned
                    groups.computeIfPresent(g.state(), (k, n) -> n + 1);
                }
            }
            for (DomainInfo d : snapshot.domains()) {
                domains.computeIfPresent(d.state(), (k, n) -> n + 1);
            }
            this.queuedWaiters = Kernel.queuedWaitersInJvm();
            this.armedTimers = kernel.pendingTimerCount();
            List<StuckTaskReport> stuck = kernel.stuckTasks();
            this.stuckReports = stuck.size();
            this.stuckLive = stuck.stream().filter(r -> live.contains(r.taskId())).map(StuckTaskReport::taskId)
                    .distinct().count();
            this.takenNanos = System.nanoTime();
        }

        static Reading of(Kernel kernel) {
            return new Reading(kernel);
        }

        double domainLive(long id) {
            for (DomainInfo d : snapshot.domains()) {
                if (d.id() == id) {
                    return d.liveTasks();
                }
            }
            return Double.NaN; // gone since the rows were registered
        }
    }
}
