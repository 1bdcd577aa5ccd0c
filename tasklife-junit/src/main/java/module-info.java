/**
 * The tasklife JUnit 5 extension: {@link org.tasklife.junit.TaskLifeTest} gives each test a fresh
 * {@link org.tasklife.Kernel} and fails it if anything leaked.
 */
module org.tasklife.junit {
    requires transitive org.tasklife;
    requires transitive org.junit.jupiter.api;

    exports org.tasklife.junit;
}
