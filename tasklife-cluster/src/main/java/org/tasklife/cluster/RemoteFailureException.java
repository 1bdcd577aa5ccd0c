package org.tasklife.cluster;

/**
 * The cause of a {@code Failed} status that ended on another member: the original throwable's class name and
 * message, as text (its class need not exist on this member).
 */
public final class RemoteFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param description the original throwable's {@code toString()}
     */
    public RemoteFailureException(String description) {
        super(description);
    }
}
