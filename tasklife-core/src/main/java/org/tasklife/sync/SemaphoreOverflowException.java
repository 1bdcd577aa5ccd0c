package org.tasklife.sync;

import org.tasklife.TaskLifeException;

/**
 * A {@link Semaphore#release(int)} would have raised the number of available permits above the
 * semaphore's maximum (docs/contract.md, §9, §12). The semaphore is unchanged: no permit was added and no waiter
 * was woken.
 *
 * <p>POSIX equivalent, for orientation: EOVERFLOW ({@code sem_post} past {@code SEM_VALUE_MAX}).
 */
public final class SemaphoreOverflowException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the semaphore, the current value, the permits released and the maximum
     */
    public SemaphoreOverflowException(String message) {
        super(message);
    }
}
