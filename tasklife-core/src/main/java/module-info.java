/**
 * tasklife: kernel-grade task lifecycle for the JVM. Exports the API ({@code org.tasklife}), the
 * kill-aware primitives ({@code org.tasklife.sync}) and the JMX interface of a kernel
 * ({@code org.tasklife.management}: JMX requires an MXBean interface and its types to be public and
 * readable by {@code java.management}); everything under {@code org.tasklife.internal} is not API.
 */
module org.tasklife {
    requires java.management;
    // JFR events (org.tasklife.internal.trace), optional: the module resolves without jdk.jfr, and the event
    // classes load only when it is present (on the module path: --add-modules jdk.jfr, or -XX:StartFlightRecording).
    requires static jdk.jfr;

    exports org.tasklife;
    exports org.tasklife.management;
    exports org.tasklife.sync;
}
