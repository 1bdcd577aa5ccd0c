package org.tasklife.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
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
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;

/**
 * A kill-aware reader-writer lock (docs/contract.md, §9, K2, K3, K9, T1): any number of readers, or one writer,
 * with strict FIFO fairness between them and every wait ending when the waiting task is killed.
 *
 * <pre>{@code
 * ReadWriteLock rw = new ReadWriteLock();
 * rw.readLock();
 * try { read(); } finally { rw.readUnlock(); }
 * rw.writeLock();
 * try { write(); } finally { rw.writeUnlock(); }
 * }</pre>
 *
 * <p><b>Holders.</b> A holder is the calling task, or, on a host thread (outside any task), the thread
 * itself, as for {@link Mutex}. Read holds are counted per holder: a holder may take the read lock
 * several times and must release it as many times. The write lock is not reentrant.
 *
 * <p><b>Fairness policy.</b> Readers and writers wait in one strictly first-in-first-out queue. A new
 * reader is admitted at once only if no writer holds the lock <em>and nobody is queued</em>: readers
 * never barge past a queued writer. When the lock becomes available, the head of the queue is granted:
 * a writer alone, or the whole run of consecutive readers at the head, all at once (up to the next
 * queued writer). Hence a steady stream of readers cannot starve a writer (a writer waits at most for
 * the readers holding the lock or queued before it), and a stream of writers cannot starve a reader.
 * The untimed {@link #tryReadLock()} and {@link #tryWriteLock()} obey the same rule: they fail while
 * anyone is queued, like the JDK's fair lock with {@code tryLock(0, SECONDS)}.
 *
 * <p><b>Exception: read re-entry.</b> A holder that <em>already</em> holds a read lock takes another
 * read hold at once, even with writers queued. Queueing it behind a writer that waits for this very
 * read hold to be released would deadlock the holder with itself (the classic nested-read deadlock of
 * writer-preferring locks). A writer can therefore be overtaken by read re-entries of the current
 * readers, but never by a new reader.
 *
 * <p><b>Kill.</b> {@link #readLock()}, {@link #writeLock()} and the timed tries are blocking calls: a
 * killed task calling them throws {@link TaskKilledError} before it takes anything, even a free lock
 * (K5), and a task killed while blocked in them is woken at once and throws {@link TaskKilledError}
 * (K2) holding nothing, its queue entry gone. If the lock was granted to a waiter that is killed or
 * whose timeout passes at the same moment, the grant goes to the next eligible waiters (K9). A kill
 * that arrives <em>after</em> the grant does not undo it: the call returns normally and the task sees
 * the kill at its next blocking call, after which its {@code finally} unlocks. The untimed tries and
 * both unlocks never block and keep working while a killed task unwinds. The kernel never releases a
 * hold of a task that is still unwinding. Host threads may use every method; they are never killed.
 *
 * <p><b>Holder death (robust lock).</b> If a task <em>ends</em> still holding — its body returned or was
 * killed without unlocking, or it was declared stuck and disposed (its owned resources force-closed
 * after the kill grace period) — its holds do not stay for ever:
 * <ul>
 * <li>its read holds, re-entries included, are released, and the lock goes to the head of the queue if
 *     they were the last; nobody is told (read holds protect no writes);
 * <li>its write lock is released <em>owner-died</em>, like a robust {@link Mutex}: the lock goes to the
 *     head of the queue (a writer, or the run of readers), and every holder that takes it from then on —
 *     a reader or a writer, by any lock or try call, queued or not — acquires it and is told by
 *     {@link OwnerDiedException} thrown <em>holding</em> what it asked for. The state stays owner-died
 *     until a holder of the write lock repairs the protected data and calls {@link #markConsistent()};
 *     readers cannot repair, so they are told and should release their hold. A read re-entry is not a
 *     new holder and is not told. Unlike a mutex, the lock never becomes not recoverable: until it is
 *     marked consistent, every new holder keeps being told.
 * </ul>
 * Host threads have no exit sequence: a host thread that dies holding keeps its holds. A task declared
 * dead that keeps running is refused further holds ({@code false} from the untimed tries; its unlocks
 * throw {@link TaskLifeException} ({@code NOT_PERMITTED})).
 *
 * <p><b>Timeouts.</b> A timed try returns {@code false} when its deadline passes, never throws for it,
 * and takes nothing. A lock that can be taken at once is taken even with a zero or negative timeout
 * (T1).
 *
 * <p><b>Errors</b> (the lock is unchanged after each): {@link #writeLock()} or the timed
 * {@link #tryWriteLock(long, TimeUnit)} by the current writer (not reentrant), {@link #readLock()} or
 * the timed {@link #tryReadLock(long, TimeUnit)} by the current writer (no downgrade: POSIX EDEADLK),
 * and {@link #writeLock()} or the timed write try by a holder of a read lock (an upgrade would wait for
 * its own read hold) throw {@link TaskLifeException} ({@code DEADLOCK}); the untimed tries return {@code false} in
 * those cases. {@link #readUnlock()} by a caller holding no read lock and {@link #writeUnlock()} by a caller
 * that is not the writer throw {@link TaskLifeException} ({@code NOT_PERMITTED}). A {@code null} unit throws
 * {@link NullPointerException}.
 *
 * <p><b>Memory effects.</b> As for {@link java.util.concurrent.locks.ReadWriteLock}: a successful
 * unlock of either kind happens-before every later successful lock, in particular one that was granted
 * the lock by that unlock.
 *
 * <p><b>Destroying.</b> {@link #destroy()} (POSIX {@code pthread_rwlock_destroy}) is refused with
 * {@link TaskLifeException} ({@code BUSY}), changing nothing, while the lock is held (read or write) or anyone waits
 * for it. Afterwards every lock, try and unlock call, and {@code destroy} itself, throws
 * {@link TaskLifeException} ({@code DESTROYED}); introspection ({@link #isDestroyed()}, {@link #isWriteLocked()},
 * {@link #readHoldCount()}, {@link #queueLength()}, {@code toString}) still answers.
 *
 * <p><b>Introspection.</b> A task blocked here shows the wait channel
 * {@code rwlock@<identity hash in hex> (read|write wanted, held by <holder>)}, where the holder is the
 * writer ({@code task 7}, {@code host thread 'main'}), {@code <n> readers} or {@code nobody}.
 */
public final class ReadWriteLock {
    /*
     * Implementation notes
     *
     * Overview: the lock's whole shared state is one atomic long, `state` (STATE VarHandle): the total
     * read holds, the number of distinct read holders, a WRITER bit and a QUEUED bit. The writer's
     * identity sits beside it (`writer`, made current by `writerValid`, RW9); each holder's own read
     * count sits in a HoldCounter that only the holder's thread touches. With nobody queued, every
     * operation is one CAS on `state` and never takes the wait queue's lock: readLock adds a hold (and a
     * reader, for the holder's first hold), writeLock moves 0 -> WRITER, the unlocks move back.
     * Everything that queues or dispatches, and the self-deadlock checks, run on the slow path under the
     * queue lock, as before (WaitContext pattern: checkpoint, take-or-enqueue under the lock, await,
     * handle the outcome). Each node's channel is a Request naming the holder and the mode, so the
     * dispatcher decides grants from the queue alone; dispatchLocked() is the one place the lock goes to
     * waiters, and a woken waiter already holds what it asked for.
     * Because the queue flag and the counts share one word, "check the lock, else announce a waiter" and
     * "release unless someone waits" are each a single CAS: no Dekker handshake is needed, a concurrent
     * change just fails the CAS (as in Semaphore).
     *
     * State word (long):
     *   bits  0..30  HOLDS    total read holds of all holders, re-entries included (<= Integer.MAX_VALUE)
     *   bits 31..61  READERS  holders with at least one read hold (<= HOLDS, so 31 bits never overflow)
     *   bit  62      WRITER   the write lock is held (by `writer` once `writerValid`, see RW9)
     *   bit  63      QUEUED   a node may be linked in the queue (RW3)
     * Transitions:
     *   HOLDS+1 (READERS+1 on the holder's first)  // readLock/try fast path: !WRITER && !QUEUED (CAS)
     *   HOLDS+1                                    // read re-entry: any time, QUEUED or not (RW2, CAS)
     *   HOLDS-1 (READERS-1 on the holder's last)   // readUnlock fast path, unless it is the last hold while
     *                                              // QUEUED: then under the queue lock, with a dispatch
     *   0 -> WRITER                                // writeLock/try fast path (CAS from exactly 0)
     *   WRITER -> 0                                // writeUnlock fast path (CAS; with QUEUED: slow path)
     *   |= QUEUED                                  // a locker under the queue lock, in the CAS that found
     *                                              // the lock incompatible, before it links its node
     *   &= ~QUEUED                                 // under the queue lock with no node linked (dispatch, or
     *                                              // a locker taking the lock with an empty queue)
     *   grants (WRITER, or HOLDS+1 READERS+1)      // dispatchLocked, under the queue lock, before the
     *                                              // node's trySignal; reverted if that CAS loses (RW4)
     * Nodes: WAITING -> SIGNALLED (granted) | TIMED_OUT | KILLED (granted nothing), one CAS.
     *
     * Invariants:
     *  RW1 WRITER implies HOLDS == 0 and READERS == 0 (every CAS that sets WRITER expects HOLDS == 0, every
     *      CAS that adds a hold expects !WRITER or comes from a current read holder, which excludes it).
     *  RW2 a holder is never queued: read re-entry (HoldCounter.count > 0) is immediate, on the fast path
     *      even with QUEUED set; every other request by a holder throws TaskLifeException(DEADLOCK) (or fails, for
     *      the untimed tries), decided on the slow path.
     *  RW3 no barging: a new hold is taken without queueing only with !QUEUED (fast path) or, under the
     *      queue lock, with no node linked after pruning decided nodes at the head. QUEUED is set whenever
     *      a node is linked: the locker sets it (in the CAS that saw the lock incompatible) before it links
     *      its node, both under the queue lock; it is cleared only under the queue lock with no node linked.
     *  RW4 dispatch grants the head: a writer alone when HOLDS == 0 and !WRITER, or the run of readers at
     *      the head while !WRITER. The grant (the state CAS, then writer and writerValid as in RW9) is
     *      written BEFORE the node's trySignal and reverted (writerValid, then the state CAS) if the CAS
     *      loses (the waiter was killed or timed out: K9, try the next node). QUEUED stays set meanwhile,
     *      so no fast path acts on a speculative grant: fast lockers see QUEUED, and no read holder can
     *      exist beside a writer grant.
     *  RW5 a node whose outcome is KILLED or TIMED_OUT was granted nothing.
     *  RW6 a waiter whose outcome is TIMED_OUT or KILLED takes the queue lock before it returns: it unlinks
     *      its node and runs dispatchLocked() (its node may have been the head that held back readers
     *      behind it; kill and timeout decide outcomes outside the lock, so RW7 may lapse until then). That
     *      pass also waits out any dispatcher that was writing a speculative grant for its node (RW4), so
     *      once the lock call has returned or thrown, writerValid && writer == it can no longer hold by
     *      mistake; the fast writeUnlock relies on this.
     *  RW7 when an unlock or a dispatch releases the queue lock, the first WAITING node (if any) cannot be
     *      granted: WRITER is set, or it is a writer and HOLDS > 0. Hence a read unlock that leaves
     *      HOLDS > 0 has nobody to wake even with QUEUED set (the head waits for the write lock, or is a
     *      decided node whose waiter re-dispatches, RW6): only the last hold with QUEUED dispatches.
     *  RW8 winners are woken after the queue lock is released (K10).
     *  RW9 `writer` is the LAST write holder and is stored only when a different identity takes the write
     *      lock; `writerValid` (a boolean, so no GC barrier) says whether it names the current one. A writer
     *      takes the lock with its state CAS, then stores `writer` (if it differs) and sets writerValid
     *      (release); it clears writerValid before its releasing CAS. So writerValid implies WRITER and that
     *      `writer` is the holder, and WRITER implies writerValid except in two windows of straight-line
     *      code on the writer's own thread (after its acquiring CAS, before its releasing CAS). A caller
     *      holds the write lock iff it reads writerValid (acquire) and THEN `writer` == itself (isWriter):
     *      exact for the caller, since only its own lock call (or a grant for its node, RW4, RW6) makes
     *      `writer` name it, and its own unlock clears writerValid first; reading writerValid first means a
     *      later writer's `writer` store is seen with its flag. Introspection waits the windows out
     *      (writerForDisplay). Why not clear `writer` instead: storing a task reference into a lock in the
     *      old generation costs G1's post-write barrier, about 14 ns per write lock in a task (measured);
     *      a task re-taking the write lock now stores no reference at all.
     *  RW10 a HoldCounter is confined to its holder's thread: only that thread reads or writes `count`.
     *      A read grant by the dispatcher counts the hold in `state` only; the waiter sets its own count to
     *      1 when it reads SIGNALLED (it held nothing: RW2). So HOLDS == the sum of the live counters'
     *      counts plus grants not yet seen by their waiters, and a killed waiter's count stays 0.
     *  RW11 every operation finds the caller (its identity and its HoldCounter, one per identity and
     *      lock) through the `lastCaller` hint when the hint is its own, else through the ThreadLocal: the
     *      hint is a racy plain field, validated by Callers.isCaller(holder) (Mutex M8: a thread's identity is
     *      its task until the task terminates, then the thread itself), so the uncontended paths need no
     *      ThreadLocal lookup. A thread whose task ended gets a new counter for its new identity; the old
     *      one's holds were released by its death watch (RW13).
     *  RW12 destroyed: `destroyed` is set under the queue lock, once, only with no hold, no writer and no
     *      node linked and QUEUED clear (no waiter still leaving, RW6), in the same critical section as the
     *      CAS 0 -> QUEUED. QUEUED then stays set for ever (clearQueuedLocked and takeOrAnnounceLocked never
     *      clear it on a destroyed lock), so every acquisition fails its fast path and meets the `destroyed`
     *      check under the queue lock; an unlock by a non-holder checks it on its error path.
     *  RW13 (holder death) every task identity's HoldCounter is registered, when it is made (once per task
     *      and lock, on the ThreadLocal miss path: never on a fast path), as a death watch with its task;
     *      it refers to the lock weakly. When the task is dead (TaskControlBlock.fireDeathWatches: the end
     *      of its exit sequence on its own thread, or the reaper's force-close of a stuck task), the watch
     *      runs holderDied(): it swaps REVOKED (< 0) into the counter for good and reads whether the task
     *      is the writer (isWriter, RW9), both without the queue lock (exact: nobody else moves them); if
     *      the task held anything it then, under the queue lock, drops the read holds from `state` (HOLDS -
     *      count, READERS - 1), or clears writerValid and enters the owner-died state (RW14), and dispatches
     *      (RW4). A task that held nothing (the common case) costs no lock. A counter made for a task that
     *      is already dead starts REVOKED. A
     *      REVOKED counter holds nothing and may take nothing: the fast read path falls through to the
     *      slow path on count < 0, the untimed tries refuse, readUnlock throws, and the blocking calls never
     *      get there (a dead task is killed or exiting: their checkpoint throws).
     *  RW14 (owner died) `ownerDied` is set under the queue lock by a dead writer's watch, in the same
     *      critical section as the CAS that clears WRITER and sets QUEUED (WRITER was set until then, so no
     *      fast path could take anything in between), and cleared only by markConsistent() from the write
     *      holder. While it is set QUEUED stays set (clearQueuedLocked and takeOrAnnounceLocked keep it), so
     *      every new hold takes the slow path, where its taker is told: after TAKEN, reading ownerDied under
     *      the lock; after a grant (SIGNALLED), reading it volatile, which is exact because nobody but a
     *      write holder changes it and none exists beside a read hold (RW1) or the granted writer itself.
     *      Read re-entries (RW2) stay on the fast path and are not told.
     *
     * Concurrency: `state` is read and CASed without the lock; the queue and every QUEUED change hold the
     * queue lock. Nothing that holds the queue lock may wait out an RW9 window (writerForDisplay(), hence
     * toString() in a message): a writer's unlock window can end in releaseWriteSlow(), which needs the
     * lock. Code under the lock names the writer only from writerValid (describeUseLocked) or when the
     * caller itself is a holder (then no other writer can be in a window). `writer` and `writerValid` are written by the writer itself (fast paths) or by the
     * dispatcher under the queue lock (RW4), with release semantics, and read with acquire (RW9). Outcome
     * CASes by kill and timeout happen outside the lock: that is why dispatch prunes decided nodes and why
     * RW6 exists.
     *
     * Memory ordering: every unlock is a volatile CAS on `state` and every lock reads `state` in a CAS
     * (or, for a grant, under the queue lock after such a CAS), so an unlock happens-before the next lock
     * that sees its value; for a grant, the dispatcher's writes precede the winning outcome CAS, which the
     * waiter reads with volatile semantics (WaitNode). HoldCounter.count is plain (RW10); `lastCaller` is
     * plain and racy, safe because HoldCounter.holder is final and the hint is validated before use.
     *
     * Kill and cleanup: the fast paths of readLock, writeLock and the timed tries run the kill checkpoint
     * first (K5). The killer unlinks the node and unparks the waiter (WaitNode.kill); the waiter
     * re-dispatches (RW6) and throws, holding nothing (RW5). A SIGNALLED waiter returns normally even if
     * killed meanwhile and releases in its own finally.
     *
     * Known limits: queueLength() walks the queue (O(queued)). A host thread that dies holding keeps its
     * holds (host threads have no exit sequence to watch). Each task keeps one death watch (its
     * HoldCounter, weakly referring to the lock) per lock it ever called, until it ends: registering it
     * only while holds are held would cost a monitor per read section. A task declared dead (K8) that is
     * in fact still running and in the middle of a call on this lock while the reaper runs holderDied()
     * races it (its counter is plain and thread-confined, RW10): the holds it takes or drops at that very
     * moment can be miscounted; its later calls are refused (RW13). The owner-died state is sticky until
     * a writer marks it (RW14), and the lock is never not recoverable: readers cannot repair.
     * Each thread keeps one small HoldCounter per lock it ever called, in its ThreadLocal map, until the
     * thread ends or the lock is collected (the JDK's lock removes its entry at the last release instead,
     * which costs a ThreadLocal removal per read section). lastCaller keeps the last caller that missed
     * the hint reachable until another replaces it, and `writer` the last writer (RW9). A read hold count
     * above Integer.MAX_VALUE in total is refused with IllegalStateException. Read re-entry lets current
     * readers overtake a queued writer (documented policy, the price of not deadlocking nested reads).
     * Introspection spins briefly over the RW9 windows; they hold no lock and cannot block. Under heavy
     * contention (most operations finding a writer queued) the queue lock and a park per hand-off still
     * dominate, as for the fair JDK lock (BENCHMARKS.md).
     *
     * References: POSIX pthread_rwlock_rdlock/wrlock (EDEADLK when the caller holds the write lock),
     * pthread_mutex_consistent (EOWNERDEAD: POSIX has no robust reader-writer lock; this follows the mutex),
     * JDK ReentrantReadWriteLock (fair mode; the state word and the cached per-thread HoldCounter),
     * Courtois, Heymans, Parnas, "Concurrent control with readers and writers" (CACM 1971) for the
     * starvation trade-offs.
     */

    private static final VarHandle STATE;
    private static final VarHandle WRITER_ID;
    private static final VarHandle WRITER_VALID;
    private static final VarHandle COUNT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(ReadWriteLock.class, "state", long.class);
            WRITER_ID = l.findVarHandle(ReadWriteLock.class, "writer", Object.class);
            WRITER_VALID = l.findVarHandle(ReadWriteLock.class, "writerValid", boolean.class);
            COUNT = l.findVarHandle(HoldCounter.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bits of {@link #state}: total read holds. */
    private static final long HOLDS = 0x7FFF_FFFFL;
    /** One hold, for arithmetic on {@link #state}. */
    private static final long ONE_HOLD = 1L;
    /** One distinct read holder, for arithmetic on {@link #state}. */
    private static final long ONE_READER = 1L << 31;
    /** Bits of {@link #state}: holders with at least one read hold. */
    private static final long READERS = HOLDS << 31;
    /** Bit of {@link #state}: the write lock is held (RW1, RW9). */
    private static final long WRITER = 1L << 62;
    /** Bit of {@link #state}: a node may be linked (RW3). */
    private static final long QUEUED = 1L << 63;

    /** Results of {@link #takeOrAnnounceLocked}. */
    private static final int TAKEN = 0;   // the lock (or another read hold) is the caller's
    private static final int WAIT = 1;    // QUEUED is set: the caller links its node before unlocking
    private static final int EXPIRED = 2; // incompatible and the caller must not wait; nothing changed

    /** What a queued node asks for: its channel in snapshots, the holder to grant and the mode. */
    private static final class Request {
        final ReadWriteLock lock; // immutable
        final Object holder;      // immutable: TaskControlBlock or host Thread
        final boolean write;      // immutable

        Request(ReadWriteLock lock, Object holder, boolean write) {
            this.lock = lock;
            this.holder = holder;
            this.write = write;
        }

        @Override
        public String toString() {
            return lock.channelName() + " (" + (write ? "write" : "read") + " wanted, held by "
                    + lock.describeHolders() + ")";
        }
    }

    /** {@link HoldCounter#count} of a task that died: it holds nothing and may take nothing (RW13). */
    private static final int REVOKED = -1;

    /**
     * One holder's read holds on this lock (RW10), the caller identity it was made for (RW11) and, for a
     * task, its death watch (RW13). The lock is referred to weakly: neither the thread's ThreadLocal map
     * nor the task's watch list keeps it alive.
     */
    private static final class HoldCounter extends WeakReference<ReadWriteLock>
            implements Consumer<TaskControlBlock> {
        final Object holder; // immutable: TaskControlBlock or host Thread
        int count;           // confined to the holder's thread (RW10): its read holds, >= 0; REVOKED (RW13)

        HoldCounter(ReadWriteLock lock, Object holder) {
            super(lock);
            this.holder = holder;
        }

        /** The death watch (RW13): the holder task is dead; release what it holds. */
        @Override
        public void accept(TaskControlBlock dead) {
            ReadWriteLock lock = get();
            if (lock != null) {
                lock.holderDied(this, dead);
            }
        }
    }

    private final WaitQueue queue = new WaitQueue();                        // immutable; its lock guards the slow paths
    private final ThreadLocal<HoldCounter> holdCounters = new ThreadLocal<>(); // immutable: per-thread counters (RW11)
    @SuppressWarnings("unused")       // accessed through STATE
    private volatile long state;      // HOLDS | READERS | WRITER | QUEUED; CAS only (see the notes)
    @SuppressWarnings("unused")       // accessed through WRITER_ID
    private volatile Object writer;   // the last write holder, TaskControlBlock or host Thread (RW9); release writes
    @SuppressWarnings("unused")       // accessed through WRITER_VALID
    private volatile boolean writerValid; // `writer` holds the write lock now (RW9); release writes
    private HoldCounter lastCaller;   // racy hint, plain: some caller's counter, validated before use (RW11)
    private volatile boolean destroyed; // written under the queue lock, once (RW12)
    private volatile boolean ownerDied; // written under the queue lock: a writer died holding (RW14)

    /** A free reader-writer lock. */
    public ReadWriteLock() {}

    // ---- read side ----

    /**
     * Takes a read hold, blocking while a writer holds the lock or anyone is queued (FIFO); a caller that
     * already holds a read lock takes another hold at once.
     *
     * @throws TaskLifeException ({@code DEADLOCK}) if the caller holds the write lock (no downgrade; state unchanged)
     * @throws TaskKilledError if the calling task is killed before or while waiting (it then holds nothing)
     * @throws TaskLifeException ({@code DESTROYED}) if the lock was destroyed
     * @throws OwnerDiedException if taken while a writer's death is unrepaired (the caller holds what it
     *     asked for; see the class comment)
     */
    public void readLock() {
        WaitContext.safePoint();
        HoldCounter hc = callerCounter();
        checkpoint(hc.holder); // K5: a killed task takes nothing, not even a free lock
        if (!tryFastRead(hc)) {
            boolean acquired = lockSlow(hc, false, false, 0L, "readLock()");
            assert acquired;
        }
    }

    /**
     * Takes a read hold if that is possible at once: no writer and nobody queued, or the caller already
     * holds a read lock. Never blocks; works while a killed task unwinds (docs/contract.md, K5).
     *
     * @return whether a read hold was taken ({@code false} also if the caller holds the write lock)
     * @throws TaskLifeException ({@code DESTROYED}) if the lock was destroyed
     * @throws OwnerDiedException if taken while a writer's death is unrepaired (the caller holds what it
     *     asked for; see the class comment)
     */
    public boolean tryReadLock() {
        HoldCounter hc = callerCounter();
        return tryFastRead(hc) || tryNowSlow(hc, false);
    }

    /**
     * Takes a read hold, waiting at most {@code timeout}; taken even with a zero or negative timeout if
     * possible at once (docs/contract.md, T1).
     *
     * @param timeout how long to wait at most, in {@code unit}s
     * @param unit the unit of {@code timeout}
     * @return {@code true} if taken, {@code false} if the timeout passed first (nothing taken)
     * @throws NullPointerException if {@code unit} is null
     * @throws TaskLifeException ({@code DEADLOCK}) if the caller holds the write lock
     * @throws TaskKilledError if the calling task is killed before or while waiting
     * @throws TaskLifeException ({@code DESTROYED}) if the lock was destroyed
     * @throws OwnerDiedException if taken while a writer's death is unrepaired (the caller holds what it
     *     asked for; see the class comment)
     */
    public boolean tryReadLock(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        long nanos = unit.toNanos(timeout);
        HoldCounter hc = callerCounter();
        checkpoint(hc.holder); // K5
        return tryFastRead(hc) // T1: taken even with a past deadline, without reading the clock
                || lockSlow(hc, false, true, nanos, "tryReadLock(timeout)");
    }

    /**
     * Releases one read hold of the caller; when the last read hold of all holders is released, the
     * lock goes to the head of the queue. Never blocks; works while a killed task unwinds (docs/contract.md, K5).
     *
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller holds no read lock (state unchanged)
     * @throws TaskLifeException ({@code DESTROYED}) if the lock was destroyed
     */
    public void readUnlock() {
        HoldCounter hc = callerCounter();
        int held = hc.count;
        if (held <= 0) {
            Object me = hc.holder;
            checkNotDestroyed("readUnlock()");
            if (held == REVOKED) {
                throw new TaskLifeException(Reason.NOT_PERMITTED,
                        "readUnlock() on " + this + " by " + Callers.describe(me)
                        + ": the caller was declared dead (stuck past the kill grace period) and its read"
                        + " holds were released then; it holds none");
            }
            throw new TaskLifeException(Reason.NOT_PERMITTED, "readUnlock() on " + this + " by " + Callers.describe(me)
                    + ": only a holder of a read lock may release one"
                    + (isWriter(me) ? " (the caller holds the write lock: use writeUnlock())"
                    : " (the caller holds no read lock)"));
        }
        long drop = held == 1 ? ONE_HOLD + ONE_READER : ONE_HOLD; // the holder's last hold: one reader less
        for (;;) {
            long s = stateVolatile();
            assert (s & WRITER) == 0 && holds(s) >= held : "RW1, RW10: " + held + " holds of " + this;
            if ((s & QUEUED) != 0 && holds(s) == 1) {
                releaseReadSlow(hc, drop); // RW7: the last hold of all; the head may wait for it
                return;
            }
            if (casState(s, s - drop)) {
                hc.count = held - 1;
                return;
            }
        }
    }

    // ---- write side ----

    /**
     * Takes the write lock, blocking until no one else holds the lock and every earlier queued request
     * has been served (FIFO).
     *
     * @throws TaskLifeException ({@code DEADLOCK}) if the caller already holds the write lock (not reentrant) or a read
     *     lock (no upgrade); state unchanged
     * @throws TaskKilledError if the calling task is killed before or while waiting (it then holds nothing)
     * @throws TaskLifeException ({@code DESTROYED}) if the lock was destroyed
     * @throws OwnerDiedException if taken while a writer's death is unrepaired (the caller holds what it
     *     asked for; see the class comment)
     */
    public void writeLock() {
        WaitContext.safePoint();
        HoldCounter hc = callerCounter();
        checkpoint(hc.holder); // K5
        if (!tryFastWrite(hc.holder)) {
            boolean acquired = lockSlow(hc, true, false, 0L, "writeLock()");
            assert acquired;
        }
    }

    /**
     * Takes the write lock if it is free and nobody is queued. Never blocks; works while a killed task
     * unwinds (docs/contract.md, K5).
     *
     * @return whether the write lock was taken ({@code false} also if the caller holds the lock in either
     *     mode: POSIX EBUSY/EDEADLK)
     * @throws TaskLifeException ({@code DESTROYED}) if the lock was destroyed
     * @throws OwnerDiedException if taken while a writer's death is unrepaired (the caller holds what it
     *     asked for; see the class comment)
     */
    public boolean tryWriteLock() {
        HoldCounter hc = callerCounter();
        return hc.count != REVOKED && (tryFastWrite(hc.holder) || tryNowSlow(hc, true)); // RW13
    }

    /**
     * Takes the write lock, waiting at most {@code timeout}; a free lock is taken even with a zero or
     * negative timeout (docs/contract.md, T1).
     *
     * @param timeout how long to wait at most, in {@code unit}s
     * @param unit the unit of {@code timeout}
     * @return {@code true} if taken, {@code false} if the timeout passed first (nothing taken)
     * @throws NullPointerException if {@code unit} is null
     * @throws TaskLifeException ({@code DEADLOCK}) if the caller already holds the write lock or a read lock
     * @throws TaskKilledError if the calling task is killed before or while waiting
     * @throws TaskLifeException ({@code DESTROYED}) if the lock was destroyed
     * @throws OwnerDiedException if taken while a writer's death is unrepaired (the caller holds what it
     *     asked for; see the class comment)
     */
    public boolean tryWriteLock(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        long nanos = unit.toNanos(timeout);
        HoldCounter hc = callerCounter();
        checkpoint(hc.holder); // K5
        return tryFastWrite(hc.holder) // T1
                || lockSlow(hc, true, true, nanos, "tryWriteLock(timeout)");
    }

    /**
     * Releases the write lock; the lock goes to the head of the queue (a writer, or the run of readers at
     * the head). Never blocks; works while a killed task unwinds (docs/contract.md, K5).
     *
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller does not hold the write lock (state unchanged)
     * @throws TaskLifeException ({@code DESTROYED}) if the lock was destroyed
     */
    public void writeUnlock() {
        if (!writerValidAcquire() || !Callers.isCaller(writerAcquire())) { // RW9 (in this order); RW6
            checkNotDestroyed("writeUnlock()");
            Object me = Callers.identity(TaskControlBlock.current());
            Object holder = writerForDisplay();
            throw new TaskLifeException(Reason.NOT_PERMITTED, "writeUnlock() on " + this + " by " + Callers.describe(me)
                    + ": only the writer may release the write lock"
                    + (holder == null ? " (the lock is not write-locked)"
                    : " (it is held by " + Callers.describe(holder) + ")"));
        }
        WRITER_VALID.setRelease(this, false); // RW9: before the CAS that lets the next writer in
        for (;;) {
            long s = stateVolatile();
            assert (s & (WRITER | HOLDS | READERS)) == WRITER : "RW1: " + Long.toHexString(s);
            if ((s & QUEUED) != 0) {
                releaseWriteSlow();
                return;
            }
            if (casState(s, s & ~WRITER)) {
                return;
            }
        }
    }

    // ---- holder death ----

    /**
     * Declares the data the lock protects consistent again after a writer died holding the write lock
     * (see the class comment; POSIX {@code pthread_mutex_consistent} for robust mutexes): new holders are
     * no longer told. Only the holder of the write lock may call it, normally after it was told by
     * {@link OwnerDiedException} and repaired the data. Never blocks.
     *
     * @throws TaskLifeException ({@code NOT_PERMITTED}) if the caller does not hold the write lock (state unchanged)
     * @throws IllegalStateException if the lock is not in the owner-died state (state unchanged)
     * @throws TaskLifeException ({@code DESTROYED}) if the lock was destroyed
     */
    public void markConsistent() {
        HoldCounter hc = callerCounter();
        Object me = hc.holder;
        checkNotDestroyed("markConsistent()"); // RW12: final once set
        if (!isWriter(me)) { // RW9: exact for the caller; outside the lock, since toString may wait out a writer's window
            throw new TaskLifeException(Reason.NOT_PERMITTED,
                    "markConsistent() on " + this + " by " + Callers.describe(me)
                    + ": only the holder of the write lock may mark the lock consistent"
                    + (hc.count > 0 ? " (the caller holds a read lock: readers cannot repair the data)" : ""));
        }
        queue.lock();
        try {
            if (!ownerDied) {
                throw new IllegalStateException("markConsistent() on " + this + ": the lock is consistent"
                        + " (no writer died holding it since it was last marked)");
            }
            ownerDied = false; // RW14
            if (queue.firstWaitingLocked() == null) {
                clearQueuedLocked(); // the fast paths resume
            }
        } finally {
            queue.unlock();
        }
    }

    /** {@return whether a writer died holding the write lock and no write holder has marked it consistent since} */
    public boolean isOwnerDied() {
        return ownerDied;
    }

    /**
     * RW13: {@code dead}, whose counter is {@code hc}, is dead: drop its read holds, hand on its write lock
     * owner-died. What it holds is decided without the queue lock: the counter is the dead task's own
     * (RW10) and only the writer itself moves `writer` away from itself (RW9), so both readings are exact
     * unless the task is in fact still running inside a call on this lock (Known limits). Never spins
     * over another writer's RW9 window: that window may end in releaseWriteSlow(), which needs the lock.
     */
    private void holderDied(HoldCounter hc, TaskControlBlock dead) {
        assert hc.holder == dead : Callers.describe(hc.holder) + " watched for " + Callers.describe(dead);
        int held = (int) COUNT.getAndSet(hc, REVOKED);
        boolean wasWriter = isWriter(dead);
        if (held <= 0 && !wasWriter) {
            return; // the common case: it held nothing; no lock taken
        }
        assert !(held > 0 && wasWriter) : "RW1: a dead task held both modes";
        long drop = held > 0 ? held * ONE_HOLD + ONE_READER : 0;
        List<WaitNode> won;
        queue.lock();
        try {
            if (wasWriter) {
                WRITER_VALID.setRelease(this, false); // RW9: before the CAS that clears WRITER
                ownerDied = true; // RW14: before the CAS, under the lock
            }
            for (;;) {
                long s = stateVolatile();
                assert holds(s) >= held : "RW10: " + held + " holds of a dead task, state " + Long.toHexString(s);
                long next = wasWriter ? (s & ~WRITER) | QUEUED : s - drop;
                if (casState(s, next)) {
                    break;
                }
            }
            won = dispatchLocked(); // RW4, RW7
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake); // RW8
    }

    private OwnerDiedException ownerDiedNotice(String op, boolean write) {
        return new OwnerDiedException(op + " on " + this + ": acquired (" + (write ? "the write lock" : "a read hold")
                + "), but a writer ended while holding the write lock; the data it protects may be inconsistent:"
                + " a holder of the write lock must repair it and call markConsistent(), until which every new"
                + " holder is told", this);
    }

    // ---- destroy ----

    /**
     * Destroys the lock (POSIX {@code pthread_rwlock_destroy}): every later lock, try, unlock and destroy
     * call throws {@link TaskLifeException} ({@code DESTROYED}). Destroying a lock that is held (read or write) or
     * waited for is an error (POSIX EBUSY; POSIX leaves it undefined). Never blocks.
     *
     * @throws TaskLifeException ({@code BUSY}) if the lock is held or someone waits for it (state unchanged)
     * @throws TaskLifeException ({@code DESTROYED}) if it was already destroyed
     */
    public void destroy() {
        queue.lock();
        try {
            checkNotDestroyedLocked("destroy()");
            queue.firstWaitingLocked(); // drops decided nodes: only live waiters make it busy
            for (;;) {
                long s = stateVolatile();
                int waiting = queue.sizeLocked();
                long unused = ownerDied ? QUEUED : 0; // RW14: owner-died keeps QUEUED with nobody linked
                if (s != unused || waiting > 0) { // the message must not wait out a writer's RW9 window here
                    throw new TaskLifeException(Reason.BUSY,
                            "destroy() on ReadWriteLock@" + Integer.toHexString(System.identityHashCode(this))
                            + ": a reader-writer lock that is held or waited for cannot be destroyed ("
                            + describeUseLocked(s, waiting) + ")");
                }
                if (casState(s, QUEUED)) { // RW12: the fast paths keep out for ever
                    break;
                }
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

    // ---- introspection ----

    /** {@return whether some task or thread holds the write lock (a moment's reading)} */
    public boolean isWriteLocked() {
        return (stateVolatile() & WRITER) != 0;
    }

    /** {@return whether the calling task (or host thread) holds the write lock} */
    public boolean isWriteLockedByCurrentTask() {
        return writerValidAcquire() && Callers.isCaller(writerAcquire()); // RW9, in this order
    }

    /** {@return the number of read holds of all holders together, re-entries included (a moment's reading)} */
    public int readHoldCount() {
        return holds(stateVolatile());
    }

    /**
     * {@return how many tasks and threads are blocked waiting for the lock now, readers and writers (a
     * moment's reading)}
     */
    public int queueLength() {
        int[] waiting = {0};
        queue.lock();
        try {
            queue.forEachLocked(n -> {
                if (n.outcomeVolatile() == WaitNode.WAITING) {
                    waiting[0]++;
                }
            });
        } finally {
            queue.unlock();
        }
        return waiting[0];
    }

    @Override
    public String toString() {
        Object w = writerForDisplay();
        long s = stateVolatile();
        String state = destroyed ? "destroyed"
                : w != null ? "write-locked by " + Callers.describe(w)
                : holds(s) > 0 ? "read-locked, " + holds(s) + " holds by " + readers(s) + " readers"
                : "unlocked";
        return "ReadWriteLock@" + Integer.toHexString(System.identityHashCode(this)) + "[" + state
                + (ownerDied && !destroyed ? ", owner died" : "") + "]";
    }

    // ---- mechanics: fast paths ----

    /**
     * The caller's HoldCounter (RW11): the {@link #lastCaller} hint when it is the caller's, else the
     * thread's counter, made anew when missing or made for an identity the thread no longer has.
     */
    private HoldCounter callerCounter() {
        HoldCounter hc = lastCaller;
        if (hc == null || !Callers.isCaller(hc.holder)) {
            hc = holdCounters.get();
            if (hc == null || !Callers.isCaller(hc.holder)) {
                hc = newCounter(Callers.identity(TaskControlBlock.current()));
                holdCounters.set(hc); // replaces a counter left by the thread's ended task (RW11, RW13)
            }
            lastCaller = hc;
        }
        return hc;
    }

    /** A counter for the caller {@code me}; a task's is also its death watch on this lock (RW13). */
    private HoldCounter newCounter(Object me) {
        HoldCounter hc = new HoldCounter(this, me);
        if (me instanceof TaskControlBlock t && !t.watchDeath(hc)) {
            hc.count = REVOKED; // RW13: declared dead already (stuck, still running): it may take nothing
        }
        return hc;
    }

    /** The kill checkpoint of a task caller (K5), found without the ThreadLocal. */
    private static void checkpoint(Object me) {
        if (me instanceof TaskControlBlock t) {
            t.checkpoint();
        }
    }

    /** A read hold with one CAS: re-entry at any time (RW2), a first hold only with !WRITER and !QUEUED (RW3). */
    private boolean tryFastRead(HoldCounter hc) {
        int held = hc.count;
        if (held < 0) {
            return false; // RW13: REVOKED; the slow path refuses
        }
        long add = held > 0 ? ONE_HOLD : ONE_HOLD + ONE_READER;
        for (;;) {
            long s = stateVolatile();
            if (holds(s) == Integer.MAX_VALUE) {
                return false; // the slow path decides: refuse (IllegalStateException) or queue
            }
            if (held == 0 && (s & (WRITER | QUEUED)) != 0) {
                return false; // RW3: queue or fail under the queue lock
            }
            assert (s & WRITER) == 0 : "RW1: a read holder beside a writer: " + this;
            if (casState(s, s + add)) {
                hc.count = held + 1;
                return true;
            }
        }
    }

    /** The write lock with one CAS from exactly 0: no holds, no writer, nobody queued (RW3). */
    private boolean tryFastWrite(Object me) {
        if (stateVolatile() == 0 && casState(0, WRITER)) {
            publishWriter(me); // RW9: the caller's own window
            return true;
        }
        return false;
    }

    // ---- mechanics: slow paths ----

    /**
     * The blocking path of readLock, writeLock and the timed tries, after the checkpoint and a failed
     * fast path: take-or-enqueue under the lock, await, and on TIMED_OUT/KILLED re-dispatch (RW6).
     */
    private boolean lockSlow(HoldCounter hc, boolean write, boolean timed, long nanos, String op) {
        WaitContext w = WaitContext.current();
        long deadline = timed ? w.deadlineAfter(nanos) : Blocker.NO_DEADLINE;
        Object me = hc.holder;
        assert me == Callers.identity(w) : "RW11: " + Callers.describe(me);
        assert hc.count != REVOKED : "RW13: a dead task passed the checkpoint: " + Callers.describe(me);
        boolean reentry = !write && hc.count > 0; // RW14: a re-entry is not told
        WaitNode node;
        queue.lock();
        try {
            checkNotDestroyedLocked(op);
            checkNoSelfWaitLocked(hc, write, op);
            boolean expired = timed && w.hasPassed(deadline); // T1: the lock is tried first
            switch (takeOrAnnounceLocked(hc, write, expired, op)) {
                case TAKEN -> {
                    if (ownerDied && !reentry) {
                        throw ownerDiedNotice(op, write); // RW14: holding it
                    }
                    return true;
                }
                case EXPIRED -> {
                    return false; // no need to link a node only to time it out
                }
                default -> { } // WAIT: QUEUED is set (RW3)
            }
            node = new WaitNode(queue, new Request(this, me, write));
            queue.enqueueLocked(node);
        } finally {
            queue.unlock();
        }
        int outcome = w.await(node, deadline); // K3: the Blocker re-checks the kill after publishing
        if (outcome == WaitNode.SIGNALLED) {
            if (write) {
                assert isWriter(me) : "RW4: " + this;
            } else {
                assert hc.count == 0 && holds(stateVolatile()) > 0 : "RW2, RW4: " + this;
                hc.count = 1; // RW10: the dispatcher counted the hold in `state`; our own count is ours to write
            }
            if (ownerDied) {
                throw ownerDiedNotice(op, write); // RW14: exact for a grantee; holding it
            }
            return true;
        }
        // TIMED_OUT or KILLED: granted nothing (RW5), but our node may have held back readers behind it
        List<WaitNode> won;
        queue.lock();
        try {
            queue.unlinkLocked(node); // no-op: the killer or timer already unlinked it
            won = dispatchLocked();   // RW6
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake);
        if (outcome == WaitNode.KILLED) {
            throw w.killed();
        }
        assert outcome == WaitNode.TIMED_OUT : outcome;
        return false;
    }

    /** The untimed tries after a failed fast path: never block, never throw for a self-wait (RW2), no barging (RW3). */
    private boolean tryNowSlow(HoldCounter hc, boolean write) {
        String op = write ? "tryWriteLock()" : "tryReadLock()";
        queue.lock();
        try {
            checkNotDestroyedLocked(op);
            if (hc.count == REVOKED) {
                return false; // RW13: a dead task takes nothing
            }
            if (isWriter(hc.holder) || (write && hc.count > 0)) {
                return false; // would wait for itself: POSIX EBUSY / EDEADLK, a try just fails
            }
            boolean reentry = !write && hc.count > 0;
            if (takeOrAnnounceLocked(hc, write, true, op) != TAKEN) {
                return false;
            }
            if (ownerDied && !reentry) {
                throw ownerDiedNotice(op, write); // RW14: holding it
            }
            return true;
        } finally {
            queue.unlock();
        }
    }

    /**
     * RW2: throws TaskLifeException(DEADLOCK) if the caller holds the lock in a way that would make it wait for itself.
     */
    private void checkNoSelfWaitLocked(HoldCounter hc, boolean write, String op) {
        assert queue.isHeldByCurrentThread();
        Object me = hc.holder;
        if (isWriter(me)) {
            throw new TaskLifeException(Reason.DEADLOCK, op + " on " + this + " by " + Callers.describe(me)
                    + ": the caller holds the write lock; " + (write
                    ? "the write lock is not reentrant, taking it again would wait for itself"
                    : "a read lock would wait for the caller's own write lock (no downgrade; POSIX EDEADLK)"));
        }
        if (write && hc.count > 0) {
            throw new TaskLifeException(Reason.DEADLOCK, op + " on " + this + " by " + Callers.describe(me)
                    + ": the caller holds a read lock; upgrading would wait for its own read hold to be released");
        }
    }

    /**
     * Under the lock: re-enters a read hold (RW2), or takes the lock if RW3 allows it, clearing QUEUED in
     * the same CAS when no node is linked; otherwise, unless {@code expired}, sets QUEUED in the CAS that
     * saw the lock incompatible (RW3), and the caller links its node before unlocking.
     *
     * @return {@link #TAKEN}, {@link #WAIT} or {@link #EXPIRED} (nothing changed)
     */
    private int takeOrAnnounceLocked(HoldCounter hc, boolean write, boolean expired, String op) {
        assert queue.isHeldByCurrentThread();
        if (!write && hc.count > 0) {
            for (;;) { // re-entry: even with writers queued (see the class comment)
                long s = stateVolatile();
                checkReadHoldRoom(s, op);
                if (casState(s, s + ONE_HOLD)) {
                    hc.count++;
                    return TAKEN;
                }
            }
        }
        boolean waitingAhead = queue.firstWaitingLocked() != null; // decided nodes dropped first
        for (;;) {
            long s = stateVolatile();
            boolean compatible = (s & WRITER) == 0 && (!write || holds(s) == 0);
            if (compatible && !waitingAhead) {
                if (!write) {
                    checkReadHoldRoom(s, op);
                }
                long next = (ownerDied ? s : s & ~QUEUED) // RW3: nobody linked; RW14 keeps it while owner-died
                        + (write ? WRITER : ONE_HOLD + ONE_READER);
                if (casState(s, next)) {
                    if (write) {
                        publishWriter(hc.holder); // RW9: the caller's own window
                    } else {
                        hc.count = 1;
                    }
                    return TAKEN;
                }
            } else if (expired) {
                return EXPIRED;
            } else if ((s & QUEUED) != 0 || casState(s, s | QUEUED)) {
                return WAIT;
            }
        }
    }

    /** The last read hold of all with QUEUED set (RW7): release and dispatch under the lock. */
    private void releaseReadSlow(HoldCounter hc, long drop) {
        List<WaitNode> won;
        queue.lock();
        try {
            addStateLocked(-drop);
            hc.count--;
            won = dispatchLocked();
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake); // RW8
    }

    /** A write release with QUEUED set: clear WRITER and dispatch under the lock. */
    private void releaseWriteSlow() {
        List<WaitNode> won;
        queue.lock();
        try {
            addStateLocked(-WRITER);
            won = dispatchLocked();
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake); // RW8
    }

    /**
     * Grants the head of the queue while it is compatible (RW4, RW7): one writer when the lock is free, or
     * every reader up to the next writer while no writer holds it; clears QUEUED when no node is left
     * (RW3). The caller wakes the returned winners after unlocking (RW8).
     */
    private List<WaitNode> dispatchLocked() {
        assert queue.isHeldByCurrentThread();
        List<WaitNode> won = List.of();
        for (;;) {
            WaitNode h = queue.firstWaitingLocked(); // decided nodes dropped: their waiters re-dispatch (RW6)
            if (h == null) {
                clearQueuedLocked();
                break;
            }
            long s = stateVolatile();
            Request r = (Request) h.channel();
            if ((s & WRITER) != 0 || (r.write ? holds(s) > 0 : holds(s) == Integer.MAX_VALUE)) {
                break; // FIFO: the head blocks everyone behind it
            }
            queue.unlinkLocked(h); // QUEUED stays set until the end: fast paths keep out (RW4)
            if (r.write) {
                addStateLocked(WRITER);
                publishWriter(r.holder); // RW4, RW9: before the trySignal that publishes the grant
            } else {
                addStateLocked(ONE_HOLD + ONE_READER); // RW10: the waiter sets its own count
            }
            if (h.trySignal()) {
                if (won.isEmpty()) {
                    won = new ArrayList<>(2);
                }
                won.add(h);
            } else if (r.write) {
                WRITER_VALID.setRelease(this, false); // lost to a kill or timeout after the prune: revert (K9)
                addStateLocked(-WRITER);
            } else {
                addStateLocked(-(ONE_HOLD + ONE_READER));
            }
        }
        assert (stateVolatile() & WRITER) == 0 || holds(stateVolatile()) == 0 : "RW1: " + this;
        return won;
    }

    /** No node is linked: clears QUEUED so that the fast paths resume (RW3), unless destroyed or owner-died (RW12, RW14). */
    private void clearQueuedLocked() {
        assert queue.isHeldByCurrentThread() && queue.sizeLocked() == 0;
        if (destroyed || ownerDied) {
            return;
        }
        for (;;) {
            long s = stateVolatile();
            if ((s & QUEUED) == 0 || casState(s, s & ~QUEUED)) {
                return;
            }
        }
    }

    /** Adds {@code delta} to the state word under the lock; fast re-entries and read unlocks may race it. */
    private void addStateLocked(long delta) {
        assert queue.isHeldByCurrentThread();
        for (;;) {
            long s = stateVolatile();
            if (casState(s, s + delta)) {
                return;
            }
        }
    }

    private void checkNotDestroyedLocked(String op) {
        assert queue.isHeldByCurrentThread();
        checkNotDestroyed(op);
    }

    /** RW12: `destroyed` is final once set, so a check without the lock is exact on error paths. */
    private void checkNotDestroyed(String op) {
        if (destroyed) {
            throw new TaskLifeException(Reason.DESTROYED,
                    op + " on " + this + ": the reader-writer lock was destroyed");
        }
    }

    /**
     * What keeps a lock in use, for TaskLifeException(BUSY): the holders, the waiters. Under the queue lock, so it
     * never waits out a writer's RW9 window (which may need the lock to end): such a writer is unnamed.
     */
    private String describeUseLocked(long s, int waiting) {
        assert queue.isHeldByCurrentThread();
        List<String> use = new ArrayList<>(3);
        if ((s & WRITER) != 0) {
            use.add("write-locked" + (writerValidAcquire() ? " by " + Callers.describe(writerAcquire()) : ""));
        }
        if (holds(s) > 0) {
            use.add(holds(s) + " read holds by " + readers(s) + " readers");
        }
        if (waiting > 0) {
            use.add(waiting + " waiting");
        } else if ((s & QUEUED) != 0 && !ownerDied) {
            use.add("a waiter leaving its wait");
        }
        return String.join(", ", use);
    }

    private void checkReadHoldRoom(long s, String op) {
        if (holds(s) == Integer.MAX_VALUE) {
            throw new IllegalStateException(op + " on " + this + ": read holds would exceed Integer.MAX_VALUE");
        }
    }

    // ---- accessors ----

    private static int holds(long s) {
        return (int) (s & HOLDS);
    }

    private static int readers(long s) {
        return (int) ((s & READERS) >>> 31);
    }

    private long stateVolatile() {
        return (long) STATE.getVolatile(this);
    }

    private boolean casState(long expected, long next) {
        return STATE.compareAndSet(this, expected, next);
    }

    private Object writerAcquire() {
        return WRITER_ID.getAcquire(this);
    }

    private boolean writerValidAcquire() {
        return (boolean) WRITER_VALID.getAcquire(this);
    }

    /** Whether {@code me}, the caller, holds the write lock (RW9: exact for the caller; the flag first). */
    private boolean isWriter(Object me) {
        return writerValidAcquire() && writerAcquire() == me;
    }

    /** Names {@code me} the write holder, after the CAS that set WRITER for it (RW9). */
    private void publishWriter(Object me) {
        if (WRITER_ID.get(this) != me) {
            WRITER_ID.setRelease(this, me); // a reference store only when the writer changes (RW9)
        }
        WRITER_VALID.setRelease(this, true);
    }

    /**
     * The write holder for messages and snapshots, or {@code null} if the lock is not write-locked (a
     * moment's reading). Spins over the RW9 windows, straight-line code on a running writer's thread.
     */
    private Object writerForDisplay() {
        for (;;) {
            if (writerValidAcquire()) {
                return writerAcquire();
            }
            if ((stateVolatile() & WRITER) == 0) {
                return null;
            }
            Thread.onSpinWait();
        }
    }

    private String channelName() {
        return "rwlock@" + Integer.toHexString(System.identityHashCode(this));
    }

    /** The holder part of the wait channel; lock-free, so a snapshot never waits for this lock. */
    private String describeHolders() {
        Object w = writerForDisplay();
        if (w != null) {
            return Callers.describe(w);
        }
        int n = readers(stateVolatile());
        return n > 0 ? n + " readers" : "nobody"; // fixed format, also for 1
    }
}
