package org.tasklife;

/**
 * A child wait found no matching child group of the caller's group.
 *
 * <p>POSIX equivalent, for orientation: ECHILD.
 */
public final class NoChildException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the argument and the rule that was broken
     */
    public NoChildException(String message) {
        super(Reason.NO_CHILD, message);
    }
}
