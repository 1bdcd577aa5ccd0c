package org.tasklife.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a kernel joins a cluster ({@link TasklifeCluster#join}). Immutable; each setter returns a copy, as
 * {@code DomainOptions} does.
 *
 * <p>Loopback only by default: the member binds 127.0.0.1, finds the others by an explicit member list
 * (TCP/IP join; multicast, auto-detection and cloud discovery off) and never phones home. Hazelcast's
 * open-source edition neither encrypts nor authenticates member traffic, so a member reachable from a network
 * accepts any peer that knows the cluster name: bind another address ({@link #bindAddress(String)}) only on a
 * network you trust (see docs/cluster.md).
 *
 * <pre>{@code
 * ClusterConfig config = ClusterConfig.named("jobs").port(5701)
 *         .members("127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703").labels("gpu");
 * }</pre>
 */
public final class ClusterConfig {
    /** The default port of a member, Hazelcast's. */
    public static final int DEFAULT_PORT = 5701;

    private final String name;
    private final String bindAddress;
    private final int port;
    private final List<String> members;
    private final Set<String> labels;
    private final int cpus;
    private final Duration failureDetection;
    private final LeavePolicy leavePolicy;
    private final Duration leaveTimeout;

    private ClusterConfig(String name, String bindAddress, int port, List<String> members, Set<String> labels,
            int cpus, Duration failureDetection, LeavePolicy leavePolicy, Duration leaveTimeout) {
        this.name = name;
        this.bindAddress = bindAddress;
        this.port = port;
        this.members = members;
        this.labels = labels;
        this.cpus = cpus;
        this.failureDetection = failureDetection;
        this.leavePolicy = leavePolicy;
        this.leaveTimeout = leaveTimeout;
    }

    /**
     * A configuration with every default: loopback, port {@value #DEFAULT_PORT}, no other member listed, no
     * labels, this JVM's processor count, failure detection in 10 s, domains stopped on leave.
     *
     * @param clusterName the cluster's name: only members with the same name join each other
     * @return the configuration
     * @throws IllegalArgumentException if {@code clusterName} is blank or longer than 100 characters, or has a
     *     character other than letters, digits, {@code .}, {@code -} and {@code _}
     */
    public static ClusterConfig named(String clusterName) {
        if (clusterName == null || !clusterName.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("clusterName must be 1 to 100 letters, digits, '.', '-' or '_', was "
                    + clusterName);
        }
        return new ClusterConfig(clusterName, "127.0.0.1", DEFAULT_PORT, List.of(), Set.of(),
                Runtime.getRuntime().availableProcessors(), Duration.ofSeconds(10), LeavePolicy.STOP,
                Duration.ofSeconds(10));
    }

    /**
     * The address the member binds and is reached at; 127.0.0.1 by default. Anything else exposes the member,
     * unauthenticated and unencrypted, to that network (see the class comment).
     *
     * @param address an IPv4 address
     * @return a copy with the address
     * @throws IllegalArgumentException if {@code address} is not a dotted IPv4 address
     */
    public ClusterConfig bindAddress(String address) {
        if (address == null || !address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            throw new IllegalArgumentException("bindAddress must be a dotted IPv4 address, was " + address);
        }
        return new ClusterConfig(name, address, port, members, labels, cpus, failureDetection, leavePolicy,
                leaveTimeout);
    }

    /**
     * The port the member listens on (no automatic increment: a port in use is an error at join).
     *
     * @param port the port
     * @return a copy with the port
     * @throws IllegalArgumentException if {@code port} is not in 1..65535
     */
    public ClusterConfig port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, was " + port);
        }
        return new ClusterConfig(name, bindAddress, port, members, labels, cpus, failureDetection, leavePolicy,
                leaveTimeout);
    }

    /**
     * The members to look for at join, as {@code host:port}; this member may be among them.
     *
     * @param addresses the members' addresses
     * @return a copy with the list
     * @throws IllegalArgumentException if an address is not of the form {@code host:port}
     */
    public ClusterConfig members(String... addresses) {
        List<String> out = new ArrayList<>();
        for (String a : addresses) {
            if (a == null || !a.matches("[A-Za-z0-9.-]+:[0-9]{1,5}")) {
                throw new IllegalArgumentException("members: each address must be host:port, was " + a);
            }
            out.add(a);
        }
        return new ClusterConfig(name, bindAddress, port, List.copyOf(out), labels, cpus, failureDetection,
                leavePolicy, leaveTimeout);
    }

    /**
     * The member's labels, which {@link ClusterSpawnOptions#requireLabels(String...)} selects on.
     *
     * @param labels the labels
     * @return a copy with the labels
     * @throws IllegalArgumentException if a label is blank or has a character other than letters, digits,
     *     {@code .}, {@code -}, {@code _} and {@code =}
     */
    public ClusterConfig labels(String... labels) {
        return new ClusterConfig(name, bindAddress, port, members, checkLabels("labels", labels), cpus,
                failureDetection, leavePolicy, leaveTimeout);
    }

    /**
     * The processor count placement divides this member's live tasks by; the JVM's by default.
     *
     * @param cpus the processors
     * @return a copy with the count
     * @throws IllegalArgumentException if {@code cpus < 1}
     */
    public ClusterConfig cpus(int cpus) {
        if (cpus < 1) {
            throw new IllegalArgumentException("cpus must be at least 1, was " + cpus);
        }
        return new ClusterConfig(name, bindAddress, port, members, labels, cpus, failureDetection, leavePolicy,
                leaveTimeout);
    }

    /**
     * How long a member may miss heartbeats before the others declare it dead (and report its domains lost);
     * heartbeats go every fifth of it, at least every second. 10 s by default; tests use 3 s.
     *
     * @param timeout the time, whole seconds, at least 2 s
     * @return a copy with the time
     * @throws IllegalArgumentException if {@code timeout} is null or shorter than 2 s
     */
    public ClusterConfig failureDetection(Duration timeout) {
        if (timeout == null || timeout.compareTo(Duration.ofSeconds(2)) < 0) {
            throw new IllegalArgumentException("failureDetection must be at least 2 s, was " + timeout);
        }
        return new ClusterConfig(name, bindAddress, port, members, labels, cpus, timeout, leavePolicy, leaveTimeout);
    }

    /**
     * What the member does with its domains when it leaves cleanly.
     *
     * @param policy stop them (the default) or hand them back
     * @param timeout how long to wait for them to stop
     * @return a copy with the policy
     * @throws NullPointerException if {@code policy} is null
     * @throws IllegalArgumentException if {@code timeout} is null or negative
     */
    public ClusterConfig onLeave(LeavePolicy policy, Duration timeout) {
        Objects.requireNonNull(policy, "policy");
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be zero or positive, was " + timeout);
        }
        return new ClusterConfig(name, bindAddress, port, members, labels, cpus, failureDetection, policy, timeout);
    }

    static Set<String> checkLabels(String what, String... labels) {
        Set<String> out = new TreeSet<>();
        for (String l : labels) {
            if (l == null || !l.matches("[A-Za-z0-9._=-]{1,100}")) {
                throw new IllegalArgumentException(what + ": each label must be 1 to 100 letters, digits, '.', '-',"
                        + " '_' or '=', was " + l);
            }
            out.add(l);
        }
        return Collections.unmodifiableSet(out);
    }

    /** {@return the cluster's name} */
    public String name() {
        return name;
    }

    /** {@return the address the member binds} */
    public String bindAddress() {
        return bindAddress;
    }

    /** {@return the member's port} */
    public int port() {
        return port;
    }

    /** {@return the members looked for at join} */
    public List<String> members() {
        return members;
    }

    /** {@return the member's labels} */
    public Set<String> labels() {
        return labels;
    }

    /** {@return the processor count of placement} */
    public int cpus() {
        return cpus;
    }

    /** {@return the failure-detection time} */
    public Duration failureDetection() {
        return failureDetection;
    }

    /** {@return what the member does with its domains on leave} */
    public LeavePolicy leavePolicy() {
        return leavePolicy;
    }

    /** {@return how long leaving waits for the domains to stop} */
    public Duration leaveTimeout() {
        return leaveTimeout;
    }

    @Override
    public String toString() {
        return "ClusterConfig[name=" + name + ", " + bindAddress + ":" + port + ", members=" + members + ", labels="
                + labels + ", cpus=" + cpus + ", failureDetection=" + failureDetection + ", onLeave=" + leavePolicy
                + "]";
    }
}
