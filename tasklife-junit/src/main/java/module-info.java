/**
 * The tasklife JUnit 5 extension: {@link org.tasklife.junit.TaskLifeTest} gives each test a fresh
 * {@link org.tasklife.Kernel} and fails it if anything leaked.
 *
 * <p>The JUnit API module ({@code org.junit.jupiter.api}, JUnit 5.10 or later) is the test project's own:
 * this artifact does not bring one.
 */
module org.tasklife.junit {
    requires transitive org.tasklife;
    requires transitive org.junit.jupiter.api;
    requires java.management; // kernels a test booted itself are found through their MXBeans

    exports org.tasklife.junit;
}
