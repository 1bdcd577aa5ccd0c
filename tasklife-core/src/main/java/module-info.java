/**
 * tasklife: kernel-grade task lifecycle for the JVM. Exports the API ({@code org.tasklife});
 * everything under {@code org.tasklife.internal} is
 * not API.
 */
module org.tasklife {
    requires java.management;

    exports org.tasklife;
    // org.tasklife.sync (kill-aware primitives) is exported once it exists (primitives issue)
}
