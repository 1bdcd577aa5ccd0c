package org.tasklife.internal.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A task ended: its exit status is published; recorded on the task's own thread. */
@Name("org.tasklife.TaskExit")
@Label("Task Exit")
@Category("tasklife")
@Description("A tasklife task ended and published its exit status")
@StackTrace(false)
@Enabled(false) // one per task: opt in, like jdk.VirtualThreadStart (see package-info)
final class TaskExitEvent extends jdk.jfr.Event {
    @Label("Kernel")
    String kernel;

    @Label("Task Id")
    long taskId;

    @Label("Task Name")
    String taskName;

    @Label("Group Id")
    long groupId;

    @Label("Status")
    @Description("Exited(code), Killed or Failed(throwable)")
    String status;

    @Label("Killed")
    boolean killed;

    @Label("CPU Time")
    @Timespan(Timespan.NANOSECONDS)
    long cpuTime;
}
