package org.tasklife.sync;

import org.tasklife.TaskLifeException;

/**
 * A {@link TaskLocal} key was used after {@link TaskLocal#delete()} (docs/contract.md, §9: use after delete
 * is an error).
 */
public final class KeyDeletedException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the key and the operation
     */
    public KeyDeletedException(String message) {
        super(message);
    }
}
