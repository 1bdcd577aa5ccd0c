package org.tasklife.management;

import java.util.Objects;
import org.tasklife.KernelSnapshot;

/**
 * What {@link KernelMXBean#getSnapshot()} returns: the kernel's counters and a {@link KernelSnapshot} of
 * its domains, groups and live tasks, the same rows {@link org.tasklife.Kernel#snapshot()} gives host code
 * (JMX maps them to open types: records of primitives, strings and enums). Rows are read without stopping
 * the world, so they may be from slightly different instants.
 *
 * @param kernel the kernel's name
 * @param instanceId the kernel's JVM-unique number ({@link KernelMXBean#getInstanceId()})
 * @param capturedAtMillis when the view was taken, in milliseconds since the epoch
 * @param liveTasks tasks not yet terminated
 * @param openResources owned resources still open
 * @param pendingTimers timers armed
 * @param queuedWaitersInJvm tasks queued in any tasklife wait of the JVM
 * @param stuckTasks stuck-task reports made so far
 * @param snapshot every domain not freed (parents before children), every group not reaped (domain roots
 *     included) and every live task, by id
 */
public record KernelView(String kernel, long instanceId, long capturedAtMillis, long liveTasks, long openResources,
        int pendingTimers, long queuedWaitersInJvm, int stuckTasks, KernelSnapshot snapshot) {
    /**
     * Checks the references.
     *
     * @throws NullPointerException if {@code kernel} or {@code snapshot} is null
     */
    public KernelView {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(snapshot, "snapshot");
    }
}
