package org.tasklife.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.tasklife.DomainState;

/**
 * The whole cluster at one moment, member by member ({@link TasklifeCluster#snapshot()}): each member's domains
 * with their global ids, and its kernel's task table and tree. Made of one snapshot per member, taken one after
 * the other: not one atomic picture of the cluster.
 *
 * @param members one view per member that answered, by member number
 */
public record ClusterSnapshot(List<MemberView> members) {
    /**
     * Copies the list.
     *
     * @throws NullPointerException if {@code members} is null
     */
    public ClusterSnapshot {
        members = List.copyOf(members);
    }

    /** {@return every domain of every member, by global id} */
    public List<ClusterDomainInfo> domains() {
        List<ClusterDomainInfo> out = new ArrayList<>();
        for (MemberView m : members) {
            out.addAll(m.domains());
        }
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }

    /** {@return the domains as a table: one line per domain, with its member, global id, state and job} */
    public String renderTable() {
        StringBuilder sb = new StringBuilder(String.format("%-8s %-10s %-20s %-9s %6s %6s %-14s %s%n", "MEMBER", "ID",
                "NAME", "STATE", "TASKS", "GROUPS", "STATUS", "JOB"));
        for (MemberView m : members) {
            for (ClusterDomainInfo d : m.domains()) {
                sb.append(String.format("%-8s %-10s %-20s %-9s %6d %6d %-14s %s%n", "m" + m.member(), d.id(), d.name(),
                        d.state(), d.liveTasks(), d.groups(), d.status().isEmpty() ? "-" : d.status(),
                        d.job().isEmpty() ? "-" : d.job()));
            }
        }
        return sb.toString();
    }

    /** {@return each member's kernel tree under a line naming the member (local ids; global id = m&lt;member&gt;:id)} */
    public String renderTree() {
        StringBuilder sb = new StringBuilder();
        for (MemberView m : members) {
            sb.append("m").append(m.member()).append(" ").append(m.address()).append(" labels=").append(m.labels())
                    .append(" cpus=").append(m.cpus()).append(" live=").append(m.liveTasks())
                    .append(System.lineSeparator());
            m.tree().lines().forEach(l -> sb.append("  ").append(l).append(System.lineSeparator()));
        }
        return sb.toString();
    }

    /**
     * One member's part.
     *
     * @param member the member's number
     * @param address its host:port
     * @param labels its labels
     * @param cpus its processor count (placement's divisor)
     * @param liveTasks its kernel's live tasks
     * @param domains its kernel's domains below the root
     * @param table its kernel's task table ({@code KernelSnapshot.renderTable()})
     * @param tree its kernel's tree ({@code KernelSnapshot.renderTree()})
     */
    public record MemberView(int member, String address, List<String> labels, int cpus, long liveTasks,
            List<ClusterDomainInfo> domains, String table, String tree) implements Serializable {
        private static final long serialVersionUID = 1L;

        /**
         * Copies the lists.
         *
         * @throws NullPointerException if a reference is null
         */
        public MemberView {
            Objects.requireNonNull(address, "address");
            labels = List.copyOf(labels);
            domains = List.copyOf(domains);
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(tree, "tree");
        }
    }

    /**
     * One domain of the cluster.
     *
     * @param id its global id
     * @param name its name
     * @param state its state
     * @param status its recorded stop status as text; empty while running
     * @param liveTasks its live tasks (domains below included)
     * @param groups its groups (domains below included)
     * @param maxTasks its live task limit
     * @param maxGroups its group limit
     * @param job the class name of its job when the cluster placed it; empty for a domain made locally
     */
    public record ClusterDomainInfo(GlobalId id, String name, DomainState state, String status, long liveTasks,
            long groups, long maxTasks, long maxGroups, String job) implements Serializable {
        private static final long serialVersionUID = 1L;

        /**
         * Checks the references.
         *
         * @throws NullPointerException if a reference is null
         */
        public ClusterDomainInfo {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(job, "job");
        }
    }
}
