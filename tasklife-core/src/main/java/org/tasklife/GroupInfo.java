package org.tasklife;

import java.util.Optional;

/**
 * One task group in a {@link KernelSnapshot}.
 *
 * @param id group id
 * @param parentId parent group id (0 for a domain root)
 * @param domain the domain's name
 * @param name group name
 * @param state group state
 * @param liveTasks tasks not yet ended
 * @param status exit status once ZOMBIE
 * @param times CPU times
 */
public record GroupInfo(long id, long parentId, String domain, String name, GroupState state, int liveTasks,
        Optional<ExitStatus> status, CpuTimes times) {}
