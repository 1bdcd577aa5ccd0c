/**
 * The tasklife Micrometer binder: {@link org.tasklife.micrometer.TasklifeMetrics} registers gauges of a
 * {@link org.tasklife.Kernel} (tasks by state, groups, domains, queued waiters, armed timers, stuck tasks),
 * counters of its running totals (spawns, exits by status, kills by kind, refusals by limit) and its kill
 * latency with a Micrometer {@code MeterRegistry}.
 *
 * <p>Micrometer's core ({@code micrometer.core}, an automatic module) is the user's own metrics facade.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.tasklife.micrometer {
    requires transitive org.tasklife;
    requires transitive micrometer.core;

    exports org.tasklife.micrometer;
}
