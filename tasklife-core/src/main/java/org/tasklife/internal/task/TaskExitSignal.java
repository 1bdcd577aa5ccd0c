package org.tasklife.internal.task;

/**
 * Unwinds a task that called {@code Tasks.exit()} or {@code Tasks.exitGroup(code)}, so its
 * {@code finally} blocks run. The task runner recognises it; user code should let it pass.
 */
public final class TaskExitSignal extends Error {
    private static final long serialVersionUID = 1L;

    /** @param tid the exiting task */
    public TaskExitSignal(long tid) {
        super("task " + tid + " is exiting", null, false, false);
    }
}
