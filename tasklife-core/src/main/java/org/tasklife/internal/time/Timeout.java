package org.tasklife.internal.time;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A handle to one entry armed in a {@link TimerService} by {@link TimerService#schedule}.
 *
 * <p>Each entry has exactly one outcome: it either <em>fires</em> (the service takes it as due and
 * will run its action once) or it is <em>cancelled</em> (by {@link #cancel()}, or dropped by
 * {@link TimerService#close()}); never both, never twice. Until one of those happens the entry is
 * <em>pending</em>.
 *
 * <table>
 *   <caption>Observable properties of an entry</caption>
 *   <tr><th>outcome so far</th><th>{@link #isPending()}</th><th>{@link #cancel()}</th>
 *       <th>action</th></tr>
 *   <tr><td>none (pending)</td><td>true</td><td>true: this call decided the outcome</td>
 *       <td>will never run if cancel wins</td></tr>
 *   <tr><td>fired</td><td>false</td><td>false</td>
 *       <td>runs exactly once; may still be running or about to run</td></tr>
 *   <tr><td>cancelled or dropped</td><td>false</td><td>false</td><td>never runs</td></tr>
 * </table>
 *
 * <p>Memory effects: a {@code cancel()} that returns {@code true} happens-before the service
 * observes the entry as cancelled, so the action is guaranteed not to run. A {@code cancel()}
 * that returns {@code false} because the entry fired does <em>not</em> wait for the action and
 * gives no ordering with it; callers that race a timeout against another outcome decide the
 * winner with their own CAS (STYLE G7).
 *
 * <p>Handles are thread-safe; every method is O(1), except that a {@code cancel()} may now and
 * then purge the service's cancelled entries (amortised O(1), see {@link TimerService}).
 */
public final class Timeout {

    /*
     * Implementation notes
     *
     * Overview. One heap entry of a TimerService, and the handle the scheduler gets back. The
     * entry stays in the heap after cancellation (lazy deletion); TimerService skips or purges it.
     *
     * States (one int, changed only by casState; TM1 in TimerService):
     *
     *   PENDING -> FIRED      // TimerService.popDueLocked(): due and popped, under the timer lock
     *   PENDING -> CANCELLED  // cancel() (any thread, lock-free) or TimerService.dropAllLocked()
     *
     * FIRED and CANCELLED are final. The thread that wins the CAS owns the action: the firer
     * takes it to run, a canceller clears it so that a cancelled entry lingering in the heap does
     * not keep its closure (often a whole task) reachable.
     *
     * Memory ordering. The constructor's writes are published to the timer thread by the timer
     * lock (schedule() inserts under it, the popper reads under it). The state CAS is a volatile
     * read-modify-write; `action` is plain because only the CAS winner touches it afterwards.
     */

    static final int PENDING = 0;     // armed; no outcome yet
    static final int FIRED = 1;       // popped as due; its action runs (or ran) exactly once
    static final int CANCELLED = 2;   // cancel() won, or the service was closed; action never runs

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Timeout.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final TimerService owner;      // immutable
    final long deadline;           // immutable; absolute, in the owner's clock nanos
    final long seq;                // immutable; FIFO tie-break among equal deadlines
    private Runnable action;       // plain: set at construction; read/cleared only by the state CAS winner
    private volatile int state;    // PENDING until exactly one of FIRED / CANCELLED wins

    Timeout(TimerService owner, long deadline, long seq, Runnable action) {
        this.owner = owner;
        this.deadline = deadline;
        this.seq = seq;
        this.action = action;
    }

    /**
     * Cancels this entry if it has neither fired nor been cancelled yet. Idempotent and O(1)
     * amortised; never blocks on the action and never runs it.
     *
     * @return {@code true} iff this call cancelled a pending entry, so its action will never run;
     *     {@code false} if the entry had already fired, been cancelled, or been dropped by
     *     {@link TimerService#close()}
     */
    public boolean cancel() {
        if (!casState(PENDING, CANCELLED)) {
            return false;
        }
        action = null;   // we own it now; do not keep the closure alive while we sit in the heap
        owner.afterCancel();
        return true;
    }

    /**
     * Tells whether this entry is still armed: it has neither fired nor been cancelled.
     *
     * @return {@code true} while the entry is pending; a snapshot that a concurrent fire or
     *     cancel may change at once
     */
    public boolean isPending() {
        return stateAcquire() == PENDING;
    }

    /**
     * Returns the absolute deadline this entry was scheduled for, in the service's clock nanos.
     * Compare it with clock readings by difference only ({@code deadline() - now <= 0} means due).
     *
     * @return the deadline passed to {@link TimerService#schedule}
     */
    public long deadline() {
        return deadline;
    }

    /**
     * Returns the time left until the deadline on the service's clock (negative once it passed).
     *
     * @return {@code deadline() - now}, in nanos
     */
    public long nanosLeft() {
        return deadline - owner.clock().nanoTime();
    }

    int stateAcquire() {
        return (int) STATE.getAcquire(this);
    }

    boolean casState(int expected, int update) {
        return STATE.compareAndSet(this, expected, update);
    }

    /** Hands the action to the thread that just won PENDING -> FIRED, and forgets it. */
    Runnable takeActionAfterFire() {
        assert stateAcquire() == FIRED : this;
        Runnable a = action;
        action = null;
        return a;
    }

    /** Forgets the action after the closing service won PENDING -> CANCELLED. */
    void clearActionAfterDrop() {
        assert stateAcquire() == CANCELLED : this;
        action = null;
    }

    /**
     * Returns a description for diagnostics: deadline, sequence number and outcome.
     *
     * @return for example {@code Timeout[deadline=1099511628776, seq=3, PENDING]}
     */
    @Override
    public String toString() {
        String s = switch (state) {
            case PENDING -> "PENDING";
            case FIRED -> "FIRED";
            case CANCELLED -> "CANCELLED";
            default -> "bad state " + state;
        };
        return "Timeout[deadline=" + deadline + ", seq=" + seq + ", " + s + "]";
    }
}
