package org.tasklife.management;

/**
 * One live task in a {@link KernelView} (the fields of {@link org.tasklife.TaskInfo}, in open types).
 *
 * @param id task id
 * @param groupId its group's id
 * @param parentGroupId the group's parent group id
 * @param domainId its domain's id
 * @param domain its domain's name
 * @param name task name
 * @param state its {@link org.tasklife.TaskState}, by name
 * @param waitChannel what it waits for while {@code BLOCKED}, else empty
 * @param killed whether it was killed
 * @param cpuNanos CPU time
 * @param ageNanos time since spawn
 * @param ownedResources owned resources still open
 */
public record TaskRow(long id, long groupId, long parentGroupId, long domainId, String domain, String name,
        String state, String waitChannel, boolean killed, long cpuNanos, long ageNanos, int ownedResources) {}
