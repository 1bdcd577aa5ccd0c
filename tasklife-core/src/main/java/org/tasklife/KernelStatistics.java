package org.tasklife;

import java.time.Duration;

/**
 * A kernel's running totals since it booted ({@link Kernel#statistics()}): tasks spawned, tasks ended by kind of
 * status, tasks killed by kind of kill, spawns refused by a domain limit, and the kill latency. Every total only
 * grows; rates come from two readings. A kill's latency runs from the request to the status of the last task it
 * killed being published: for a one-task kill, that task's; for a group kill or a domain stop, the whole crowd's. A reading is not one atomic cut: each total is read at some moment during
 * the call (a task that ends at once may show as ended before it shows as spawned).
 *
 * @param tasksSpawned tasks spawned (their thread started or handed out)
 * @param tasksExited tasks that ended with {@link ExitStatus.Exited} (returned, or {@code exit})
 * @param tasksFailed tasks that ended with {@link ExitStatus.Failed}
 * @param tasksKilled tasks that ended with {@link ExitStatus.Killed} of reason {@link KillReason#KILL}
 * @param tasksKilledByDeadline tasks that ended with {@link ExitStatus.Killed} of reason {@link KillReason#DEADLINE}
 * @param tasksKilledByGraceExpired tasks that ended with {@link ExitStatus.Killed} of reason
 *     {@link KillReason#GRACE_EXPIRED}
 * @param killsOfTasks tasks killed by a kill of one task ({@link Task#kill()}, {@link Kernel#kill(long)}, a task
 *     deadline)
 * @param killsOfGroups tasks killed by the end of their group (a group kill, {@code exitGroup}, a failure that ends
 *     the group, the main's return, a group deadline)
 * @param killsByDomainStop tasks killed by a domain stop
 * @param refusedByTaskLimit spawns refused because a domain's limit on live tasks was reached
 * @param refusedByGroupLimit spawns refused because a domain's limit on groups was reached
 * @param killLatencyCount kills whose latency was recorded: one per kill that killed at least one task (a task
 *     kill, a group's end, a domain stop), once the last task it killed has published its status
 * @param killLatencyTotalNanos the sum of those latencies (kill requested to the exit status of its last victim
 *     published), nanoseconds
 * @param killLatencyMaxNanos the longest of them since boot, nanoseconds (0 before any)
 */
public record KernelStatistics(long tasksSpawned, long tasksExited, long tasksFailed, long tasksKilled,
        long tasksKilledByDeadline, long tasksKilledByGraceExpired, long killsOfTasks, long killsOfGroups,
        long killsByDomainStop, long refusedByTaskLimit, long refusedByGroupLimit, long killLatencyCount,
        long killLatencyTotalNanos, long killLatencyMaxNanos) {

    /**
     * Tasks that ended with {@link ExitStatus.Killed} of the given reason.
     *
     * @param reason the kill reason
     * @return the total for that reason
     * @throws NullPointerException if {@code reason} is null
     */
    public long tasksKilled(KillReason reason) {
        return switch (reason) {
            case KILL -> tasksKilled;
            case DEADLINE -> tasksKilledByDeadline;
            case GRACE_EXPIRED -> tasksKilledByGraceExpired;
        };
    }

    /**
     * Tasks that ended, whatever their status.
     *
     * @return the sum of the exited, failed and killed totals
     */
    public long tasksEnded() {
        return tasksExited + tasksFailed + tasksKilled + tasksKilledByDeadline + tasksKilledByGraceExpired;
    }

    /**
     * The mean kill latency (kill requested to exit status published).
     *
     * @return the mean, or {@link Duration#ZERO} before any kill latency was recorded
     */
    public Duration meanKillLatency() {
        return killLatencyCount == 0 ? Duration.ZERO : Duration.ofNanos(killLatencyTotalNanos / killLatencyCount);
    }
}
