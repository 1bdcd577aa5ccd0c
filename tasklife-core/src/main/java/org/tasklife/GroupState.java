package org.tasklife;

/**
 * The observable state of a task group (docs/contract.md, §1).
 *
 * <table>
 * <caption>Observable properties</caption>
 * <tr><th>state</th><th>accepts new tasks</th><th>{@code exitStatus()}</th><th>in its parent's children</th></tr>
 * <tr><td>ALIVE</td><td>yes</td><td>empty</td><td>yes</td></tr>
 * <tr><td>EXITING</td><td>no (exitGroup, kill or failure under way)</td><td>empty</td><td>yes</td></tr>
 * <tr><td>ZOMBIE</td><td>no</td><td>present</td><td>yes, until reaped</td></tr>
 * <tr><td>REAPED</td><td>no</td><td>present</td><td>no</td></tr>
 * </table>
 */
public enum GroupState {
    /** Has live tasks; no exit under way. */
    ALIVE,
    /** An exit status is recorded and its tasks are being ended. */
    EXITING,
    /** All tasks ended; status and CPU times kept until the parent reaps it. */
    ZOMBIE,
    /** Reaped (or auto-reaped); gone from the tree. */
    REAPED
}
