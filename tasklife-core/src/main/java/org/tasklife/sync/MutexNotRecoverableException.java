package org.tasklife.sync;

import org.tasklife.TaskLifeException;

/**
 * The {@link Mutex} can never be locked again (POSIX {@code ENOTRECOVERABLE}, docs/contract.md, §9): a caller that
 * acquired it with an {@link OwnerDiedException} unlocked it without {@link Mutex#markConsistent()}.
 * Thrown by every later lock attempt and to every task that was waiting for it; the caller does not own
 * the mutex.
 */
public final class MutexNotRecoverableException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the mutex and the operation
     */
    public MutexNotRecoverableException(String message) {
        super(TaskLifeException.Reason.NOT_RECOVERABLE, message);
    }
}
