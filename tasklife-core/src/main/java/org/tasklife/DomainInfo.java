package org.tasklife;

import java.util.Objects;

/**
 * One domain in a {@link KernelSnapshot} (docs/contract.md, §10, §11): its place in the domain tree, its
 * state and its counters. Domain names need not be unique; the id is. Its components are primitives, strings
 * and an enum, so that the kernel's MXBean returns these rows as they are (JMX open types).
 *
 * @param id the domain's id (also the id of its root group, the {@link GroupInfo#parentId()} of its
 *     top-level groups, and the {@link GroupInfo#domainId()} / {@link TaskInfo#domainId()} of its rows)
 * @param parentId the parent domain's id; 0 for the kernel's root domain
 * @param name the domain's name
 * @param state the domain's state
 * @param status the recorded stop status as text ({@code Exited(0)}, {@code Killed}, ...); empty while running.
 *     The typed status is {@link Domain#status()}
 * @param liveTasks live tasks of this domain and every domain below it
 * @param groups groups of this domain and below, from spawn until reaped
 * @param maxTasks the live task limit, {@link DomainOptions#UNLIMITED} if none
 * @param maxGroups the group limit, {@link DomainOptions#UNLIMITED} if none
 */
public record DomainInfo(long id, long parentId, String name, DomainState state, String status,
        long liveTasks, long groups, long maxTasks, long maxGroups) {
    /**
     * Checks the references.
     *
     * @throws NullPointerException if {@code name}, {@code state} or {@code status} is null
     */
    public DomainInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(status, "status");
    }
}
