package org.tasklife.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.tasklife.SpawnRefusedException;
import org.tasklife.TaskLifeException;

/**
 * Implementation notes: routing over a Hazelcast instance, a member's or a client's (the command line's). Picks
 * members, sends {@link Calls} to them and waits for the answer (bounded), keeps the watches of domain ends.
 *
 * <p>Invariants:
 * <ol>
 *   <li>A remote exception is rethrown as itself (Hazelcast ships it back), so a refused spawn or a bad
 *       argument reads as it would locally.
 *   <li>At most one {@code ends} listener per watched id and per router; it is removed once the id's end is
 *       known, so that watching leaks nothing.
 * </ol>
 */
final class Router {
    /** How long a routed call may take before the caller gives up (the member is then about to be declared dead). */
    static final long CALL_TIMEOUT_SECONDS = 30;

    final HazelcastInstance hz;
    final IMap<String, Wire.Placement> placements;
    final IMap<String, Wire.End> ends;
    final IMap<Integer, String> members;
    final IExecutorService executor;
    private final ConcurrentHashMap<GlobalId, Watch> watches = new ConcurrentHashMap<>();

    /** One watched id: the future its watchers share, and the listener registration. */
    private static final class Watch {
        final CompletableFuture<DomainEnd> future = new CompletableFuture<>();
        UUID registration;
    }

    final String clusterName;

    Router(HazelcastInstance hz, String clusterName) {
        this.hz = hz;
        this.clusterName = clusterName;
        this.placements = hz.getMap(Wire.PLACEMENTS);
        this.ends = hz.getMap(Wire.ENDS);
        this.members = hz.getMap(Wire.MEMBERS);
        this.executor = hz.getExecutorService(Wire.EXECUTOR);
    }

    static Set<String> labelsOf(Member m) {
        String a = m.getAttribute(Wire.LABELS_ATTRIBUTE);
        return a == null || a.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(a.split(",")));
    }

    /** The live member with this number, if any. */
    Optional<Member> member(int number) {
        String uuid = members.get(number);
        if (uuid == null) {
            return Optional.empty();
        }
        for (Member m : hz.getCluster().getMembers()) {
            if (m.getUuid().toString().equals(uuid)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * Places a job: the least-loaded member with the required labels (live tasks per CPU, ties to the lower
     * member number), never {@code exclude}.
     */
    GlobalId place(String job, ClusterSpawnOptions options, UUID exclude) {
        List<Member> candidates = new ArrayList<>();
        StringBuilder seen = new StringBuilder();
        for (Member m : hz.getCluster().getMembers()) {
            Set<String> labels = labelsOf(m);
            seen.append(seen.isEmpty() ? "" : ", ").append(m.getAddress()).append(" ").append(labels);
            if (!m.getUuid().equals(exclude) && labels.containsAll(options.requiredLabels())) {
                candidates.add(m);
            }
        }
        if (candidates.isEmpty()) {
            throw new SpawnRefusedException("requireLabels " + options.requiredLabels() + " of domain '"
                    + options.name() + "': no member of cluster '" + clusterName
                    + "' has every label (placement never falls back); members: " + seen);
        }
        Map<Member, Future<Wire.Load>> answers = executor.submitToMembers(new Calls.LoadCall(), candidates);
        Wire.Load best = null;
        Member bestMember = null;
        for (Map.Entry<Member, Future<Wire.Load>> a : answers.entrySet()) {
            Wire.Load load;
            try {
                load = a.getValue().get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                continue; // joining, leaving or dying: not a candidate
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SpawnRefusedException("spawnDomain '" + options.name() + "': interrupted while placing", e);
            }
            if (best == null || load.compareTo(best) < 0) {
                best = load;
                bestMember = a.getKey();
            }
        }
        if (bestMember == null) {
            throw new SpawnRefusedException("spawnDomain '" + options.name() + "': no member with labels "
                    + options.requiredLabels() + " answered (joining or leaving); members: " + seen);
        }
        return await(executor.submitToMember(new Calls.SpawnCall(job, options), bestMember), "spawnDomain '"
                + options.name() + "' on m" + best.member());
    }

    /** Kills or stops by global id on the owner; false if the owner is gone or does not know the id. */
    boolean control(GlobalId id, boolean kill, int code, long graceNanos) {
        Optional<Member> owner = member(id.member());
        if (owner.isEmpty()) {
            return false;
        }
        Future<Boolean> f = executor.submitToMember(new Calls.ControlCall(id.local(), kill, code, graceNanos),
                owner.get());
        try {
            f.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e instanceof MemberLeftException || e.getCause() instanceof MemberLeftException) {
                return false; // the owner left or died meanwhile: its domains are gone, as an unknown id
            }
        } catch (InterruptedException | TimeoutException e) {
            // await below reports these
        }
        return await(f, (kill ? "kill " : "stop ") + id);
    }

    ClusterSnapshot snapshot() {
        Map<Member, Future<ClusterSnapshot.MemberView>> answers = executor.submitToAllMembers(new Calls.SnapshotCall());
        List<ClusterSnapshot.MemberView> views = new ArrayList<>();
        for (Future<ClusterSnapshot.MemberView> f : answers.values()) {
            try {
                views.add(f.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS));
            } catch (ExecutionException | TimeoutException e) {
                // a member joining, leaving or dying has no part in this snapshot
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        views.sort((a, b) -> Integer.compare(a.member(), b.member()));
        return new ClusterSnapshot(views);
    }

    /** Whether the id was ever placed and is still remembered (placed and live, or ended in the last hour). */
    boolean known(GlobalId id) {
        String key = id.toString();
        return placements.containsKey(key) || ends.containsKey(key);
    }

    /** The shared future of the id's end; completes once, whichever member reports it. */
    CompletableFuture<DomainEnd> onEnd(GlobalId id) {
        Watch w = watches.computeIfAbsent(id, k -> new Watch());
        synchronized (w) {
            if (w.registration == null && !w.future.isDone()) {
                String key = id.toString();
                w.registration = ends.addEntryListener((EntryAddedListener<String, Wire.End>) e -> ended(id,
                        e.getValue()), key, true);
                Wire.End known = ends.get(key);
                if (known != null) {
                    ended(id, known);
                }
            }
        }
        return w.future;
    }

    private void ended(GlobalId id, Wire.End end) {
        Watch w = watches.remove(id);
        if (w == null) {
            return;
        }
        UUID registration;
        synchronized (w) {
            registration = w.registration;
        }
        w.future.complete(end.toDomainEnd());
        if (registration != null) {
            // not from the event thread that called us: removing a listener waits for the members
            CompletableFuture.runAsync(() -> ends.removeEntryListener(registration));
        }
    }

    int watchCount() {
        return watches.size();
    }

    @Override
    public String toString() {
        return "Router[watches=" + watches.keySet() + "]";
    }

    /** Every end, added or (never, if ends are reported once) overwritten, told to {@code listener}. */
    AutoCloseable onEveryEnd(Consumer<DomainEnd> listener) {
        final class Both implements EntryAddedListener<String, Wire.End>, EntryUpdatedListener<String, Wire.End> {
            @Override
            public void entryAdded(com.hazelcast.core.EntryEvent<String, Wire.End> e) {
                listener.accept(e.getValue().toDomainEnd());
            }

            @Override
            public void entryUpdated(com.hazelcast.core.EntryEvent<String, Wire.End> e) {
                listener.accept(e.getValue().toDomainEnd());
            }
        }
        UUID registration = ends.addEntryListener(new Both(), true);
        return () -> ends.removeEntryListener(registration);
    }

    /** Waits for a routed call, bounded; rethrows the remote exception as itself. */
    static <T> T await(Future<T> f, String what) {
        try {
            return f.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new SpawnRefusedException(what + ": the member failed: " + c, c);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new TaskLifeException(TaskLifeException.Reason.BUSY, what + ": no answer from the member in "
                    + CALL_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskLifeException(TaskLifeException.Reason.BUSY, what + ": interrupted while waiting", e);
        }
    }

    static Set<String> uuids(Set<Member> ms) {
        Set<String> out = new HashSet<>();
        for (Member m : ms) {
            out.add(m.getUuid().toString());
        }
        return out;
    }
}
