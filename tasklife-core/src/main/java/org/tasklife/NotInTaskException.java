package org.tasklife;

/**
 * The operation acts on the calling task, but the caller is not a tasklife task.
 *
 * <p>POSIX equivalent, for orientation: none (calling a thread function from outside any thread).
 */
public final class NotInTaskException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the argument and the rule that was broken
     */
    public NotInTaskException(String message) {
        super(message);
    }
}
