package org.tasklife.internal.wait;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.tasklife.internal.time.Timeout;

/**
 * One blocked wait of one thread: the only thing the kernel ever parks on.
 *
 * <p>A node has exactly one outcome, decided by one CAS from {@link #WAITING} to
 * {@link #SIGNALLED}, {@link #TIMED_OUT} or {@link #KILLED}: the first to win owns the consequences
 * (DESIGN I2). A signaller that loses moves on to the next node; a waiter that had been signalled and
 * is then killed gives back what it was handed (that is the primitive's business, see {@link #payload}).
 */
public final class WaitNode implements Runnable {
    /*
     * Implementation notes
     *
     * Overview: a node belongs to at most one queue for its whole life ({@link #queue} is final), so the
     * killer and the timer can unlink it without knowing which primitive created it. Nodes are
     * single-use: a waiter that must wait again creates a new node.
     *
     * States: WAITING -> SIGNALLED | TIMED_OUT | KILLED, one CAS, final afterwards.
     *
     * Memory ordering: outcome is read with volatile semantics by the parked thread after every unpark;
     * a winner writes payload before its CAS, so a waiter that reads SIGNALLED also reads the payload.
     */

    /** The node is linked and its thread parks until an outcome is decided. */
    public static final int WAITING = 0;
    /** A signaller (release, unlock, exit of a joined task…) woke the waiter. */
    public static final int SIGNALLED = 1;
    /** The deadline passed first. */
    public static final int TIMED_OUT = 2;
    /** The waiting task was killed first. */
    public static final int KILLED = 3;

    private static final VarHandle OUTCOME;

    static {
        try {
            OUTCOME = MethodHandles.lookup().findVarHandle(WaitNode.class, "outcome", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final WaitQueue queue;         // immutable; null for waits that nobody signals (sleep)
    final Thread thread;           // immutable: the parked thread
    private final Object channel;  // immutable: describes what is waited for (toString) for snapshots
    @SuppressWarnings("unused")    // accessed through OUTCOME
    private volatile int outcome;  // WAITING until exactly one of SIGNALLED/TIMED_OUT/KILLED wins
    private volatile Timeout timeout; // written by the waiter before it parks; cancelled on wake
    // Set by Blocker.await before the waiter can park; a waker that finds null wakes with a plain unpark,
    // which is enough then: the waiter has not parked yet and re-checks the outcome before it would.
    private volatile Dispatch dispatch;

    // Guarded by queue.lock: list links. Linked iff it is its queue's head or has a previous node (WaitQueue);
    // no flag of its own (memory per waiting task: a flag would round the node up by 8 bytes).
    WaitNode prev;
    WaitNode next;

    /**
     * Handed over by a signaller: written before its winning {@link #trySignal()}, read by the waiter
     * after it observes {@link #SIGNALLED}. Plain on purpose: the outcome CAS orders it.
     */
    public Object payload;

    /**
     * Creates a node for the current thread.
     *
     * @param queue the queue that will link it, or {@code null} for a wait no signaller can find
     * @param channel describes what is waited for; its {@code toString()} appears in snapshots
     */
    public WaitNode(WaitQueue queue, Object channel) {
        this.queue = queue;
        this.thread = Thread.currentThread();
        this.channel = channel;
    }

    /** The wait channel given at construction. */
    public Object channel() {
        return channel;
    }

    /**
     * What is waited for, for display: the channel, or, for a {@link NodeChannel}, its description of this node
     * (computed now).
     */
    public Object describedChannel() {
        return channel instanceof NodeChannel c ? c.describe(this) : channel;
    }

    /** Nanos left until this wait's deadline on its timer's clock; 0 if no timer is armed (a deadline already past). */
    public long nanosLeft() {
        Timeout t = timeout;
        return t == null ? 0 : Math.max(0, t.nanosLeft());
    }

    /** The parked thread. */
    public Thread thread() {
        return thread;
    }

    /** The current outcome ({@link #WAITING} until decided). */
    public int outcomeVolatile() {
        return (int) OUTCOME.getVolatile(this);
    }

    /** Wins the node for a signaller; the caller must unpark {@link #thread()} afterwards. */
    public boolean trySignal() {
        return OUTCOME.compareAndSet(this, WAITING, SIGNALLED);
    }

    /** Wins the node for a kill; the caller must unlink and wake (see {@link #kill()}). */
    public boolean tryKill() {
        return OUTCOME.compareAndSet(this, WAITING, KILLED);
    }

    boolean tryTimeOut() {
        return OUTCOME.compareAndSet(this, WAITING, TIMED_OUT);
    }

    /**
     * Ends the wait for a kill: wins the node, unlinks it, cancels its timer and unparks the waiter.
     * O(1); never waits for the victim.
     *
     * @return whether this call decided the outcome
     */
    public boolean kill() {
        if (!tryKill()) {
            return false;
        }
        unlinkAndWake();
        return true;
    }

    /**
     * The node's timer action ({@link Blocker} schedules the node itself, so a timed wait allocates no action
     * object): times the wait out, as {@link #timeOut()}.
     */
    @Override
    public void run() {
        timeOut();
    }

    /** Called by the timer thread when the deadline passes. */
    void timeOut() {
        if (tryTimeOut()) {
            unlinkAndWake();
        }
    }

    private void unlinkAndWake() {
        if (queue != null) {
            queue.unlink(this);
        }
        cancelTimeout();
        wakeThread();
    }

    void setDispatch(Dispatch d) {
        dispatch = d;
    }

    /** Wakes the waiter through the dispatch that parked it (a scheduler's run queue), or unparks it. */
    void wakeThread() {
        Dispatch d = dispatch;
        if (d == null) {
            LockSupport.unpark(thread);
        } else {
            d.wake(thread);
        }
    }

    void setTimeout(Timeout t) {
        timeout = t;
    }

    void cancelTimeout() {
        Timeout t = timeout;
        if (t != null) {
            t.cancel();
        }
    }

    @Override
    public String toString() {
        return "WaitNode[" + channel + ", outcome=" + outcomeVolatile() + "]";
    }
}
