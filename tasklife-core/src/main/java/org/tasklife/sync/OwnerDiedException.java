package org.tasklife.sync;

import org.tasklife.TaskLifeException;

/**
 * The caller acquired a {@link Mutex} whose previous owner ended while holding it (robust mutex, POSIX
 * {@code EOWNERDEAD}, docs/contract.md, §9), or a hold of a {@link ReadWriteLock} whose writer ended while
 * holding its write lock. Unlike every other exception from a lock call, the caller <em>holds</em> what it
 * asked for when this is thrown (from {@link Condition#await()} too, which re-acquires the mutex): it must
 * repair the state the lock protects and mark it consistent ({@link Mutex#markConsistent()},
 * {@link ReadWriteLock#markConsistent()} from the write lock), then unlock as usual. Unlocking a mutex
 * without marking it consistent makes the mutex unusable ({@link MutexNotRecoverableException}); a
 * reader-writer lock instead keeps telling every new holder until a writer marks it.
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
    private final transient ReadWriteLock readWriteLock;

    /**
     * Creates the exception.
     *
     * @param message names the mutex and what to do
     * @param mutex the mutex now owned by the caller
     */
    public OwnerDiedException(String message, Mutex mutex) {
        super(TaskLifeException.Reason.OWNER_DIED, message);
        this.mutex = mutex;
        this.readWriteLock = null;
    }

    /**
     * A notice for a reader-writer lock whose writer died holding it.
     *
     * @param message names the lock and what to do
     * @param readWriteLock the lock the caller now holds (a read hold or the write lock, as it asked)
     */
    public OwnerDiedException(String message, ReadWriteLock readWriteLock) {
        super(TaskLifeException.Reason.OWNER_DIED, message);
        this.mutex = null;
        this.readWriteLock = readWriteLock;
    }

    /**
     * {@return the mutex the caller now owns, in the owner-died state, or {@code null} if the notice is for a
     * reader-writer lock}
     */
    public Mutex mutex() {
        return mutex;
    }

    /**
     * The reader-writer lock the caller now holds, in the owner-died state, or {@code null} if the notice
     * is for a mutex.
     *
     * @return the lock, or {@code null}
     */
    public ReadWriteLock readWriteLock() {
        return readWriteLock;
    }
}
