package org.tasklife;

/**
 * Spawning was refused and nothing was created: the target group is exiting, the kernel is closed, a
 * limit is reached, or the JVM could not start the thread.
 *
 * <p>POSIX equivalent, for orientation: EAGAIN.
 */
public class SpawnRefusedException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the target and the rule
     */
    public SpawnRefusedException(String message) {
        super(Reason.SPAWN_REFUSED, message);
    }

    /**
     * Creates the exception.
     *
     * @param message names the target and the rule
     * @param cause why the thread could not start
     */
    public SpawnRefusedException(String message, Throwable cause) {
        super(Reason.SPAWN_REFUSED, message, cause);
    }

    /** For {@link DomainLimitExceededException}, a refusal with a reason of its own. */
    SpawnRefusedException(Reason reason, String message) {
        super(reason, message);
    }
}
