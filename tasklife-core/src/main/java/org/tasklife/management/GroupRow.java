package org.tasklife.management;

/**
 * One task group in a {@link KernelView}; domain roots are included (their {@code parentId} is 0 and
 * their {@code id} is their domain's id).
 *
 * @param id group id
 * @param parentId parent group id; the domain root's id for a top-level group; 0 for a domain root
 * @param domainId its domain's id
 * @param domain its domain's name
 * @param name group name
 * @param state its {@link org.tasklife.GroupState}, by name
 * @param status its exit status once known, else empty
 * @param liveTasks tasks not yet ended
 * @param cpuNanos CPU time of its tasks, reaped children included
 */
public record GroupRow(long id, long parentId, long domainId, String domain, String name, String state,
        String status, int liveTasks, long cpuNanos) {}
