package org.tasklife.cluster;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A handle of a domain placed in the cluster, usable from any member: each operation is routed to the member
 * that owns the domain. Handles are values: two handles of one id are {@link #equals equal}.
 */
public final class RemoteDomain {
    private final TasklifeCluster cluster;
    private final GlobalId id;

    RemoteDomain(TasklifeCluster cluster, GlobalId id) {
        this.cluster = cluster;
        this.id = id;
    }

    /** {@return the domain's global id} */
    public GlobalId id() {
        return id;
    }

    /**
     * Kills the domain: {@link TasklifeCluster#kill(GlobalId)}.
     *
     * @return whether this call recorded the kill
     */
    public boolean kill() {
        return cluster.kill(id);
    }

    /**
     * Stops the domain with {@code Exited(code)}: {@link TasklifeCluster#stop(GlobalId, int)}.
     *
     * @param code the exit code to record
     * @return whether this call recorded the status
     */
    public boolean stop(int code) {
        return cluster.stop(id, code);
    }

    /**
     * Waits for the domain's end: {@link TasklifeCluster#awaitStopped(GlobalId, Duration)}.
     *
     * @param timeout how long to wait at most
     * @return whether it ended
     */
    public boolean awaitStopped(Duration timeout) {
        return cluster.awaitStopped(id, timeout);
    }

    /**
     * The domain's end: {@link TasklifeCluster#onEnd(GlobalId)}.
     *
     * @return a new future of its end
     */
    public CompletableFuture<DomainEnd> onEnd() {
        return cluster.onEnd(id);
    }

    /** {@return the domain's row in a fresh cluster snapshot; empty once it has ended and been freed} */
    public Optional<ClusterSnapshot.ClusterDomainInfo> info() {
        return cluster.snapshot().domains().stream().filter(d -> d.id().equals(id)).findFirst();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RemoteDomain r && r.id.equals(id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id);
    }

    @Override
    public String toString() {
        return "RemoteDomain[" + id + "]";
    }
}
