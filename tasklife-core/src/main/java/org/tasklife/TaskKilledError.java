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
 */
public final class TaskKilledError extends Error {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the killed task
     */
    public TaskKilledError(String message) {
        super(message);
    }
}
