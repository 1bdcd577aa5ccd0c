package org.tasklife.management;

/**
 * One domain in a {@link KernelView}.
 *
 * @param id the domain's id (also the id of its root group)
 * @param parentId the parent domain's id, 0 for the kernel's root domain
 * @param name its name
 * @param state its {@link org.tasklife.DomainState}, by name
 * @param status its stop status ({@code Exited(0)}, {@code Killed}, ...), empty while running
 * @param liveTasks live tasks of it and of the domains below it
 * @param groups groups of it and of the domains below it, from spawn until reaped
 * @param maxTasks live task limit, {@link Long#MAX_VALUE} when unlimited
 * @param maxGroups group limit, {@link Long#MAX_VALUE} when unlimited
 */
public record DomainRow(long id, long parentId, String name, String state, String status, long liveTasks,
        long groups, long maxTasks, long maxGroups) {}
