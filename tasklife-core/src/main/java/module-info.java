/**
 * tasklife: kernel-grade task lifecycle for the JVM. Exports the API ({@code org.tasklife}), the
 * kill-aware primitives ({@code org.tasklife.sync}), the JMX interface of a kernel
 * ({@code org.tasklife.management}: JMX requires an MXBean interface and its types to be public and
 * readable by {@code java.management}), the schedule explorer, a testing tool
 * ({@code org.tasklife.explore}), and the bridges to code that already runs on the JDK ({@code org.tasklife.interop}:
 * an {@code ExecutorService} and a {@code ThreadFactory} whose work runs as tasks, and ready-made kill hooks that end
 * foreign blocking calls); everything under {@code org.tasklife.internal} is not API.
 *
 * <p>No runtime dependency beyond the JDK. {@code jdk.jfr} is optional: tasklife loads and runs in a
 * runtime image without it (one made by {@code jlink}, say), and emits JDK Flight Recorder events (category
 * "tasklife") wherever it is resolved. In a full JDK it is, on the class path and on the module path alike
 * (the service binding of {@code java.management} brings in {@code jdk.management.jfr}, which requires
 * it); {@code --add-modules jdk.jfr} makes sure of it in a smaller module graph. The behaviour contract is
 * {@code docs/contract.md} in the source repository.
 */
module org.tasklife {
    requires java.management;
    // JFR events (org.tasklife.internal.trace), optional: the module resolves without jdk.jfr, and the event
    // classes load only when it is resolved (see Trace).
    requires static jdk.jfr;

    exports org.tasklife;
    exports org.tasklife.explore;
    exports org.tasklife.interop;
    exports org.tasklife.management;
    exports org.tasklife.sync;
}
