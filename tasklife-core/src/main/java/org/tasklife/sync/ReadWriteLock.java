package org.tasklife.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.tasklife.DeadlockException;
import org.tasklife.NotPermittedException;
import org.tasklife.TaskKilledError;
import org.tasklife.internal.group.WaitContext;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;

/**
 * A kill-aware reader-writer lock (SPEC §9, K2, K3, K9, T1): any number of readers, or one writer,
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
 * hold on a task's behalf. Host threads may use every method; they are never killed.
 *
 * <p><b>Timeouts.</b> A timed try returns {@code false} when its deadline passes, never throws for it,
 * and takes nothing. A lock that can be taken at once is taken even with a zero or negative timeout
 * (T1).
 *
 * <p><b>Errors</b> (the lock is unchanged after each): {@link #writeLock()} or the timed
 * {@link #tryWriteLock(long, TimeUnit)} by the current writer (not reentrant), {@link #readLock()} or
 * the timed {@link #tryReadLock(long, TimeUnit)} by the current writer (no downgrade: POSIX EDEADLK),
 * and {@link #writeLock()} or the timed write try by a holder of a read lock (an upgrade would wait for
 * its own read hold) throw {@link DeadlockException}; the untimed tries return {@code false} in those
 * cases. {@link #readUnlock()} by a caller holding no read lock and {@link #writeUnlock()} by a caller
 * that is not the writer throw {@link NotPermittedException}. A {@code null} unit throws
 * {@link NullPointerException}.
 *
 * <p><b>Memory effects.</b> As for {@link java.util.concurrent.locks.ReadWriteLock}: a successful
 * unlock of either kind happens-before every later successful lock, in particular one that was granted
 * the lock by that unlock.
 *
 * <p><b>Introspection.</b> A task blocked here shows the wait channel
 * {@code rwlock@<identity hash in hex> (read|write wanted, held by <holder>)}, where the holder is the
 * writer ({@code task 7}, {@code host thread 'main'}), {@code <n> readers} or {@code nobody}.
 *
 * <p>Not covered: robust semantics for a holder that ends while holding (SPEC §9, robust mutex); its
 * hold stays.
 */
public final class ReadWriteLock {
    /*
     * Implementation notes
     *
     * Overview: one WaitQueue whose lock guards the whole state (writer, the per-holder read counts), so
     * a locker checks and enqueues atomically (WaitContext pattern: checkpoint, take-or-enqueue under the
     * queue lock, await, handle the outcome). Each node's channel is a Request naming the holder and the
     * mode, so the dispatcher decides grants from the queue alone. dispatchLocked() is the one place the
     * lock goes to waiters; a woken waiter already holds what it asked for and never retries.
     *
     * States: free (writer == null, no read hold) -> write-locked (writer != null) | read-locked (read
     * holds > 0); each node WAITING -> SIGNALLED (granted) | TIMED_OUT | KILLED (granted nothing).
     *
     * Invariants:
     *  RW1 writer != null implies no read hold; readHolds is the sum of readers' counts and readerCount
     *      is readers.size(), both written only under the queue lock.
     *  RW2 a holder is never queued: read re-entry is immediate, every other request by a holder throws
     *      DeadlockException (or fails, for the untimed tries).
     *  RW3 no barging: a request is satisfied without queueing only if no node is linked (after pruning
     *      decided nodes at the head) and the lock is compatible, except read re-entry (RW2).
     *  RW4 dispatch grants the head: a writer alone when the lock is free, or the run of readers at the
     *      head while no writer holds it. Grant fields are written BEFORE the node's trySignal and
     *      reverted if the CAS loses (the waiter was killed or timed out: K9, try the next node).
     *  RW5 a node whose outcome is KILLED or TIMED_OUT was granted nothing.
     *  RW6 a waiter whose outcome is TIMED_OUT or KILLED runs dispatchLocked() itself before returning:
     *      its node may have been the head that held back readers behind it (kill and timeout decide
     *      outcomes outside the lock, so RW7 may lapse until that dispatch runs). As Semaphore S4.
     *  RW7 when an unlock or a dispatch releases the queue lock, the first WAITING node (if any) cannot be
     *      granted: a writer holds the lock, or it is a writer and read holds remain.
     *  RW8 winners are woken after the queue lock is released (K10).
     *
     * Concurrency: writer, readHolds and readerCount are written only under the queue lock, with release
     * semantics, and read through their ...Acquire() accessors, so that introspection and the lazy wait
     * channel never take the lock. The readers map is plain, guarded by the lock. Outcome CASes by kill
     * and timeout happen outside the lock: that is why dispatch prunes decided nodes and why RW6 exists.
     *
     * Memory ordering: the queue lock orders an unlock before a later lock taken without waiting; for a
     * grant, the dispatcher's writes precede the winning outcome CAS, which the waiter reads with
     * volatile semantics (WaitNode).
     *
     * Kill and cleanup: the killer unlinks the node and unparks the waiter (WaitNode.kill); the waiter
     * re-dispatches (RW6) and throws, holding nothing (RW5). A SIGNALLED waiter returns normally even if
     * killed meanwhile and releases in its own finally.
     *
     * Known limits: queueLength() walks the queue (O(queued)). Holders are kept by strong reference
     * until they release. A read hold count above Integer.MAX_VALUE in total is refused with
     * IllegalStateException. Read re-entry lets current readers overtake a queued writer (documented
     * policy, the price of not deadlocking nested reads).
     *
     * References: POSIX pthread_rwlock_rdlock/wrlock (EDEADLK when the caller holds the write lock),
     * JDK ReentrantReadWriteLock (fair mode), Courtois, Heymans, Parnas, "Concurrent control with
     * readers and writers" (CACM 1971) for the starvation trade-offs.
     */

    private static final VarHandle WRITER;
    private static final VarHandle READ_HOLDS;
    private static final VarHandle READER_COUNT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WRITER = l.findVarHandle(ReadWriteLock.class, "writer", Object.class);
            READ_HOLDS = l.findVarHandle(ReadWriteLock.class, "readHolds", int.class);
            READER_COUNT = l.findVarHandle(ReadWriteLock.class, "readerCount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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

    private final WaitQueue queue = new WaitQueue();                  // immutable; its lock guards the state
    private final Map<Object, Integer> readers = new IdentityHashMap<>(); // guarded by queue lock: holder -> read holds >= 1
    @SuppressWarnings("unused")   // accessed through WRITER
    private volatile Object writer;   // TaskControlBlock or host Thread; written under queue lock only (RW1)
    @SuppressWarnings("unused")   // accessed through READ_HOLDS
    private volatile int readHolds;   // total read holds; written under queue lock only (RW1)
    @SuppressWarnings("unused")   // accessed through READER_COUNT
    private volatile int readerCount; // readers.size(); written under queue lock only (RW1)

    /** A free reader-writer lock. */
    public ReadWriteLock() {}

    // ---- read side ----

    /**
     * Takes a read hold, blocking while a writer holds the lock or anyone is queued (FIFO); a caller that
     * already holds a read lock takes another hold at once.
     *
     * @throws DeadlockException if the caller holds the write lock (no downgrade; state unchanged)
     * @throws TaskKilledError if the calling task is killed before or while waiting (it then holds nothing)
     */
    public void readLock() {
        WaitContext.safePoint();
        boolean acquired = lockWithin(false, false, 0L, "readLock()");
        assert acquired;
    }

    /**
     * Takes a read hold if that is possible at once: no writer and nobody queued, or the caller already
     * holds a read lock. Never blocks; works while a killed task unwinds (SPEC K5).
     *
     * @return whether a read hold was taken ({@code false} also if the caller holds the write lock)
     */
    public boolean tryReadLock() {
        return tryNow(false);
    }

    /**
     * Takes a read hold, waiting at most {@code timeout}; taken even with a zero or negative timeout if
     * possible at once (SPEC T1).
     *
     * @return {@code true} if taken, {@code false} if the timeout passed first (nothing taken)
     * @throws NullPointerException if {@code unit} is null
     * @throws DeadlockException if the caller holds the write lock
     * @throws TaskKilledError if the calling task is killed before or while waiting
     */
    public boolean tryReadLock(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return lockWithin(false, true, unit.toNanos(timeout), "tryReadLock(timeout)");
    }

    /**
     * Releases one read hold of the caller; when the last read hold of all holders is released, the
     * lock goes to the head of the queue. Never blocks; works while a killed task unwinds (SPEC K5).
     *
     * @throws NotPermittedException if the caller holds no read lock (state unchanged)
     */
    public void readUnlock() {
        Object me = Mutex.identity(TaskControlBlock.current());
        List<WaitNode> won;
        queue.lock();
        try {
            if (!readers.containsKey(me)) {
                throw new NotPermittedException("readUnlock() on " + this + " by " + Mutex.describe(me)
                        + ": only a holder of a read lock may release one"
                        + (writerAcquire() == me ? " (the caller holds the write lock: use writeUnlock())"
                        : " (the caller holds no read lock)"));
            }
            removeReadHoldLocked(me);
            won = dispatchLocked();
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake); // RW8
    }

    // ---- write side ----

    /**
     * Takes the write lock, blocking until no one else holds the lock and every earlier queued request
     * has been served (FIFO).
     *
     * @throws DeadlockException if the caller already holds the write lock (not reentrant) or a read lock
     *     (no upgrade); state unchanged
     * @throws TaskKilledError if the calling task is killed before or while waiting (it then holds nothing)
     */
    public void writeLock() {
        WaitContext.safePoint();
        boolean acquired = lockWithin(true, false, 0L, "writeLock()");
        assert acquired;
    }

    /**
     * Takes the write lock if it is free and nobody is queued. Never blocks; works while a killed task
     * unwinds (SPEC K5).
     *
     * @return whether the write lock was taken ({@code false} also if the caller holds the lock in either
     *     mode: POSIX EBUSY/EDEADLK)
     */
    public boolean tryWriteLock() {
        return tryNow(true);
    }

    /**
     * Takes the write lock, waiting at most {@code timeout}; a free lock is taken even with a zero or
     * negative timeout (SPEC T1).
     *
     * @return {@code true} if taken, {@code false} if the timeout passed first (nothing taken)
     * @throws NullPointerException if {@code unit} is null
     * @throws DeadlockException if the caller already holds the write lock or a read lock
     * @throws TaskKilledError if the calling task is killed before or while waiting
     */
    public boolean tryWriteLock(long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return lockWithin(true, true, unit.toNanos(timeout), "tryWriteLock(timeout)");
    }

    /**
     * Releases the write lock; the lock goes to the head of the queue (a writer, or the run of readers at
     * the head). Never blocks; works while a killed task unwinds (SPEC K5).
     *
     * @throws NotPermittedException if the caller does not hold the write lock (state unchanged)
     */
    public void writeUnlock() {
        Object me = Mutex.identity(TaskControlBlock.current());
        List<WaitNode> won;
        queue.lock();
        try {
            Object w = writerAcquire();
            if (w != me) {
                throw new NotPermittedException("writeUnlock() on " + this + " by " + Mutex.describe(me)
                        + ": only the writer may release the write lock"
                        + (w == null ? " (the lock is not write-locked)" : " (it is held by " + Mutex.describe(w) + ")"));
            }
            setWriterLocked(null);
            won = dispatchLocked();
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake); // RW8
    }

    // ---- introspection ----

    /** Whether some task or thread holds the write lock (a moment's reading). */
    public boolean isWriteLocked() {
        return writerAcquire() != null;
    }

    /** Whether the calling task (or host thread) holds the write lock. */
    public boolean isWriteLockedByCurrentTask() {
        return writerAcquire() == Mutex.identity(TaskControlBlock.current());
    }

    /** The number of read holds of all holders together, re-entries included (a moment's reading). */
    public int readHoldCount() {
        return readHoldsAcquire();
    }

    /** How many tasks and threads are blocked waiting for the lock now, readers and writers (a moment's reading). */
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
        Object w = writerAcquire();
        int holds = readHoldsAcquire();
        String state = w != null ? "write-locked by " + Mutex.describe(w)
                : holds > 0 ? "read-locked, " + holds + " holds by " + readerCountAcquire() + " readers"
                : "unlocked";
        return "ReadWriteLock@" + Integer.toHexString(System.identityHashCode(this)) + "[" + state + "]";
    }

    // ---- mechanics ----

    /**
     * The blocking path of readLock, writeLock and the timed tries: checkpoint, take-or-enqueue under
     * the lock, await, and on TIMED_OUT/KILLED re-dispatch (RW6).
     */
    private boolean lockWithin(boolean write, boolean timed, long nanos, String op) {
        WaitContext w = WaitContext.current();
        w.checkpoint(); // K5: a killed task takes nothing, not even a free lock
        long deadline = timed ? Clock.deadlineAfter(w.clock().nanoTime(), nanos) : Blocker.NO_DEADLINE;
        Object me = Mutex.identity(w);
        WaitNode node;
        queue.lock();
        try {
            checkNoSelfWaitLocked(me, write, op);
            if (takeNowLocked(me, write, op)) {
                return true; // T1: taken even with a past deadline
            }
            if (timed && deadline - w.clock().nanoTime() <= 0) {
                return false; // no need to link a node only to time it out
            }
            node = new WaitNode(queue, new Request(this, me, write));
            queue.enqueueLocked(node);
        } finally {
            queue.unlock();
        }
        int outcome = w.await(node, deadline); // K3: the Blocker re-checks the kill after publishing
        if (outcome == WaitNode.SIGNALLED) {
            assert write ? writerAcquire() == me : readHoldsAcquire() > 0 : this; // RW4
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

    /** The untimed tries: never block, never throw for a self-wait (RW2), no barging (RW3). */
    private boolean tryNow(boolean write) {
        Object me = Mutex.identity(TaskControlBlock.current());
        queue.lock();
        try {
            if (writerAcquire() == me || (write && readers.containsKey(me))) {
                return false; // would wait for itself: POSIX EBUSY / EDEADLK, a try just fails
            }
            return takeNowLocked(me, write, write ? "tryWriteLock()" : "tryReadLock()");
        } finally {
            queue.unlock();
        }
    }

    /** RW2: throws DeadlockException if {@code me} holds the lock in a way that would make it wait for itself. */
    private void checkNoSelfWaitLocked(Object me, boolean write, String op) {
        assert queue.isHeldByCurrentThread();
        if (writerAcquire() == me) {
            throw new DeadlockException(op + " on " + this + " by " + Mutex.describe(me)
                    + ": the caller holds the write lock; " + (write
                    ? "the write lock is not reentrant, taking it again would wait for itself"
                    : "a read lock would wait for the caller's own write lock (no downgrade; POSIX EDEADLK)"));
        }
        if (write && readers.containsKey(me)) {
            throw new DeadlockException(op + " on " + this + " by " + Mutex.describe(me)
                    + ": the caller holds a read lock; upgrading would wait for its own read hold to be released");
        }
    }

    /** Takes the lock without waiting if RW3 allows it, or re-enters a read hold (RW2). */
    private boolean takeNowLocked(Object me, boolean write, String op) {
        assert queue.isHeldByCurrentThread();
        if (!write && readers.containsKey(me)) {
            checkReadHoldRoomLocked(op);
            addReadHoldLocked(me); // re-entry: even with writers queued (see the class comment)
            return true;
        }
        pruneLocked();
        if (writerAcquire() != null || queue.peekLocked() != null) {
            return false;
        }
        if (write) {
            if (readHoldsAcquire() > 0) {
                return false;
            }
            setWriterLocked(me);
        } else {
            checkReadHoldRoomLocked(op);
            addReadHoldLocked(me);
        }
        return true;
    }

    /** Drops decided (killed or timed-out) nodes from the head; their waiters re-dispatch (RW6). */
    private void pruneLocked() {
        WaitNode h;
        while ((h = queue.peekLocked()) != null && h.outcomeVolatile() != WaitNode.WAITING) {
            queue.unlinkLocked(h);
        }
    }

    /**
     * Grants the head of the queue while it is compatible (RW4, RW7): one writer when the lock is free, or
     * every reader up to the next writer while no writer holds it. The caller wakes the returned winners
     * after unlocking (RW8).
     */
    private List<WaitNode> dispatchLocked() {
        assert queue.isHeldByCurrentThread();
        List<WaitNode> won = List.of();
        for (;;) {
            pruneLocked();
            WaitNode h = queue.peekLocked();
            if (h == null || writerAcquire() != null) {
                break;
            }
            Request r = (Request) h.channel();
            if (r.write ? readHoldsAcquire() > 0 : readHoldsAcquire() == Integer.MAX_VALUE) {
                break; // FIFO: the head blocks everyone behind it
            }
            queue.unlinkLocked(h);
            if (r.write) {
                setWriterLocked(r.holder); // RW4: before the CAS that publishes it
            } else {
                addReadHoldLocked(r.holder);
            }
            if (h.trySignal()) {
                if (won.isEmpty()) {
                    won = new ArrayList<>(2);
                }
                won.add(h);
            } else if (r.write) {
                setWriterLocked(null); // lost to a kill or timeout after the prune: revert, try the next (K9)
            } else {
                removeReadHoldLocked(r.holder);
            }
        }
        assert writerAcquire() == null || readHoldsAcquire() == 0 : "RW1: " + this;
        return won;
    }

    private void checkReadHoldRoomLocked(String op) {
        if (readHoldsAcquire() == Integer.MAX_VALUE) {
            throw new IllegalStateException(op + " on " + this + ": read holds would exceed Integer.MAX_VALUE");
        }
    }

    private void addReadHoldLocked(Object holder) {
        assert queue.isHeldByCurrentThread();
        assert writerAcquire() == null : "RW1: read hold for " + Mutex.describe(holder) + " while " + this;
        readers.merge(holder, 1, Integer::sum);
        READ_HOLDS.setRelease(this, readHoldsAcquire() + 1);
        READER_COUNT.setRelease(this, readers.size());
    }

    private void removeReadHoldLocked(Object holder) {
        assert queue.isHeldByCurrentThread();
        Integer held = readers.get(holder);
        assert held != null && held >= 1 : Mutex.describe(holder) + " holds no read lock";
        if (held == 1) {
            readers.remove(holder);
        } else {
            readers.put(holder, held - 1);
        }
        READ_HOLDS.setRelease(this, readHoldsAcquire() - 1);
        READER_COUNT.setRelease(this, readers.size());
    }

    private void setWriterLocked(Object w) {
        assert queue.isHeldByCurrentThread();
        assert w == null || readHoldsAcquire() == 0 : "RW1: writer " + Mutex.describe(w) + " while " + this;
        WRITER.setRelease(this, w);
    }

    private Object writerAcquire() {
        return WRITER.getAcquire(this);
    }

    private int readHoldsAcquire() {
        return (int) READ_HOLDS.getAcquire(this);
    }

    private int readerCountAcquire() {
        return (int) READER_COUNT.getAcquire(this);
    }

    private String channelName() {
        return "rwlock@" + Integer.toHexString(System.identityHashCode(this));
    }

    /** The holder part of the wait channel; lock-free, so a snapshot never waits for this lock. */
    private String describeHolders() {
        Object w = writerAcquire();
        if (w != null) {
            return Mutex.describe(w);
        }
        int n = readerCountAcquire();
        return n > 0 ? n + " readers" : "nobody"; // fixed format, also for 1
    }
}
