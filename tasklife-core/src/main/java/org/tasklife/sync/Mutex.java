package org.tasklife.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.WaitContext;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitChannel;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;

/**
 * A kill-aware mutual-exclusion lock (docs/contract.md, §9): at most one owner at a time, and every wait ends when
 * the waiting task is killed (K2).
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
 * times. {@link MutexKind#ERROR_CHECKING}: a relock by the owner throws {@link TaskLifeException} ({@code DEADLOCK}).
 * {@link MutexKind#NORMAL} (the default): POSIX deadlocks on a relock by the owner; tasklife makes it
 * an error rather than a hang and throws {@link TaskLifeException} ({@code DEADLOCK}) as well.
 *
 * <p><b>Fairness.</b> A mutex is <em>non-fair</em> (barging) unless created with {@code fair = true},
 * like {@code new ReentrantLock()}. Lockers that find it owned queue in arrival order, and each unlock
 * with lockers queued frees the mutex and wakes the longest waiting one, which then competes for it: a
 * locker that arrives meanwhile (the releaser relocking at once, typically) may take it first. A woken
 * waiter that loses goes back to the <em>head</em> of the queue, so it stays next in line, but newcomers
 * may overtake it any number of times: there is no bound on barging, as for the JDK's non-fair locks.
 * In exchange a contended mutex passes between running tasks without a park and an unpark per lock.
 * A <em>fair</em> mutex ({@link #Mutex(MutexKind, boolean)}) never lets a newcomer overtake a queued
 * locker: unlock hands the mutex directly to the longest waiting locker, which owns it when it wakes
 * (strict FIFO, like {@code new ReentrantLock(true)}), at the price of a context switch per contended
 * hand-off. {@link #tryLock()} follows the policy: on a fair mutex it fails while lockers are queued.
 *
 * <p><b>Kill.</b> A task killed while blocked in {@link #lock()} or {@link #tryLock(long, TimeUnit)}
 * throws {@link TaskKilledError} and does not own the mutex. A kill racing the entry into the wait
 * is never lost (K3). If the mutex was handed to (fair) or freed for (non-fair) a waiter that is killed
 * or times out at the same moment, the hand-off or the wake-up goes to the next waiter (K9); so does the
 * wake-up of a non-fair waiter killed after it was woken but before it competed. A kill that arrives
 * <em>after</em> the caller obtained the mutex does not undo it: {@code lock()} returns normally and the
 * task observes the kill at its next blocking call, after which its {@code finally} unlocks.
 *
 * <p><b>Misuse.</b> Unlocking a mutex the caller does not own throws {@link TaskLifeException} ({@code NOT_PERMITTED})
 * for every kind; the mutex is unchanged.
 *
 * <p><b>Memory effects.</b> As for {@link java.util.concurrent.locks.Lock}: a successful
 * {@code unlock()} happens-before every later successful lock of the same mutex.
 *
 * <p><b>Owner death (robust mutex, docs/contract.md, §9).</b> The kernel never unlocks a mutex for a task that is
 * still unwinding. But if the owner <em>ends</em> still holding it — its body returned or was killed
 * without unlocking, or it was declared stuck and disposed (docs/contract.md, K8) — the mutex goes to the next locker
 * (a queued waiter, or the next caller), whose lock call acquires it and throws
 * {@link OwnerDiedException}. That caller must repair the protected state and call
 * {@link #markConsistent()}; if it unlocks without doing so, the mutex becomes not recoverable: every
 * waiter and every later lock call throws {@link MutexNotRecoverableException}. Waiters never wait for
 * ever on a dead owner. A host thread that dies holding a mutex is noticed by the next lock call only
 * (waiters already queued behind it are not woken: host threads have no exit sequence).
 * A condition's re-acquire also takes a dead owner's mutex, and tells the waiter the same way:
 * {@link Condition#await()} throws {@link OwnerDiedException} holding the mutex (a killed waiter's kill
 * throwable carries it as a suppressed exception); it throws {@link MutexNotRecoverableException} if the
 * mutex became not recoverable.
 */
public final class Mutex {
    /*
     * Implementation notes
     *
     * Overview: the owner is one atomic word (OWNER, a VarHandle on `owner`): an uncontended lock is
     * one CAS null -> me, an uncontended unlock one CAS me -> null followed by a volatile read of the
     * `queued` flag; neither takes the wait queue's lock. Everything else (queueing, kinds, robust
     * owner death, destroy, not-recoverable) runs on the slow path under the queue lock, as before.
     * Special states of a mutex that is not owned are sentinels in the owner word, so a fast-path CAS
     * from null can never take them:
     *   DESTROYED        destroy() succeeded (final)
     *   NOT_RECOVERABLE  unlocked in the owner-died state (final, R3)
     *   OWNER_DIED_FREE  free, but an owner died holding it: the next acquirer is told (R2)
     *
     * States (owner word):
     *   null            -> me               // lock/tryLock fast path, or slow path (CAS)
     *   me              -> null             // unlock, last level (CAS); then wake if queued (M5)
     *   me              -> claimant         // fair hand-off on unlock, under the queue lock (M2)
     *   null            -> claimant         // fair hand-off after a fast unlock saw `queued` (M2)
     *   dead owner      -> me               // take-over by a locker (R2), under the queue lock
     *   dead owner      -> OWNER_DIED_FREE  // its death watch fired (R1), under the queue lock
     *   OWNER_DIED_FREE -> me | claimant    // next acquirer, told (R2)
     *   me              -> OWNER_DIED_FREE  // condition wait releasing an owner-died mutex
     *   me              -> NOT_RECOVERABLE  // unlock without markConsistent (R3)
     *   null            -> DESTROYED        // destroy(), only with nobody queued or woken
     * Every write is a CAS from the value the writer knows, so a dead owner that is in fact still
     * running (K8) and unlocks cannot overwrite a take-over: its CAS fails and it gets
     * TaskLifeException(NOT_PERMITTED), as it did when all of this ran under the lock.
     *
     * Invariants:
     *  M1 depth >= 1 while owned; it is owner-confined: written only by the owner (or by a fair hand-off
     *     for the claimant, after its owner CAS and before the signal that publishes it).
     *  M2 fair hand-off: owner CAS to the claimant, depth, then the claimant's trySignal; if the CAS on
     *     the node loses (killed or timed out: K9), the owner word is CASed back and the next node is
     *     tried. A claimant that reads SIGNALLED finds owner == itself.
     *  M3 a node whose outcome is KILLED or TIMED_OUT was handed nothing and owes nothing.
     *  M4 waiters are woken after the queue lock is released (K10).
     *  M5 (no lost wake-up, the Dekker handshake) `queued` is true whenever a node may be linked: a
     *     locker sets it (volatile) under the queue lock BEFORE it re-reads the owner and enqueues only
     *     if the owner is still the one it saw; an unlocker CASes the owner (volatile) BEFORE it reads
     *     `queued`. Both are sequentially consistent, so either the locker sees the release (and retries)
     *     or the unlocker sees the flag (and takes the slow path). `queued` is cleared only under the
     *     queue lock, when no node is linked.
     *  M6 non-fair wake-up: the slow unlock wakes the first WAITING node to compete (payload COMPETE)
     *     only if the mutex is free and no earlier competitor is still on its way (`woken` counts them;
     *     written under the queue lock, volatile). A competitor re-enters the acquire loop under the
     *     queue lock, lowers `woken`, and only then re-reads the owner: it takes a free mutex, or
     *     re-queues at the HEAD. So an unlock that reads `woken` > 0 after its CAS need not take the
     *     queue lock at all: the competitor will see that release (a second Dekker pair, `woken` against
     *     `owner`, like AQS's head status). If the competitor was killed first it passes the wake-up on
     *     (passOnWakeUp), so a free mutex with queued waiters always has a competitor coming.
     *  M7 fair mode: a locker takes a free mutex only if no WAITING node is queued; a free mutex with
     *     WAITING nodes means a releaser's slow path is about to hand it to the head (by M5 it saw
     *     `queued`), so the newcomer queues behind them.
     *  M8 (caller identity without the ThreadLocal) a thread's owner identity is its task from
     *     TaskControlBlock.start() to publish() (terminated), and the thread itself otherwise; a thread
     *     never runs a task after it ran outside one (TaskRunner starts a fresh thread per task). So a
     *     (thread, identity) pair stays valid while the identity is the thread itself or a task not yet
     *     terminated, and Callers.isCaller() decides from Thread.currentThread() alone whether an identity is
     *     the caller's: it is the thread, or a task whose thread it is and that has not terminated.
     *     lock()/tryLock() keep the last locker's identity as a hint (lastLocker, a racy plain field,
     *     validated by isCaller before use), and unlock() recognises its caller in the owner word the
     *     same way; the ThreadLocal lookup this saves costs about as much as the CAS.
     *     Asserts compare both with TaskControlBlock.current(). A scheduler that reused threads for
     *     tasks would have to revisit this.
     *  M9 `conditionWaiters` counts the condition awaits in progress on this mutex (from before the release
     *     to after the re-acquire); each await adds and removes itself while it owns the mutex. destroy()
     *     CASes the owner word to DESTROYED first and reads the count after (both sequentially consistent):
     *     an await that counted itself did so while owning, hence before the release that let the CAS
     *     succeed, so the read sees it and destroy puts the owner word back and refuses (the waiter would
     *     re-acquire a destroyed mutex). The DESTROYED value lives only under the queue lock meanwhile, where
     *     every acquisition that meets it waits for its verdict.
     *
     * Concurrency: `owner` is read and CASed without the lock; `depth` is owner-confined (M1); `queued`,
     * `woken`, `watched` and the queue are written under the queue lock. Lock order: a Condition's queue
     * lock and this queue lock are never held together; queue lock -> a task's death-watch lock.
     *
     * Memory ordering: an unlock's CAS (volatile write) happens-before the CAS of the next locker that
     * reads its null; for a fair hand-off the owner and depth writes precede the outcome CAS the waiter
     * reads. M5 needs both sides sequentially consistent (release/acquire is not enough), hence
     * compareAndSet and setVolatile/getVolatile for `owner` and `queued`.
     *
     * Kill and cleanup: lock() throws the kill throwable only when its node's outcome is KILLED (M3) or
     * when it sees the kill while competing after a wake-up, which it first passes on (M6). Condition
     * .await re-acquires through reacquire(), which keeps waiting after a kill, in an unkillable park (a
     * killed task cannot park through its own waiter: beginWait refuses), so that the await can keep its
     * promise to return holding the mutex.
     *
     * Owner death (robust mutex):
     *  R1 while a task owns the mutex and someone is queued, our death watch is registered with that task
     *     (watched == owner); only contended mutexes pay for it. It is (re)registered under the queue lock
     *     whenever the owner may have changed with waiters queued: by a locker before it enqueues (on the
     *     owner it saw, re-checked after M5), by a slow unlock that finds a barger owning the mutex, by a
     *     woken competitor that acquires with waiters left, and by a hand-off. A barger that took the
     *     mutex on the fast path is covered by the slow unlock or the competitor that follows its taking
     *     (M5, M6). The owner's exit sequence (and the reaper for a stuck task) fires the watch;
     *     ownerDied() then moves the mutex to OWNER_DIED_FREE and wakes (non-fair) or hands it to (fair)
     *     the next waiter. Uncontended mutexes need no watch: the next locker sees the owner is dead
     *     (isDead) and takes over. A watch that cannot be registered because the owner just died means
     *     the same.
     *  R2 ownerDied is set when a dead owner's mutex changes hands (or becomes OWNER_DIED_FREE) and
     *     cleared only by markConsistent(); whoever acquires the mutex (not relocks) while it is set is
     *     told (OwnerDiedException), a condition's re-acquire included (reacquire() reports it, Condition C4). The fast paths never run while it is set: acquiring needs a CAS from
     *     null, and unlock checks the flag first.
     *  R3 unlocking with ownerDied set makes the mutex not recoverable: NOT_RECOVERABLE, every waiter
     *     woken (payload GIVEN_UP), and every lock call, theirs included, throws.
     *
     * Known limits: barging is unbounded (see the class comment); a fair mutex can be overtaken only by
     * a locker whose fast path read `queued` just before the first waiter set it (they arrived at the
     * same moment). The unkillable re-acquire parks with the host waiter (WaitContext.awaitUnkillable, through the
     * kernel's dispatch, so in scheduler mode it gives up its CPU), so during it the task shows RUNNING rather than BLOCKED in snapshots. A hand-off to a task declared
     * dead at that very moment leaves the waiters behind it until the next locker takes over. A task
     * declared dead (K8) that keeps running and relocks a RECURSIVE mutex it held can race the take-over's
     * depth write (ownership itself stays exact: every owner write is a CAS). queueLength() does not
     * count a woken competitor on its way back to the queue. No spinning: a woken competitor that loses
     * re-parks at once (bounded AQS-style spinning, 64 onSpinWait polls, made no measurable difference
     * on the 2-core benchmark machine, so it was left out). The uncontended pair still costs about 1.5x
     * ReentrantLock's: the owner word is a reference (its CAS pays G1's barriers, an int CAS would not)
     * and a task caller is checked for kills (K5) and recognised through its thread (M8). lastLocker
     * keeps the last locker's task or thread reachable until another locker replaces it.
     *
     * References: JDK AbstractQueuedSynchronizer / ReentrantLock (non-fair acquire, fair hasQueuedPredecessors),
     * POSIX pthread_mutex_lock (EOWNERDEAD, ENOTRECOVERABLE, EBUSY for destroy).
     */

    private static final VarHandle OWNER;
    private static final VarHandle QUEUED;
    private static final VarHandle WOKEN;
    private static final VarHandle COND_WAITERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            OWNER = l.findVarHandle(Mutex.class, "owner", Object.class);
            QUEUED = l.findVarHandle(Mutex.class, "queued", boolean.class);
            WOKEN = l.findVarHandle(Mutex.class, "woken", int.class);
            COND_WAITERS = l.findVarHandle(Mutex.class, "conditionWaiters", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A special value of the owner word for a mutex nobody owns (see the implementation notes). */
    private static final class Sentinel {
        private final String name; // immutable

        Sentinel(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Sentinel DESTROYED = new Sentinel("destroyed");
    private static final Sentinel NOT_RECOVERABLE = new Sentinel("not recoverable");
    private static final Sentinel OWNER_DIED_FREE = new Sentinel("free, owner died");

    /** Payload of a node woken to compete (non-fair, M6). */
    private static final Object COMPETE = new Sentinel("compete");
    /** Payload of a node woken because the mutex became not recoverable (R3). */
    private static final Object GIVEN_UP = new Sentinel("given up");

    /**
     * What a waiter asks for: written by the waiter into its node's payload before enqueueing (M2), unless its
     * depth is 1 (every lock() call): then the payload is its owner identity alone, no object per waiter. An
     * identity is never a Sentinel, so a payload is a claim, COMPETE or GIVEN_UP, unambiguously.
     */
    private record Claim(Object owner, int depth) {}


    private final MutexKind kind;                 // immutable
    private final boolean fair;                   // immutable
    private final WaitQueue queue = new WaitQueue(); // immutable; its lock guards the slow path
    private final WaitChannel channel;            // immutable: describes waits on this mutex
    @SuppressWarnings("unused")                   // accessed through OWNER
    private volatile Object owner;                // TaskControlBlock, host Thread, null or a Sentinel; CAS only
    private int depth;                            // owner-confined (M1)
    @SuppressWarnings("unused")                   // accessed through QUEUED
    private volatile boolean queued;              // written under queue lock: a node may be linked (M5)
    @SuppressWarnings("unused")                   // accessed through WOKEN
    private volatile int woken;                   // written under queue lock: competitors on their way (M6)
    private final Consumer<TaskControlBlock> deathWatch = this::ownerDied; // immutable: our registration
    private TaskControlBlock watched;             // guarded by queue lock: whose death watch holds us (R1)
    private volatile boolean ownerDied;           // written under queue lock (R2)
    private volatile boolean notRecoverable;      // written under queue lock, once: final state (R3)
    private volatile boolean destroyed;           // written under queue lock, once: final state
    private Object lastLocker;                    // racy hint, plain: an owner identity, validated before use (M8)
    @SuppressWarnings("unused")                   // accessed through COND_WAITERS
    private volatile int conditionWaiters;        // awaits of our conditions in progress; changed by their owner (M9)

    /** A {@link MutexKind#NORMAL}, non-fair mutex. */
    public Mutex() {
        this(MutexKind.NORMAL, false);
    }

    /**
     * A non-fair mutex of the given kind.
     *
     * @param kind what a relock by the owner does
     * @throws NullPointerException if {@code kind} is null
     */
    public Mutex(MutexKind kind) {
        this(kind, false);
    }

    /**
     * A mutex of the given kind and fairness policy (see the class comment).
     *
     * @param kind what a relock by the owner does
     * @param fair {@code true}: strict FIFO hand-off to queued lockers; {@code false}: barging
     * @throws NullPointerException if {@code kind} is null
     */
    public Mutex(MutexKind kind, boolean fair) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.fair = fair;
        this.channel = WaitChannel.lazy(() -> "mutex@" + Integer.toHexString(System.identityHashCode(this))
                + " owned by " + Callers.describe(ownerVolatile()));
    }

    /** {@return the kind given at construction} */
    public MutexKind kind() {
        return kind;
    }

    /** {@return whether the mutex hands itself to queued lockers in strict FIFO order (see the class comment)} */
    public boolean isFair() {
        return fair;
    }

    /**
     * Acquires the mutex, blocking until it is obtained or the calling task is killed.
     *
     * @throws TaskLifeException ({@code DEADLOCK}) if the caller already owns it and the kind is not RECURSIVE
     * @throws TaskKilledError if the calling task is killed before or while waiting (it then does not own
     *     the mutex)
     * @throws OwnerDiedException if acquired from an owner that died holding it (the caller owns it)
     * @throws MutexNotRecoverableException if the mutex can never be locked again (not owned)
     */
    public void lock() {
        WaitContext.safePoint(); // before the kill check: a task killed while switched out takes nothing
        Object me = callerIdentity(true); // K5: a killed task takes nothing, not even a free mutex
        if (tryFastAcquire(me)) {
            return;
        }
        WaitContext w = WaitContext.current();
        int got = acquireSlow(w, me, 1, false, Blocker.NO_DEADLINE, null, "lock()");
        tellIfOwnerDied(got, "lock()");
    }

    /**
     * Acquires the mutex if it is free, without blocking; a RECURSIVE owner relocks. A fair mutex is not
     * taken while lockers are queued for it. Works while a killed task unwinds (docs/contract.md, K5).
     *
     * @return whether the caller now owns it ({@code false} if another owns it, or the caller owns a
     *     non-recursive mutex: POSIX EBUSY)
     * @throws OwnerDiedException if acquired from an owner that died holding it (the caller owns it)
     * @throws MutexNotRecoverableException if the mutex can never be locked again (not owned)
     */
    public boolean tryLock() {
        Object me = callerIdentity(false);
        if (tryFastAcquire(me)) {
            return true;
        }
        int got;
        queue.lock();
        try {
            if (kind != MutexKind.RECURSIVE && ownerVolatile() == me) {
                checkRecoverableLocked("tryLock()");
                return false; // the owner of a non-recursive mutex: EBUSY, not an error for the try
            }
            got = acquireLocked(me, 1, false, "tryLock()");
        } finally {
            queue.unlock();
        }
        if (got == WAIT) {
            return false;
        }
        tellIfOwnerDied(got, "tryLock()");
        return true;
    }

    /**
     * Acquires the mutex, waiting at most {@code timeout}. A free mutex is taken even if the timeout is
     * zero or negative (docs/contract.md, T1).
     *
     * @param timeout how long to wait at most, in {@code unit}s
     * @param unit the unit of {@code timeout}
     * @return {@code true} if acquired, {@code false} if the timeout elapsed first
     * @throws NullPointerException if {@code unit} is null
     * @throws TaskLifeException ({@code DEADLOCK}) if the caller already owns it and the kind is not RECURSIVE
     * @throws TaskKilledError if the calling task is killed before or while waiting
     * @throws OwnerDiedException if acquired from an owner that died holding it (the caller owns it)
     * @throws MutexNotRecoverableException if the mutex can never be locked again (not owned)
     */
    public boolean tryLock(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        Object me = callerIdentity(true);
        if (tryFastAcquire(me)) {
            return true; // T1: no clock needed for a free mutex
        }
        WaitContext w = WaitContext.current();
        long deadline = w.deadlineAfter(unit.toNanos(timeout));
        int got = acquireSlow(w, me, 1, true, deadline, null, "tryLock(timeout)");
        if (got == WAIT) {
            return false; // timed out, owning nothing (M3)
        }
        tellIfOwnerDied(got, "tryLock(timeout)");
        return true;
    }

    /**
     * Releases one level of ownership; when the last level is released, the mutex is freed for (non-fair)
     * or handed to (fair) the longest waiting locker, if any. Never blocks; works while a killed task
     * unwinds (docs/contract.md, K5).
     *
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller does not own the mutex (state unchanged)
     */
    public void unlock() {
        Object o = ownerPlain();
        if (Callers.isCaller(o) && depth == 1 && !ownerDied && !(fair && queuedVolatile())
                && OWNER.compareAndSet(this, o, null)) {
            if (mustWakeAfterFree()) { // M5: after the CAS
                wakeAfterFree();
            }
            WaitContext.safePoint();
            return;
        }
        unlockSlow(Callers.identity(TaskControlBlock.current()));
        WaitContext.safePoint();
    }

    /**
     * Declares the state the mutex protects consistent again after this caller acquired it with an
     * {@link OwnerDiedException} (POSIX {@code pthread_mutex_consistent}). Without this call, the next
     * {@link #unlock()} makes the mutex unusable for ever ({@link MutexNotRecoverableException}).
     *
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller does not own the mutex
     * @throws IllegalStateException if the mutex is not in the owner-died state (state unchanged)
     */
    public void markConsistent() {
        Object me = Callers.identity(TaskControlBlock.current());
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
     * and introspection throws {@link TaskLifeException} ({@code DESTROYED}). Destroying a mutex that is locked or has
     * waiters is an error (POSIX EBUSY; POSIX leaves it undefined, H2 silently ignored it).
     *
     * @throws TaskLifeException ({@code BUSY}) if the mutex is locked, someone waits for it, or a task or thread waits
     *     on one of its conditions (it will re-acquire the mutex); state unchanged
     * @throws TaskLifeException ({@code DESTROYED}) if it was already destroyed
     */
    public void destroy() {
        queue.lock();
        try {
            checkNotDestroyedLocked("destroy()");
            queue.firstWaitingLocked(); // drops decided nodes: only live waiters make it busy
            int waiting = queue.sizeLocked() + wokenVolatile();
            Object o = ownerVolatile(); // null, or a free sentinel (owner died, not recoverable): destroyable
            if (waiting > 0 || isOwner(o) || !OWNER.compareAndSet(this, o, DESTROYED)) {
                throw new TaskLifeException(Reason.BUSY,
                        "destroy() on " + this + ": a mutex that is locked or has waiters ("
                        + waiting + ") cannot be destroyed");
            }
            int inConditions = (int) COND_WAITERS.getVolatile(this); // M9: after the CAS
            if (inConditions > 0) {
                boolean restored = OWNER.compareAndSet(this, DESTROYED, o);
                assert restored : "M9: only the queue lock holder moves the owner word away from DESTROYED";
                throw new TaskLifeException(Reason.BUSY,
                        "destroy() on " + this + ": a mutex whose condition has waiters ("
                        + inConditions + "), which will re-acquire it, cannot be destroyed");
            }
            destroyed = true;
        } finally {
            queue.unlock();
        }
    }

    /** {@return whether {@link #destroy()} was called} */
    public boolean isDestroyed() {
        return destroyed;
    }

    /** {@return whether the last owner died holding the mutex and nobody has marked it consistent since} */
    public boolean isOwnerDied() {
        return ownerDied;
    }

    /** {@return whether the mutex was given up in the owner-died state and can never be locked again} */
    public boolean isNotRecoverable() {
        return notRecoverable;
    }

    /** {@return whether some task or thread owns the mutex (a moment's reading)} */
    public boolean isLocked() {
        return isOwner(ownerVolatile());
    }

    /** {@return whether the calling task (or host thread) owns the mutex} */
    public boolean isHeldByCurrentTask() {
        return ownerVolatile() == Callers.identity(TaskControlBlock.current());
    }

    /**
     * {@return the number of lockers (and condition waiters re-acquiring) queued for the mutex} A moment's
     * reading; a non-fair waiter woken to compete is not counted while it is on its way.
     */
    public int queueLength() {
        return queue.size();
    }

    /** {@return a new condition variable bound to this mutex} */
    public Condition newCondition() {
        return new Condition(this);
    }

    @Override
    public String toString() {
        Object o = ownerVolatile();
        return "Mutex@" + Integer.toHexString(System.identityHashCode(this)) + "[" + kind + (fair ? ", fair, " : ", ")
                + (isOwner(o) ? "owned by " + Callers.describe(o) : o == null ? "unlocked" : o.toString()) + "]";
    }

    // ---- for Condition ----

    /** Counts a condition await in (+1) or out (-1); the caller owns the mutex (M9). */
    void addConditionWaiter(int delta) {
        COND_WAITERS.getAndAdd(this, delta);
    }

    /** Throws TaskLifeException(NOT_PERMITTED) unless {@code me} owns the mutex. */
    void checkOwner(Object me, String operation, String rule) {
        if (ownerVolatile() == me) {
            return; // only me can move the owner word away from me while I am alive
        }
        queue.lock();
        try {
            checkOwnerLocked(me, operation, rule);
        } finally {
            queue.unlock();
        }
    }

    /**
     * Releases every level of ownership of {@code me} and frees or hands the mutex on; an owner-died
     * mutex stays owner-died for its next acquirer.
     *
     * @return the depth to restore on re-acquire
     */
    int releaseFully(Object me, String operation, String rule) {
        if (ownerPlain() == me && !ownerDied && !(fair && queuedVolatile())) {
            int saved = depth;
            if (OWNER.compareAndSet(this, me, null)) {
                if (mustWakeAfterFree()) { // M5
                    wakeAfterFree();
                }
                return saved;
            }
        }
        WaitNode won;
        int saved;
        queue.lock();
        try {
            checkOwnerLocked(me, operation, rule);
            saved = depth;
            won = releaseLocked(me, ownerDied ? OWNER_DIED_FREE : null);
        } finally {
            queue.unlock();
        }
        WaitQueue.wake(won); // M4
        return saved;
    }

    /** A bit of {@link #reacquire}'s answer: a kill was seen (the caller throws the kill throwable). */
    static final int REACQUIRED_KILLED = 1;
    /** A bit of {@link #reacquire}'s answer: acquired in the owner-died state (R2: the caller must tell). */
    static final int REACQUIRED_OWNER_DIED = 2;

    /**
     * Re-acquires the mutex for {@code me} with {@code savedDepth}, waiting as long as it takes even if
     * the task is killed meanwhile (the condition's promise, docs/contract.md, §9).
     *
     * @param alreadyKilled whether the caller's wait just ended by kill (skip the killable attempt)
     * @return {@link #REACQUIRED_KILLED} if a kill was seen, or'ed with {@link #REACQUIRED_OWNER_DIED} if
     *     the mutex was acquired while an owner's death was unrepaired (R2); the caller owns it either way
     */
    int reacquire(WaitContext w, Object me, int savedDepth, boolean alreadyKilled) {
        assert ownerVolatile() != me : "reacquire by the owner " + Callers.describe(me);
        if (!(fair && queuedVolatile()) && OWNER.compareAndSet(this, null, me)) {
            depth = savedDepth; // R2: a null owner word is never owner-died
            return alreadyKilled ? REACQUIRED_KILLED : 0;
        }
        boolean[] killed = {alreadyKilled};
        int got = acquireSlow(w, me, savedDepth, false, Blocker.NO_DEADLINE, killed,
                "condition await (re-acquiring its mutex)");
        return (killed[0] ? REACQUIRED_KILLED : 0) | (got == ACQUIRED_OWNER_DIED ? REACQUIRED_OWNER_DIED : 0);
    }

    /** The notice for a caller that acquired the mutex from a dead owner (R2); it owns the mutex. */
    OwnerDiedException ownerDied(String operation) {
        return new OwnerDiedException(operation + " on " + this + ": acquired, but its previous owner ended while"
                + " holding it; repair the state it protects, then call markConsistent(), or unlock() to make it"
                + " unusable", this);
    }

    // ---- internals: acquiring ----

    /**
     * The caller's owner identity (M8): the {@link #lastLocker} hint when it is the caller's, else the
     * task binding (a ThreadLocal), refreshing the hint.
     *
     * @param checkpoint whether to run the kill checkpoint of a task caller (K5)
     */
    private Object callerIdentity(boolean checkpoint) {
        Object id = lastLocker;
        if (!Callers.isCaller(id)) {
            id = Callers.identity(TaskControlBlock.current());
            lastLocker = id;
        }
        if (checkpoint && id instanceof TaskControlBlock t) {
            t.checkpoint();
        }
        return id;
    }

    /** Results of an acquisition attempt. */
    private static final int WAIT = 0;                 // not acquired: the caller must enqueue (or gives up)
    private static final int ACQUIRED = 1;             // took it, consistent
    private static final int ACQUIRED_OWNER_DIED = 2;  // took it; an owner died holding it (R2)
    private static final int RELOCKED = 3;             // recursive relock by the owner

    /** The fast path: one CAS from null (M7: a fair mutex only with nobody queued). */
    private boolean tryFastAcquire(Object me) {
        if ((!fair || !queuedVolatile()) && OWNER.compareAndSet(this, null, me)) {
            depth = 1;
            return true;
        }
        return false;
    }

    /**
     * The slow path of every blocking acquisition: under the queue lock, take the mutex or enqueue (M5),
     * park, and on a non-fair wake-up compete again from the head (M6).
     *
     * @param reacquireKilled null for lock()/tryLock(timeout) (killable); for a condition's re-acquire,
     *     a one-element flag: whether a kill was seen (then it parks unkillably and sets the flag)
     * @return ACQUIRED, ACQUIRED_OWNER_DIED or RELOCKED; WAIT only for a timed call whose deadline passed
     */
    private int acquireSlow(WaitContext w, Object me, int newDepth, boolean timed, long deadline,
            boolean[] reacquireKilled, String operation) {
        boolean competing = false; // we were woken to compete and still count in `woken` (M6)
        boolean atHead = false;    // re-queue at the head: we were woken and must not lose our place
        for (;;) {
            if (reacquireKilled == null && competing) {
                try {
                    w.checkpoint();
                } catch (Error killed) {
                    passOnWakeUp(); // M6: a killed competitor must not swallow the wake-up
                    throw killed;
                }
            }
            WaitNode n;
            queue.lock();
            try {
                if (competing) {
                    competing = false;
                    addWokenLocked(-1); // M6: before the owner re-check in acquireLocked
                }
                int got = acquireLocked(me, newDepth, true, operation);
                if (got != WAIT) {
                    if (queue.sizeLocked() > 0) {
                        rewatchLocked(); // R1: a competitor (or a newcomer) took it with waiters left
                    }
                    return got;
                }
                if (timed && w.hasPassed(deadline)) {
                    return WAIT; // T1: the free mutex was tried first
                }
                n = new WaitNode(queue, channel);
                n.payload = newDepth == 1 ? me : new Claim(me, newDepth); // M2 (a depth-1 claim is its owner alone)
                if (atHead) {
                    queue.enqueueFirstLocked(n);
                } else {
                    queue.enqueueLocked(n);
                }
            } finally {
                queue.unlock();
            }
            boolean unkillable = reacquireKilled != null && reacquireKilled[0];
            int outcome = unkillable ? w.awaitUnkillable(n) : w.await(n, deadline);
            switch (outcome) {
                case WaitNode.SIGNALLED -> {
                    Object p = n.payload;
                    if (p == COMPETE) {
                        competing = true; // M6
                        atHead = true;
                    } else if ((p == me || p instanceof Claim) && ownerVolatile() == me) {
                        return ownerDied ? ACQUIRED_OWNER_DIED : ACQUIRED; // M2: handed over (fair or robust)
                    } else {
                        assert p == GIVEN_UP : p; // R3: the next round throws MutexNotRecoverableException
                    }
                }
                case WaitNode.TIMED_OUT -> {
                    return WAIT; // M3
                }
                case WaitNode.KILLED -> {
                    if (reacquireKilled == null) {
                        throw w.killed(); // M3: owns nothing, owes nothing
                    }
                    reacquireKilled[0] = true; // got nothing (M3); wait again, unkillably
                }
                default -> throw new IllegalStateException(operation + " on " + this + ": node " + n
                        + " ended with impossible outcome " + outcome);
            }
        }
    }

    /**
     * Takes a free mutex, a dead owner's mutex (R2) or relocks a recursive one. Otherwise, if
     * {@code mayQueue}, makes sure the owner's death will hand the mutex on (R1) and publishes
     * {@code queued} (M5) before answering {@link #WAIT}: the caller then enqueues before unlocking.
     * Throws on a forbidden relock or a mutex that is destroyed or not recoverable.
     */
    private int acquireLocked(Object me, int newDepth, boolean mayQueue, String operation) {
        assert queue.isHeldByCurrentThread();
        for (;;) {
            checkRecoverableLocked(operation);
            Object o = ownerVolatile();
            if (o == null) {
                if (fair && queue.firstWaitingLocked() != null) {
                    // M7: a releaser is about to hand it to the head; queue behind
                } else if (OWNER.compareAndSet(this, null, me)) {
                    depth = newDepth;
                    return ACQUIRED;
                } else {
                    continue; // a barger took it
                }
            } else if (o == OWNER_DIED_FREE) {
                if (fair && queue.firstWaitingLocked() != null) {
                    // M7, as above (the hand-off runs under this lock, so this is transient)
                } else if (OWNER.compareAndSet(this, o, me)) {
                    depth = newDepth;
                    return ACQUIRED_OWNER_DIED; // R2: ownerDied was set when it became OWNER_DIED_FREE
                } else {
                    continue;
                }
            } else if (o == me) {
                if (kind == MutexKind.RECURSIVE) {
                    if (depth == Integer.MAX_VALUE) {
                        throw new IllegalStateException(operation + " on " + this
                                + ": recursion depth would exceed Integer.MAX_VALUE");
                    }
                    depth++;
                    return RELOCKED;
                }
                throw new TaskLifeException(Reason.DEADLOCK,
                        operation + " on " + this + ": the caller already owns this " + kind
                        + " mutex; relocking it would wait for itself"
                        + (kind == MutexKind.NORMAL ? " (POSIX hangs here; tasklife makes it an error rather than a hang)" : ""));
            } else if (isDead(o) || (mayQueue && !watchOwnerLocked(o))) {
                if (OWNER.compareAndSet(this, o, me)) { // R2: take over
                    ownerDied = true;
                    depth = newDepth;
                    return ACQUIRED_OWNER_DIED;
                }
                continue;
            }
            if (!mayQueue) {
                return WAIT;
            }
            if (!queuedVolatile()) {
                QUEUED.setVolatile(this, true); // M5: before the re-check
            }
            if (ownerVolatile() != o) {
                continue; // released or changed hands meanwhile: decide again
            }
            return WAIT;
        }
    }

    /** A competitor killed before it competed hands its wake-up to the next waiter (M6, K9). */
    private void passOnWakeUp() {
        WaitNode won;
        queue.lock();
        try {
            addWokenLocked(-1);
            won = wakeCompetitorLocked();
        } finally {
            queue.unlock();
        }
        WaitQueue.wake(won);
    }

    private void tellIfOwnerDied(int got, String operation) {
        if (got == ACQUIRED_OWNER_DIED) {
            throw ownerDied(operation);
        }
    }

    // ---- internals: releasing ----

    /** The unlock path under the queue lock: misuse, recursion, owner-died give-up, fair hand-off. */
    private void unlockSlow(Object me) {
        WaitNode won = null;
        List<WaitNode> givenUp = List.of();
        queue.lock();
        try {
            checkOwnerLocked(me, "unlock()", "only the owner may unlock a mutex");
            if (depth > 1) {
                depth--;
                return;
            }
            if (ownerDied) {
                givenUp = giveUpLocked(me); // R3: the state was never marked consistent
            } else {
                won = releaseLocked(me, null);
            }
        } finally {
            queue.unlock();
        }
        WaitQueue.wake(won); // M4
        givenUp.forEach(WaitQueue::wake);
    }

    /** After a fast release saw {@code queued} (M5): wake a competitor (non-fair) or hand off (fair). */
    private void wakeAfterFree() {
        WaitNode won;
        queue.lock();
        try {
            won = fair ? handOffLocked(null) : wakeCompetitorLocked();
        } finally {
            queue.unlock();
        }
        WaitQueue.wake(won);
    }

    /**
     * Releases the owner {@code from}'s hold: fair, hands it to the first waiter whose node this call
     * wins (M2); non-fair, frees it (to {@code freeState}: null or OWNER_DIED_FREE) and wakes a competitor.
     */
    private WaitNode releaseLocked(Object from, Object freeState) {
        assert queue.isHeldByCurrentThread();
        if (fair) {
            if (from != freeState) {
                boolean freed = OWNER.compareAndSet(this, from, freeState);
                assert freed : "only the owner, or the queue lock holder for a dead one, moves the owner word";
            }
            return handOffLocked(freeState);
        }
        boolean freed = OWNER.compareAndSet(this, from, freeState);
        assert freed : "only the owner, or the queue lock holder for a dead one, moves the owner word";
        return wakeCompetitorLocked();
    }

    /**
     * Fair: hands a free mutex (owner word {@code free}: null or OWNER_DIED_FREE) to the first waiter
     * whose node this call wins (M2, K9). If a barger took it first, that owner hands it on at its unlock.
     */
    private WaitNode handOffLocked(Object free) {
        assert queue.isHeldByCurrentThread() && fair;
        WaitNode n;
        while ((n = queue.peekLocked()) != null) {
            if (n.outcomeVolatile() != WaitNode.WAITING) {
                queue.unlinkLocked(n); // killed or timed out: it consumes nothing (K9)
                continue;
            }
            Object claim = n.payload; // the waiter's identity (depth 1) or a Claim
            Object owner = claim instanceof Claim c ? c.owner() : claim;
            if (!OWNER.compareAndSet(this, free, owner)) {
                rewatchLocked(); // a barger (M7's same-moment arrival) owns it now; R1 for it
                return null;
            }
            depth = claim instanceof Claim c ? c.depth() : 1; // M1, M2: before the signal that publishes it
            queue.unlinkLocked(n);
            if (n.trySignal()) {
                rewatchLocked(); // R1 for the new owner
                return n;
            }
            boolean reverted = OWNER.compareAndSet(this, owner, free); // lost to a kill or timeout: K9
            assert reverted;
        }
        clearQueuedLocked();
        return null;
    }

    /**
     * Non-fair (M6): if the mutex is free and no competitor is already on its way, wins the first WAITING
     * node as a competitor and returns it for waking after unlock. If someone owns the mutex, keeps R1 for
     * it instead (its own unlock will wake), unless it is dead already.
     */
    private WaitNode wakeCompetitorLocked() {
        assert queue.isHeldByCurrentThread() && !fair;
        Object o = ownerVolatile();
        if (isOwner(o) && (queue.sizeLocked() == 0 || (!isDead(o) && watchOwnerLocked(o)))) {
            return null; // a barger owns it: its unlock sees `queued` (M5)
        }
        if (o == NOT_RECOVERABLE || o == DESTROYED) {
            return null;
        }
        if (wokenVolatile() > 0) {
            return null; // M6: that competitor re-checks under this lock
        }
        WaitNode n;
        while ((n = queue.pollLocked()) != null) {
            n.payload = COMPETE; // before the CAS that publishes it
            if (n.trySignal()) {
                addWokenLocked(1);
                if (queue.sizeLocked() == 0) {
                    clearQueuedLocked();
                }
                return n;
            }
            // killed or timed out: it consumes nothing, try the next (K9)
        }
        clearQueuedLocked();
        return null;
    }

    /** No node is linked: lower the M5 flag and drop the death watch (R1). */
    private void clearQueuedLocked() {
        assert queue.isHeldByCurrentThread() && queue.sizeLocked() == 0;
        if (queuedVolatile()) {
            QUEUED.setVolatile(this, false);
        }
        unwatchLocked();
    }

    /** R3: unlocked in the owner-died state: not recoverable for ever; every waiter is won, to wake after unlock and throw. */
    private List<WaitNode> giveUpLocked(Object me) {
        boolean moved = OWNER.compareAndSet(this, me, NOT_RECOVERABLE);
        assert moved;
        notRecoverable = true;
        ownerDied = false;
        unwatchLocked();
        List<WaitNode> woken = new ArrayList<>();
        WaitNode n;
        while ((n = queue.pollLocked()) != null) {
            n.payload = GIVEN_UP;
            if (n.trySignal()) {
                woken.add(n); // it loops, sees NOT_RECOVERABLE and throws
            }
        }
        return woken;
    }

    // ---- internals: owner death (R1-R3) ----

    /** Whether {@code o}, the owner, has ended (R2): a task declared dead, or a host thread no longer alive. */
    private static boolean isDead(Object o) {
        return o instanceof TaskControlBlock t ? t.isDead() : !((Thread) o).isAlive();
    }

    /**
     * Registers our death watch with {@code o} if it is a task (R1), moving it from a previous owner.
     *
     * @return false if {@code o} is a task that is already dead (the caller takes the mutex over)
     */
    private boolean watchOwnerLocked(Object o) {
        if (!(o instanceof TaskControlBlock t) || watched == t) {
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
        Object o = ownerVolatile();
        if (queue.sizeLocked() > 0 && o instanceof TaskControlBlock) {
            watchOwnerLocked(o); // false: the new owner died at this very moment; the next locker takes it over
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
            if (!OWNER.compareAndSet(this, t, OWNER_DIED_FREE)) {
                return; // unlocked in time (or taken over already)
            }
            ownerDied = true; // R2: before any waiter can see OWNER_DIED_FREE change hands
            won = fair ? handOffLocked(OWNER_DIED_FREE) : wakeCompetitorLocked();
        } finally {
            queue.unlock();
        }
        WaitQueue.wake(won);
    }

    // ---- internals: checks and accessors ----

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

    private void checkNotDestroyedLocked(String operation) {
        if (destroyed) {
            throw new TaskLifeException(Reason.DESTROYED, operation + " on " + this + ": the mutex was destroyed");
        }
    }

    private void checkOwnerLocked(Object me, String operation, String rule) {
        assert queue.isHeldByCurrentThread();
        checkNotDestroyedLocked(operation);
        Object o = ownerVolatile();
        if (o != me) {
            throw new TaskLifeException(Reason.NOT_PERMITTED, operation + " on " + this + " by " + Callers.describe(me)
                    + ": " + rule + (isOwner(o) ? " (it is owned by " + Callers.describe(o) + ")" : " (the mutex is not locked)"));
        }
    }

    /** Whether {@code o}, a value of the owner word, names an owner (not null, not a sentinel). */
    private static boolean isOwner(Object o) {
        return o != null && !(o instanceof Sentinel);
    }

    private Object ownerVolatile() {
        return OWNER.getVolatile(this);
    }

    /** The owner word without ordering: only to compare with the caller, who alone moves it away from itself. */
    private Object ownerPlain() {
        return OWNER.get(this);
    }

    private boolean queuedVolatile() {
        return (boolean) QUEUED.getVolatile(this);
    }

    private int wokenVolatile() {
        return (int) WOKEN.getVolatile(this);
    }

    private void addWokenLocked(int delta) {
        assert queue.isHeldByCurrentThread();
        WOKEN.setVolatile(this, wokenVolatile() + delta); // M6: read by unlock without the lock
    }

    /**
     * After a release CAS: whether the slow path must run to wake someone (M5, M6). Non-fair, a
     * competitor already on its way re-reads the owner after it leaves `woken` (volatile on both sides),
     * so it sees this release: no need to take the queue lock just to find that out.
     */
    private boolean mustWakeAfterFree() {
        return queuedVolatile() && (fair || wokenVolatile() == 0);
    }

}
