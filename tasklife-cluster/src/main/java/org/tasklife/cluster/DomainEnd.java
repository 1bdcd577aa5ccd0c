package org.tasklife.cluster;

import java.util.Objects;
import java.util.Optional;
import org.tasklife.ExitStatus;

/**
 * How a domain placed in the cluster ended, as its watchers are told ({@link RemoteDomain#onEnd()},
 * {@link TasklifeCluster#onDomainEnd}): exactly one of these per domain, once per watcher.
 */
public sealed interface DomainEnd permits DomainEnd.Stopped, DomainEnd.MemberLost, DomainEnd.HandedOver {
    /** {@return the ended domain's global id} */
    GlobalId id();

    /**
     * The domain stopped on its member, as a local domain stops (its job's group ended, or it was stopped or
     * killed): the status is the one the member's kernel recorded. A {@code Failed} status carries a
     * {@link RemoteFailureException} naming the original throwable, whose class need not exist here.
     *
     * @param id the domain's global id
     * @param status the recorded stop status
     */
    record Stopped(GlobalId id, ExitStatus status) implements DomainEnd {
        /**
         * Checks the references.
         *
         * @throws NullPointerException if {@code id} or {@code status} is null
         */
        public Stopped {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(status, "status");
        }
    }

    /**
     * The member that owned the domain died (its process was killed, or it stopped answering heartbeats): the
     * domain is gone with it. Reported once, by one surviving member, within the failure-detection time
     * ({@link ClusterConfig#failureDetection()}).
     *
     * @param id the lost domain's global id
     * @param member the number of the member that died
     * @param restartedAs the id of the domain started again elsewhere in its place (restart option), or
     *     {@code null} when it was not restarted
     */
    record MemberLost(GlobalId id, int member, GlobalId restartedAs) implements DomainEnd {
        /**
         * Checks the references.
         *
         * @throws NullPointerException if {@code id} is null
         */
        public MemberLost {
            Objects.requireNonNull(id, "id");
        }

        /** {@return the id of the domain started again in its place, if any} */
        public Optional<GlobalId> restarted() {
            return Optional.ofNullable(restartedAs);
        }
    }

    /**
     * The owning member left the cluster cleanly with {@link LeavePolicy#HAND_OVER}: the job was started again
     * on another member, under a new id.
     *
     * @param id the domain's global id
     * @param to the global id of the domain that took over
     */
    record HandedOver(GlobalId id, GlobalId to) implements DomainEnd {
        /**
         * Checks the references.
         *
         * @throws NullPointerException if {@code id} or {@code to} is null
         */
        public HandedOver {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(to, "to");
        }
    }
}
