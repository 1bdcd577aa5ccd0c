/**
 * The tasklife observer: {@link org.tasklife.observer.Observer} serves a live web page of a kernel's domains,
 * groups and tasks (state, wait channel, owner, CPU, age) with kill and stop buttons, on loopback only, through
 * the JDK's own HTTP server ({@code jdk.httpserver}). Every request that reads or changes anything needs the
 * observer's per-run random token.
 */
module org.tasklife.observer {
    requires transitive org.tasklife;
    requires jdk.httpserver;

    exports org.tasklife.observer;
}
