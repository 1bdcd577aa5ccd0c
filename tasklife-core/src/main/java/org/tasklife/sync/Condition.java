package org.tasklife.sync;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.tasklife.NotPermittedException;
import org.tasklife.TaskKilledError;
import org.tasklife.internal.group.WaitContext;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitChannel;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;

/**
 * A kill-aware condition variable bound to one {@link Mutex} (docs/contract.md, §9), obtained by
 * {@link Mutex#newCondition()}.
 *
 * <pre>{@code
 * m.lock();
 * try {
 *     while (!ready) { c.await(); }
 *     ...
 * } finally { m.unlock(); }
 * }</pre>
 *
 * <p><b>Waiting.</b> {@link #await()} atomically releases the mutex completely (a RECURSIVE mutex's
 * depth is saved) and waits for a signal; a signal sent by anyone after the release is never missed.
 * On <em>every</em> way out — signal, timeout, kill — it re-acquires the mutex with the saved depth
 * before it returns or throws, so a {@code finally} that unlocks is always correct. After a kill the
 * task still waits for the mutex (it cannot be abandoned: the caller's {@code finally} expects to own
 * it). A normal return means a signal reached this waiter (sent to it, or passed on from a killed
 * waiter); callers should still re-test their predicate in a loop: another locker may have changed it
 * between the signal and the re-acquire.
 *
 * <p><b>Kill.</b> A task killed while waiting throws {@link TaskKilledError} holding the mutex. A
 * waiter that was signalled and killed before it could use the signal passes the signal on to the
 * next waiter of this condition and throws (K9), so no wake-up is lost.
 *
 * <p><b>Signalling.</b> {@link #signal()} wakes the longest waiting waiter, {@link #signalAll()}
 * every waiter; both are no-ops without waiters, never block, need not hold the mutex and work while
 * a killed task unwinds (docs/contract.md, K5).
 *
 * <p><b>Misuse.</b> Waiting without owning the mutex throws {@link NotPermittedException}; nothing
 * changes.
 *
 * <p><b>Memory effects.</b> Those of the mutex: the waiter's return happens-after the re-acquire,
 * hence after the unlock of whoever held the mutex before.
 */
public final class Condition {
    /*
     * Implementation notes
     *
     * Overview: a FIFO of wait nodes of its own. await enqueues its node BEFORE releasing the mutex;
     * a signaller that acts after the release therefore finds the node (no lost wake-up).
     *
     * Invariants:
     *  C1 a waiter's node is linked before the mutex is released and is never linked after the wait ends.
     *  C2 every way out of await re-acquires the mutex with the saved depth (Mutex.reacquire never gives
     *     up, not even after a kill).
     *  C3 a node whose outcome is SIGNALLED consumed one signal; if its task is killed before await
     *     returns normally, that signal is passed to the next waiter (K9). KILLED or TIMED_OUT nodes
     *     consumed none (signalFirstLocked skips them).
     *
     * Concurrency: the condition's queue lock and the mutex's queue lock are never held together.
     *
     * Kill and cleanup: a kill ends the condition wait at once (K2); the re-acquire then continues,
     * unkillably, and the kill throwable is thrown once the mutex is owned again.
     *
     * Known limits: the re-acquire after a kill is not bounded; a mutex owner that never unlocks keeps
     * the killed waiter (reported stuck under K8).
     */

    private static final String AWAIT_RULE = "a condition may be awaited only by the owner of its mutex";

    private final Mutex mutex;                    // immutable
    private final WaitQueue queue = new WaitQueue();
    private final WaitChannel channel;            // immutable

    Condition(Mutex mutex) {
        this.mutex = mutex;
        this.channel = WaitChannel.lazy(() -> "condition@" + Integer.toHexString(System.identityHashCode(this))
                + " of mutex@" + Integer.toHexString(System.identityHashCode(mutex)));
    }

    /** {@return the mutex this condition belongs to} */
    public Mutex mutex() {
        return mutex;
    }

    /**
     * Releases the mutex, waits for a signal, re-acquires the mutex.
     *
     * @throws NotPermittedException if the caller does not own the mutex
     * @throws TaskKilledError if the task is killed before or while waiting (the mutex is owned again)
     */
    public void await() {
        boolean signalled = doAwait(Blocker.NO_DEADLINE, false);
        assert signalled;
    }

    /**
     * {@link #await()} for at most {@code timeout}.
     *
     * @param timeout how long to wait at most, in {@code unit}s; zero or negative: no wait beyond taking the
     *     mutex back
     * @param unit the unit of {@code timeout}
     * @return {@code true} if signalled, {@code false} if the timeout elapsed (the mutex is owned again in
     *     both cases)
     * @throws NullPointerException if {@code unit} is null
     * @throws NotPermittedException if the caller does not own the mutex
     * @throws TaskKilledError if the task is killed before or while waiting (the mutex is owned again)
     */
    public boolean await(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return doAwait(unit.toNanos(timeout), true);
    }

    /** Wakes the longest waiting waiter, if any. */
    public void signal() {
        queue.signalOne();
        WaitContext.safePoint();
    }

    /** Wakes every waiter. */
    public void signalAll() {
        queue.signalAll();
        WaitContext.safePoint();
    }

    /** {@return the number of tasks and threads waiting for a signal (a moment's reading)} */
    public int queueLength() {
        return queue.size();
    }

    @Override
    public String toString() {
        return "Condition@" + Integer.toHexString(System.identityHashCode(this)) + "[" + mutex + "]";
    }

    private boolean doAwait(long timeoutNanos, boolean timed) {
        WaitContext w = WaitContext.current();
        Object me = Mutex.identity(w);
        String op = timed ? "await(timeout)" : "await()";
        mutex.checkOwner(me, op, AWAIT_RULE);
        w.checkpoint(); // a killed task throws still owning the mutex, as on every other way out
        long deadline = timed ? Clock.deadlineAfter(w.clock().nanoTime(), timeoutNanos) : Blocker.NO_DEADLINE;
        WaitNode n = new WaitNode(queue, channel);
        queue.lock();
        try {
            queue.enqueueLocked(n); // C1: before the release
        } finally {
            queue.unlock();
        }
        int depth;
        try {
            depth = mutex.releaseFully(me, op, AWAIT_RULE);
        } catch (RuntimeException | Error e) {
            queue.unlink(n);
            throw e;
        }
        int outcome = w.await(n, deadline);
        mutex.reacquire(w, me, depth, outcome == WaitNode.KILLED); // C2: a kill during it is seen by the checkpoints below
        switch (outcome) {
            case WaitNode.SIGNALLED -> {
                try {
                    w.checkpoint();
                } catch (Error killed) {
                    queue.signalOne(); // C3: the signal goes to the next waiter
                    throw killed;
                }
                return true;
            }
            case WaitNode.TIMED_OUT -> {
                w.checkpoint();
                return false;
            }
            case WaitNode.KILLED -> throw w.killed();
            default -> throw new IllegalStateException(op + ": node " + n + " ended with outcome " + outcome);
        }
    }
}
