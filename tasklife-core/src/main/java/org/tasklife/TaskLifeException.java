package org.tasklife;

/**
 * Base of every exception tasklife throws for a misuse or a refused operation (docs/contract.md, §12). Each
 * subclass is one rule; the message names the argument and the rule; kernel state is unchanged
 * after it is thrown.
 */
public abstract class TaskLifeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the argument and the rule that was broken
     */
    protected TaskLifeException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message names the argument and the rule
     * @param cause what went wrong underneath
     */
    protected TaskLifeException(String message, Throwable cause) {
        super(message, cause);
    }
}
