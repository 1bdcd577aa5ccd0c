package org.tasklife.sync;

import org.tasklife.TaskLifeException;

/**
 * A {@link Barrier} round this party took part in, or wanted to join, is broken (docs/contract.md, §9): another
 * party was killed or timed out while waiting, the barrier action threw, or {@link Barrier#reset()}
 * was called. The message says which. Unchecked, unlike {@code java.util.concurrent}'s exception of
 * the same name.
 *
 * <p>The barrier stays broken until {@link Barrier#reset()}: every later {@code await} throws this at
 * once.
 */
public final class BrokenBarrierException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the barrier and why its round broke
     */
    public BrokenBarrierException(String message) {
        super(TaskLifeException.Reason.BROKEN_BARRIER, message);
    }

    /**
     * Creates the exception.
     *
     * @param message names the barrier and why its round broke
     * @param cause the barrier action's throwable
     */
    public BrokenBarrierException(String message, Throwable cause) {
        super(TaskLifeException.Reason.BROKEN_BARRIER, message, cause);
    }
}
