package org.tasklife;

/**
 * One task group in a {@link KernelSnapshot}; domain roots are included (their {@code parentId} is 0 and
 * their {@code id} is their domain's id). Its components are primitives, strings, enums and {@link CpuTimes},
 * so that the kernel's MXBean returns these rows as they are (JMX open types).
 *
 * @param id group id
 * @param parentId parent group id (0 for a domain root)
 * @param domainId its domain's id (a {@link DomainInfo#id()}; a domain root's is its own id); domain names
 *     need not be unique, ids are. 0 (no domain has it: ids start at 1) in rows made with the constructor
 *     that does not take it
 * @param domain the domain's name
 * @param name group name
 * @param state group state
 * @param liveTasks tasks not yet ended
 * @param status its {@link ExitStatus} as text ({@code Exited(0)}, {@code Killed}, {@code Failed(...)}) once it
 *     has one (a zombie), else empty; the typed status is {@link TaskGroup#exitStatus()}
 * @param times CPU times
 */
public record GroupInfo(long id, long parentId, long domainId, String domain, String name, GroupState state,
        int liveTasks, String status, CpuTimes times) {

    /**
     * A row without a domain id ({@link #domainId()} is 0), as made before the id was recorded.
     *
     * @param id group id
     * @param parentId parent group id (0 for a domain root)
     * @param domain the domain's name
     * @param name group name
     * @param state group state
     * @param liveTasks tasks not yet ended
     * @param status its exit status as text once it has one, else empty
     * @param times CPU times
     */
    public GroupInfo(long id, long parentId, String domain, String name, GroupState state, int liveTasks,
            String status, CpuTimes times) {
        this(id, parentId, 0, domain, name, state, liveTasks, status, times);
    }
}
