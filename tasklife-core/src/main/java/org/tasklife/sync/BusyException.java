package org.tasklife.sync;

import org.tasklife.TaskLifeException;

/**
 * A primitive cannot be destroyed while it is in use: held, or waited for (POSIX {@code EBUSY},
 * docs/contract.md, §9).
 */
public final class BusyException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the primitive and what uses it
     */
    public BusyException(String message) {
        super(message);
    }
}
