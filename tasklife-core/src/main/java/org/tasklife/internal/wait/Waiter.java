package org.tasklife.internal.wait;

/**
 * The blocking side of the no-block handshake (DESIGN I3), implemented by a task control block and by
 * host threads (which are never killed).
 */
public interface Waiter {
    /**
     * Publishes {@code n} as the current wait and marks the waiter blocked, <em>then</em> re-reads its
     * killed flag. Both steps must be sequentially consistent with the killer's "set flag, then read
     * current wait".
     *
     * @return {@code false} if a kill (or a requested exit) is pending: the caller must not park
     */
    boolean beginWait(WaitNode n);

    /** Clears the current wait and marks the waiter running again. */
    void endWait(WaitNode n);
}
