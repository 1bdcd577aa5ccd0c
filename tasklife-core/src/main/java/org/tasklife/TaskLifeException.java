package org.tasklife;

import java.util.Objects;

/**
 * Every exception tasklife throws for a misuse or a refused operation (docs/contract.md, §12): its
 * {@link #reason()} says which rule, like an {@code errno}, and its message names the argument and the rule;
 * kernel state is unchanged after it is thrown.
 *
 * <p>A rule that callers handle in their own way has its own subclass, so that a {@code catch} can name it:
 * {@link NoChildException} (a reaping loop ends on it), {@link SpawnRefusedException} and its
 * {@link DomainLimitExceededException} (back off, or give up), {@link TaskKilledException} and
 * {@link TaskFailedException} (how a joined task ended), and in {@code org.tasklife.sync} the owner-died,
 * not-recoverable and broken-barrier notices. Every other reason is a mistake of the caller, thrown as a
 * plain {@code TaskLifeException}: fix the call rather than catch it, or test {@link #reason()}.
 *
 * <pre>{@code
 * try {
 *     worker.join();
 * } catch (TaskLifeException e) {
 *     if (e.reason() != TaskLifeException.Reason.NO_SUCH_TASK) throw e;
 *     // joined already elsewhere: nothing left to wait for
 * }
 * }</pre>
 */
public class TaskLifeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Which rule a {@link TaskLifeException} reports, with the POSIX error it corresponds to, for
     * orientation. The reasons with a type of their own are thrown as that type only.
     */
    public enum Reason {
        /** A {@code Tasks} method, which acts on the calling task, was called from outside a task. */
        NOT_IN_TASK,
        /** The task's record is gone: already joined, or detached and ended, or its group reaped (ESRCH). */
        NO_SUCH_TASK,
        /** The call would wait for the caller itself: a self-join, relocking an error-checking mutex (EDEADLK). */
        DEADLOCK,
        /**
         * The operation does not apply to the target as it is: joining a detached task, detaching twice,
         * owning a resource on an ended owner, freeing a domain that has not stopped (EINVAL).
         */
        INVALID_OPERATION,
        /**
         * The caller may not act on the target: joining a task of another group, reaping another group's
         * child, unlocking a mutex it does not own, stopping the root domain (EPERM). Acting outside one's
         * domain is a {@link DomainAccessException} instead.
         */
        NOT_PERMITTED,
        /** A primitive cannot be destroyed while it is held or waited for (EBUSY). */
        BUSY,
        /** A primitive was used after it was destroyed, or a task-local key after it was deleted. */
        DESTROYED,
        /** A semaphore release would raise its permits above the maximum; nothing changed (EOVERFLOW). */
        OVERFLOW,
        /** Thrown as {@link NoChildException}: a child wait has no matching child (ECHILD). */
        NO_CHILD,
        /** Thrown as {@link SpawnRefusedException}: nothing was spawned (EAGAIN). */
        SPAWN_REFUSED,
        /** Thrown as {@link DomainLimitExceededException}: a domain's limit refused a spawn (EAGAIN). */
        LIMIT_EXCEEDED,
        /** Thrown as {@link TaskKilledException}: the joined task was killed. */
        TASK_KILLED,
        /** Thrown as {@link TaskFailedException}: the joined task failed. */
        TASK_FAILED,
        /** Thrown as {@code org.tasklife.sync.OwnerDiedException}: the lock's owner died; the caller holds it. */
        OWNER_DIED,
        /** Thrown as {@code org.tasklife.sync.MutexNotRecoverableException} (ENOTRECOVERABLE). */
        NOT_RECOVERABLE,
        /** Thrown as {@code org.tasklife.sync.BrokenBarrierException}: the barrier's round broke. */
        BROKEN_BARRIER;

        /** {@return whether exceptions of this reason are thrown as a subclass of their own} */
        boolean hasOwnType() {
            return switch (this) {
                case NOT_IN_TASK, NO_SUCH_TASK, DEADLOCK, INVALID_OPERATION, NOT_PERMITTED, BUSY, DESTROYED,
                        OVERFLOW -> false;
                case NO_CHILD, SPAWN_REFUSED, LIMIT_EXCEEDED, TASK_KILLED, TASK_FAILED, OWNER_DIED, NOT_RECOVERABLE,
                        BROKEN_BARRIER -> true;
            };
        }
    }

    /** Why it was thrown. */
    private final Reason reason;

    /**
     * Creates the exception. A subclass passes its own reason; a plain {@code TaskLifeException} takes only a
     * reason that has no type of its own.
     *
     * @param reason the rule that was broken
     * @param message names the argument and the rule that was broken
     * @throws IllegalArgumentException if this is a plain {@code TaskLifeException} and {@code reason} is
     *     thrown as its own subclass (construct that one)
     */
    public TaskLifeException(Reason reason, String message) {
        this(reason, message, null);
    }

    /**
     * Creates the exception with a cause, as {@link #TaskLifeException(Reason, String)} does.
     *
     * @param reason the rule that was broken
     * @param message names the argument and the rule
     * @param cause what went wrong underneath, or {@code null}
     * @throws IllegalArgumentException if this is a plain {@code TaskLifeException} and {@code reason} is
     *     thrown as its own subclass (construct that one)
     */
    public TaskLifeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        if (reason.hasOwnType() && getClass() == TaskLifeException.class) {
            throw new IllegalArgumentException("reason " + reason + " is thrown as its own subclass of"
                    + " TaskLifeException, not as a plain TaskLifeException");
        }
    }

    /** {@return the rule this exception reports} */
    public Reason reason() {
        return reason;
    }
}
