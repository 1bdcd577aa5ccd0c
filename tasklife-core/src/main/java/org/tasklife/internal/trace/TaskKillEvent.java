package org.tasklife.internal.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * A task killed, by any kill (contract K1, K7, K11, K12, D2): {@code Task.kill()}, {@code Kernel.kill(id)}, a
 * group kill or exitGroup, a domain stop, a deadline, an expired grace. One event per task killed; begins at
 * the kill, ends when the task has terminated, so its duration is the kill latency. Committed on the task's
 * own thread as it exits, so the killer is a field, not the event's thread.
 */
@Name("org.tasklife.TaskKill")
@Label("Task Kill")
@Category("tasklife")
@Description("A tasklife task was killed; the duration is the time from the kill to its termination")
@StackTrace(false)
@Threshold("0 ns")
final class TaskKillEvent extends jdk.jfr.Event {
    @Label("Kernel")
    String kernel;

    @Label("Task Id")
    long taskId;

    @Label("Task Name")
    String taskName;

    @Label("Group Id")
    long groupId;

    @Label("Wait Channel")
    @Description("What the task was blocked in when killed; empty if it was running")
    String waitChannel;

    @Label("Killer Task Id")
    @Description("The id of the task that killed it; 0 if no task did (a host thread, the kernel's timer)")
    long killerTaskId;

    @Label("Killer")
    @Description("The killing task's name, or the host thread's name if Killer Task Id is 0")
    String killerName;

    @Label("Reason")
    @Description("KILL (an explicit kill, of the task, its group or its domain), DEADLINE or GRACE_EXPIRED")
    String reason;

    @Label("Batch Size")
    @Description("How many tasks the same act killed: 1 for a task kill, the count of a group kill or domain stop")
    long batchSize;

    @Label("Latency")
    @Description("Time from the kill to the task's termination (the event's duration)")
    @Timespan(Timespan.NANOSECONDS)
    long latency;

    /** When the kill happened (System.nanoTime); not recorded. */
    transient long killedAtNanos;
}
