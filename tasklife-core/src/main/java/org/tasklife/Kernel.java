package org.tasklife;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.tasklife.internal.domain.DomainControlBlock;
import org.tasklife.internal.domain.Authority;
import org.tasklife.internal.group.GroupControlBlock;
import org.tasklife.internal.group.KernelCore;
import org.tasklife.internal.group.Termination;
import org.tasklife.internal.sched.Choices;
import org.tasklife.internal.sched.CpuScheduler;
import org.tasklife.internal.sched.DeterministicAccess;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.VirtualClock;
import org.tasklife.internal.wait.WaitQueue;

/**
 * One tasklife kernel: the task table, the timer service, the reaper and the root domain.
 * {@link #close()} kills everything still running and waits (a bounded time) for it to end.
 *
 * <pre>{@code
 * try (Kernel kernel = Kernel.boot()) {
 *     TaskGroup job = kernel.spawnGroup("job", () -> {
 *         Tasks.sleep(Duration.ofHours(1));   // blocked in a tasklife wait
 *         return 0;
 *     });
 *     job.kill();                             // ends the sleep at once
 *     ExitStatus status = job.reap();         // Killed
 * }
 * }</pre>
 *
 * <p>Every method is safe from any thread, inside a task or not.
 */
public final class Kernel implements AutoCloseable {
    private final KernelCore core;
    private final Duration closeTimeout;
    private final KernelManagement management; // null when JMX registration is off (Builder.jmx)

    private Kernel(KernelCore core, Duration closeTimeout, boolean jmx, boolean jmxReadOnly) {
        this.core = core;
        this.closeTimeout = closeTimeout;
        this.management = jmx ? KernelManagement.register(core, jmxReadOnly) : null; // last: publishes this
    }

    /**
     * Boots a kernel with default settings.
     *
     * @return the running kernel
     */
    public static Kernel boot() {
        return builder().boot();
    }

    /** {@return a builder for a kernel with non-default settings} */
    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a kernel to boot. */
    public static final class Builder {
        /**
         * The most CPUs a kernel in scheduler mode may own (Linux's largest {@code NR_CPUS} configuration);
         * each CPU is a run queue and bookkeeping in this JVM, so an impossible count is refused up front.
         */
        public static final int MAX_CPUS = 8192;

        private String name = "tasklife";
        private Duration killGracePeriod = Duration.ofSeconds(5);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private Consumer<StuckTaskReport> stuckListener; // null: log each report (KernelLog)
        private Clock clock = Clock.system();
        private int cpus;              // 0: default mode (free virtual threads)
        private Duration timeSlice = Duration.ofMillis(10);
        private boolean workStealing = true;
        private Supplier<Choices> decisions; // deterministic mode: a fresh source of decisions per boot
        private boolean jmx = true;
        private boolean jmxReadOnly;
        private boolean commonPoolIsHost;
        private SpawnDecorator spawnDecorator; // null: none

        private Builder() {}

        /**
         * The kernel's name, used in thread names and its JMX object name.
         *
         * @param name the name (not blank, at most 200 characters)
         * @return this builder
         * @throws IllegalArgumentException if {@code name} is blank or too long
         */
        public Builder name(String name) {
            this.name = SpawnOptions.checkName(name);
            return this;
        }

        /**
         * How long a killed task may take to unwind, and any task its exit sequence (task-local
         * destructors, {@code close()} of what it owns), before it is reported stuck and what it owns is
         * force-closed (docs/contract.md, K8). Default 5 s.
         *
         * @param grace the grace period
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder killGracePeriod(Duration grace) {
            this.killGracePeriod = positive(grace, "killGracePeriod");
            return this;
        }

        /**
         * How long {@link Kernel#close()} waits for tasks to end. Default 10 s.
         *
         * @param timeout the longest wait
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = positive(timeout, "closeTimeout");
            return this;
        }

        /**
         * Told about every stuck-task report (docs/contract.md, K8), on the kernel's reaper thread. It replaces the
         * default, which logs each report, rendered with its stack, at {@code WARNING} through the
         * {@link System.Logger} named {@code "org.tasklife"} (java.util.logging unless the application installs
         * another {@link System.LoggerFinder}, as the SLF4J and Log4j bridges do), so that a stuck task is never
         * left silent. Every report is also kept ({@link Kernel#stuckTasks()}) and emitted as a JFR event.
         *
         * @param listener called once per report
         * @return this builder
         * @throws NullPointerException if {@code listener} is null
         */
        public Builder onStuckTask(Consumer<StuckTaskReport> listener) {
            this.stuckListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Decorates every task this kernel spawns, to carry context (logging MDC, tracing, security) from the
         * spawning code into the task: see {@link SpawnDecorator}. {@code decorate} is called on the spawning
         * thread at every spawn, and its {@code Runnable} runs on the new task's thread around the body. A later
         * call replaces the decorator; compose several with {@link SpawnDecorator#andThen}. Default: none (a
         * spawn then costs one null check more).
         *
         * @param decorator the decorator of every spawn
         * @return this builder
         * @throws NullPointerException if {@code decorator} is null
         */
        public Builder spawnDecorator(SpawnDecorator decorator) {
            this.spawnDecorator = Objects.requireNonNull(decorator, "decorator");
            return this;
        }

        /**
         * Whether the kernel registers its {@link org.tasklife.management.KernelMXBean} in the platform MBean
         * server while booted (what {@code tasklife ps --pid} attaches to). Default true.
         *
         * @param enabled whether to register it
         * @return this builder
         */
        public Builder jmx(boolean enabled) {
            this.jmx = enabled;
            return this;
        }

        /**
         * Whether the kernel's {@link org.tasklife.management.KernelMXBean} refuses its state-changing
         * operations ({@code kill}, {@code stopDomain}), leaving its views readable: for a host that exposes JMX
         * to people who should watch but not act. Default false.
         *
         * @param readOnly whether operations are refused
         * @return this builder
         */
        public Builder jmxReadOnly(boolean readOnly) {
            this.jmxReadOnly = readOnly;
            return this;
        }

        /**
         * Whether code running on a thread of the common {@link java.util.concurrent.ForkJoinPool} (parallel
         * streams, {@code CompletableFuture.supplyAsync}) acts as host code on this kernel. Default false: those
         * threads run every submitter's work, a domain's included, so tasklife cannot tell whose work it is and
         * refuses them everything ({@link DomainAccessException}). Futures tasklife hands out are not affected:
         * their async dependents run with the authority of the code that obtained the future. Turn it on only
         * if no domain's code can reach the common pool (no tenants, or tenants you trust with host authority).
         *
         * @param isHost whether common-pool threads act as host code
         * @return this builder
         */
        public Builder commonPoolIsHost(boolean isHost) {
            this.commonPoolIsHost = isHost;
            return this;
        }

        /**
         * Scheduler mode: the kernel owns {@code cpus} CPUs and a task runs only while it holds
         * one. Tasks give their CPU up when they block in a tasklife wait, at a safe point (any tasklife
         * call, {@link Tasks#checkpoint()}, {@link Tasks#yieldNow()}) once their {@link #timeSlice} is
         * over and another task waits for that CPU, and when they exit. Each CPU picks by
         * {@link SpawnOptions#priority(int) priority}: real-time classes first, normal classes aging so
         * none starves, idle last. A CPU left with nothing queued takes a task queued on another CPU that
         * may run on it ({@link #workStealing(boolean)}). Preemption happens only at safe points: a loop
         * that never calls tasklife keeps its CPU. For N CPUs to run in parallel the JVM needs as many
         * carrier threads ({@code -Djdk.virtualThreadScheduler.parallelism}).
         *
         * @param cpus how many CPUs the kernel owns, 1 to {@link #MAX_CPUS}
         * @return this builder
         * @throws IllegalArgumentException if {@code cpus < 1} or {@code cpus > MAX_CPUS}
         */
        public Builder cpus(int cpus) {
            if (cpus < 1 || cpus > MAX_CPUS) {
                throw new IllegalArgumentException("cpus must be between 1 and " + MAX_CPUS + ", was " + cpus);
            }
            this.cpus = cpus;
            return this;
        }

        /**
         * How long a task runs before a safe point ({@link Tasks#checkpoint()}, {@link Tasks#yieldNow()}, and
         * in scheduler mode any tasklife call) makes it share the CPU. Default 10 ms.
         *
         * <p>Scheduler mode: how long a task may keep its CPU while another task waits for it.
         *
         * <p>Default mode: tasks run on virtual threads that the JDK never preempts, so a task that has run a
         * whole slice gives up its carrier thread at its next safe point, for about 0.1 ms, whether or not
         * another task waits; tasks blocked in between start a fresh slice. As many CPU-bound tasks as the
         * JVM has carriers ({@code -Djdk.virtualThreadScheduler.parallelism}, by default the number of
         * processors) then leave every other task room to run within about a slice. The slice is measured
         * on a tick of half a slice (at least 0.1 ms, at most 1 s), so a task gives its carrier up between one
         * and one and a half slices after it got it; a shorter slice costs the CPU-bound tasks more pauses,
         * a longer one delays the others more. A loop that never reaches a safe point keeps its carrier, and
         * with more CPU-bound tasks than carriers the JDK's scheduler does not share them fairly: use
         * scheduler mode ({@link #cpus(int)}) there.
         *
         * @param slice the time slice
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder timeSlice(Duration slice) {
            this.timeSlice = positive(slice, "timeSlice");
            return this;
        }

        /**
         * Scheduler mode: whether a CPU that its task gives up (park, yield, preemption, exit) with nothing
         * queued for it takes a task queued on another CPU, instead of idling. A task is placed on the
         * least-loaded CPU its affinity allows when it becomes runnable, so tasks queued while every CPU was
         * busy would otherwise wait for their own CPU while another sits idle. The CPU steals from the
         * longest run queue (ties to the lowest CPU id) the task that queue would run first among those
         * whose {@link SpawnOptions#affinity(int...) affinity} includes the stealing CPU: a task is never
         * moved to a CPU its affinity excludes, and real-time tasks are taken before normal ones.
         *
         * <p>Default true: stealing only ever turns an idle CPU into a busy one when runnable work allowed
         * on it is waiting, so it shortens waits and never breaks affinity or priority order; its cost is
         * one scan of the run queues on a release that would otherwise leave the CPU idle. Turn it off to
         * keep every task on the CPU it was placed on until it next becomes runnable (for example to study
         * placement alone, or to compare). Ignored in {@link #deterministic(long) deterministic mode},
         * which has one CPU.
         *
         * @param enabled whether an idle CPU steals queued work
         * @return this builder
         */
        public Builder workStealing(boolean enabled) {
            this.workStealing = enabled;
            return this;
        }

        /**
         * Deterministic mode: one CPU, a virtual clock, and every scheduling choice drawn from
         * {@code seed}. Sleeps and timed waits advance virtual time when every task is blocked, so long
         * timeouts pass at once; the same seed gives the same interleaving of tasklife calls, recorded in
         * {@link Kernel#schedulerTrace()}. Work the kernel otherwise defers to its reaper thread is done
         * at a point the seed fixes: {@link Domain#free()} releases the task records at once, so a freed
         * id finds nothing from then on ({@link Kernel#findTask}, {@link Kernel#kill(long)}). Not controlled
         * by the seed: host code acting on the kernel while tasks run, blocking outside tasklife,
         * {@code System.nanoTime}, identity hash codes, randomness, and the stuck report and force-close of
         * a killed task that outlives its {@link #killGracePeriod} while virtual time passes (done by the
         * kernel's reaper thread, at a moment real time decides; it may hand that task's mutexes to their
         * next lockers). To run a scenario under many or all schedules and replay one that fails, see the
         * schedule explorer ({@code org.tasklife.explore}).
         *
         * @param seed the seed of every scheduling choice
         * @return this builder
         */
        public Builder deterministic(long seed) {
            this.decisions = () -> Choices.seeded(seed);
            return this;
        }

        /**
         * Deterministic mode on decisions from {@code decisions}, asked once per boot: the way in of the schedule
         * explorer ({@code org.tasklife.explore}), lent to it through {@link DeterministicAccess}, which replays
         * and records decision lists. Not API: users give a seed, or a {@code Schedule} applies itself.
         */
        Builder deterministic(Supplier<Choices> decisions) {
            this.decisions = Objects.requireNonNull(decisions, "decisions");
            return this;
        }

        static {
            DeterministicAccess.lend((builder, decisions) -> ((Builder) builder).deterministic(decisions));
        }

        Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /**
         * Boots the kernel: starts its timer and reaper threads. The kernel's own threads work for the code
         * that boots it, which must be host code (or code of a root domain): a domain's code cannot boot a
         * kernel, since that kernel's tasks would escape the domain's limits and outlive its stop.
         *
         * @return the running kernel
         * @throws DomainAccessException if called by a domain's code, or on a thread of the common ForkJoinPool
         */
        public Kernel boot() {
            Authority.checkMayBoot();
            CpuScheduler scheduler = null;
            Clock c = clock;
            Choices choices = decisions == null ? null : decisions.get();
            if (choices != null) { // fresh decisions at each boot: a builder boots the same run every time
                VirtualClock virtual = new VirtualClock();
                scheduler = CpuScheduler.deterministic(choices, virtual);
                c = virtual;
            } else if (cpus > 0) {
                scheduler = CpuScheduler.ofCpus(cpus, Clock.saturatedNanos(timeSlice), workStealing);
            }
            Consumer<StuckTaskReport> stuck = stuckListener != null ? stuckListener : KernelLog.stuckListener(name);
            return new Kernel(new KernelCore(name, c, Clock.saturatedNanos(killGracePeriod), stuck, scheduler,
                    Clock.saturatedNanos(timeSlice), commonPoolIsHost,
                    spawnDecorator == null ? null : DecoratedBody.hook(spawnDecorator)), closeTimeout, jmx, jmxReadOnly);
        }

        /**
         * {@code d}, if positive. Durations too long to count in nanoseconds are accepted and saturate where
         * they are used (as the JDK's timed waits do): they mean "for ever".
         *
         * @throws IllegalArgumentException naming {@code what} otherwise
         */
        static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }

    KernelCore core() {
        return core;
    }

    /** {@return the root domain: every group spawned by host code without a domain goes there} */
    public Domain rootDomain() {
        return new Domain(core, core.domains().root());
    }

    /**
     * {@link #createDomain(DomainOptions)} with a name and no limits.
     *
     * @param name the domain's name
     * @return the new domain
     */
    public Domain createDomain(String name) {
        return createDomain(DomainOptions.named(name));
    }

    /**
     * Creates a domain directly below the root domain (docs/contract.md, D1); {@link Domain#createDomain}
     * nests deeper.
     *
     * @param options the domain's name, limits and listener
     * @return the new domain
     * @throws SpawnRefusedException if the kernel is closed
     * @throws DomainAccessException if called from a task outside the root domain
     */
    public Domain createDomain(DomainOptions options) {
        return rootDomain().createDomain(options);
    }

    /**
     * Spawns a top-level group, whose main task runs {@code main} (docs/contract.md, P1), in the domain the
     * calling code works for: the root domain for host code, its own domain for a domain's code (a task, or a
     * thread a task started). Its parent is that domain's root, whoever calls: never the calling task's
     * group. One call per parent:
     * <ul>
     * <li>{@code kernel.spawnGroup(...)}: a top-level group of the caller's domain;</li>
     * <li>{@link Domain#spawnGroup(String, GroupMain) domain.spawnGroup(...)}: a top-level group of that
     *     domain;</li>
     * <li>{@link Tasks#spawnGroup(String, GroupMain) Tasks.spawnGroup(...)}, from a task: a child group of
     *     the task's group ({@code fork}), which that group waits for and reaps;</li>
     * <li>{@link TaskGroup#spawnTask(String, TaskBody) group.spawnTask(...)} and
     *     {@link Tasks#spawnTask(String, TaskBody) Tasks.spawnTask(...)}: a task of that group, or of the
     *     caller's.</li>
     * </ul>
     * A top-level group is reaped by host code ({@link TaskGroup#reap()}, {@link Domain#waitChild}).
     *
     * @param name the group's name (and its main task's)
     * @param main what the main task runs; its return value ends the group (docs/contract.md, E2)
     * @return the new group
     * @throws SpawnRefusedException if the kernel is closed, or the caller's domain stops or was freed
     * @throws DomainLimitExceededException if a limit of the caller's domain or of one above it is reached
     * @throws DomainAccessException if the caller acts for nobody in this kernel (a thread of the common
     *     ForkJoinPool, a tenant of another kernel)
     */
    public TaskGroup spawnGroup(String name, GroupMain main) {
        return spawnGroup(SpawnOptions.named(name), main);
    }

    /**
     * Spawns a top-level group with options in the caller's domain, as {@link #spawnGroup(String, GroupMain)}
     * does.
     *
     * @param options the group's name and options (task-only options are refused)
     * @param main what the main task runs; its return value ends the group
     * @return the new group
     * @throws IllegalArgumentException if {@code options} has a task-only option
     * @throws SpawnRefusedException if the kernel is closed, or the caller's domain stops or was freed
     * @throws DomainLimitExceededException if a limit of the caller's domain or of one above it is reached
     * @throws DomainAccessException if the caller acts for nobody in this kernel
     */
    public TaskGroup spawnGroup(SpawnOptions options, GroupMain main) {
        Objects.requireNonNull(options, "options");
        return spawnGroupUnder(core.lifecycle().parentForCaller(() -> options.name()), options, main);
    }

    static TaskGroup spawnGroupUnder(GroupControlBlock parent, SpawnOptions options, GroupMain main) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(main, "main");
        options.checkForGroup();
        return new TaskGroup(Termination.groupWithDeadline(parent.core(), options.deadline().orElse(null), // K11
                () -> main.run(), body -> parent.core().lifecycle().spawnGroup(parent, options.name(),
                        options.platformThread(), options.autoReap(), options.childSubreaper(),
                        options.failurePolicy() == FailurePolicy.FAIL_TASK, options.priority(), options.affinity(),
                        body)));
    }

    /**
     * The task with this id, unless unknown or disposed (ids are never reused: docs/contract.md, §0).
     *
     * @param id the task's id
     * @return the task, or empty
     * @throws IllegalArgumentException if the id is not positive: no task, group or domain ever has such an id
     * @throws DomainAccessException if called from a task and the task is outside the caller's domain
     */
    public Optional<Task<?>> findTask(long id) {
        checkId(id, "id");
        TaskControlBlock t = core.introspection().findTask(id);
        return t == null ? Optional.empty() : Optional.of(new Task<>(t));
    }

    /**
     * The group with this id, unless unknown, a domain root, or reaped.
     *
     * @param id the group's id
     * @return the group, or empty
     * @throws IllegalArgumentException if the id is not positive: no task, group or domain ever has such an id
     * @throws DomainAccessException if called from a task and the group is outside the caller's domain
     */
    public Optional<TaskGroup> findGroup(long id) {
        checkId(id, "id");
        GroupControlBlock g = core.introspection().findGroup(id);
        return g == null ? Optional.empty() : Optional.of(new TaskGroup(g));
    }

    /**
     * The domain with this id, unless unknown or freed.
     *
     * @param id the domain's id
     * @return the domain, or empty
     * @throws IllegalArgumentException if the id is not positive: no task, group or domain ever has such an id
     * @throws DomainAccessException if called from a task and the domain is outside the caller's domain
     */
    public Optional<Domain> findDomain(long id) {
        checkId(id, "id");
        DomainControlBlock d = core.introspection().findDomain(id);
        return d == null ? Optional.empty() : Optional.of(new Domain(core, d));
    }

    /**
     * Kills the task with this id (docs/contract.md, K1), as {@link Task#kill()} does.
     *
     * @param taskId the task's id
     * @return {@code true} iff this call killed the task; {@code false} (docs/contract.md, K1) if no task has
     *     this id (it never existed in this kernel, or its record was disposed: joined, detached and ended, or
     *     its group reaped) or it was already killed (by this or an earlier call, a group kill, an {@code exitGroup} or
     *     a domain stop), is exiting, or has ended. To tell an unknown id apart, ask {@link #findTask} first
     *     (racy by nature: the task may end in between)
     * @throws IllegalArgumentException if the id is not positive: no task, group or domain ever has such an id
     * @throws DomainAccessException if called from a task and the task is outside the caller's domain
     */
    public boolean kill(long taskId) {
        checkId(taskId, "taskId");
        return core.lifecycle().kill(taskId);
    }

    /**
     * A snapshot of live tasks and unreaped groups (docs/contract.md, §11): all of them for host code, those of the
     * caller's domain and the domains below it for a domain's code (docs/contract.md, D5).
     *
     * @return the snapshot
     * @throws DomainAccessException if the caller acts for nobody in this kernel
     */
    public KernelSnapshot snapshot() {
        return core.introspection().forCaller();
    }

    /**
     * Deterministic mode: every CPU hand-off so far, one line each ({@code "t7 wake @1099511627776"}: the
     * task that got the CPU, why, and the virtual time). Empty in other modes.
     *
     * @return the hand-offs, oldest first
     */
    public List<String> schedulerTrace() {
        CpuScheduler s = core.scheduler();
        return s == null ? List.of() : s.trace();
    }

    /**
     * Number of tasks not yet terminated: in the whole kernel for host code, in the caller's domain and the
     * domains below it for a domain's code.
     *
     * @return the count
     * @throws DomainAccessException if the caller acts for nobody in this kernel
     */
    public long liveTaskCount() {
        return core.introspection().liveTaskCount();
    }

    /**
     * Number of owned resources (of tasks and groups) still open, kernel-wide.
     *
     * @return the count
     * @throws DomainAccessException if called by a domain's code (only host code reads kernel-wide counts)
     */
    public long openResourceCount() {
        return core.introspection().openResourceCount();
    }

    /**
     * Number of timers armed and not yet fired or cancelled (sleeps, timed waits, kill grace timers),
     * kernel-wide.
     *
     * @return the count
     * @throws DomainAccessException if called by a domain's code (only host code reads kernel-wide counts)
     */
    public int pendingTimerCount() {
        return core.introspection().pendingTimerCount();
    }

    /**
     * Number of waiters (tasks, and host threads in a tasklife wait) queued in any wait queue (any primitive,
     * join, child or domain wait) of this JVM, over every kernel: wait queues belong to primitives, which are
     * not tied to one kernel. With no task blocked anywhere, a non-zero count is a leaked wait node. For leak
     * audits.
     *
     * @return the number of queued waiters in this JVM
     */
    public static long queuedWaitersInJvm() {
        return WaitQueue.linkedNodesInJvm();
    }

    /**
     * The kernel's running totals since it booted: tasks spawned, tasks ended by kind of status, tasks killed by kind
     * of kill (a task, a group, a domain stop), spawns refused by a domain limit, and the kill latency (kill requested
     * to exit status published). Cheap: a sum of a few striped counters, no snapshot (docs/contract.md, §11).
     *
     * @return the totals now
     * @throws DomainAccessException if called by a domain's code (only host code reads kernel-wide counts)
     */
    public KernelStatistics statistics() {
        return core.introspection().statistics();
    }

    /**
     * The name this kernel was booted with ({@link Builder#name(String)}): the prefix of its threads' names, and what
     * its JMX and metrics identify it by.
     *
     * @return the name
     */
    public String name() {
        return core.name();
    }

    /**
     * Stuck-task reports made so far (docs/contract.md, K8): all of them for host code; for a domain's code, those of
     * tasks of its domain and the domains below it whose group is still known to the kernel.
     *
     * @return the reports, oldest first
     * @throws DomainAccessException if the caller acts for nobody in this kernel
     */
    public List<StuckTaskReport> stuckTasks() {
        return core.introspection().stuckReports();
    }

    /**
     * Refuses new spawns, kills every group, waits up to {@code timeout} for every task to end, force-closes
     * what the remaining ones own, and stops the kernel's threads. Idempotent. A timeout too long to count
     * in nanoseconds (about 292 years) is taken as the longest one that can; zero or negative waits not at all.
     *
     * <p>Called from a task of another kernel, the wait is a tasklife wait of that task: its own kernel's
     * clock measures {@code timeout}, and a kill of it (before or during the call) ends the wait at once;
     * the kernel is then closed all the same (the tasks not yet ended are reported and their resources
     * force-closed) and the call throws {@link TaskKilledError}.
     *
     * @param timeout how long to wait for tasks to end
     * @return how long it took and which tasks did not end in time
     * @throws DomainAccessException if called by a domain's code: only host code (or code of the root domain)
     *     closes a kernel
     * @throws TaskKilledError if the calling task of another kernel is killed (the kernel is closed anyway)
     */
    public ShutdownReport close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long start = Clock.system().nanoTime();
        // huge timeouts mean "wait for ever"; the MXBean goes even when a killed caller's close throws
        List<StuckTaskReport> stuck = core.close(Clock.saturatedNanos(timeout),
                management == null ? null : management::unregister);
        return new ShutdownReport(Duration.ofNanos(Clock.system().nanoTime() - start), stuck);
    }

    /**
     * {@link #close(Duration)} with the configured close timeout ({@link Builder#closeTimeout}). Since nobody reads
     * its {@link ShutdownReport}, a report that is not clean (tasks that did not end in time, whose resources were
     * force-closed) is logged at {@code WARNING} through the {@link System.Logger} named {@code "org.tasklife"}, each
     * task rendered with its stack; a clean close logs one line at {@code DEBUG}.
     *
     * @throws DomainAccessException if called by a domain's code: only host code (or code of the root domain)
     *     closes a kernel
     * @throws TaskKilledError if the calling task of another kernel is killed (the kernel is closed anyway)
     */
    @Override
    public void close() {
        KernelLog.closed(core.name(), close(closeTimeout));
    }

    /**
     * Ids are positive: an id {@code <= 0} can never name anything, which is a caller's mistake, unlike a
     * valid id that is unknown or no longer exists (answered with empty or {@code false}).
     */
    static long checkId(long id, String what) {
        if (id <= 0) {
            throw new IllegalArgumentException(what + " must be positive (tasklife ids start at 1), was " + id);
        }
        return id;
    }

    static boolean has(WaitOption[] options, WaitOption o) {
        for (WaitOption x : options) {
            if (Objects.requireNonNull(x, "options element") == o) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Kernel[" + core.name() + ", live tasks " + core.liveTaskCount() + "]";
    }
}
