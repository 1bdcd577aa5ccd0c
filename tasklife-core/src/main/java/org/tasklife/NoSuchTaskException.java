package org.tasklife;

/**
 * The id names no task or group that can be acted on: unknown, or already disposed (joined, detached, reaped).
 *
 * <p>POSIX equivalent, for orientation: ESRCH.
 */
public final class NoSuchTaskException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the argument and the rule that was broken
     */
    public NoSuchTaskException(String message) {
        super(message);
    }
}
