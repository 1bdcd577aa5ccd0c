package org.tasklife;

/**
 * The call would wait for the caller itself (self-join, relocking an error-checking mutex).
 *
 * <p>POSIX equivalent, for orientation: EDEADLK.
 */
public final class DeadlockException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the argument and the rule that was broken
     */
    public DeadlockException(String message) {
        super(message);
    }
}
