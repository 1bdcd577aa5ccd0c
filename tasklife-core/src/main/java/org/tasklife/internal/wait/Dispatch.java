package org.tasklife.internal.wait;

import java.util.concurrent.locks.LockSupport;

/**
 * Who runs when a waiter parks and when it is woken: the seam between the kernel's waits and a
 * scheduler (DESIGN "Where this goes later"). In the default mode a parked thread simply parks and a
 * woken one is unparked; a scheduler mode gives the parking task's CPU to the next task and puts a
 * woken task on a run queue instead.
 *
 * <p>Contract: {@link #park} may return spuriously (callers re-check the node's outcome and call it
 * again); {@link #wake} never blocks and may be called from any thread, with no lock held. A wake-up
 * is an unpark permit for a thread outside any scheduler: between the caller's outcome check and its
 * {@code LockSupport.park}, an implementation must not block (a lock that parks would eat the permit)
 * unless it checks the outcome again afterwards.
 */
public interface Dispatch {
    /** The default: the JDK's scheduler runs every thread. */
    Dispatch FREE = new Dispatch() {
        @Override
        public void park(WaitNode node) {
            LockSupport.park(node);
        }

        @Override
        public void wake(Thread thread) {
            LockSupport.unpark(thread);
        }
    };

    /** Parks the calling thread, which waits on {@code node}, whose outcome was not decided at the last check. */
    void park(WaitNode node);

    /** Wakes {@code thread}, parked (or about to park) in a tasklife wait whose outcome was just decided. */
    void wake(Thread thread);

    /**
     * A safe point of the calling thread, at a tasklife call: a scheduler may switch tasks here
     * (preemption at safe points). The default does nothing.
     */
    default void safePoint() {}
}
