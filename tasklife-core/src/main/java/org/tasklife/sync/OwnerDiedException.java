package org.tasklife.sync;

import org.tasklife.TaskLifeException;

/**
 * The caller acquired a {@link Mutex} whose previous owner ended while holding it (robust mutex, POSIX
 * {@code EOWNERDEAD}, docs/contract.md, §9). Unlike every other exception from a lock call, the caller <em>owns</em>
 * the mutex when this is thrown: it must repair the state the mutex protects and call
 * {@link Mutex#markConsistent()}, then unlock as usual; unlocking without marking it consistent makes
 * the mutex unusable ({@link MutexNotRecoverableException}).
 *
 * <pre>{@code
 * try {
 *     m.lock();
 * } catch (OwnerDiedException e) {
 *     repair();
 *     m.markConsistent();
 * }
 * try { ... } finally { m.unlock(); }
 * }</pre>
 */
public final class OwnerDiedException extends TaskLifeException {
    private static final long serialVersionUID = 1L;

    private final transient Mutex mutex;

    /**
     * Creates the exception.
     *
     * @param message names the mutex and what to do
     * @param mutex the mutex now owned by the caller
     */
    public OwnerDiedException(String message, Mutex mutex) {
        super(message);
        this.mutex = mutex;
    }

    /** {@return the mutex the caller now owns, in the owner-died state} */
    public Mutex mutex() {
        return mutex;
    }
}
