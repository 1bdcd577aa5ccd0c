/**
 * Not API: internal to tasklife, not exported, may change at any time.
 *
 * <p>JDK Flight Recorder events of the kernel (category "tasklife": task spawn, exit and kill, stuck
 * tasks, domain stops) and {@link org.tasklife.internal.trace.Trace}, the hooks that emit them.
 */
package org.tasklife.internal.trace;
