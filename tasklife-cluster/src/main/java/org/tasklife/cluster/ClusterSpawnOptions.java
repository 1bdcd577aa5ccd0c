package org.tasklife.cluster;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.tasklife.DomainOptions;

/**
 * How to place a domain in the cluster ({@link TasklifeCluster#spawnDomain}): the domain's name and limits
 * (which travel to the member that runs it), the job's arguments, the member labels it requires and how often
 * it is restarted when its member dies. Immutable and serializable; each setter returns a copy.
 */
@SuppressWarnings("serial") // the lists and sets it holds are the JDK's serializable immutable ones
public final class ClusterSpawnOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The domain's name. */
    private final String name;
    /** The live task limit. */
    private final long maxTasks;
    /** The group limit. */
    private final long maxGroups;
    /** The job's arguments. */
    private final List<Serializable> args;
    /** The labels a member must have. */
    private final Set<String> requiredLabels;
    /** The restart budget. */
    private final int restarts;

    private ClusterSpawnOptions(String name, long maxTasks, long maxGroups, List<Serializable> args,
            Set<String> requiredLabels, int restarts) {
        this.name = name;
        this.maxTasks = maxTasks;
        this.maxGroups = maxGroups;
        this.args = args;
        this.requiredLabels = requiredLabels;
        this.restarts = restarts;
    }

    /**
     * Options with a name and every default: no limits, no arguments, any member, no restart.
     *
     * @param name the domain's name
     * @return the options
     * @throws IllegalArgumentException if {@code name} is blank or longer than 200 characters
     */
    public static ClusterSpawnOptions named(String name) {
        DomainOptions.named(name); // the same rule as a local domain's name
        return new ClusterSpawnOptions(name, DomainOptions.UNLIMITED, DomainOptions.UNLIMITED, List.of(), Set.of(), 0);
    }

    /**
     * The live task limit of the domain, as {@link DomainOptions#maxTasks(long)}.
     *
     * @param limit the most live tasks at once
     * @return a copy with the limit
     * @throws IllegalArgumentException if {@code limit < 1}
     */
    public ClusterSpawnOptions maxTasks(long limit) {
        DomainOptions.named(name).maxTasks(limit);
        return new ClusterSpawnOptions(name, limit, maxGroups, args, requiredLabels, restarts);
    }

    /**
     * The group limit of the domain, as {@link DomainOptions#maxGroups(long)}.
     *
     * @param limit the most groups at once
     * @return a copy with the limit
     * @throws IllegalArgumentException if {@code limit < 1}
     */
    public ClusterSpawnOptions maxGroups(long limit) {
        DomainOptions.named(name).maxGroups(limit);
        return new ClusterSpawnOptions(name, maxTasks, limit, args, requiredLabels, restarts);
    }

    /**
     * The job's arguments ({@link JobContext#args()}): serializable values whose classes every member has.
     *
     * @param args the arguments
     * @return a copy with the arguments
     * @throws NullPointerException if an argument is null
     */
    public ClusterSpawnOptions args(Serializable... args) {
        return new ClusterSpawnOptions(name, maxTasks, maxGroups, List.copyOf(Arrays.asList(args)), requiredLabels,
                restarts);
    }

    /**
     * Only members with every one of these labels ({@link ClusterConfig#labels(String...)}) may run the domain;
     * when no member has them the spawn fails, it never falls back to another member.
     *
     * @param labels the labels required
     * @return a copy with the labels
     * @throws IllegalArgumentException if a label is blank or has a character other than letters, digits,
     *     {@code .}, {@code -}, {@code _} and {@code =}
     */
    public ClusterSpawnOptions requireLabels(String... labels) {
        return new ClusterSpawnOptions(name, maxTasks, maxGroups, args, ClusterConfig.checkLabels("requireLabels",
                labels), restarts);
    }

    /**
     * How many times the domain is started again on another member when its member dies (the supervisor
     * pattern): once per death, at most {@code times} in all. 0 (the default) reports the loss only.
     *
     * @param times the most restarts
     * @return a copy with the budget
     * @throws IllegalArgumentException if {@code times} is negative or above 1000
     */
    public ClusterSpawnOptions restartOnMemberLoss(int times) {
        if (times < 0 || times > 1000) {
            throw new IllegalArgumentException("restartOnMemberLoss times must be in 0..1000, was " + times);
        }
        return new ClusterSpawnOptions(name, maxTasks, maxGroups, args, requiredLabels, times);
    }

    /** {@return the domain's name} */
    public String name() {
        return name;
    }

    /** {@return the live task limit, or {@link DomainOptions#UNLIMITED}} */
    public long maxTasks() {
        return maxTasks;
    }

    /** {@return the group limit, or {@link DomainOptions#UNLIMITED}} */
    public long maxGroups() {
        return maxGroups;
    }

    /** {@return the job's arguments} */
    public List<Serializable> args() {
        return args;
    }

    /** {@return the labels a member must have} */
    public Set<String> requiredLabels() {
        return requiredLabels;
    }

    /** {@return the restart budget} */
    public int restartOnMemberLoss() {
        return restarts;
    }

    ClusterSpawnOptions withRestarts(int left) {
        return new ClusterSpawnOptions(name, maxTasks, maxGroups, args, requiredLabels, left);
    }

    @Override
    public String toString() {
        return "ClusterSpawnOptions[name=" + name + (maxTasks == DomainOptions.UNLIMITED ? "" : ", maxTasks=" + maxTasks)
                + (maxGroups == DomainOptions.UNLIMITED ? "" : ", maxGroups=" + maxGroups) + ", args=" + args.size()
                + (requiredLabels.isEmpty() ? "" : ", requireLabels=" + requiredLabels)
                + (restarts == 0 ? "" : ", restartOnMemberLoss=" + restarts) + "]";
    }
}
