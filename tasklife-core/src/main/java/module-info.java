/**
 * tasklife: kernel-grade task lifecycle for the JVM. Exports the API ({@code org.tasklife}) and the
 * kill-aware primitives ({@code org.tasklife.sync}); everything under {@code org.tasklife.internal} is
 * not API.
 */
module org.tasklife {
    requires java.management;

    exports org.tasklife;
    exports org.tasklife.sync;
}
