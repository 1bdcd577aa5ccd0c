/**
 * Kernels of several JVMs as one cluster, on Hazelcast: {@link org.tasklife.cluster.TasklifeCluster} makes a
 * kernel a member; domains are placed on the least-loaded member, listed, killed and stopped by
 * {@link org.tasklife.cluster.GlobalId global id} from any member, and reported lost exactly once when their
 * member dies. See docs/cluster.md in the source repository.
 */
package org.tasklife.cluster;
