package org.tasklife.internal.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A killed task did not unwind within the kill grace period (contract K8); recorded on the reaper thread. */
@Name("org.tasklife.StuckTask")
@Label("Stuck Task")
@Category("tasklife")
@Description("A tasklife task kept a kill from completing within the kill grace period: a killed task that did not end "
        + "(its owned resources were then force-closed), or a task holding a carrier that killed tasks wait for")
@StackTrace(false)
final class StuckTaskEvent extends jdk.jfr.Event {
    @Label("Kernel")
    String kernel;

    @Label("Task Id")
    long taskId;

    @Label("Task Name")
    String taskName;

    @Label("Group Id")
    long groupId;

    @Label("State")
    String state;

    @Label("Wait Channel")
    String waitChannel;

    @Label("Stack")
    @Description("The stuck task's stack, top frames first")
    String stack;
}
