package org.tasklife.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.tasklife.TaskKilledError;
import org.tasklife.internal.group.WaitContext;
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.wait.Blocker;
import org.tasklife.internal.wait.WaitNode;
import org.tasklife.internal.wait.WaitQueue;

/**
 * A counting semaphore with a maximum value, strict FIFO fairness and kill-aware waits (SPEC §9,
 * K2, K3, K9, T1).
 *
 * <p><b>Semantics.</b> The semaphore holds a number of available permits between {@code 0} and
 * {@link #maxPermits()}. {@code acquire(n)} takes {@code n} permits at once, blocking until they are
 * available; {@code release(n)} gives {@code n} back. Permits have no owner: any task or host thread
 * may release permits it never acquired.
 *
 * <p><b>Fairness.</b> Strictly first-in-first-out, like {@code java.util.concurrent.Semaphore(n, true)}
 * with one deliberate difference: the untimed {@link #tryAcquire()} and {@link #tryAcquire(int)} do
 * <em>not</em> barge. While any task or thread is queued, a try fails even if enough permits are
 * available for it, exactly like the JDK's {@code tryAcquire(0, SECONDS)}. A waiter asking for
 * {@code n} permits at the head of the queue therefore blocks every later request, even smaller ones,
 * until {@code n} permits are available (no starvation of large requests). With nobody queued the
 * behaviour is identical to the JDK's fair semaphore.
 *
 * <p><b>Hand-off.</b> {@code release} hands permits directly to queued waiters in order: a woken
 * waiter already owns its permits and never competes for them again. A waiter that is killed or whose
 * timeout passes before it was handed its permits takes nothing; the permits stay available for the
 * next waiter (K9). A waiter is never both handed permits and killed: one decision wins.
 *
 * <p><b>Kill.</b> {@link #acquire()} and the timed {@code tryAcquire} variants are blocking calls: a
 * killed task calling them throws {@link TaskKilledError} before it takes anything (even a free permit,
 * K5), and a task killed while blocked in them is woken at once and throws {@link TaskKilledError}
 * (K2) with the semaphore unchanged and its queue entry gone. If the permits were handed to it before
 * the kill, the call returns normally and the task sees the kill at its next safe point; it then owns
 * the permits and gives them back in its own {@code finally}, like any holder. The untimed
 * {@code tryAcquire} and {@code release} never block and keep working while a killed task unwinds.
 * {@code Thread.interrupt()} does not end a wait (K5a). Host threads (outside any task) may use every
 * method; they are never killed.
 *
 * <p><b>Timeouts.</b> A timed acquire returns {@code false} when its deadline passes, never throws for
 * it, and takes nothing. A deadline already passed (zero or negative timeout) still takes free
 * permits without blocking, as {@code sem_timedwait} does (T1). Deadlines use the kernel's clock.
 *
 * <p><b>Errors</b> (the semaphore is unchanged after each): a permit count below 1, or above
 * {@link #maxPermits()} for an acquire (a request that could never be satisfied), throws
 * {@link IllegalArgumentException}; a release that would raise the available permits above
 * {@link #maxPermits()} throws {@link SemaphoreOverflowException} (EOVERFLOW); a {@code null} unit or
 * duration throws {@link NullPointerException}.
 *
 * <p><b>Memory effects.</b> Actions in a task or thread before a {@code release} happen-before the
 * actions following any acquire (blocking, timed or try) that succeeds after it, in particular one
 * that was handed the released permits.
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
     * Overview: one WaitQueue whose lock guards the permit count, so "check permits, else enqueue" is
     * atomic (WaitContext pattern: checkpoint, check-and-enqueue under the queue lock, await, handle
     * the outcome). Each node's channel is a Request carrying how many permits it wants, so a releaser
     * can decide hand-offs from the queue alone. dispatchLocked() is the one place permits go to
     * waiters: while the head is a WAITING node whose request fits, pop it, write its payload, and win
     * it with trySignal(); only a winning CAS deducts the permits.
     *
     * States: permits in [0, maxPermits]; each node WAITING -> SIGNALLED (handed its permits) |
     * TIMED_OUT | KILLED (took nothing), one CAS (WaitNode).
     *
     * Invariants:
     *  S1 0 <= permits <= maxPermits whenever the lock is free.
     *  S2 every linked node is ours and its Request wants 1..maxPermits permits.
     *  S3 when release() or a dispatch unlocks, the first WAITING node (if any) wants more than permits:
     *     no idle permit while a waiter it would satisfy is at the head.
     *  S4 a waiter whose outcome is TIMED_OUT or KILLED took nothing, and before returning it runs
     *     dispatchLocked() itself: its node may have been the head that held later waiters back (kill
     *     and timeout decide outcomes outside the lock, so S3 may lapse until that dispatch runs).
     *  S5 a node popped for hand-off gets payload = wanted before its trySignal(); permits are deducted
     *     only if that CAS wins, else the node is dropped and the next one tried (G7, K9).
     *  S6 FIFO: hand-offs follow enqueue order, and a try succeeds only with no node linked (decided
     *     nodes at the head are pruned first), so nobody overtakes a waiter.
     *
     * Concurrency: all reads and writes of permits hold queue.lock(). Outcome CASes by kill and timeout
     * happen outside it; that is why dispatch prunes decided nodes and why S4 exists. Winners are
     * unparked after the lock is released (K10, WaitQueue.wake).
     *
     * Memory ordering: the lock orders release() before a later try or immediate acquire; for a
     * hand-off, the releaser's writes precede the winning outcome CAS, which the parked waiter reads
     * with volatile semantics (WaitNode).
     *
     * Kill and cleanup: the killer unlinks the node and unparks the waiter (WaitNode.kill); the waiter
     * re-dispatches (S4) and throws. A SIGNALLED waiter returns normally even if killed meanwhile.
     *
     * Known limits: queueLength() walks the queue (O(queued)); release() allocates a list only when
     * someone is queued. No barging means a steady stream of small releases never lets a late try
     * overtake a large head request, which is the point but costs throughput.
     *
     * References: POSIX sem_post/sem_timedwait (EOVERFLOW, past deadlines), JDK fair Semaphore.
     */

    private final WaitQueue queue = new WaitQueue(); // immutable; its lock guards permits
    private final int maxPermits;                    // immutable, >= 1
    private int permits;                             // guarded by queue.lock(), S1

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
     * A semaphore with {@code initialPermits} available and a maximum of {@link Integer#MAX_VALUE}.
     *
     * @param initialPermits the permits available at first, {@code >= 0}
     * @throws IllegalArgumentException if {@code initialPermits} is negative
     */
    public Semaphore(int initialPermits) {
        this(initialPermits, Integer.MAX_VALUE);
    }

    /**
     * A semaphore with {@code initialPermits} available and at most {@code maxPermits} ever available.
     *
     * @param initialPermits the permits available at first, {@code 0..maxPermits}
     * @param maxPermits the largest number of available permits, {@code >= 1}
     * @throws IllegalArgumentException if {@code maxPermits < 1}, {@code initialPermits < 0} or
     *     {@code initialPermits > maxPermits}
     */
    public Semaphore(int initialPermits, int maxPermits) {
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
        this.permits = initialPermits;
    }

    /**
     * Takes one permit, blocking until it is handed over.
     *
     * @throws TaskKilledError if the calling task is or gets killed before it obtained the permit
     */
    public void acquire() {
        acquire(1);
    }

    /**
     * Takes {@code n} permits at once, blocking until they are handed over (FIFO).
     *
     * @param n permits wanted, {@code 1..maxPermits()}
     * @throws IllegalArgumentException if {@code n < 1} or {@code n > maxPermits()}
     * @throws TaskKilledError if the calling task is or gets killed before it obtained the permits
     */
    public void acquire(int n) {
        checkWanted(n, "acquire");
        boolean acquired = acquireWithin(n, false, 0L);
        assert acquired;
    }

    /**
     * Takes one permit if one is available and nobody is queued; never blocks.
     *
     * @return whether the permit was taken
     */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code n} permits if that many are available and nobody is queued; never blocks and does
     * not barge past queued waiters (see the class comment).
     *
     * @param n permits wanted, {@code 1..maxPermits()}
     * @return whether the permits were taken
     * @throws IllegalArgumentException if {@code n < 1} or {@code n > maxPermits()}
     */
    public boolean tryAcquire(int n) {
        checkWanted(n, "tryAcquire");
        queue.lock();
        try {
            return tryTakeLocked(n);
        } finally {
            queue.unlock();
        }
    }

    /**
     * Takes one permit, waiting at most {@code timeout}; a free permit is taken even if the timeout is
     * zero or negative.
     *
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
     * @throws IllegalArgumentException if {@code n < 1} or {@code n > maxPermits()}
     * @throws NullPointerException if {@code timeout} is null
     * @throws TaskKilledError if the calling task is or gets killed before it obtained the permits
     */
    public boolean tryAcquire(int n, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        checkWanted(n, "tryAcquire");
        return acquireWithin(n, true, saturatedNanos(timeout));
    }

    /**
     * Gives back one permit; see {@link #release(int)}.
     *
     * @throws SemaphoreOverflowException if {@code maxPermits()} permits are already available
     */
    public void release() {
        release(1);
    }

    /**
     * Gives back {@code n} permits and hands them to queued waiters in FIFO order. Never blocks; works
     * in a killed task that is unwinding.
     *
     * @param n permits released, {@code >= 1}
     * @throws IllegalArgumentException if {@code n < 1}
     * @throws SemaphoreOverflowException if the available permits would exceed {@code maxPermits()};
     *     nothing is released then
     */
    public void release(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("release(" + n + ") on " + channelName()
                    + ": the number of permits must be >= 1");
        }
        List<WaitNode> won;
        queue.lock();
        try {
            if ((long) permits + n > maxPermits) {
                throw new SemaphoreOverflowException("release(" + n + ") on " + channelName() + ": "
                        + permits + " available + " + n + " would exceed maxPermits = " + maxPermits);
            }
            permits += n;
            won = dispatchLocked();
        } finally {
            queue.unlock();
        }
        won.forEach(WaitQueue::wake);
    }

    /** The permits available now (a moment's reading). */
    public int availablePermits() {
        queue.lock();
        try {
            return permits;
        } finally {
            queue.unlock();
        }
    }

    /** The largest number of available permits, fixed at construction. */
    public int maxPermits() {
        return maxPermits;
    }

    /** How many tasks and threads are blocked waiting for permits now (a moment's reading). */
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
                + ", queued=" + queueLength() + "]";
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

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * The blocking path of acquire and the timed tries: checkpoint, take-or-enqueue under the lock,
     * await, and on TIMED_OUT/KILLED re-dispatch (S4).
     */
    private boolean acquireWithin(int n, boolean timed, long nanos) {
        WaitContext w = WaitContext.current();
        w.checkpoint(); // K5: a killed task takes nothing, not even a free permit
        long deadline = timed ? Clock.deadlineAfter(w.clock().nanoTime(), nanos) : Blocker.NO_DEADLINE;
        WaitNode node;
        queue.lock();
        try {
            if (tryTakeLocked(n)) {
                return true; // T1: taken even with a past deadline
            }
            if (timed && nanos <= 0) {
                return false; // deadline already passed: no need to link a node only to time it out
            }
            node = new WaitNode(queue, new Request(this, n));
            queue.enqueueLocked(node);
        } finally {
            queue.unlock();
        }
        int outcome = w.await(node, deadline); // K3: Blocker re-checks the kill after publishing
        if (outcome == WaitNode.SIGNALLED) {
            assert node.payload instanceof Integer granted && granted == n : node.payload; // S5
            return true;
        }
        // TIMED_OUT or KILLED: we took nothing, but our node may have held back the waiters behind it
        List<WaitNode> won;
        queue.lock();
        try {
            queue.unlinkLocked(node); // no-op: the killer or timer already unlinked it
            won = dispatchLocked();   // S4
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

    /** Takes {@code n} permits if nobody is queued and enough are free (S6). */
    private boolean tryTakeLocked(int n) {
        assert queue.isHeldByCurrentThread();
        pruneLocked();
        if (queue.peekLocked() == null && permits >= n) {
            permits -= n;
            return true;
        }
        return false;
    }

    /** Drops decided (killed or timed-out) nodes from the head; their waiters re-dispatch (S4). */
    private void pruneLocked() {
        WaitNode h;
        while ((h = queue.peekLocked()) != null && h.outcomeVolatile() != WaitNode.WAITING) {
            queue.unlinkLocked(h);
        }
    }

    /**
     * Hands permits to head waiters while their requests fit (S3, S5). The caller unparks the returned
     * winners after unlocking.
     */
    private List<WaitNode> dispatchLocked() {
        assert queue.isHeldByCurrentThread();
        List<WaitNode> won = List.of();
        for (;;) {
            pruneLocked();
            WaitNode h = queue.peekLocked();
            if (h == null) {
                break;
            }
            int wanted = ((Request) h.channel()).wanted;
            if (wanted > permits) {
                break; // FIFO: the head blocks every later, even smaller, request
            }
            queue.unlinkLocked(h);
            h.payload = wanted; // S5: before the CAS that publishes it
            if (h.trySignal()) {
                permits -= wanted;
                if (won.isEmpty()) {
                    won = new ArrayList<>(2);
                }
                won.add(h);
            }
            // else lost to a kill or timeout after the prune: it took nothing, try the next (K9)
        }
        assert permits >= 0 && permits <= maxPermits : permits; // S1
        return won;
    }
}
