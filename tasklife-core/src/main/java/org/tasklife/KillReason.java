package org.tasklife;

/**
 * Why a task or a group was killed: the reason a {@link ExitStatus.Killed} status carries
 * (docs/contract.md, K11–K13). Every kill is the same mechanism (K1–K8); the reason only says who decided
 * it, so that a status read later still tells a deadline from a kill.
 *
 * <table>
 * <caption>reasons and where they come from</caption>
 * <tr><th>reason</th><th>the kill came from</th><th>status</th></tr>
 * <tr><td>{@link #KILL}</td><td>{@link Task#kill()}, {@link TaskGroup#kill()}, {@code exitGroup} or a failure
 *     of another member, {@link Domain#stop(ExitStatus)}, {@link Kernel#close()}</td>
 *     <td>{@link ExitStatus#KILLED}, printed {@code Killed}</td></tr>
 * <tr><td>{@link #DEADLINE}</td><td>the {@link SpawnOptions#deadline(java.time.Duration) deadline} the task or
 *     group was spawned with passed</td><td>{@code Killed(DEADLINE)}</td></tr>
 * <tr><td>{@link #GRACE_EXPIRED}</td><td>the grace of {@link TaskGroup#terminate(java.time.Duration)} or
 *     {@link Domain#stop(ExitStatus, java.time.Duration)} ran out before the task ended</td>
 *     <td>{@code Killed(GRACE_EXPIRED)}</td></tr>
 * </table>
 */
public enum KillReason {
    /** An explicit kill: of the task, of its group (also by {@code exitGroup} or a failure), of its domain. */
    KILL,
    /** The deadline the task or group was spawned with passed. */
    DEADLINE,
    /** A graceful stop (terminate) was requested and its grace ran out before the task ended. */
    GRACE_EXPIRED
}
