package org.tasklife.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.task.WaitContext;
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
 * <p><b>Owner death.</b> If the mutex's previous owner ended while holding it (see {@link Mutex}, robust
 * mutex), the waiter that re-acquires it is told like any other locker: {@code await} throws
 * {@link OwnerDiedException} <em>holding the mutex</em>, instead of returning, whatever ended the wait
 * (signal or timeout; a timed {@code await} does not say which). The caller must repair the protected
 * state and call {@link Mutex#markConsistent()}, or its unlock makes the mutex not recoverable. The
 * same holds when the waiter itself had acquired the mutex owner-died and awaited without marking it
 * consistent: the notice stays with the mutex until someone marks it. A <em>killed</em> waiter still
 * throws its {@link TaskKilledError} (the kill always wins); if it re-acquired an owner-died mutex, the
 * {@link OwnerDiedException} is attached to it as a suppressed exception
 * ({@link Throwable#getSuppressed()}) and {@link Mutex#isOwnerDied()} answers {@code true}, so the
 * unwinding task's {@code finally} may repair and mark it; a {@code finally} that just unlocks makes it
 * not recoverable. If the mutex became not recoverable, {@code await} throws
 * {@link MutexNotRecoverableException} without owning it.
 *
 * <p><b>Signalling.</b> {@link #signal()} wakes the longest waiting waiter, {@link #signalAll()}
 * every waiter; both are no-ops without waiters, never block, need not hold the mutex and work while
 * a killed task unwinds (docs/contract.md, K5).
 *
 * <p><b>Misuse.</b> Waiting without owning the mutex throws {@link TaskLifeException} ({@code NOT_PERMITTED}); nothing
 * changes.
 *
 * <p><b>Destroying.</b> {@link #destroy()} (POSIX {@code pthread_cond_destroy}) is refused with
 * {@link TaskLifeException} ({@code BUSY}), changing nothing, while any task or thread is inside {@code await} —
 * waiting for a signal, or already signalled (or timed out, or killed) and still re-acquiring the mutex. Afterwards
 * every call but {@link #isDestroyed()}, {@link #mutex()}, {@link #queueLength()} and {@code toString}
 * throws {@link TaskLifeException} ({@code DESTROYED}). The mutex is not affected; conversely, while a waiter is inside
 * {@code await}, the mutex refuses destruction too ({@link Mutex#destroy()}), since the waiter will
 * re-acquire it.
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
     *  C4 a re-acquire that took the mutex in the owner-died state (Mutex R2) is reported on every way out:
     *     as OwnerDiedException instead of the return value, or, when the way out is a kill, as a suppressed
     *     exception of the kill throwable (the kill is never replaced). The waiter owns the mutex either way.
     *
     *  C5 `inside` counts the calls inside await, from before the enqueue to after the re-acquire (they
     *     all entered with a CAS from a value >= 0); destroy() CASes it from 0 to DESTROYED (-1), final, so
     *     no await is inside a destroyed condition and none can enter one. While counted, the waiter is
     *     also counted in its mutex's condition waiters (Mutex M9), so the mutex is not destroyed under it.
     *
     * Concurrency: the condition's queue lock and the mutex's queue lock are never held together.
     * `inside` is lock-free (CAS and getAndAdd).
     *
     * Kill and cleanup: a kill ends the condition wait at once (K2); the re-acquire then continues,
     * unkillably, and the kill throwable is thrown once the mutex is owned again (with C4's notice).
     *
     * Known limits: the re-acquire after a kill is not bounded; a mutex owner that never unlocks keeps
     * the killed waiter (reported stuck under K8).
     */

    private static final String AWAIT_RULE = "a condition may be awaited only by the owner of its mutex";

    /** Value of {@link #inside} once destroyed (C5). */
    private static final int DESTROYED = -1;

    private static final VarHandle INSIDE;

    static {
        try {
            INSIDE = MethodHandles.lookup().findVarHandle(Condition.class, "inside", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Mutex mutex;                    // immutable
    private final WaitQueue queue = new WaitQueue();
    private final WaitChannel channel;            // immutable
    @SuppressWarnings("unused")                   // accessed through INSIDE
    private volatile int inside;                  // calls inside await, or DESTROYED (C5); CAS and getAndAdd only

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
     * @throws TaskLifeException ({@code DESTROYED}) if the condition was destroyed
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller does not own the mutex
     * @throws TaskKilledError if the task is killed before or while waiting (the mutex is owned again; an
     *     owner-died notice is attached as a suppressed {@link OwnerDiedException})
     * @throws OwnerDiedException if the mutex was re-acquired from an owner that died holding it (the
     *     caller owns it, and must repair and {@link Mutex#markConsistent()})
     * @throws MutexNotRecoverableException if the mutex became not recoverable meanwhile (not owned)
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
     * @throws TaskLifeException ({@code DESTROYED}) if the condition was destroyed
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller does not own the mutex
     * @throws TaskKilledError if the task is killed before or while waiting (the mutex is owned again; an
     *     owner-died notice is attached as a suppressed {@link OwnerDiedException})
     * @throws OwnerDiedException if the mutex was re-acquired from an owner that died holding it, after a
     *     signal or a timeout (the caller owns it, and must repair and {@link Mutex#markConsistent()})
     * @throws MutexNotRecoverableException if the mutex became not recoverable meanwhile (not owned)
     */
    public boolean await(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return doAwait(unit.toNanos(timeout), true);
    }

    /**
     * Wakes the longest waiting waiter, if any.
     *
     * @throws TaskLifeException ({@code DESTROYED}) if the condition was destroyed
     */
    public void signal() {
        checkNotDestroyed("signal()");
        queue.signalOne();
        WaitContext.safePoint();
    }

    /**
     * Wakes every waiter.
     *
     * @throws TaskLifeException ({@code DESTROYED}) if the condition was destroyed
     */
    public void signalAll() {
        checkNotDestroyed("signalAll()");
        queue.signalAll();
        WaitContext.safePoint();
    }

    /**
     * Destroys the condition (POSIX {@code pthread_cond_destroy}): every later call but introspection
     * throws {@link TaskLifeException} ({@code DESTROYED}). Destroying a condition that a task or thread is inside
     * {@code await} for (waiting, or re-acquiring the mutex on its way out) is an error (POSIX EBUSY). Never
     * blocks; works while a killed task unwinds.
     *
     * @throws TaskLifeException ({@code BUSY}) if some task or thread is inside {@code await} (state unchanged)
     * @throws TaskLifeException ({@code DESTROYED}) if it was already destroyed
     */
    public void destroy() {
        for (;;) {
            int n = insideVolatile();
            if (n == DESTROYED) {
                throw destroyed("destroy()");
            }
            if (n > 0) {
                throw new TaskLifeException(Reason.BUSY, "destroy() on " + this + ": a condition with waiters (" + n
                        + ") cannot be destroyed; a waiter counts until it has re-acquired the mutex");
            }
            if (INSIDE.compareAndSet(this, 0, DESTROYED)) { // C5
                return;
            }
        }
    }

    /** {@return whether {@link #destroy()} was called} */
    public boolean isDestroyed() {
        return insideVolatile() == DESTROYED;
    }

    /** {@return the number of tasks and threads waiting for a signal (a moment's reading)} */
    public int queueLength() {
        return queue.size();
    }

    @Override
    public String toString() {
        return "Condition@" + Integer.toHexString(System.identityHashCode(this)) + "["
                + (isDestroyed() ? "destroyed, " : "") + mutex + "]";
    }

    private int insideVolatile() {
        return (int) INSIDE.getVolatile(this);
    }

    private void checkNotDestroyed(String operation) {
        if (insideVolatile() == DESTROYED) {
            throw destroyed(operation);
        }
    }

    private TaskLifeException destroyed(String operation) {
        return new TaskLifeException(Reason.DESTROYED, operation + " on " + this + ": the condition was destroyed");
    }

    /** C4: the kill throwable propagates; an owner-died notice rides along as a suppressed exception. */
    private static Error withNotice(Error killed, OwnerDiedException ownerDied) {
        if (ownerDied != null) {
            killed.addSuppressed(ownerDied);
        }
        return killed;
    }

    private boolean doAwait(long timeoutNanos, boolean timed) {
        String op = timed ? "await(timeout)" : "await()";
        for (;;) { // C5: enter, unless destroyed
            int n = insideVolatile();
            if (n == DESTROYED) {
                throw destroyed(op);
            }
            if (INSIDE.compareAndSet(this, n, n + 1)) {
                break;
            }
        }
        try {
            return awaitInside(timeoutNanos, timed, op);
        } finally {
            INSIDE.getAndAdd(this, -1); // C5: after the re-acquire
        }
    }

    private boolean awaitInside(long timeoutNanos, boolean timed, String op) {
        WaitContext w = WaitContext.current();
        Object me = Callers.identity(w);
        mutex.checkOwner(me, op, AWAIT_RULE);
        w.checkpoint(); // a killed task throws still owning the mutex, as on every other way out
        mutex.addConditionWaiter(1); // M9: while owning the mutex
        try {
            return waitAndReacquire(w, me, timeoutNanos, timed, op);
        } finally {
            mutex.addConditionWaiter(-1); // owning it again (or it became not recoverable)
        }
    }

    private boolean waitAndReacquire(WaitContext w, Object me, long timeoutNanos, boolean timed, String op) {
        long deadline = timed ? w.deadlineAfter(timeoutNanos) : Blocker.NO_DEADLINE;
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
        // C2: a kill during it is seen by the checkpoints below
        int got = mutex.reacquire(w, me, depth, outcome == WaitNode.KILLED);
        OwnerDiedException ownerDied = (got & Mutex.REACQUIRED_OWNER_DIED) != 0 ? mutex.ownerDied(op) : null;
        switch (outcome) {
            case WaitNode.SIGNALLED -> {
                try {
                    w.checkpoint();
                } catch (Error killed) {
                    queue.signalOne(); // C3: the signal goes to the next waiter
                    throw withNotice(killed, ownerDied);
                }
                if (ownerDied != null) {
                    throw ownerDied; // C4: told like any locker, holding the mutex
                }
                return true;
            }
            case WaitNode.TIMED_OUT -> {
                try {
                    w.checkpoint();
                } catch (Error killed) {
                    throw withNotice(killed, ownerDied);
                }
                if (ownerDied != null) {
                    throw ownerDied; // C4
                }
                return false;
            }
            case WaitNode.KILLED -> throw withNotice(w.killed(), ownerDied);
            default -> throw new IllegalStateException(op + ": node " + n + " ended with outcome " + outcome);
        }
    }
}
