package org.tasklife.management;

import java.util.List;

/**
 * What {@link KernelMXBean#getSnapshot()} returns: the kernel's counters and its domains, groups and live
 * tasks. Rows are read without stopping the world, so they may be from slightly different instants.
 *
 * @param kernel the kernel's name
 * @param instanceId the kernel's JVM-unique number ({@link KernelMXBean#getInstanceId()})
 * @param capturedAtMillis when the view was taken, in milliseconds since the epoch
 * @param liveTasks tasks not yet terminated
 * @param openResources owned resources still open
 * @param pendingTimers timers armed
 * @param queuedWaitersInJvm tasks queued in any tasklife wait of the JVM
 * @param stuckTasks stuck-task reports made so far
 * @param domains every domain not freed, parents before children
 * @param groups every group not reaped, domain roots included, by id
 * @param tasks every live task, by id
 */
public record KernelView(String kernel, long instanceId, long capturedAtMillis, long liveTasks, long openResources,
        int pendingTimers, long queuedWaitersInJvm, int stuckTasks, List<DomainRow> domains, List<GroupRow> groups,
        List<TaskRow> tasks) {
    /** Lists are copied. */
    public KernelView {
        domains = List.copyOf(domains);
        groups = List.copyOf(groups);
        tasks = List.copyOf(tasks);
    }
}
