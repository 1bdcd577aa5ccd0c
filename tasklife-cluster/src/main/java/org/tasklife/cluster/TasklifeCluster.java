package org.tasklife.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tasklife.Domain;
import org.tasklife.DomainEvent;
import org.tasklife.DomainInfo;
import org.tasklife.DomainOptions;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.KernelSnapshot;
import org.tasklife.SpawnOptions;
import org.tasklife.SpawnRefusedException;
import org.tasklife.TaskLifeException;

/**
 * A kernel as a member of a cluster of kernels, on Hazelcast (docs/cluster.md): domains placed on the
 * least-loaded member, {@code ps} and {@code tree} over every member, kill and stop by global id from any
 * member, and the domains of a member that dies reported to their watchers, exactly once, as
 * {@link DomainEnd.MemberLost}.
 *
 * <pre>{@code
 * try (Kernel kernel = Kernel.boot();
 *      TasklifeCluster cluster = TasklifeCluster.join(kernel, ClusterConfig.named("jobs").port(5701)
 *              .members("127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703"))) {
 *     RemoteDomain d = cluster.spawnDomain(Crawl.class, ClusterSpawnOptions.named("crawl").args("example.org")
 *             .restartOnMemberLoss(1));
 *     d.onEnd().thenAccept(end -> log.info("{} ended: {}", d.id(), end));
 * }
 * }</pre>
 *
 * <p>Implementation notes. Placement, control and snapshots are calls routed by Hazelcast's executor to the
 * chosen member. Two replicated maps (two backups) hold the state that must survive a member: the live
 * placements and the ends, both keyed by global id. Invariants:
 * <ol>
 *   <li>A placement is recorded before its job starts, and removed only after its end is recorded, so that a
 *       member dying at any point leaves either an end or a placement to report.
 *   <li>An end is recorded with {@code putIfAbsent}: the first end of a domain is its only end. A lost domain
 *       is reported by whoever removes its placement (an atomic remove), and only the oldest surviving member
 *       tries: once per domain, once per watcher, and restarted at most once per death.
 *   <li>No Hazelcast call is made from a kernel listener: domain ends are handed to this member's worker thread.
 * </ol>
 */
public final class TasklifeCluster implements AutoCloseable {
    /** Keeps Hazelcast's logger configured: the JDK holds loggers weakly. */
    private static final Logger ENGINE_LOG = Logger.getLogger("com.hazelcast");
    private static final Logger LOG = Logger.getLogger(TasklifeCluster.class.getName());
    private static final AtomicLong INSTANCES = new AtomicLong();

    private final Kernel kernel;
    private final ClusterConfig config;
    private final HazelcastInstance hz;
    private final Router router;
    private final int number;
    private final UUID uuid;
    private final ConcurrentHashMap<Long, Owned> owned = new ConcurrentHashMap<>();
    /** Publishes ends and reports lost members, in order, off the kernel's and Hazelcast's threads. */
    private final ExecutorService worker;
    private volatile boolean closed;

    /** A domain this member owns. */
    private static final class Owned {
        volatile GlobalId id;
        volatile Domain domain;
        volatile String job;
        volatile ClusterSpawnOptions options;
        /** Its end is reported by someone else (handed over), or it never started (spawn failed). */
        volatile boolean silent;
    }

    private TasklifeCluster(Kernel kernel, ClusterConfig config, HazelcastInstance hz) {
        this.kernel = kernel;
        this.config = config;
        this.hz = hz;
        this.router = new Router(hz, config.name());
        this.uuid = hz.getCluster().getLocalMember().getUuid();
        this.number = router.members.executeOnKey(0, new NextNumber());
        router.members.set(number, uuid.toString());
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tasklife-cluster-m" + number);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Makes {@code kernel} a member of the cluster {@code config} names, and returns once it has joined:
     * it finds the listed members (or forms the cluster alone), gets its member number and is ready to run
     * domains. The kernel stays the caller's: {@link #close()} leaves the cluster, it does not close the kernel.
     *
     * @param kernel the kernel to run placed domains in
     * @param config the cluster, this member's address, labels and policies
     * @return the member
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the member cannot start (its port is in use, say)
     */
    public static TasklifeCluster join(Kernel kernel, ClusterConfig config) {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(config, "config");
        if (ENGINE_LOG.getLevel() == null) {
            ENGINE_LOG.setLevel(Level.WARNING); // Hazelcast's startup banner and membership lines are INFO
        }
        HazelcastInstance hz;
        try {
            hz = Hazelcast.newHazelcastInstance(Engine.memberConfig(config,
                    "tasklife-" + config.name() + "-" + config.port() + "-" + INSTANCES.incrementAndGet()));
        } catch (RuntimeException e) {
            throw new IllegalStateException("join: member " + config.bindAddress() + ":" + config.port()
                    + " of cluster '" + config.name() + "' could not start: " + e, e);
        }
        try {
            TasklifeCluster c = new TasklifeCluster(kernel, config, hz);
            hz.getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent e) {}

                @Override
                public void memberRemoved(MembershipEvent e) {
                    c.submit(c::reportLost);
                }
            });
            hz.getUserContext().put(Wire.CONTEXT_KEY, c);
            c.submit(c::reportLost); // a member that died while this one was joining
            return c;
        } catch (RuntimeException e) {
            hz.getLifecycleService().terminate();
            throw e;
        }
    }

    /** Hands out member numbers: 1, 2, 3, ... never reused while the cluster lives. */
    private static final class NextNumber implements EntryProcessor<Integer, String, Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer process(Map.Entry<Integer, String> entry) {
            int next = entry.getValue() == null ? 1 : Integer.parseInt(entry.getValue()) + 1;
            entry.setValue(Integer.toString(next));
            return next;
        }
    }

    /** {@return this member's number: the first part of the global ids of its domains; never reused} */
    public int memberNumber() {
        return number;
    }

    /** {@return the kernel this member runs placed domains in} */
    public Kernel kernel() {
        return kernel;
    }

    /** {@return the configuration this member joined with} */
    public ClusterConfig config() {
        return config;
    }

    /** {@return the numbers of the members in the cluster now, ascending} */
    public List<Integer> memberNumbers() {
        Set<String> live = Router.uuids(hz.getCluster().getMembers());
        List<Integer> out = new ArrayList<>();
        for (Map.Entry<Integer, String> e : router.members.entrySet()) {
            if (e.getKey() > 0 && live.contains(e.getValue())) {
                out.add(e.getKey());
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * Starts {@code job} in a new domain on a member of the cluster (docs/cluster.md, placement): the member
     * with the fewest live tasks per CPU among those with the required labels, ties to the lowest member
     * number. The domain gets the options' name and limits; it stops when the job's group ends.
     *
     * @param job the job's class; every member must have it
     * @param options name, limits, arguments, labels, restart budget
     * @return a handle of the domain, usable from any member through its {@link RemoteDomain#id() id}
     * @throws NullPointerException if an argument is null
     * @throws SpawnRefusedException if no member has the required labels (never a fallback), none answers,
     *     or the chosen member refuses (its kernel is closed, say)
     * @throws IllegalArgumentException if the chosen member has no such job class
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if this member has left the cluster
     */
    public RemoteDomain spawnDomain(Class<? extends ClusterJob> job, ClusterSpawnOptions options) {
        Objects.requireNonNull(job, "job");
        return spawnDomain(job.getName(), options);
    }

    /**
     * {@link #spawnDomain(Class, ClusterSpawnOptions)} with the job's class name, for a class this member
     * need not have.
     *
     * @param jobClassName the job's binary class name
     * @param options name, limits, arguments, labels, restart budget
     * @return a handle of the domain
     * @throws NullPointerException if an argument is null
     * @throws SpawnRefusedException if no member has the required labels, none answers, or the member refuses
     * @throws IllegalArgumentException if the chosen member has no such job class
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if this member has left the cluster
     */
    public RemoteDomain spawnDomain(String jobClassName, ClusterSpawnOptions options) {
        Objects.requireNonNull(jobClassName, "jobClassName");
        Objects.requireNonNull(options, "options");
        checkOpen("spawnDomain");
        return new RemoteDomain(this, router.place(jobClassName, options, null));
    }

    /**
     * A handle of a domain by global id, from any member (the domain need not exist: its operations then
     * answer as for an unknown id).
     *
     * @param id the global id
     * @return the handle
     * @throws NullPointerException if {@code id} is null
     */
    public RemoteDomain domain(GlobalId id) {
        return new RemoteDomain(this, Objects.requireNonNull(id, "id"));
    }

    /**
     * Kills a domain (stops it with {@code Killed}), or a task, by global id, on the member that owns it, as
     * {@code Domain.stop(ExitStatus)} and {@code Kernel.kill(long)} do there.
     *
     * @param id the domain's or task's global id
     * @return whether this call recorded the kill; {@code false} for an id unknown there (or whose member is gone),
     *     or a domain that was stopping already
     * @throws NullPointerException if {@code id} is null
     * @throws TaskLifeException ({@code NOT_PERMITTED}) for a member's root domain, as locally
     */
    public boolean kill(GlobalId id) {
        Objects.requireNonNull(id, "id");
        checkOpen("kill");
        return router.control(id, true, 0, 0);
    }

    /**
     * Stops a domain by global id with {@code Exited(code)}, on the member that owns it, as
     * {@code Domain.stop(int)} does there.
     *
     * @param id the domain's global id
     * @param code the exit code to record
     * @return whether this call recorded the status; {@code false} for an id that is not a domain there
     * @throws NullPointerException if {@code id} is null
     * @throws TaskLifeException ({@code NOT_PERMITTED}) for a member's root domain, as locally
     */
    public boolean stop(GlobalId id, int code) {
        Objects.requireNonNull(id, "id");
        checkOpen("stop");
        return router.control(id, false, code, -1);
    }

    /**
     * Stops a domain gracefully by global id, as {@code Domain.stop(ExitStatus, Duration)} does on its member.
     *
     * @param id the domain's global id
     * @param code the exit code to stop with
     * @param grace how long the domain may take to empty
     * @return whether this call requested the stop; {@code false} for an id that is not a domain there
     * @throws NullPointerException if {@code id} is null
     * @throws IllegalArgumentException if {@code grace} is null or negative
     * @throws TaskLifeException ({@code NOT_PERMITTED}) for a member's root domain, as locally
     */
    public boolean stop(GlobalId id, int code, Duration grace) {
        Objects.requireNonNull(id, "id");
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be zero or positive, was " + grace);
        }
        checkOpen("stop");
        return router.control(id, false, code, saturatedNanos(grace));
    }

    /**
     * Waits until a domain placed in the cluster has ended (stopped, lost with its member, or handed over), at
     * most {@code timeout}; a zero or negative timeout answers at once.
     *
     * @param id the domain's global id
     * @param timeout how long to wait at most
     * @return whether the domain ended
     * @throws NullPointerException if an argument is null
     * @throws TaskLifeException ({@code NO_SUCH_TASK}) if no domain with this id was placed in the cluster (or
     *     its end is older than an hour)
     */
    public boolean awaitStopped(GlobalId id, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<DomainEnd> f = onEnd(id);
        try {
            f.get(Math.max(0, saturatedNanos(timeout)), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return f.isDone();
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    /**
     * The end of a domain placed in the cluster, whichever member reports it: completes once, with
     * {@link DomainEnd.Stopped}, {@link DomainEnd.MemberLost} or {@link DomainEnd.HandedOver}. Its dependents
     * run on a Hazelcast event thread or the caller's: keep them short. Completing the returned future affects
     * only that copy.
     *
     * @param id the domain's global id
     * @return a new future of its end
     * @throws NullPointerException if {@code id} is null
     * @throws TaskLifeException ({@code NO_SUCH_TASK}) if no domain with this id was placed in the cluster (or
     *     its end is older than an hour)
     */
    public CompletableFuture<DomainEnd> onEnd(GlobalId id) {
        Objects.requireNonNull(id, "id");
        checkOpen("onEnd");
        // placements before ends: an end is recorded before its placement is removed (invariant 1)
        if (!router.known(id)) {
            throw new TaskLifeException(TaskLifeException.Reason.NO_SUCH_TASK, "id " + id + ": no domain with"
                    + " this global id was placed in the cluster (or its end is older than an hour)");
        }
        return router.onEnd(id).copy();
    }

    /**
     * Tells {@code listener} of every domain end recorded in the cluster from now on, on a Hazelcast event
     * thread (keep it short). An end is recorded once, so the listener hears of each domain once.
     *
     * @param listener told of each end
     * @return closing it removes the listener
     * @throws NullPointerException if {@code listener} is null
     */
    public AutoCloseable onDomainEnd(Consumer<DomainEnd> listener) {
        Objects.requireNonNull(listener, "listener");
        checkOpen("onDomainEnd");
        return router.onEveryEnd(listener);
    }

    /**
     * Takes a snapshot of every member ({@code ps}/{@code tree} over the cluster): each member's domains
     * with their global ids, its task table and its tree, one member after the other.
     *
     * @return the snapshot; a member that does not answer (joining, leaving, dying) is left out
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if this member has left the cluster
     */
    public ClusterSnapshot snapshot() {
        checkOpen("snapshot");
        return router.snapshot();
    }

    /**
     * Leaves the cluster cleanly: the domains this member owns are stopped, or handed back, as
     * {@link ClusterConfig#onLeave} says, and their ends recorded (bounded by the leave timeout); then the
     * member shuts down. The kernel is not closed. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        hz.getUserContext().remove(Wire.CONTEXT_KEY); // routed calls now fail here: no new placement
        long deadline = System.nanoTime() + saturatedNanos(config.leaveTimeout());
        List<Owned> mine = new ArrayList<>(owned.values());
        for (Owned o : mine) {
            if (config.leavePolicy() == LeavePolicy.HAND_OVER) {
                handOver(o);
            }
            try {
                o.domain.stop(ExitStatus.KILLED);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "leave: stopping " + o.id, e);
            }
        }
        for (Owned o : mine) {
            o.domain.awaitStopped(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        while (!owned.isEmpty() && deadline - System.nanoTime() > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // the kernel's Stopped listeners hand over
        }
        worker.shutdown(); // the ends already queued are still published
        try {
            worker.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            router.members.delete(number);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "leave: unregistering m" + number, e);
        }
        hz.shutdown();
    }

    private void handOver(Owned o) {
        try {
            GlobalId to = router.place(o.job, o.options, uuid);
            o.silent = true;
            router.ends.putIfAbsent(o.id.toString(), Wire.End.handedOver(o.id, to));
            router.placements.delete(o.id.toString());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "leave: could not hand " + o.id + " over, stopping it instead: " + e);
        }
    }

    // ---- the member's side of routed calls (Calls) ----

    Wire.Load load() {
        return new Wire.Load(number, uuid.toString(), kernel.liveTaskCount(), config.cpus());
    }

    GlobalId spawnHere(String jobClassName, ClusterSpawnOptions options) {
        ClusterJob job = instantiate(jobClassName);
        Owned o = new Owned();
        o.job = jobClassName;
        o.options = options;
        DomainOptions d = DomainOptions.named(options.name()).stopWhenEmpty(true).autoFree(true).onEvent(e -> {
            if (e instanceof DomainEvent.Stopped s) {
                submit(() -> publishStopped(o, s.status()));
            }
        });
        if (options.maxTasks() != DomainOptions.UNLIMITED) {
            d = d.maxTasks(options.maxTasks());
        }
        if (options.maxGroups() != DomainOptions.UNLIMITED) {
            d = d.maxGroups(options.maxGroups());
        }
        Domain domain = kernel.createDomain(d);
        GlobalId id = new GlobalId(number, domain.id());
        o.id = id;
        o.domain = domain;
        owned.put(domain.id(), o);
        router.placements.set(id.toString(), new Wire.Placement(uuid.toString(), jobClassName, options));
        JobContext ctx = new JobContext(id, domain, options.args());
        try {
            domain.spawnGroup(SpawnOptions.named(options.name()), () -> job.run(ctx));
        } catch (RuntimeException e) {
            o.silent = true;
            router.placements.delete(id.toString());
            owned.remove(domain.id());
            domain.stop(ExitStatus.KILLED);
            throw e;
        }
        return id;
    }

    private ClusterJob instantiate(String name) {
        try {
            Class<?> c = Class.forName(name, true, TasklifeCluster.class.getClassLoader());
            if (!ClusterJob.class.isAssignableFrom(c)) {
                throw new IllegalArgumentException("job " + name + " does not implement ClusterJob");
            }
            return (ClusterJob) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("job must name a public class implementing ClusterJob, with a public"
                    + " no-argument constructor, on every member; member m" + number + " cannot make " + name + ": "
                    + e, e);
        }
    }

    private void publishStopped(Owned o, ExitStatus status) {
        owned.remove(o.id.local());
        if (o.silent) {
            return;
        }
        String key = o.id.toString();
        router.ends.putIfAbsent(key, Wire.End.stopped(o.id, status)); // invariant 1: the end first
        router.placements.delete(key);
    }

    boolean controlHere(long local, boolean kill, int code, long graceNanos) {
        Optional<Domain> d = kernel.findDomain(local);
        if (d.isPresent()) {
            if (kill) {
                return d.get().stop(ExitStatus.KILLED);
            }
            return graceNanos < 0 ? d.get().stop(code) : d.get().stop(ExitStatus.exited(code),
                    Duration.ofNanos(graceNanos));
        }
        return kill && kernel.kill(local);
    }

    ClusterSnapshot.MemberView viewHere() {
        KernelSnapshot s = kernel.snapshot();
        long root = kernel.rootDomain().id();
        List<ClusterSnapshot.ClusterDomainInfo> domains = new ArrayList<>();
        for (DomainInfo d : s.domains()) {
            if (d.id() == root) {
                continue;
            }
            Owned o = owned.get(d.id());
            domains.add(new ClusterSnapshot.ClusterDomainInfo(new GlobalId(number, d.id()), d.name(), d.state(),
                    d.status(), d.liveTasks(), d.groups(), d.maxTasks(), d.maxGroups(), o == null ? "" : o.job));
        }
        Member me = hz.getCluster().getLocalMember();
        return new ClusterSnapshot.MemberView(number, me.getAddress().getHost() + ":" + me.getAddress().getPort(),
                List.copyOf(config.labels()), config.cpus(), kernel.liveTaskCount(), domains, s.renderTable(),
                s.renderTree());
    }

    // ---- failure: the oldest survivor reports the domains of dead members ----

    /**
     * Reports every placement whose owner is no longer a member, if this member is the oldest: each is removed
     * (atomically: the remover reports), restarted elsewhere if its budget allows, and its end recorded as lost.
     */
    private void reportLost() {
        if (closed) {
            return;
        }
        Set<Member> now = hz.getCluster().getMembers();
        if (!now.iterator().next().localMember()) {
            return;
        }
        Set<String> live = Router.uuids(now);
        for (Map.Entry<String, Wire.Placement> e : router.placements.entrySet()) {
            Wire.Placement p = e.getValue();
            if (live.contains(p.ownerUuid())) {
                continue;
            }
            String key = e.getKey();
            if (router.placements.remove(key) == null || router.ends.containsKey(key)) {
                continue; // reported by another, or ended before its member died
            }
            GlobalId id = GlobalId.parse(key);
            GlobalId restarted = null;
            int budget = p.options().restartOnMemberLoss();
            if (budget > 0) {
                try {
                    restarted = router.place(p.job(), p.options().withRestarts(budget - 1), null);
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "member lost: could not restart " + key + ": " + ex);
                }
            }
            router.ends.putIfAbsent(key, Wire.End.lost(id, id.member(), restarted));
        }
        for (Map.Entry<Integer, String> m : router.members.entrySet()) {
            if (m.getKey() > 0 && !live.contains(m.getValue())) {
                router.members.delete(m.getKey());
            }
        }
    }

    private void submit(Runnable r) {
        try {
            worker.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "tasklife cluster member m" + number + ": " + e, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.log(Level.FINE, "member m" + number + " has left: dropped a cluster update");
        }
    }

    private void checkOpen(String what) {
        if (closed) {
            throw new TaskLifeException(TaskLifeException.Reason.NOT_PERMITTED, what + ": member m" + number
                    + " has left the cluster (close() was called)");
        }
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    // ---- for tests and the command line ----

    Router router() {
        return router;
    }

    HazelcastInstance engine() {
        return hz;
    }

    int ownedCount() {
        return owned.size();
    }

    @Override
    public String toString() {
        return "TasklifeCluster[m" + number + " " + config.name() + " " + config.bindAddress() + ":" + config.port()
                + (closed ? " left" : "") + "]";
    }
}
