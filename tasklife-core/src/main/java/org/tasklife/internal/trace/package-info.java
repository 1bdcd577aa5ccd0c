/**
 * Not API: internal to tasklife, not exported, may change at any time.
 *
 * <p>JDK Flight Recorder events of the kernel (category "tasklife": task spawn, exit and kill, stuck
 * tasks, domain stops) and {@link org.tasklife.internal.trace.Trace}, the hooks that emit them.
 *
 * <p>TaskKill, StuckTask and DomainStop are rare and enabled in any recording by default; TaskSpawn and
 * TaskExit happen once per task and are off unless a recording enables them (as the JDK does with
 * jdk.VirtualThreadStart/End): {@code Recording.enable("org.tasklife.TaskSpawn")}, or a {@code .jfc}
 * settings file with {@code <event name="org.tasklife.TaskSpawn"><setting name="enabled">true</setting></event>}.
 * TaskKill is one event per task killed, by any kill (a task, a group, a domain stop, a deadline, an expired
 * grace), naming the killer and the reason.
 */
package org.tasklife.internal.trace;
