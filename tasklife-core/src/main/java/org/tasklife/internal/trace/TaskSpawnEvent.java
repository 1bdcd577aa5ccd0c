package org.tasklife.internal.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A task was spawned and its thread started; recorded on the spawner's thread. */
@Name("org.tasklife.TaskSpawn")
@Label("Task Spawn")
@Category("tasklife")
@Description("A tasklife task was spawned (a group's main task or a thread of a group)")
@StackTrace(false)
@Enabled(false) // one per task: opt in, like jdk.VirtualThreadStart (see package-info)
final class TaskSpawnEvent extends jdk.jfr.Event {
    @Label("Kernel")
    String kernel;

    @Label("Task Id")
    long taskId;

    @Label("Task Name")
    String taskName;

    @Label("Group Id")
    long groupId;

    @Label("Domain")
    String domain;

    @Label("Main Task")
    @Description("Whether the task is its group's main task (the group was spawned with it)")
    boolean main;

    @Label("Virtual Thread")
    boolean virtual;
}
