package org.tasklife.sync;

import org.tasklife.TaskLifeException;

/**
 * A primitive was used after it was destroyed (POSIX leaves it undefined; tasklife makes it an error,
 * docs/contract.md, §9).
 */
public final class DestroyedException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the primitive and the operation
     */
    public DestroyedException(String message) {
        super(message);
    }
}
