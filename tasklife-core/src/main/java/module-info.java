/**
 * tasklife: kernel-grade task lifecycle for the JVM. Exports the API ({@code org.tasklife}), the
 * kill-aware primitives ({@code org.tasklife.sync}) and the JMX interface of a kernel
 * ({@code org.tasklife.management}: JMX requires an MXBean interface and its types to be public and
 * readable by {@code java.management}); everything under {@code org.tasklife.internal} is not API.
 */
module org.tasklife {
    requires java.management;
    requires jdk.jfr; // JFR events (org.tasklife.internal.trace); cost a field check while no recording runs

    exports org.tasklife;
    exports org.tasklife.management;
    exports org.tasklife.sync;
}
