package org.tasklife.cluster;

/** What a member does with the domains it owns when it leaves the cluster cleanly ({@link TasklifeCluster#close()}). */
public enum LeavePolicy {
    /**
     * Stops each domain with {@code Killed} and waits (at most {@link ClusterConfig#leaveTimeout()}) until it
     * has stopped; its watchers are told {@link DomainEnd.Stopped}.
     */
    STOP,
    /**
     * Hands each domain back to the cluster: the job is started again on another member (placed as by
     * {@link TasklifeCluster#spawnDomain}), the domain here is stopped, and its watchers are told
     * {@link DomainEnd.HandedOver} with the new id. Does not use the domain's restart budget. Where no other
     * member fits, the domain is stopped as with {@link #STOP}.
     */
    HAND_OVER
}
