package org.tasklife;

/**
 * The operation does not apply to the target in its current mode: joining a detached task, detaching
 * twice, owning a resource on an ended owner.
 *
 * <p>POSIX equivalent, for orientation: EINVAL.
 */
public final class InvalidTaskOperationException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the argument and the rule that was broken
     */
    public InvalidTaskOperationException(String message) {
        super(message);
    }
}
