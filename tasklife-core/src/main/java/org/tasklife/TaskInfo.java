package org.tasklife;

/**
 * One task in a {@link KernelSnapshot} (docs/contract.md, §11). Its components are primitives, strings and an
 * enum, so that the kernel's MXBean returns these rows as they are (JMX open types).
 *
 * @param id task id
 * @param groupId its group's id
 * @param parentGroupId the group's parent group id (the domain root's id for top-level groups)
 * @param domainId its domain's id (a {@link DomainInfo#id()}); domain names need not be unique, ids are.
 *     0 (no domain has it: ids start at 1) in rows made with a constructor that does not take it
 * @param domain the domain's name
 * @param name task name
 * @param state task state
 * @param waitChannel what it waits for while {@code BLOCKED}, else empty
 * @param killed whether it was killed
 * @param cpuNanos CPU time (see {@link CpuTimes} for virtual threads)
 * @param ageNanos time since spawn
 * @param ownedResources owned resources still open
 * @param cpu scheduler mode: the CPU it runs on or is queued for (or last ran on); -1 in the default mode
 * @param priority scheduler mode: its priority; -1 in the default mode
 * @param runQueuePosition scheduler mode: 0 while it holds its CPU, n ≥ 1 its place in its CPU's dispatch order
 *     while it waits for the CPU (real-time bandwidth aside), -1 while parked in a wait or in the default mode
 */
public record TaskInfo(long id, long groupId, long parentGroupId, long domainId, String domain, String name,
        TaskState state, String waitChannel, boolean killed, long cpuNanos, long ageNanos, int ownedResources, int cpu,
        int priority, int runQueuePosition) {

    /**
     * A row without a domain id ({@link #domainId()} is 0), as made before the id was recorded.
     *
     * @param id task id
     * @param groupId its group's id
     * @param parentGroupId the group's parent group id
     * @param domain the domain's name
     * @param name task name
     * @param state task state
     * @param waitChannel what it waits for while {@code BLOCKED}, else empty
     * @param killed whether it was killed
     * @param cpuNanos CPU time
     * @param ageNanos time since spawn
     * @param ownedResources owned resources still open
     * @param cpu scheduler mode: its CPU; -1 in the default mode
     * @param priority scheduler mode: its priority; -1 in the default mode
     * @param runQueuePosition scheduler mode: its run queue position; -1 in the default mode
     */
    public TaskInfo(long id, long groupId, long parentGroupId, String domain, String name, TaskState state,
            String waitChannel, boolean killed, long cpuNanos, long ageNanos, int ownedResources, int cpu, int priority,
            int runQueuePosition) {
        this(id, groupId, parentGroupId, 0, domain, name, state, waitChannel, killed, cpuNanos, ageNanos, ownedResources,
                cpu, priority, runQueuePosition);
    }

    /**
     * A row of the default mode (no scheduler: {@code cpu}, {@code priority} and {@code runQueuePosition}
     * are -1).
     *
     * @param id task id
     * @param groupId its group's id
     * @param parentGroupId the group's parent group id
     * @param domainId its domain's id
     * @param domain the domain's name
     * @param name task name
     * @param state task state
     * @param waitChannel what it waits for while {@code BLOCKED}, else empty
     * @param killed whether it was killed
     * @param cpuNanos CPU time
     * @param ageNanos time since spawn
     * @param ownedResources owned resources still open
     */
    public TaskInfo(long id, long groupId, long parentGroupId, long domainId, String domain, String name,
            TaskState state, String waitChannel, boolean killed, long cpuNanos, long ageNanos, int ownedResources) {
        this(id, groupId, parentGroupId, domainId, domain, name, state, waitChannel, killed, cpuNanos, ageNanos,
                ownedResources, -1, -1, -1);
    }

    /**
     * A row of the default mode without a domain id ({@link #domainId()} is 0; {@code cpu},
     * {@code priority} and {@code runQueuePosition} are -1).
     *
     * @param id task id
     * @param groupId its group's id
     * @param parentGroupId the group's parent group id
     * @param domain the domain's name
     * @param name task name
     * @param state task state
     * @param waitChannel what it waits for while {@code BLOCKED}, else empty
     * @param killed whether it was killed
     * @param cpuNanos CPU time
     * @param ageNanos time since spawn
     * @param ownedResources owned resources still open
     */
    public TaskInfo(long id, long groupId, long parentGroupId, String domain, String name, TaskState state,
            String waitChannel, boolean killed, long cpuNanos, long ageNanos, int ownedResources) {
        this(id, groupId, parentGroupId, 0, domain, name, state, waitChannel, killed, cpuNanos, ageNanos, ownedResources,
                -1, -1, -1);
    }
}
