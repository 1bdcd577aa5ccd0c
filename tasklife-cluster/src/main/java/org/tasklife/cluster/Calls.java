package org.tasklife.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * Implementation notes: the calls the executor routes to a chosen member. Each is a small serializable value;
 * on the member it finds that member's {@link TasklifeCluster} in the Hazelcast user context (several members
 * may live in one JVM, as in the tests) and runs there, on a Hazelcast executor thread, never under a kernel
 * lock.
 */
final class Calls {
    private Calls() {}

    /**
     * The base: the member's cluster, or an error if it has not finished joining or is leaving.
     *
     * @param <T> the answer's type
     */
    abstract static class OnMember<T> implements Callable<T>, Serializable, HazelcastInstanceAware {
        private static final long serialVersionUID = 1L;
        private transient HazelcastInstance hz;

        @Override
        public final void setHazelcastInstance(HazelcastInstance instance) {
            this.hz = instance;
        }

        @Override
        public final T call() throws Exception {
            Object c = hz.getUserContext().get(Wire.CONTEXT_KEY);
            if (!(c instanceof TasklifeCluster cluster)) {
                throw new IllegalStateException("member " + hz.getCluster().getLocalMember().getAddress()
                        + " has not finished joining the cluster, or is leaving it");
            }
            return on(cluster);
        }

        abstract T on(TasklifeCluster cluster) throws Exception;
    }

    /** The member's load. */
    static final class LoadCall extends OnMember<Wire.Load> {
        private static final long serialVersionUID = 1L;

        @Override
        Wire.Load on(TasklifeCluster c) {
            return c.load();
        }
    }

    /** Spawns a domain running a job on the member. */
    static final class SpawnCall extends OnMember<GlobalId> {
        private static final long serialVersionUID = 1L;
        private final String job;
        private final ClusterSpawnOptions options;

        SpawnCall(String job, ClusterSpawnOptions options) {
            this.job = job;
            this.options = options;
        }

        @Override
        GlobalId on(TasklifeCluster c) {
            return c.spawnHere(job, options);
        }
    }

    /** Kills or stops a domain (or kills a task) of the member by local id. */
    static final class ControlCall extends OnMember<Boolean> {
        private static final long serialVersionUID = 1L;
        private final long local;
        private final boolean kill;
        private final int code;
        private final long graceNanos;

        ControlCall(long local, boolean kill, int code, long graceNanos) {
            this.local = local;
            this.kill = kill;
            this.code = code;
            this.graceNanos = graceNanos;
        }

        @Override
        Boolean on(TasklifeCluster c) {
            return c.controlHere(local, kill, code, graceNanos);
        }
    }

    /** The member's part of a cluster snapshot. */
    static final class SnapshotCall extends OnMember<ClusterSnapshot.MemberView> {
        private static final long serialVersionUID = 1L;

        @Override
        ClusterSnapshot.MemberView on(TasklifeCluster c) {
            return c.viewHere();
        }
    }
}
