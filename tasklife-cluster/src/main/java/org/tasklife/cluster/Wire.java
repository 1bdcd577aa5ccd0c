package org.tasklife.cluster;

import java.io.Serializable;
import org.tasklife.ExitStatus;
import org.tasklife.KillReason;

/**
 * Implementation notes: the serializable records kept in the cluster's replicated maps. Hazelcast stores them
 * with Java serialization; every member has these classes (they are this module's).
 */
final class Wire {
    private Wire() {}

    /** The replicated map of live placements, keyed by global id text: what a member's death loses. */
    static final String PLACEMENTS = "tasklife.placements";
    /** The replicated map of ends, keyed by global id text: one entry per ended domain, kept an hour. */
    static final String ENDS = "tasklife.ends";
    /** Member number to member UUID text; the counter of member numbers under key 0. */
    static final String MEMBERS = "tasklife.members";
    /** The executor that routes calls to a chosen member. */
    static final String EXECUTOR = "tasklife";
    /** The member attribute holding a member's labels, comma separated. */
    static final String LABELS_ATTRIBUTE = "tasklife.labels";
    /** The key of the cluster in a member's Hazelcast user context. */
    static final String CONTEXT_KEY = "org.tasklife.cluster";

    /**
     * A domain placed in the cluster and not yet ended.
     *
     * @param ownerUuid the owning member's Hazelcast UUID, as text
     * @param job the job's class name
     * @param options how it was spawned (restart budget left included)
     */
    record Placement(String ownerUuid, String job, ClusterSpawnOptions options) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * A domain's end as stored: kind {@code S} (stopped), {@code L} (member lost) or {@code H} (handed over).
     *
     * @param kind S, L or H
     * @param id the domain's global id
     * @param status for S: {@code E} exited, {@code K} killed, {@code F} failed
     * @param code for exited: the code
     * @param detail for killed: the kill reason's name; for failed: the throwable's text
     * @param member for L: the lost member's number
     * @param other for L: the restarted domain's id or null; for H: the new id
     */
    record End(char kind, GlobalId id, char status, int code, String detail, int member, GlobalId other)
            implements Serializable {
        private static final long serialVersionUID = 1L;

        static End stopped(GlobalId id, ExitStatus s) {
            return switch (s) {
                case ExitStatus.Exited e -> new End('S', id, 'E', e.code(), null, 0, null);
                case ExitStatus.Killed k -> new End('S', id, 'K', 0, k.reason().name(), 0, null);
                case ExitStatus.Failed f -> new End('S', id, 'F', 0, String.valueOf(f.cause()), 0, null);
            };
        }

        static End lost(GlobalId id, int member, GlobalId restartedAs) {
            return new End('L', id, ' ', 0, null, member, restartedAs);
        }

        static End handedOver(GlobalId id, GlobalId to) {
            return new End('H', id, ' ', 0, null, 0, to);
        }

        DomainEnd toDomainEnd() {
            return switch (kind) {
                case 'L' -> new DomainEnd.MemberLost(id, member, other);
                case 'H' -> new DomainEnd.HandedOver(id, other);
                default -> new DomainEnd.Stopped(id, switch (status) {
                    case 'E' -> ExitStatus.exited(code);
                    case 'K' -> new ExitStatus.Killed(KillReason.valueOf(detail));
                    default -> new ExitStatus.Failed(new RemoteFailureException(detail));
                });
            };
        }
    }

    /**
     * A member's load, as placement compares it.
     *
     * @param member its number
     * @param uuid its Hazelcast UUID, as text
     * @param liveTasks its kernel's live tasks
     * @param cpus its processor count
     */
    record Load(int member, String uuid, long liveTasks, int cpus) implements Serializable {
        private static final long serialVersionUID = 1L;

        /** Lower is less loaded: live tasks per CPU, ties to the lower member number. */
        int compareTo(Load o) {
            int c = Long.compare(liveTasks * o.cpus, o.liveTasks * cpus);
            return c != 0 ? c : Integer.compare(member, o.member);
        }
    }
}
