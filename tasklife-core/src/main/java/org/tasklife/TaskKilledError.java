package org.tasklife;

/**
 * Thrown inside a killed task by every blocking tasklife call and by {@link Tasks#checkpoint()}
 * (docs/contract.md, K2, K4, K5). It is an {@link Error}, like the old {@code ThreadDeath}, so that
 * {@code catch (Exception e)} does not swallow it; let it propagate so the task's {@code finally}
 * blocks run and it ends. Swallowing it does not help: the task stays killed, every later blocking
 * call throws again and its status is {@code Killed} whatever its body returns.
 *
 * <p>Throwing one yourself in a task that was not killed is just an uncaught throwable: the task
 * fails.
 *
 * <p>The error the kernel throws in a killed task carries no stack trace: a kill is a signal, not a
 * fault of the code it lands in, and a mass kill of many tasks should not walk each one's stack. Its
 * message names the task; suppressed throwables (a failing {@code close()} of a try-with-resources) are
 * kept. One you create yourself with {@link #TaskKilledError(String)} has a stack trace, as any error.
 */
public final class TaskKilledError extends Error {
    private static final long serialVersionUID = 1L;

    /** The killed task's id, or 0 for an error made with a message. */
    private final long taskId;

    /** The killed task's name, rendered into the message only when it is read: a mass kill builds no strings. */
    private final String taskName;

    /**
     * Creates the exception.
     *
     * @param message names the killed task
     */
    public TaskKilledError(String message) {
        super(message);
        this.taskId = 0;
        this.taskName = null;
    }

    /**
     * Creates the error thrown in a killed task, as the kernel does: its message is
     * {@code "task <id> (<name>) was killed"}, and no stack trace is captured.
     *
     * @param taskId the killed task's id (positive)
     * @param taskName the killed task's name
     * @throws IllegalArgumentException if {@code taskId} is not positive
     */
    public TaskKilledError(long taskId, String taskName) {
        super(null, null, true, false);
        this.taskId = requirePositive(taskId);
        this.taskName = taskName;
    }

    /**
     * {@return the message: the one given, or {@code "task <id> (<name>) was killed"} for the error the kernel
     * throws}
     */
    @Override
    public String getMessage() {
        return taskId == 0 ? super.getMessage() : "task " + taskId + " (" + taskName + ") was killed";
    }

    private static long requirePositive(long taskId) {
        if (taskId <= 0) {
            throw new IllegalArgumentException("taskId must be positive (task ids start at 1): " + taskId);
        }
        return taskId;
    }
}
