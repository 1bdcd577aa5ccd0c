package org.tasklife.internal.sched;

/**
 * How a task competes for a CPU: every runnable REAL_TIME task runs before any NORMAL one, and every
 * NORMAL one before any IDLE one; within REAL_TIME the priority is fixed, within NORMAL it ages.
 */
public enum SchedulingClass {
    /** Fixed priority, strictly before NORMAL and IDLE. */
    REAL_TIME,
    /** Priority improved by waiting (aging), so no NORMAL task starves behind others of its class. */
    NORMAL,
    /** Runs only when nothing else is runnable. */
    IDLE
}
