package org.tasklife;

/**
 * One task in a {@link KernelSnapshot} (SPEC §11).
 *
 * @param id task id
 * @param groupId its group's id
 * @param parentGroupId the group's parent group id (the domain root's id for top-level groups)
 * @param domain the domain's name
 * @param name task name
 * @param state task state
 * @param waitChannel what it waits for while {@code BLOCKED}, else empty
 * @param killed whether it was killed
 * @param cpuNanos CPU time (see {@link CpuTimes} for virtual threads)
 * @param ageNanos time since spawn
 * @param ownedResources owned resources still open
 */
public record TaskInfo(long id, long groupId, long parentGroupId, String domain, String name, TaskState state,
        String waitChannel, boolean killed, long cpuNanos, long ageNanos, int ownedResources) {}
