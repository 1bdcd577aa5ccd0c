/**
 * The tasklife cluster: kernels of several JVMs as one cluster on Hazelcast ({@code com.hazelcast.core}, an
 * automatic module), with placement, cluster-wide ids and control, and member-loss reports. See
 * docs/cluster.md in the source repository.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.tasklife.cluster {
    requires transitive org.tasklife;
    requires com.hazelcast.core;
    requires java.logging;

    exports org.tasklife.cluster;
}
