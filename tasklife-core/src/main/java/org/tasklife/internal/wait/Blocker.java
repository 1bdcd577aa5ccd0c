package org.tasklife.internal.wait;

import java.util.concurrent.locks.LockSupport;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.TimerService;

/**
 * The one way the kernel parks a thread (DESIGN I2): after the caller linked a node, publish it,
 * re-check for a kill, arm the deadline, park until the node has an outcome.
 */
public final class Blocker {
    /*
     * Implementation notes
     *
     * Overview: parks with LockSupport.park() and re-reads the node's outcome after every return, so
     * spurious wake-ups and unrelated unparks are harmless.
     *
     * Interrupts (contract K5a): Thread.interrupt() makes park() return at once, again and again; so the
     * interrupt is cleared while parked and restored before returning. Only kill ends a wait.
     *
     * Deadlines (contract T1): absolute, in the clock's nanoseconds, fired by the kernel's single timer
     * service, never by parkNanos, so a manual or virtual clock drives every timed wait. A deadline
     * already past still lets the caller take a free resource: callers check their condition before
     * they ever get here, and here a past deadline times out without parking.
     *
     * Dispatch: parking and waking go through the kernel's Dispatch (FREE: LockSupport), which a
     * scheduler mode replaces; the node carries it so that wakers, which know no kernel, use it too.
     */

    /** Deadline value meaning "no deadline". */
    public static final long NO_DEADLINE = Long.MIN_VALUE;

    private final Clock clock;
    private final TimerService timers;
    private final Dispatch dispatch;

    /** A blocker of the default mode ({@link Dispatch#FREE}). */
    public Blocker(Clock clock, TimerService timers) {
        this(clock, timers, Dispatch.FREE);
    }

    /** A blocker using {@code clock} for deadlines and {@code timers} to fire them, parking through {@code dispatch}. */
    public Blocker(Clock clock, TimerService timers, Dispatch dispatch) {
        this.clock = clock;
        this.timers = timers;
        this.dispatch = dispatch;
    }

    /** How waiters park and wake. */
    public Dispatch dispatch() {
        return dispatch;
    }

    /** The clock deadlines are measured in. */
    public Clock clock() {
        return clock;
    }

    /**
     * Blocks {@code waiter} on {@code n}, which the caller has already linked (or not, for a wait
     * nobody signals) after checking its condition under the queue lock.
     *
     * @param deadline absolute deadline in {@link #clock()} nanos, or {@link #NO_DEADLINE}
     * @return the node's outcome: {@link WaitNode#SIGNALLED}, {@link WaitNode#TIMED_OUT} or
     *     {@link WaitNode#KILLED}
     */
    public int await(Waiter waiter, WaitNode n, long deadline) {
        dispatch.safePoint(); // deterministic mode may switch tasks here: between linking the node and parking
        n.setDispatch(dispatch);
        if (deadline != NO_DEADLINE) {
            // armed before the wait is published, so that a task seen BLOCKED has its timer armed already
            if (deadline - clock.nanoTime() <= 0) {
                n.timeOut();
            } else {
                n.setTimeout(timers.schedule(deadline, n)); // the node is its own timer action: no object per timed wait
            }
        }
        if (!waiter.beginWait(n)) {
            // kill already pending (I3): end the wait ourselves unless a signal or the deadline won first
            n.kill();
            n.cancelTimeout();
            waiter.endWait(n);
            return n.outcomeVolatile();
        }
        boolean interrupted = false;
        try {
            boolean free = dispatch == Dispatch.FREE;
            while (n.outcomeVolatile() == WaitNode.WAITING) {
                if (free) {
                    LockSupport.park(n); // Dispatch.FREE's park, called here: one frame less in every parked stack
                } else {
                    dispatch.park(n);
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            return n.outcomeVolatile();
        } finally {
            n.cancelTimeout();
            waiter.endWait(n);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
