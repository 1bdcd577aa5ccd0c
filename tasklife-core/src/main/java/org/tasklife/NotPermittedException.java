package org.tasklife;

/**
 * The caller may not act on the target: joining a task of another group, reaping another group's child,
 * unlocking a mutex it does not own.
 *
 * <p>POSIX equivalent, for orientation: EPERM.
 */
public final class NotPermittedException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the argument and the rule that was broken
     */
    public NotPermittedException(String message) {
        super(message);
    }
}
