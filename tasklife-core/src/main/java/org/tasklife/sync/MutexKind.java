package org.tasklife.sync;

import org.tasklife.TaskLifeException;

/**
 * What a {@link Mutex} does when its owner locks it again (docs/contract.md, §9; POSIX mutex types, for orientation).
 */
public enum MutexKind {
    /**
     * POSIX {@code PTHREAD_MUTEX_NORMAL}. Where POSIX deadlocks on a relock by the owner, tasklife makes it
     * an error rather than a hang: {@link Mutex#lock()} throws {@link TaskLifeException} ({@code DEADLOCK}).
     */
    NORMAL,
    /**
     * POSIX {@code PTHREAD_MUTEX_ERRORCHECK}: a relock by the owner throws {@link TaskLifeException}
     * ({@code DEADLOCK}).
     */
    ERROR_CHECKING,
    /** POSIX {@code PTHREAD_MUTEX_RECURSIVE}: the owner may relock; it must unlock as many times as it locked. */
    RECURSIVE
}
