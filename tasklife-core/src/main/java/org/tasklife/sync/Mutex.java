package org.tasklife.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 * <p><b>Owner death (robust mutex, SPEC §9).</b> The kernel never unlocks a mutex for a task that is
 * still unwinding. But if the owner <em>ends</em> still holding it — its body returned or was killed
 * without unlocking, or it was declared stuck and disposed (SPEC K8) — the mutex goes to the next locker
 * (a queued waiter, or the next caller), whose lock call acquires it and throws
 * {@link OwnerDiedException}. That caller must repair the protected state and call
 * {@link #markConsistent()}; if it unlocks without doing so, the mutex becomes not recoverable: every
 * waiter and every later lock call throws {@link MutexNotRecoverableException}. Waiters never wait for
 * ever on a dead owner. A host thread that dies holding a mutex is noticed by the next lock call only
 * (waiters already queued behind it are not woken: host threads have no exit sequence).
 * A condition's re-acquire also takes a dead owner's mutex, without telling the waiter; it throws
 * {@link MutexNotRecoverableException} if the mutex became not recoverable.
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
     * Owner death (robust mutex):
     *  R1 while a task owns the mutex and someone is queued, our death watch is registered with that task
     *     (watched == owner); only contended mutexes pay for it, registered when the first waiter enqueues
     *     or when a hand-off leaves waiters behind. The owner's exit sequence (and the reaper for a stuck
     *     task) fires it; ownerDied() then hands the mutex to the next waiter with ownerDied set.
     *     Uncontended mutexes need no watch: the next locker sees the owner is dead (isDead) and takes
     *     over. A watch that cannot be registered because the owner just died means the same.
     *  R2 ownerDied is set when a dead owner's mutex changes hands and cleared only by markConsistent();
     *     whoever acquires the mutex (not relocks) while it is set is told (OwnerDiedException).
     *  R3 unlocking with ownerDied set makes the mutex not recoverable: free, every waiter won with owner
     *     null (handedOver() then throws), and every later lock call throws.
     * Lock order: queue lock -> the task's death-watch lock; watches fire with no lock held.
     *
     * Known limits: the unkillable re-acquire parks through a private Blocker with the host waiter, so
     * during it the task shows RUNNING rather than BLOCKED in snapshots. A hand-off to a task declared
     * dead at that very moment leaves the waiters behind it until the next locker takes over.
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
    private final Consumer<TaskControlBlock> deathWatch = this::ownerDied; // immutable: our registration
    private TaskControlBlock watched;             // guarded by queue lock: whose death watch holds us (R1)
    private volatile boolean ownerDied;           // written under queue lock: an owner died holding it (R2)
    private volatile boolean notRecoverable;      // written under queue lock, once: final state (R3)
    private volatile boolean destroyed;           // written under queue lock, once: final state

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
     * @throws OwnerDiedException if acquired from an owner that died holding it (the caller owns it)
     * @throws MutexNotRecoverableException if the mutex can never be locked again (not owned)
     */
    public void lock() {
        WaitContext w = WaitContext.current();
        w.checkpoint();
        Object me = identity(w);
        WaitNode n;
        int got;
        queue.lock();
        try {
            got = acquireOrEnqueueLocked(me, "lock()");
            n = got == WAIT ? enqueueLocked(me, 1) : null;
        } finally {
            queue.unlock();
        }
        if (got == WAIT) {
            int outcome = w.await(n, Blocker.NO_DEADLINE);
            if (outcome != WaitNode.SIGNALLED) {
                assert outcome == WaitNode.KILLED : outcome;
                throw w.killed(); // M3: owns nothing
            }
            got = handedOver(me, "lock()");
        }
        tellIfOwnerDied(got, "lock()");
    }

    /**
     * Acquires the mutex if it is free, without blocking; a RECURSIVE owner relocks. Works while a killed
     * task unwinds (SPEC K5).
     *
     * @return whether the caller now owns it ({@code false} if another owns it, or the caller owns a
     *     non-recursive mutex: POSIX EBUSY)
     * @throws OwnerDiedException if acquired from an owner that died holding it (the caller owns it)
     * @throws MutexNotRecoverableException if the mutex can never be locked again (not owned)
     */
    public boolean tryLock() {
        Object me = identity(TaskControlBlock.current());
        int got;
        queue.lock();
        try {
            checkRecoverableLocked("tryLock()");
            Object o = ownerAcquire();
            if (o == null) {
                setOwnerLocked(me, 1);
                got = ownerDied ? ACQUIRED_OWNER_DIED : ACQUIRED;
            } else if (o == me) {
                if (kind != MutexKind.RECURSIVE) {
                    return false;
                }
                relockLocked();
                got = RELOCKED;
            } else if (isDead(o)) {
                got = takeOverLocked(me);
            } else {
                return false;
            }
        } finally {
            queue.unlock();
        }
        tellIfOwnerDied(got, "tryLock()");
        return true;
    }

    /**
     * Acquires the mutex, waiting at most {@code timeout}. A free mutex is taken even if the timeout is
     * zero or negative (SPEC T1).
     *
     * @return {@code true} if acquired, {@code false} if the timeout elapsed first
     * @throws NullPointerException if {@code unit} is null
     * @throws DeadlockException if the caller already owns it and the kind is not RECURSIVE
     * @throws TaskKilledError if the calling task is killed before or while waiting
     * @throws OwnerDiedException if acquired from an owner that died holding it (the caller owns it)
     * @throws MutexNotRecoverableException if the mutex can never be locked again (not owned)
     */
    public boolean tryLock(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        WaitContext w = WaitContext.current();
        w.checkpoint();
        long deadline = Clock.deadlineAfter(w.clock().nanoTime(), unit.toNanos(timeout));
        Object me = identity(w);
        WaitNode n = null;
        int got;
        queue.lock();
        try {
            got = acquireOrEnqueueLocked(me, "tryLock(timeout)");
            if (got == WAIT) {
                if (deadline - w.clock().nanoTime() <= 0) {
                    return false;
                }
                n = enqueueLocked(me, 1);
            }
        } finally {
            queue.unlock();
        }
        if (got == WAIT) {
            int outcome = w.await(n, deadline);
            switch (outcome) {
                case WaitNode.SIGNALLED -> got = handedOver(me, "tryLock(timeout)");
                case WaitNode.TIMED_OUT -> {
                    return false;                              // M3
                }
                case WaitNode.KILLED -> throw w.killed();      // M3
                default -> throw new IllegalStateException("tryLock(timeout) on " + this + ": node " + n
                        + " ended with impossible outcome " + outcome);
            }
        }
        tellIfOwnerDied(got, "tryLock(timeout)");
        return true;
    }

    /**
     * Releases one level of ownership; when the last level is released, the mutex goes to the longest
     * waiting locker still waiting, if any. Never blocks; works while a killed task unwinds (SPEC K5).
     *
     * @throws NotPermittedException if the caller does not own the mutex (state unchanged)
     */
    public void unlock() {
        Object me = identity(TaskControlBlock.current());
        WaitNode won = null;
        List<WaitNode> givenUp = List.of();
        queue.lock();
        try {
            checkOwnerLocked(me, "unlock()", "only the owner may unlock a mutex");
            if (--depth > 0) {
                return;
            }
            if (ownerDied) {
                givenUp = giveUpLocked(); // R3: the state was never marked consistent
            } else {
                won = handOffLocked();
            }
        } finally {
            queue.unlock();
        }
        WaitQueue.wake(won); // M4
        givenUp.forEach(WaitQueue::wake);
    }

    /**
     * Declares the state the mutex protects consistent again after this caller acquired it with an
     * {@link OwnerDiedException} (POSIX {@code pthread_mutex_consistent}). Without this call, the next
     * {@link #unlock()} makes the mutex unusable for ever ({@link MutexNotRecoverableException}).
     *
     * @throws NotPermittedException if the caller does not own the mutex
     * @throws IllegalStateException if the mutex is not in the owner-died state (state unchanged)
     */
    public void markConsistent() {
        Object me = identity(TaskControlBlock.current());
        queue.lock();
        try {
            checkOwnerLocked(me, "markConsistent()", "only the owner may mark a mutex consistent");
            if (!ownerDied) {
                throw new IllegalStateException("markConsistent() on " + this
                        + ": the mutex is consistent (no owner died holding it since it was last marked)");
            }
            ownerDied = false;
        } finally {
            queue.unlock();
        }
    }

    /**
     * Destroys the mutex (POSIX {@code pthread_mutex_destroy}): every later call but {@link #isDestroyed()}
     * and introspection throws {@link DestroyedException}. Destroying a mutex that is locked or has
     * waiters is an error (POSIX EBUSY; POSIX leaves it undefined, H2 silently ignored it).
     *
     * @throws BusyException if the mutex is locked or someone waits for it (state unchanged)
     * @throws DestroyedException if it was already destroyed
     */
    public void destroy() {
        queue.lock();
        try {
            checkNotDestroyedLocked("destroy()");
            if (ownerAcquire() != null || queue.sizeLocked() > 0) {
                throw new BusyException("destroy() on " + this + ": a mutex that is locked or has waiters ("
                        + queue.sizeLocked() + ") cannot be destroyed");
            }
            destroyed = true;
        } finally {
            queue.unlock();
        }
    }

    /** Whether {@link #destroy()} was called. */
    public boolean isDestroyed() {
        return destroyed;
    }

    /** Whether the last owner died holding the mutex and nobody has marked it consistent since. */
    public boolean isOwnerDied() {
        return ownerDied;
    }

    /** Whether the mutex was given up in the owner-died state and can never be locked again. */
    public boolean isNotRecoverable() {
        return notRecoverable;
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
                checkRecoverableLocked("condition await (re-acquiring its mutex)");
                Object o = ownerAcquire();
                assert o != me : "reacquire by the owner " + describe(me);
                if (o == null) {
                    setOwnerLocked(me, savedDepth);
                    return killed;
                }
                if (isDead(o) || !watchOwnerLocked()) {
                    takeOverLocked(me);
                    depth = savedDepth;
                    return killed;
                }
                n = enqueueLocked(me, savedDepth);
            } finally {
                queue.unlock();
            }
            int outcome = killed
                    ? UNKILLABLE.await(HostWaiter.INSTANCE, n, Blocker.NO_DEADLINE)
                    : w.await(n, Blocker.NO_DEADLINE);
            if (outcome == WaitNode.SIGNALLED) {
                handedOver(me, "condition await (re-acquiring its mutex)");
                return killed;
            }
            assert outcome == WaitNode.KILLED : outcome;
            killed = true; // got nothing (M3); wait again, unkillably
        }
    }

    // ---- internals ----

    /** Results of an acquisition attempt. */
    private static final int WAIT = 0;                 // the caller must enqueue
    private static final int ACQUIRED = 1;             // took it, consistent
    private static final int ACQUIRED_OWNER_DIED = 2;  // took it; an owner died holding it (R2)
    private static final int RELOCKED = 3;             // recursive relock by the owner

    /**
     * Takes a free mutex, a dead owner's mutex (R2) or relocks a recursive one; otherwise makes sure the
     * owner's death will hand the mutex on (R1) and answers {@link #WAIT}. Throws on a forbidden relock
     * or a mutex that is not recoverable.
     */
    private int acquireOrEnqueueLocked(Object me, String operation) {
        assert queue.isHeldByCurrentThread();
        checkRecoverableLocked(operation);
        Object o = ownerAcquire();
        if (o == null) {
            setOwnerLocked(me, 1);
            return ownerDied ? ACQUIRED_OWNER_DIED : ACQUIRED;
        }
        if (o != me) {
            if (isDead(o) || !watchOwnerLocked()) {
                return takeOverLocked(me);
            }
            return WAIT;
        }
        if (kind == MutexKind.RECURSIVE) {
            relockLocked();
            return RELOCKED;
        }
        throw new DeadlockException(operation + " on " + this + ": the caller already owns this " + kind
                + " mutex; relocking it would wait for itself"
                + (kind == MutexKind.NORMAL ? " (POSIX hangs here; tasklife makes it an error rather than a hang)" : ""));
    }

    /** After a SIGNALLED wait: the hand-off made the caller owner, or the mutex became not recoverable. */
    private int handedOver(Object me, String operation) {
        queue.lock();
        try {
            if (ownerAcquire() != me) {
                assert notRecoverable;
                throw notRecoverable(operation);
            }
            return ownerDied ? ACQUIRED_OWNER_DIED : ACQUIRED;
        } finally {
            queue.unlock();
        }
    }

    private void tellIfOwnerDied(int got, String operation) {
        if (got == ACQUIRED_OWNER_DIED) {
            throw new OwnerDiedException(operation + " on " + this + ": acquired, but its previous owner ended while"
                    + " holding it; repair the state it protects, then call markConsistent(), or unlock() to make it"
                    + " unusable", this);
        }
    }

    private void checkRecoverableLocked(String operation) {
        checkNotDestroyedLocked(operation);
        if (notRecoverable) {
            throw notRecoverable(operation);
        }
    }

    private MutexNotRecoverableException notRecoverable(String operation) {
        return new MutexNotRecoverableException(operation + " on " + this + ": an owner acquired it after its"
                + " previous owner died and unlocked it without markConsistent(); it can never be locked again");
    }

    /** Whether {@code o}, the owner, has ended (R2): a task declared dead, or a host thread no longer alive. */
    private static boolean isDead(Object o) {
        return o instanceof TaskControlBlock t ? t.isDead() : !((Thread) o).isAlive();
    }

    /** Takes the mutex from a dead owner (R2); waiters stay queued behind the new owner. */
    private int takeOverLocked(Object me) {
        ownerDied = true;
        setOwnerLocked(me, 1);
        rewatchLocked();
        return ACQUIRED_OWNER_DIED;
    }

    /**
     * Registers our death watch with a task owner (R1), moving it from a previous owner.
     *
     * @return false if the owner is a task that is already dead (the caller takes the mutex over)
     */
    private boolean watchOwnerLocked() {
        if (!(ownerAcquire() instanceof TaskControlBlock t) || watched == t) {
            return true; // host owners are not watched (R1)
        }
        unwatchLocked();
        if (!t.watchDeath(deathWatch)) {
            return false;
        }
        watched = t;
        return true;
    }

    private void unwatchLocked() {
        if (watched != null) {
            watched.unwatchDeath(deathWatch);
            watched = null;
        }
    }

    /** Keeps R1 after the owner changed: watched iff a task owns the mutex and someone waits for it. */
    private void rewatchLocked() {
        if (queue.sizeLocked() > 0 && ownerAcquire() instanceof TaskControlBlock) {
            watchOwnerLocked(); // false: the new owner died at this very moment; the next locker takes it over
        } else {
            unwatchLocked();
        }
    }

    /** The death watch: {@code t} ended; if it still owns the mutex, the next waiter gets it, owner-died. */
    private void ownerDied(TaskControlBlock t) {
        WaitNode won;
        queue.lock();
        try {
            if (watched == t) {
                watched = null; // the task dropped its watches when it fired them
            }
            if (ownerAcquire() != t || notRecoverable) {
                return; // unlocked in time
            }
            ownerDied = true;
            won = handOffLocked();
        } finally {
            queue.unlock();
        }
        WaitQueue.wake(won);
    }

    /** R3: unlocked in the owner-died state: free for ever; every waiter is won, to wake after unlock and throw. */
    private List<WaitNode> giveUpLocked() {
        notRecoverable = true;
        ownerDied = false;
        setOwnerLocked(null, 0);
        unwatchLocked();
        List<WaitNode> woken = new ArrayList<>();
        WaitNode n;
        while ((n = queue.pollLocked()) != null) {
            if (n.trySignal()) {
                woken.add(n); // owner stays null: handedOver() sees it and throws
            }
        }
        return woken;
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

    private void checkNotDestroyedLocked(String operation) {
        if (destroyed) {
            throw new DestroyedException(operation + " on " + this + ": the mutex was destroyed");
        }
    }

    private void checkOwnerLocked(Object me, String operation, String rule) {
        assert queue.isHeldByCurrentThread();
        checkNotDestroyedLocked(operation);
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
                rewatchLocked(); // R1 for the new owner
                return n;
            }
            // that waiter was killed or timed out: it gets nothing, try the next (K9)
        }
        setOwnerLocked(null, 0);
        unwatchLocked();
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
