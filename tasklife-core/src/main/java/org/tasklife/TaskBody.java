package org.tasklife;

/**
 * The body of a task: its return value is what {@link Task#join()} returns.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface TaskBody<T> {
    /**
     * Runs the task.
     *
     * @return the task's result, which its joiners get
     * @throws Exception to fail the task (docs/contract.md, E5)
     */
    T run() throws Exception;
}
