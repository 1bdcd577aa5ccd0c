package org.tasklife;

/**
 * The observable state of a task (docs/contract.md, §1). Whether it was killed is a separate, sticky flag
 * ({@link Task#isKilled()}).
 *
 * <table>
 * <caption>Observable properties</caption>
 * <tr><th>state</th><th>body running</th><th>{@code exitStatus()}</th><th>wait channel</th></tr>
 * <tr><td>NEW</td><td>not yet</td><td>empty</td><td>none</td></tr>
 * <tr><td>RUNNING</td><td>yes</td><td>empty</td><td>none</td></tr>
 * <tr><td>BLOCKED</td><td>yes, parked in a tasklife wait</td><td>empty</td><td>what it waits for</td></tr>
 * <tr><td>EXITING</td><td>no; destructors and owned resources closing</td><td>empty</td><td>none</td></tr>
 * <tr><td>TERMINATED</td><td>no</td><td>present</td><td>none</td></tr>
 * </table>
 */
public enum TaskState {
    /** Spawned and findable, its body not started yet. */
    NEW,
    /** Running its body (or unwinding it after a kill). */
    RUNNING,
    /** Parked in a tasklife wait. */
    BLOCKED,
    /** Its body ended; running its exit sequence. */
    EXITING,
    /** Ended; its status is published. */
    TERMINATED
}
