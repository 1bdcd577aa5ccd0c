package org.tasklife;

/**
 * Thrown by {@link Task#join()} when the joined task ended with an uncaught throwable, which is this
 * exception's cause (docs/contract.md, E5).
 */
public final class TaskFailedException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the joined task
     * @param cause what it threw
     */
    public TaskFailedException(String message, Throwable cause) {
        super(Reason.TASK_FAILED, message, cause);
    }
}
