package org.tasklife;

/**
 * Thrown by {@link Task#join()} when the joined task was killed (docs/contract.md, J1). This is about the
 * <em>target</em>; the caller itself is fine. (A killed caller sees {@link TaskKilledError}.)
 */
public final class TaskKilledException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the joined task
     */
    public TaskKilledException(String message) {
        super(Reason.TASK_KILLED, message);
    }
}
