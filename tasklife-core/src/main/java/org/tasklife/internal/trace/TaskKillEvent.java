package org.tasklife.internal.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * A task killed by {@code Task.kill()} or {@code Kernel.kill(id)}: begins at the kill, ends when the task
 * has terminated, so its duration is the kill latency. Committed on the task's own thread as it exits.
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

    @Label("Latency")
    @Description("Time from the kill to the task's termination (the event's duration)")
    @Timespan(Timespan.NANOSECONDS)
    long latency;

    /** When the kill happened (System.nanoTime); not recorded. */
    transient long killedAtNanos;
}
