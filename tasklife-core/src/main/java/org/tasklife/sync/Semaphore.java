package org.tasklife.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskLifeException.Reason;
import org.tasklife.internal.task.TaskControlBlock;
import org.tasklife.internal.task.WaitContext;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;

/**
 * A counting semaphore with a maximum value and kill-aware waits (docs/contract.md, §9, K2, K3, K9, T1); non-fair
 * (barging) by default, strictly FIFO on request.
 *
 * <p><b>Semantics.</b> The semaphore holds a number of available permits between {@code 0} and
 * {@link #maxPermits()}. {@code acquire(n)} takes {@code n} permits at once, blocking until they are
 * available; {@code release(n)} gives {@code n} back. Permits have no owner: any task or host thread
 * may release permits it never acquired.
 *
 * <p><b>Fairness.</b> Waiters queue in arrival order in both modes; the modes differ in who gets
 * released permits.
 * <ul>
 * <li><em>Non-fair</em> (the default, like {@code java.util.concurrent.Semaphore(n)}): any acquire or
 *     try takes free permits at once if there are enough, even while others are queued. A release
 *     wakes queued waiters from the head, as many as the free permits cover (the head first; a head
 *     wanting more than is free blocks the wake-ups behind it), and each woken waiter competes for
 *     the permits again: a caller arriving meanwhile may take them first. A woken waiter that loses
 *     goes back to the <em>head</em> of the queue, keeping its place, but newcomers may overtake it
 *     any number of times (no bound on barging, as in the JDK); a large request may wait for ever
 *     under a steady stream of small ones. In exchange, permits pass between running tasks without a
 *     park and an unpark per acquire.</li>
 * <li><em>Fair</em> ({@link #Semaphore(int, int, boolean)} with {@code fair = true}, like
 *     {@code java.util.concurrent.Semaphore(n, true)}): strictly first-in-first-out, with one deliberate
 *     difference from the JDK: the untimed {@link #tryAcquire()} and {@link #tryAcquire(int)} do
 *     <em>not</em> barge. While any task or thread is queued, a try fails even if enough permits are
 *     available for it, exactly like the JDK's {@code tryAcquire(0, SECONDS)}. A waiter asking for
 *     {@code n} permits at the head of the queue therefore blocks every later request, even smaller
 *     ones, until {@code n} permits are available (no starvation of large requests). {@code release}
 *     hands permits directly to queued waiters in order: a woken waiter already owns its permits and
 *     never competes for them again.</li>
 * </ul>
 * With nobody queued both modes behave exactly like the JDK's semaphore.
 *
 * <p><b>Hand-off and kill.</b> A waiter that is killed or whose timeout passes before it obtained its
 * permits takes nothing; permits handed to it (fair) or the wake-up it was given (non-fair) pass to the
 * next waiter (K9). A waiter is never both handed permits and killed: one decision wins.
 * {@link #acquire()} and the timed {@code tryAcquire} variants are blocking calls: a killed task calling
 * them throws {@link TaskKilledError} before it takes anything (even a free permit, K5), and a task
 * killed while blocked in them is woken at once and throws {@link TaskKilledError} (K2) with the
 * semaphore unchanged and its queue entry gone. If the permits were obtained before the kill, the call
 * returns normally and the task sees the kill at its next safe point; it then owns the permits and gives
 * them back in its own {@code finally}, like any holder. The untimed {@code tryAcquire} and
 * {@code release} never block and keep working while a killed task unwinds. {@code Thread.interrupt()}
 * does not end a wait (K5a). Host threads (outside any task) may use every method; they are never killed.
 *
 * <p><b>Timeouts.</b> A timed acquire returns {@code false} when its deadline passes, never throws for
 * it, and takes nothing. A deadline already passed (zero or negative timeout) still takes free
 * permits without blocking, as {@code sem_timedwait} does (T1); so does a woken non-fair waiter whose
 * deadline passed while it was on its way. Deadlines use the kernel's clock.
 *
 * <p><b>Errors</b> (the semaphore is unchanged after each): a permit count below 1, or above
 * {@link #maxPermits()} for an acquire (a request that could never be satisfied), throws
 * {@link IllegalArgumentException}; a release that would raise the available permits above
 * {@link #maxPermits()} throws {@link TaskLifeException} ({@code OVERFLOW}) (EOVERFLOW); a {@code null} unit or
 * duration throws {@link NullPointerException}.
 *
 * <p><b>Memory effects.</b> Actions in a task or thread before a {@code release} happen-before the
 * actions following any acquire (blocking, timed or try) that succeeds after it, in particular one
 * that obtained the released permits.
 *
 * <p><b>Introspection.</b> A task blocked here shows the wait channel
 * {@code semaphore@<identity hash in hex> (<n> permits wanted)}.
 *
 * <pre>{@code
 * Semaphore slots = new Semaphore(4);
 * slots.acquire();
 * try { useSlot(); } finally { slots.release(); }
 * }</pre>
 */
public final class Semaphore {
    /*
     * Implementation notes
     *
     * Overview: the permits and a WAITERS flag share one atomic long, `state` (STATE VarHandle):
     * bits 0..31 the available permits, bit 32 "a node may be queued". Acquire with enough permits and
     * (fair mode) no WAITERS is one CAS; release without WAITERS is one CAS. Because the flag and the
     * count are one word, "check permits, else announce a waiter" and "add permits unless someone
     * waits" are each a single CAS: no Dekker handshake is needed, a concurrent change fails the CAS.
     * Everything else runs under the wait queue's lock (WaitContext pattern: checkpoint,
     * take-or-enqueue under the lock, await, handle the outcome). Each node's channel is a Request with
     * the permits it wants, so a releaser decides from the queue alone; dispatchLocked() is the one
     * place released permits go to waiters.
     *
     * States: permits in [0, maxPermits]; WAITERS set or clear; each node WAITING -> SIGNALLED (fair:
     * handed its permits; non-fair: woken to compete) | TIMED_OUT | KILLED (took nothing), one CAS.
     *
     * Invariants:
     *  S1 0 <= permits <= maxPermits, always (every change is a CAS that checks it).
     *  S2 every linked node is ours and its Request wants 1..maxPermits permits.
     *  S3 WAITERS is set whenever a node is linked: a waiter sets it (in the CAS that found too few
     *     permits) before it enqueues, under the queue lock; it is cleared only under the queue lock with
     *     no node linked. So a release that sees it clear has no one to wake, and a release while it is
     *     set takes the slow path and dispatches.
     *  S4 when a release or a dispatch unlocks, the first WAITING node (if any) wants more than
     *     permits - wokenWanted (non-fair) or permits (fair): no idle permit while a waiter it would
     *     satisfy is at the head.
     *  S5 a waiter whose outcome is TIMED_OUT or KILLED took nothing, and before returning it runs
     *     dispatchLocked() itself: its node may have been the head that held later waiters back (kill
     *     and timeout decide outcomes outside the lock, so S4 may lapse until that dispatch runs).
     *  S6 fair: a node popped for hand-off gets payload = wanted before its trySignal(); permits are
     *     deducted only if that CAS wins, else the node is dropped and the next one tried (G7, K9). With
     *     WAITERS set, a fair semaphore's state changes only under the queue lock (both fast paths
     *     refuse), so the deduction cannot fail.
     *  S7 fair FIFO: a try or an acquire takes permits only with no WAITING node linked (decided nodes
     *     at the head are pruned first), so nobody overtakes a waiter.
     *  S8 non-fair: a node popped for waking gets payload = COMPETE and its request counts in
     *     wokenWanted until its waiter is back under the queue lock; then it lowers wokenWanted and only
     *     then re-reads the permits: it takes them, or re-queues at the HEAD (setting WAITERS in the same
     *     CAS that found too few permits), or leaves (timeout, kill) after a dispatch of its own, so the
     *     wake-up it was given is never lost. A non-fair release adds its permits with one CAS even with
     *     WAITERS set, and skips the queue lock if the permits now free are all covered by woken waiters
     *     on their way (permits <= wokenWanted, volatile on both sides: they will see the new permits).
     *  S9 the blocking acquires find the calling task for their kill checkpoint (K5) through the last
     *     acquirer's identity (a task, or a host thread), kept as a hint and validated by Mutex.isCaller
     *     (Mutex M8); it saves a ThreadLocal lookup per acquire. Asserts check it.
     *
     * Concurrency: `state` is read and CASed without the lock; the queue, wokenWanted and every
     * WAITERS change hold the queue lock. Outcome CASes by kill and timeout happen outside it; that is
     * why dispatch prunes decided nodes and why S5 exists. Winners are unparked after the lock is
     * released (K10, WaitQueue.wake).
     *
     * Memory ordering: a release's CAS happens-before the CAS of the acquire that takes its permits;
     * for a fair hand-off, the releaser's writes precede the winning outcome CAS, which the parked
     * waiter reads with volatile semantics (WaitNode).
     *
     * Kill and cleanup: the killer unlinks the node and unparks the waiter (WaitNode.kill); the waiter
     * re-dispatches (S5) and throws. A woken non-fair waiter killed before it competed re-dispatches
     * too (S8). A fair SIGNALLED waiter returns normally even if killed meanwhile.
     *
     * Known limits: queueLength() walks the queue (O(queued)) and does not count a non-fair waiter on
     * its way back from a wake-up; release() allocates a list only when someone is queued. Fair: a
     * steady stream of small releases never lets a late try overtake a large head request, which is the
     * point but costs throughput. Non-fair: barging is unbounded; a woken waiter that loses re-parks at
     * once (no spinning). lastAcquirer keeps the last acquirer's task or thread reachable until another
     * acquirer replaces it.
     *
     * References: POSIX sem_post/sem_timedwait (EOVERFLOW, past deadlines), JDK Semaphore (NonfairSync,
     * FairSync) and AbstractQueuedSynchronizer's shared mode.
     */

    private static final VarHandle STATE;
    private static final VarHandle WOKEN_WANTED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Semaphore.class, "state", long.class);
            WOKEN_WANTED = l.findVarHandle(Semaphore.class, "wokenWanted", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bit of {@link #state}: a node may be linked (S3). */
    private static final long WAITERS = 1L << 32;
    /** Bits of {@link #state}: the available permits. */
    private static final long PERMITS = 0xFFFF_FFFFL;

    /** Payload of a node woken to compete (non-fair, S8). */
    private static final Object COMPETE = new Object();

    private final WaitQueue queue = new WaitQueue(); // immutable; its lock guards the slow paths
    private final int maxPermits;                    // immutable, >= 1
    private final boolean fair;                      // immutable
    private final Request one = new Request(this, 1); // immutable: every one-permit waiter's channel (no object per waiter)
    @SuppressWarnings("unused")                      // accessed through STATE
    private volatile long state;                     // permits | WAITERS; CAS only (S1, S3)
    @SuppressWarnings("unused")                      // accessed through WOKEN_WANTED
    private volatile int wokenWanted;                // written under queue.lock(): requests woken, on their way (S8)
    private Object lastAcquirer;                     // racy hint, plain: a caller identity, validated before use (S9)

    /** What a queued node waits for: its channel in snapshots and the size of its request. */
    private static final class Request {
        final Semaphore semaphore; // immutable
        final int wanted;          // immutable, 1..maxPermits (S2)

        Request(Semaphore semaphore, int wanted) {
            this.semaphore = semaphore;
            this.wanted = wanted;
        }

        @Override
        public String toString() {
            return semaphore.channelName() + " (" + wanted + " permits wanted)"; // fixed format, also for 1
        }
    }

    /**
     * A non-fair semaphore with {@code initialPermits} available and a maximum of
     * {@link Integer#MAX_VALUE}.
     *
     * @param initialPermits the permits available at first, {@code >= 0}
     * @throws IllegalArgumentException if {@code initialPermits} is negative
     */
    public Semaphore(int initialPermits) {
        this(initialPermits, Integer.MAX_VALUE, false);
    }

    /**
     * A semaphore with {@code initialPermits} available, a maximum of {@link Integer#MAX_VALUE} and the
     * given fairness policy (see the class comment).
     *
     * @param initialPermits the permits available at first, {@code >= 0}
     * @param fair {@code true}: strict FIFO hand-off; {@code false}: barging
     * @throws IllegalArgumentException if {@code initialPermits} is negative
     */
    public Semaphore(int initialPermits, boolean fair) {
        this(initialPermits, Integer.MAX_VALUE, fair);
    }

    /**
     * A non-fair semaphore with {@code initialPermits} available and at most {@code maxPermits} ever
     * available.
     *
     * @param initialPermits the permits available at first, {@code 0..maxPermits}
     * @param maxPermits the largest number of available permits, {@code >= 1}
     * @throws IllegalArgumentException if {@code maxPermits < 1}, {@code initialPermits < 0} or
     *     {@code initialPermits > maxPermits}
     */
    public Semaphore(int initialPermits, int maxPermits) {
        this(initialPermits, maxPermits, false);
    }

    /**
     * A semaphore with {@code initialPermits} available, at most {@code maxPermits} ever available, and
     * the given fairness policy (see the class comment).
     *
     * @param initialPermits the permits available at first, {@code 0..maxPermits}
     * @param maxPermits the largest number of available permits, {@code >= 1}
     * @param fair {@code true}: strict FIFO hand-off; {@code false}: barging
     * @throws IllegalArgumentException if {@code maxPermits < 1}, {@code initialPermits < 0} or
     *     {@code initialPermits > maxPermits}
     */
    public Semaphore(int initialPermits, int maxPermits, boolean fair) {
        if (maxPermits < 1) {
            throw new IllegalArgumentException("maxPermits = " + maxPermits + ": must be >= 1");
        }
        if (initialPermits < 0) {
            throw new IllegalArgumentException("initialPermits = " + initialPermits + ": must be >= 0");
        }
        if (initialPermits > maxPermits) {
            throw new IllegalArgumentException("initialPermits = " + initialPermits
                    + ": must be <= maxPermits = " + maxPermits);
        }
        this.maxPermits = maxPermits;
        this.fair = fair;
        STATE.setRelease(this, (long) initialPermits);
    }

    /**
     * Takes one permit, blocking until it is obtained.
     *
     * @throws TaskKilledError if the calling task is or gets killed before it obtained the permit
     */
    public void acquire() {
        WaitContext.safePoint();
        boolean acquired = acquireWithin(1, false, 0L); // not through acquire(1): one frame less while parked
        assert acquired;
    }

    /**
     * Takes {@code n} permits at once, blocking until they are obtained.
     *
     * @param n permits wanted, {@code 1..maxPermits()}
     * @throws IllegalArgumentException if {@code n < 1} or {@code n > maxPermits()}
     * @throws TaskKilledError if the calling task is or gets killed before it obtained the permits
     */
    public void acquire(int n) {
        WaitContext.safePoint();
        checkWanted(n, "acquire");
        boolean acquired = acquireWithin(n, false, 0L);
        assert acquired;
    }

    /**
     * Takes one permit if one is available (fair: and nobody is queued); never blocks.
     *
     * @return whether the permit was taken
     */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code n} permits if that many are available; never blocks. A fair semaphore does not
     * barge past queued waiters (see the class comment).
     *
     * @param n permits wanted, {@code 1..maxPermits()}
     * @return whether the permits were taken
     * @throws IllegalArgumentException if {@code n < 1} or {@code n > maxPermits()}
     */
    public boolean tryAcquire(int n) {
        checkWanted(n, "tryAcquire");
        for (;;) {
            long s = stateVolatile();
            if (fair && (s & WAITERS) != 0) {
                break; // decide under the lock, after pruning decided nodes (S7)
            }
            if (permits(s) < n) {
                return false;
            }
            if (casState(s, s - n)) {
                return true;
            }
        }
        queue.lock();
        try {
            return takeLocked(n, queue.firstWaitingLocked() != null);
        } finally {
            queue.unlock();
        }
    }

    /**
     * Takes one permit, waiting at most {@code timeout}; a free permit is taken even if the timeout is
     * zero or negative.
     *
     * @param timeout how long to wait at most, in {@code unit}s
     * @param unit the unit of {@code timeout}
     * @return {@code true} if taken, {@code false} if the timeout passed first (nothing taken)
     * @throws NullPointerException if {@code unit} is null
     * @throws TaskKilledError if the calling task is or gets killed before it obtained the permit
     */
    public boolean tryAcquire(long timeout, TimeUnit unit) {
        return tryAcquire(1, timeout, unit);
    }

    /**
     * Takes {@code n} permits, waiting at most {@code timeout}; free permits are taken even if the
     * timeout is zero or negative.
     *
     * @param n permits wanted, {@code 1..maxPermits()}
     * @param timeout how long to wait at most, in {@code unit}s
     * @param unit the unit of {@code timeout}
     * @return {@code true} if taken, {@code false} if the timeout passed first (nothing taken)
     * @throws IllegalArgumentException if {@code n < 1} or {@code n > maxPermits()}
     * @throws NullPointerException if {@code unit} is null
     * @throws TaskKilledError if the calling task is or gets killed before it obtained the permits
     */
    public boolean tryAcquire(int n, long timeout, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        checkWanted(n, "tryAcquire");
        return acquireWithin(n, true, unit.toNanos(timeout));
    }

    /**
     * Takes one permit, waiting at most {@code timeout}; see {@link #tryAcquire(int, long, TimeUnit)}.
     *
     * @param timeout how long to wait at most
     * @return {@code true} if taken, {@code false} if the timeout passed first (nothing taken)
     * @throws NullPointerException if {@code timeout} is null
     * @throws TaskKilledError if the calling task is or gets killed before it obtained the permit
     */
    public boolean tryAcquire(Duration timeout) {
        return tryAcquire(1, timeout);
    }

    /**
     * Takes {@code n} permits, waiting at most {@code timeout}; see
     * {@link #tryAcquire(int, long, TimeUnit)}.
     *
     * @param n permits wanted, {@code 1..maxPermits()}
     * @param timeout how long to wait at most
     * @return {@code true} if taken, {@code false} if the timeout passed first (nothing taken)
     * @throws IllegalArgumentException if {@code n < 1} or {@code n > maxPermits()}
     * @throws NullPointerException if {@code timeout} is null
     * @throws TaskKilledError if the calling task is or gets killed before it obtained the permits
     */
    public boolean tryAcquire(int n, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        checkWanted(n, "tryAcquire");
        return acquireWithin(n, true, WaitContext.nanosOf(timeout));
    }

    /**
     * Gives back one permit; see {@link #release(int)}.
     *
     * @throws TaskLifeException ({@code OVERFLOW}) if {@code maxPermits()} permits are already available
     */
    public void release() {
        release(1);
    }

    /**
     * Gives back {@code n} permits and hands them to (fair) or wakes (non-fair) queued waiters in FIFO
     * order. Never blocks; works in a killed task that is unwinding.
     *
     * @param n permits released, {@code >= 1}
     * @throws IllegalArgumentException if {@code n < 1}
     * @throws TaskLifeException ({@code OVERFLOW}) if the available permits would exceed {@code maxPermits()};
     *     nothing is released then
     */
    public void release(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("release(" + n + ") on " + channelName()
                    + ": the number of permits must be >= 1");
        }
        boolean added = false;
        for (;;) {
            long s = stateVolatile();
            checkOverflow(s, n);
            if ((s & WAITERS) != 0 && fair) {
                break; // S3, S6: someone may wait for a hand-off, decided under the lock
            }
            if (casState(s, s + n)) {
                if ((s & WAITERS) == 0 || permits(s) + n <= wokenWantedVolatile()) {
                    WaitContext.safePoint();
                    return; // nobody waits, or (S8) woken waiters on their way will see these permits
                }
                added = true;
                break;
            }
        }
        List<WaitNode> won;
        queue.lock();
        try {
            while (!added) {
                long s = stateVolatile();
                checkOverflow(s, n);
                added = casState(s, s + n);
            }
            won = dispatchLocked();
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake);
        WaitContext.safePoint();
    }

    /** {@return the permits available now (a moment's reading)} */
    public int availablePermits() {
        return permits(stateVolatile());
    }

    /** {@return the largest number of available permits, fixed at construction} */
    public int maxPermits() {
        return maxPermits;
    }

    /** {@return whether released permits are handed to queued waiters in strict FIFO order (see the class comment)} */
    public boolean isFair() {
        return fair;
    }

    /** {@return how many tasks and threads are blocked waiting for permits now (a moment's reading)} */
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
        return channelName() + "[available=" + availablePermits() + ", max=" + maxPermits
                + (fair ? ", fair" : "") + ", queued=" + queueLength() + "]";
    }

    // ---- mechanics ----

    private String channelName() {
        return "semaphore@" + Integer.toHexString(System.identityHashCode(this));
    }

    private void checkWanted(int n, String op) {
        if (n < 1) {
            throw new IllegalArgumentException(op + "(" + n + ") on " + channelName()
                    + ": the number of permits must be >= 1");
        }
        if (n > maxPermits) {
            throw new IllegalArgumentException(op + "(" + n + ") on " + channelName()
                    + ": the number of permits must be <= maxPermits = " + maxPermits
                    + " (the request could never be satisfied)");
        }
    }

    private void checkOverflow(long s, int n) {
        if ((long) permits(s) + n > maxPermits) {
            throw new TaskLifeException(Reason.OVERFLOW, "release(" + n + ") on " + channelName() + ": "
                    + permits(s) + " available + " + n + " would exceed maxPermits = " + maxPermits);
        }
    }

    /**
     * Every acquire but the untimed try: checkpoint, the fast CAS, then the slow path: take-or-enqueue
     * under the lock, await, and compete again after a non-fair wake-up (S8); on TIMED_OUT/KILLED
     * re-dispatch (S5).
     */
    private boolean acquireWithin(int n, boolean timed, long nanos) {
        checkpointCaller(); // K5: a killed task takes nothing, not even a free permit
        for (;;) { // the fast path (T1: even with a past deadline)
            long s = stateVolatile();
            if ((fair && (s & WAITERS) != 0) || permits(s) < n) {
                break;
            }
            if (casState(s, s - n)) {
                return true;
            }
        }
        WaitContext w = WaitContext.current();
        long deadline = timed ? w.deadlineAfter(nanos) : Blocker.NO_DEADLINE;
        boolean competing = false; // woken to compete; our request still counts in wokenWanted (S8)
        boolean atHead = false;    // re-queue at the head: we were woken and must keep our place
        for (;;) {
            if (competing) {
                try {
                    w.checkpoint();
                } catch (Error killed) {
                    leaveAfterWakeUp(n); // S8: the wake-up goes to the next waiter
                    throw killed;
                }
            }
            WaitNode node;
            List<WaitNode> won = List.of();
            queue.lock();
            try {
                if (competing) {
                    competing = false;
                    addWokenWantedLocked(-n); // S8: before re-reading the permits
                }
                if (takeOrAnnounceLocked(n)) {
                    return true; // T1: taken even with a past deadline
                }
                if (timed && w.hasPassed(deadline)) {
                    won = dispatchLocked(); // S8: we may have been the head that held others back
                    return false;
                }
                node = new WaitNode(queue, n == 1 ? one : new Request(this, n));
                if (atHead) {
                    queue.enqueueFirstLocked(node);
                } else {
                    queue.enqueueLocked(node);
                }
            } finally {
                queue.unlock();
                won.forEach(WaitQueue::wake);
            }
            int outcome = w.await(node, deadline); // K3: Blocker re-checks the kill after publishing
            if (outcome == WaitNode.SIGNALLED) {
                if (node.payload == COMPETE) {
                    competing = true; // S8
                    atHead = true;
                    continue;
                }
                assert fair && node.payload instanceof Integer granted && granted == n : node.payload; // S6
                return true;
            }
            // TIMED_OUT or KILLED: we took nothing, but our node may have held back the waiters behind it.
            // With no permit free there is nothing to hand on: a later release dispatches itself and prunes
            // our node, whose outcome was decided before this volatile read (S5). This keeps a mass kill of
            // waiters on an empty semaphore off the queue lock.
            if (permits(stateVolatile()) > 0) {
                queue.lock();
                try {
                    won = dispatchLocked(); // S5 (the killer or timer already unlinked our node)
                } finally {
                    queue.unlock();
                }
                won.forEach(WaitQueue::wake);
            }
            if (outcome == WaitNode.KILLED) {
                throw w.killed();
            }
            assert outcome == WaitNode.TIMED_OUT : outcome;
            return false;
        }
    }

    /**
     * The kill checkpoint (K5) of a task caller, finding the task through the {@link #lastAcquirer} hint
     * when it is valid for this thread (S9), else through the task binding (a ThreadLocal).
     */
    private void checkpointCaller() {
        Object id = lastAcquirer;
        if (!Callers.isCaller(id)) {
            id = Callers.identity(TaskControlBlock.current());
            lastAcquirer = id;
        }
        if (id instanceof TaskControlBlock t) {
            t.checkpoint();
        }
    }

    /** A woken non-fair waiter leaving without competing (killed): it gives its wake-up on (S8, K9). */
    private void leaveAfterWakeUp(int n) {
        List<WaitNode> won;
        queue.lock();
        try {
            addWokenWantedLocked(-n);
            won = dispatchLocked();
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake);
    }

    /**
     * Under the lock: takes {@code n} permits if the policy allows (S7 fair, barging non-fair), else sets
     * WAITERS in the same CAS that saw too few permits (S3). The caller then enqueues or gives up.
     *
     * @return whether the permits were taken
     */
    private boolean takeOrAnnounceLocked(int n) {
        assert queue.isHeldByCurrentThread();
        boolean waitingAhead = fair && queue.firstWaitingLocked() != null;
        for (;;) {
            long s = stateVolatile();
            if (permits(s) >= n && !waitingAhead) {
                long next = s - n;
                if (queue.sizeLocked() == 0) {
                    next &= ~WAITERS; // nobody linked: fast paths may resume (S3)
                }
                if (casState(s, next)) {
                    return true;
                }
            } else if ((s & WAITERS) != 0 || casState(s, s | WAITERS)) {
                return false;
            }
        }
    }

    /** The untimed try under the lock: takes {@code n} permits if enough are free and (fair) nobody waits. */
    private boolean takeLocked(int n, boolean waitingAhead) {
        assert queue.isHeldByCurrentThread();
        if (waitingAhead) {
            return false; // S7
        }
        for (;;) {
            long s = stateVolatile();
            if (permits(s) < n) {
                return false;
            }
            long next = s - n;
            if (queue.sizeLocked() == 0) {
                next &= ~WAITERS;
            }
            if (casState(s, next)) {
                return true;
            }
        }
    }

    /**
     * Gives free permits to head waiters while their requests fit (S4): fair, hands them over (S6);
     * non-fair, wakes them to compete (S8). Clears WAITERS when no node is left (S3). The caller unparks
     * the returned winners after unlocking.
     */
    private List<WaitNode> dispatchLocked() {
        assert queue.isHeldByCurrentThread();
        List<WaitNode> won = List.of();
        for (;;) {
            WaitNode h = queue.firstWaitingLocked(); // decided nodes dropped: their waiters re-dispatch (S5)
            if (h == null) {
                clearWaitersLocked();
                break;
            }
            int wanted = ((Request) h.channel()).wanted;
            int free = permits(stateVolatile()) - (fair ? 0 : wokenWantedVolatile());
            if (wanted > free) {
                break; // the head blocks every later, even smaller, request
            }
            queue.unlinkLocked(h);
            h.payload = fair ? (Object) wanted : COMPETE; // S6, S8: before the CAS that publishes it
            if (h.trySignal()) {
                if (fair) {
                    deductLocked(wanted);
                } else {
                    addWokenWantedLocked(wanted);
                }
                if (won.isEmpty()) {
                    won = new ArrayList<>(2);
                }
                won.add(h);
            }
            // else lost to a kill or timeout after the prune: it took nothing, try the next (K9)
        }
        return won;
    }

    /** Fair hand-off: takes {@code n} permits for a waiter whose node this thread just won (S6). */
    private void deductLocked(int n) {
        for (;;) {
            long s = stateVolatile();
            assert permits(s) >= n : "S6: " + permits(s) + " < " + n;
            if (casState(s, s - n)) {
                return;
            }
        }
    }

    /** No node is linked: clears WAITERS so that the fast paths resume (S3). */
    private void clearWaitersLocked() {
        assert queue.isHeldByCurrentThread() && queue.sizeLocked() == 0;
        for (;;) {
            long s = stateVolatile();
            if ((s & WAITERS) == 0 || casState(s, s & ~WAITERS)) {
                return;
            }
        }
    }

    private int wokenWantedVolatile() {
        return (int) WOKEN_WANTED.getVolatile(this);
    }

    private void addWokenWantedLocked(int delta) {
        assert queue.isHeldByCurrentThread();
        WOKEN_WANTED.setVolatile(this, wokenWantedVolatile() + delta); // S8: read by release without the lock
    }

    private static int permits(long s) {
        return (int) (s & PERMITS);
    }

    private long stateVolatile() {
        return (long) STATE.getVolatile(this);
    }

    private boolean casState(long expected, long next) {
        return STATE.compareAndSet(this, expected, next);
    }
}
