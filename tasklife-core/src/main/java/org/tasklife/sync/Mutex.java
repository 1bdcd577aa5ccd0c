package org.tasklife.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.tasklife.DeadlockException;
import org.tasklife.NotPermittedException;
import org.tasklife.TaskKilledError;
import org.tasklife.internal.group.WaitContext;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.HostWaiter;
import org.tasklife.internal.wait.WaitChannel;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;

/**
 * A kill-aware mutual-exclusion lock (SPEC §9): at most one owner at a time, waiters served in FIFO
 * order, and every wait ends when the waiting task is killed (K2).
 *
 * <p>The owner is the calling task, or, on a host thread (outside any task), the thread itself. The
 * usual pattern releases the mutex in a {@code finally} block, which also runs while a killed task
 * unwinds (the kernel never unlocks a mutex on a task's behalf):
 * <pre>{@code
 * Mutex m = new Mutex();
 * m.lock();
 * try { ... } finally { m.unlock(); }
 * }</pre>
 *
 * <p><b>Kinds.</b> {@link MutexKind#RECURSIVE}: the owner may lock again and must unlock as many
 * times. {@link MutexKind#ERROR_CHECKING}: a relock by the owner throws {@link DeadlockException}.
 * {@link MutexKind#NORMAL} (the default): POSIX deadlocks on a relock by the owner; tasklife makes it
 * an error rather than a hang and throws {@link DeadlockException} as well.
 *
 * <p><b>Kill.</b> A task killed while blocked in {@link #lock()} or {@link #tryLock(long, TimeUnit)}
 * throws {@link TaskKilledError} and does not own the mutex. A kill racing the entry into the wait
 * is never lost (K3). If the mutex was handed to a waiter that is killed or times out at the same
 * moment, the hand-off goes to the next waiter (K9). A kill that arrives <em>after</em> the mutex was
 * handed to the caller does not undo the hand-off: {@code lock()} returns normally and the task
 * observes the kill at its next blocking call, after which its {@code finally} unlocks.
 *
 * <p><b>Misuse.</b> Unlocking a mutex the caller does not own throws {@link NotPermittedException}
 * for every kind; the mutex is unchanged.
 *
 * <p><b>Memory effects.</b> As for {@link java.util.concurrent.locks.Lock}: a successful
 * {@code unlock()} happens-before every later successful lock of the same mutex.
 *
 * <p>Not covered: robust-mutex semantics (SPEC §9, last paragraph: an owner that ends while holding
 * the mutex). A task that ends without unlocking leaves the mutex owned.
 */
public final class Mutex {
    /*
     * Implementation notes
     *
     * Overview: the state (owner, depth) is guarded by the wait queue's lock, so a locker checks it and
     * enqueues atomically (WaitContext pattern). A releaser hands the mutex directly to the first waiter
     * whose node it wins: no barging, FIFO, and a woken waiter never has to retry.
     *
     * States: free (owner == null, depth == 0) -> owned (owner != null, depth >= 1). Depth above 1 only
     * for RECURSIVE.
     *
     * Invariants:
     *  M1 owner == null iff depth == 0.
     *  M2 a waiter's node payload is its Claim (identity and depth to restore), written by the waiter
     *     before enqueueing; the hand-off writes owner/depth from it BEFORE the winning trySignal, and
     *     reverts them if the CAS loses (the waiter was killed or timed out: K9, try the next node).
     *  M3 a node whose outcome is KILLED or TIMED_OUT was handed nothing.
     *  M4 waiters are woken after the queue lock is released (K10).
     *
     * Concurrency: owner is written only under the queue lock (setOwnerLocked, release mode) and read
     * through ownerAcquire(), so that isLocked()/isHeldByCurrentTask()/snapshots can read it without the
     * lock. depth is plain, guarded by the lock. Lock order: a Condition's queue lock and this queue lock
     * are never held together.
     *
     * Memory ordering: the queue lock orders unlock before the next lock taken without waiting; for a
     * hand-off, the owner write precedes the outcome CAS the waiter reads.
     *
     * Kill and cleanup: lock() throws the kill throwable only when its node's outcome is KILLED, which
     * by M3 means it owns nothing. Condition.await re-acquires through reacquire(), which keeps waiting
     * after a kill, in an unkillable park (a killed task cannot park through its own waiter: beginWait
     * refuses), so that the await can keep its promise to return holding the mutex.
     *
     * Known limits: the unkillable re-acquire parks through a private Blocker with the host waiter, so
     * during it the task shows RUNNING rather than BLOCKED in snapshots. Robust mutex (EOWNERDEAD) is not
     * implemented.
     */

    /** Parks a killed task that must still re-acquire the mutex; never given a deadline, so no timers. */
    private static final Blocker UNKILLABLE = new Blocker(Clock.system(), null);

    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(Mutex.class, "owner", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a waiter asks for: written by the waiter into its node's payload before enqueueing (M2). */
    private record Claim(Object owner, int depth) {}

    private final MutexKind kind;                 // immutable
    private final WaitQueue queue = new WaitQueue(); // its lock guards owner and depth
    private final WaitChannel channel;            // immutable: describes waits on this mutex
    @SuppressWarnings("unused")                   // accessed through OWNER
    private volatile Object owner;                // TaskControlBlock or host Thread; written under queue lock only
    private int depth;                            // guarded by queue lock; 0 iff owner == null (M1)

    /** A {@link MutexKind#NORMAL} mutex. */
    public Mutex() {
        this(MutexKind.NORMAL);
    }

    /**
     * A mutex of the given kind.
     *
     * @throws NullPointerException if {@code kind} is null
     */
    public Mutex(MutexKind kind) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.channel = WaitChannel.lazy(() -> "mutex@" + Integer.toHexString(System.identityHashCode(this))
                + " owned by " + describe(ownerAcquire()));
    }

    /** The kind given at construction. */
    public MutexKind kind() {
        return kind;
    }

    /**
     * Acquires the mutex, blocking until it is handed over or the calling task is killed.
     *
     * @throws DeadlockException if the caller already owns it and the kind is not RECURSIVE
     * @throws TaskKilledError if the calling task is killed before or while waiting (it then does not own
     *     the mutex)
     */
    public void lock() {
        WaitContext w = WaitContext.current();
        w.checkpoint();
        Object me = identity(w);
        WaitNode n;
        queue.lock();
        try {
            if (acquireOrRelockLocked(me, "lock()")) {
                return;
            }
            n = enqueueLocked(me, 1);
        } finally {
            queue.unlock();
        }
        int outcome = w.await(n, Blocker.NO_DEADLINE);
        if (outcome == WaitNode.SIGNALLED) {
            assert ownerAcquire() == me;
            return;
        }
        assert outcome == WaitNode.KILLED : outcome;
        throw w.killed(); // M3: owns nothing
    }

    /**
     * Acquires the mutex if it is free, without blocking; a RECURSIVE owner relocks. Works while a killed
     * task unwinds (SPEC K5).
     *
     * @return whether the caller now owns it ({@code false} if another owns it, or the caller owns a
     *     non-recursive mutex: POSIX EBUSY)
     */
    public boolean tryLock() {
        Object me = identity(TaskControlBlock.current());
        queue.lock();
        try {
            if (ownerAcquire() == null) {
                setOwnerLocked(me, 1);
                return true;
            }
            if (ownerAcquire() == me && kind == MutexKind.RECURSIVE) {
                relockLocked();
                return true;
            }
            return false;
        } finally {
            queue.unlock();
        }
    }

    /**
     * Acquires the mutex, waiting at most {@code timeout}. A free mutex is taken even if the timeout is
     * zero or negative (SPEC T1).
     *
     * @return {@code true} if acquired, {@code false} if the timeout elapsed first
     * @throws NullPointerException if {@code unit} is null
     * @throws DeadlockException if the caller already owns it and the kind is not RECURSIVE
     * @throws TaskKilledError if the calling task is killed before or while waiting
     */
    public boolean tryLock(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        WaitContext w = WaitContext.current();
        w.checkpoint();
        long deadline = Clock.deadlineAfter(w.clock().nanoTime(), unit.toNanos(timeout));
        Object me = identity(w);
        WaitNode n;
        queue.lock();
        try {
            if (acquireOrRelockLocked(me, "tryLock(timeout)")) {
                return true;
            }
            if (deadline - w.clock().nanoTime() <= 0) {
                return false;
            }
            n = enqueueLocked(me, 1);
        } finally {
            queue.unlock();
        }
        int outcome = w.await(n, deadline);
        return switch (outcome) {
            case WaitNode.SIGNALLED -> true;
            case WaitNode.TIMED_OUT -> false;                 // M3
            case WaitNode.KILLED -> throw w.killed();         // M3
            default -> throw new IllegalStateException("tryLock(timeout) on " + this + ": node " + n
                    + " ended with impossible outcome " + outcome);
        };
    }

    /**
     * Releases one level of ownership; when the last level is released, the mutex goes to the longest
     * waiting locker still waiting, if any. Never blocks; works while a killed task unwinds (SPEC K5).
     *
     * @throws NotPermittedException if the caller does not own the mutex (state unchanged)
     */
    public void unlock() {
        Object me = identity(TaskControlBlock.current());
        WaitNode won;
        queue.lock();
        try {
            checkOwnerLocked(me, "unlock()", "only the owner may unlock a mutex");
            if (--depth > 0) {
                return;
            }
            won = handOffLocked();
        } finally {
            queue.unlock();
        }
        WaitQueue.wake(won); // M4
    }

    /** Whether some task or thread owns the mutex (a moment's reading). */
    public boolean isLocked() {
        return ownerAcquire() != null;
    }

    /** Whether the calling task (or host thread) owns the mutex. */
    public boolean isHeldByCurrentTask() {
        return ownerAcquire() == identity(TaskControlBlock.current());
    }

    /** The number of lockers (and condition waiters re-acquiring) queued for the mutex (a moment's reading). */
    public int queueLength() {
        return queue.size();
    }

    /** A new condition variable bound to this mutex. */
    public Condition newCondition() {
        return new Condition(this);
    }

    @Override
    public String toString() {
        Object o = ownerAcquire();
        return "Mutex@" + Integer.toHexString(System.identityHashCode(this)) + "[" + kind + ", "
                + (o == null ? "unlocked" : "owned by " + describe(o)) + "]";
    }

    // ---- for Condition ----

    /** The owner identity of the caller: its task, or the host thread. */
    static Object identity(WaitContext w) {
        return identity(w.task());
    }

    /** The owner identity of {@code t}, or of the calling host thread if {@code t} is null (also ReadWriteLock, Barrier). */
    static Object identity(TaskControlBlock t) {
        return t != null ? t : Thread.currentThread();
    }

    /** Throws NotPermittedException unless {@code me} owns the mutex. */
    void checkOwner(Object me, String operation, String rule) {
        queue.lock();
        try {
            checkOwnerLocked(me, operation, rule);
        } finally {
            queue.unlock();
        }
    }

    /**
     * Releases every level of ownership of {@code me} and hands the mutex on.
     *
     * @return the depth to restore on re-acquire
     */
    int releaseFully(Object me, String operation, String rule) {
        WaitNode won;
        int saved;
        queue.lock();
        try {
            checkOwnerLocked(me, operation, rule);
            saved = depth;
            won = handOffLocked();
        } finally {
            queue.unlock();
        }
        WaitQueue.wake(won);
        return saved;
    }

    /**
     * Re-acquires the mutex for {@code me} with {@code savedDepth}, waiting as long as it takes even if
     * the task is killed meanwhile (the condition's promise, SPEC §9).
     *
     * @param alreadyKilled whether the caller's wait just ended by kill (skip the killable attempt)
     * @return whether a kill was seen (the caller must throw the kill throwable after it returns)
     */
    boolean reacquire(WaitContext w, Object me, int savedDepth, boolean alreadyKilled) {
        boolean killed = alreadyKilled;
        for (;;) {
            WaitNode n;
            queue.lock();
            try {
                if (ownerAcquire() == null) {
                    setOwnerLocked(me, savedDepth);
                    return killed;
                }
                assert ownerAcquire() != me : "reacquire by the owner " + describe(me);
                n = enqueueLocked(me, savedDepth);
            } finally {
                queue.unlock();
            }
            int outcome = killed
                    ? UNKILLABLE.await(HostWaiter.INSTANCE, n, Blocker.NO_DEADLINE)
                    : w.await(n, Blocker.NO_DEADLINE);
            if (outcome == WaitNode.SIGNALLED) {
                assert ownerAcquire() == me;
                return killed;
            }
            assert outcome == WaitNode.KILLED : outcome;
            killed = true; // got nothing (M3); wait again, unkillably
        }
    }

    // ---- internals ----

    /** Takes a free mutex or relocks a recursive one; throws on a forbidden relock. */
    private boolean acquireOrRelockLocked(Object me, String operation) {
        assert queue.isHeldByCurrentThread();
        if (ownerAcquire() == null) {
            setOwnerLocked(me, 1);
            return true;
        }
        if (ownerAcquire() != me) {
            return false;
        }
        if (kind == MutexKind.RECURSIVE) {
            relockLocked();
            return true;
        }
        throw new DeadlockException(operation + " on " + this + ": the caller already owns this " + kind
                + " mutex; relocking it would wait for itself"
                + (kind == MutexKind.NORMAL ? " (POSIX hangs here; tasklife makes it an error rather than a hang)" : ""));
    }

    private void relockLocked() {
        if (depth == Integer.MAX_VALUE) {
            throw new IllegalStateException("lock on " + this + ": recursion depth would exceed Integer.MAX_VALUE");
        }
        depth++;
    }

    private void setOwnerLocked(Object me, int d) {
        assert queue.isHeldByCurrentThread();
        assert (me == null) == (d == 0) && d >= 0 : "M1: owner " + me + " with depth " + d;
        OWNER.setRelease(this, me);
        depth = d;
    }

    private Object ownerAcquire() {
        return OWNER.getAcquire(this);
    }

    private WaitNode enqueueLocked(Object me, int d) {
        WaitNode n = new WaitNode(queue, channel);
        n.payload = new Claim(me, d); // M2
        queue.enqueueLocked(n);
        return n;
    }

    private void checkOwnerLocked(Object me, String operation, String rule) {
        assert queue.isHeldByCurrentThread();
        if (ownerAcquire() != me) {
            throw new NotPermittedException(operation + " on " + this + " by " + describe(me)
                    + ": " + rule + (ownerAcquire() == null ? " (the mutex is not locked)" : " (it is owned by " + describe(ownerAcquire()) + ")"));
        }
    }

    /** Frees the mutex and hands it to the first waiter whose node this call wins (M2, K9). */
    private WaitNode handOffLocked() {
        assert queue.isHeldByCurrentThread();
        WaitNode n;
        while ((n = queue.pollLocked()) != null) {
            Claim c = (Claim) n.payload;
            setOwnerLocked(c.owner(), c.depth()); // M2: before the winning CAS
            if (n.trySignal()) {
                return n;
            }
            // that waiter was killed or timed out: it gets nothing, try the next (K9)
        }
        setOwnerLocked(null, 0);
        return null;
    }

    /** Names an identity for messages and wait channels: "task 7", "host thread 'main'" or "nobody". */
    static String describe(Object who) {
        if (who == null) {
            return "nobody";
        }
        if (who instanceof TaskControlBlock t) {
            return "task " + t.id();
        }
        return "host thread '" + ((Thread) who).getName() + "'";
    }
}
