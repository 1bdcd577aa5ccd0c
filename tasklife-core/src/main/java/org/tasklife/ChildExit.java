package org.tasklife;

/**
 * An ended child group as reported by a child wait (docs/contract.md, W4).
 *
 * @param groupId the child's id
 * @param status how it ended
 * @param times its CPU times, children included
 */
public record ChildExit(long groupId, ExitStatus status, CpuTimes times) {}
