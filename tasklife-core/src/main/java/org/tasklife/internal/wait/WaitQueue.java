package org.tasklife.internal.wait;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A FIFO of {@link WaitNode}s guarded by one lock.
 *
 * <p>Clients that must check a condition and enqueue atomically (every primitive) hold
 * {@link #lock()} around both, using the {@code ...Locked} methods; signallers decide outcomes under
 * the lock and unpark after releasing it, so a woken thread never runs into a lock its waker holds
 * (contract K10).
 */
public final class WaitQueue {
    /*
     * Implementation notes
     *
     * Overview: an intrusive doubly linked list; unlink is O(1) from any position, which is what makes
     * kill O(1) per task (DESIGN I4) even with 100,000 waiters on one queue.
     *
     * Concurrency: all links and the size are guarded by {@code lock}. Outcome
     * CASes may happen outside it (kill, timeout), which is why a signaller pops nodes until one
     * trySignal() wins: a node whose outcome was already decided is simply dropped (its killer or timer
     * unlinks it again, which is a no-op).
     *
     * Known limits: a lock rather than a lock-free queue. Measured not to be what limits a contended primitive:
     * tasks taking turns on one mutex or semaphore park about once per 2,500 or more operations, so the queue is
     * rarely touched and the primitives' fast paths decide the throughput (BENCHMARKS.md). LINKED counts nodes
     * over every queue in the JVM, for leak audits in tests.
     */

    private static final LongAdder LINKED = new LongAdder();

    private final ReentrantLock lock = new ReentrantLock();
    private WaitNode head;   // guarded by lock
    private WaitNode tail;   // guarded by lock
    private int size;        // guarded by lock

    /** Number of nodes linked in any queue of this JVM (audits; quiescent when 0). */
    public static long linkedNodesInJvm() {
        return LINKED.sum();
    }

    /** Acquires the queue lock; pair with {@link #unlock()} in a {@code finally}. */
    public void lock() {
        lock.lock();
    }

    /** Releases the queue lock. */
    public void unlock() {
        lock.unlock();
    }

    /** Whether the current thread holds the queue lock. */
    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** Appends {@code n}, which must belong to this queue and never have been linked. */
    public void enqueueLocked(WaitNode n) {
        assert lock.isHeldByCurrentThread();
        assert n.queue == this && !isLinkedLocked(n) : n;
        n.prev = tail;
        n.next = null;
        if (tail == null) {
            head = n;
        } else {
            tail.next = n;
        }
        tail = n;
        size++;
        LINKED.increment();
    }

    /**
     * Inserts {@code n}, which must belong to this queue and never have been linked, at the head: for a
     * waiter that was woken to compete for a barging primitive, lost, and must not lose its place.
     */
    public void enqueueFirstLocked(WaitNode n) {
        assert lock.isHeldByCurrentThread();
        assert n.queue == this && !isLinkedLocked(n) : n;
        n.prev = null;
        n.next = head;
        if (head == null) {
            tail = n;
        } else {
            head.prev = n;
        }
        head = n;
        size++;
        LINKED.increment();
    }

    /**
     * Whether {@code n}, a node of this queue, is linked: it is the head or has a previous node (a node's links
     * are null whenever it is not linked, and it belongs to one queue only).
     */
    private boolean isLinkedLocked(WaitNode n) {
        return n.prev != null || head == n;
    }

    /** Removes {@code n} if it is still linked. @return whether it was linked */
    public boolean unlinkLocked(WaitNode n) {
        assert lock.isHeldByCurrentThread();
        if (!isLinkedLocked(n)) {
            return false;
        }
        if (n.prev == null) {
            head = n.next;
        } else {
            n.prev.next = n.next;
        }
        if (n.next == null) {
            tail = n.prev;
        } else {
            n.next.prev = n.prev;
        }
        n.prev = null;
        n.next = null;
        size--;
        LINKED.decrement();
        return true;
    }

    /** {@link #unlinkLocked} under the lock. */
    public boolean unlink(WaitNode n) {
        lock.lock();
        try {
            return unlinkLocked(n);
        } finally {
            lock.unlock();
        }
    }

    /** Removes and returns the first node, or {@code null}. */
    public WaitNode pollLocked() {
        assert lock.isHeldByCurrentThread();
        WaitNode n = head;
        if (n != null) {
            unlinkLocked(n);
        }
        return n;
    }

    /** The first node without removing it, or {@code null}. */
    public WaitNode peekLocked() {
        assert lock.isHeldByCurrentThread();
        return head;
    }

    /**
     * Drops decided nodes (killed, timed out: their waiters unlink nothing themselves until they run) from
     * the head, and returns the first node still {@link WaitNode#WAITING}, or {@code null}. What a
     * primitive's queue looks like to the next release, grant or fairness check.
     */
    public WaitNode firstWaitingLocked() {
        assert lock.isHeldByCurrentThread();
        WaitNode h;
        while ((h = head) != null && h.outcomeVolatile() != WaitNode.WAITING) {
            unlinkLocked(h);
        }
        return h;
    }

    /** Number of linked nodes. */
    public int sizeLocked() {
        assert lock.isHeldByCurrentThread();
        return size;
    }

    /** Number of linked nodes (a moment's reading). */
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Visits the linked nodes in order (for snapshots). */
    public void forEachLocked(Consumer<WaitNode> visitor) {
        assert lock.isHeldByCurrentThread();
        for (WaitNode n = head; n != null; n = n.next) {
            visitor.accept(n);
        }
    }

    /**
     * Pops nodes until one is won for a signal and returns it, or {@code null} if none was waiting.
     * The caller must {@link LockSupport#unpark} the winner's thread after releasing the lock
     * (see {@link #wake(WaitNode)}).
     */
    public WaitNode signalFirstLocked() {
        WaitNode n;
        while ((n = pollLocked()) != null) {
            if (n.trySignal()) {
                return n;
            }
            // lost to a kill or timeout: that waiter consumes nothing, try the next (K9)
        }
        return null;
    }

    /** Unparks the thread of a node won by a signaller. */
    public static void wake(WaitNode n) {
        if (n != null) {
            n.cancelTimeout();
            n.wakeThread();
        }
    }

    /** Signals the first waiting node, if any. @return whether one was woken */
    public boolean signalOne() {
        WaitNode won;
        lock.lock();
        try {
            won = signalFirstLocked();
        } finally {
            lock.unlock();
        }
        wake(won);
        return won != null;
    }

    /** Signals every waiting node. @return how many were woken */
    public int signalAll() {
        List<WaitNode> won = new ArrayList<>();
        lock.lock();
        try {
            WaitNode n;
            while ((n = pollLocked()) != null) {
                if (n.trySignal()) {
                    won.add(n);
                }
            }
        } finally {
            lock.unlock();
        }
        won.forEach(WaitQueue::wake);
        return won.size();
    }
}
