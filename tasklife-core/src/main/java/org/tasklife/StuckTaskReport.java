package org.tasklife;

import java.util.List;

/**
 * A killed task that did not finish unwinding within the kill grace period, or a task whose exit
 * sequence (its task-local destructors, the {@code close()} of what it owns) did not end within that
 * period after it began, killed or not (docs/contract.md, K8): where it is stuck. What it still owns is
 * force-closed when this report is made. Or a task, killed or not, that has held a carrier thread without
 * reaching a safe point for a whole grace period while a killed task waits for a carrier (K8): then
 * {@code waitChannel} says so and names the waiting task, and nothing of it is force-closed.
 *
 * @param taskId the task
 * @param groupId its group
 * @param name its name
 * @param state its state when reported
 * @param waitChannel its wait channel, if blocked in a tasklife wait; or what it holds up (see above)
 * @param stack its thread's stack when reported (may be empty if the JVM gives none)
 */
public record StuckTaskReport(long taskId, long groupId, String name, TaskState state, String waitChannel,
        List<StackTraceElement> stack) {
    /** Creates the report; the stack list is copied. */
    public StuckTaskReport {
        stack = List.copyOf(stack);
    }

    /** {@return a multi-line rendering: a header line, then one line per frame} */
    public String render() {
        StringBuilder sb = new StringBuilder("stuck task ").append(taskId).append(" (").append(name)
                .append(") of group ").append(groupId).append(": ").append(state);
        if (!waitChannel.isEmpty()) {
            sb.append(" in ").append(waitChannel);
        }
        for (StackTraceElement e : stack) {
            sb.append("\n\tat ").append(e);
        }
        return sb.toString();
    }
}
