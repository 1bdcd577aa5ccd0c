package org.tasklife.internal.domain;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.tasklife.SpawnRefusedException;

/**
 * What the group and the domain layers of one kernel share: the topology lock that guards both trees
 * (groups: parents, children, zombie and reaped states; domains: children, stop states), the id counter, and
 * whether the kernel is closed. Every group and domain control block gets it, so that each of their
 * {@code ...Locked} methods can assert the lock it relies on.
 */
public final class Topology {
    /*
     * Implementation notes
     *
     * Lock order (the one line every kernel lock obeys):
     *     topology lock -> group lock (GroupControlBlock.lock) -> wait queue locks -> timer service lock
     * Never the other way round, and no user code under any of them (DESIGN I5): what must run user code
     * (close(), listeners, onExit callbacks) is collected under the lock and run after unlocking.
     *
     * The topology lock is held only for map and state updates, never while waiting or waking: a waker
     * collects the queues to signal under it and signals after unlocking (contract K10).
     *
     * Ids (DESIGN I8): one counter for tasks, groups and domains of the kernel (a group's id is its main
     * task's, a domain's is its root group's), increasing, never reused.
     *
     * Known limits: the lock serialises spawnGroup, group exit, reaping and domain stops across the kernel;
     * the benchmarks (group spawn+reap, mass kill) show it is not the bottleneck on two cores.
     */

    private final String kernelName;                        // immutable: for messages
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closed;                        // set once by close, before it stops the root domain

    /** The topology of kernel {@code kernelName}. */
    public Topology(String kernelName) {
        this.kernelName = kernelName;
    }

    /** The kernel's name, for messages. */
    public String kernelName() {
        return kernelName;
    }

    /** Takes the topology lock. */
    public void lock() {
        lock.lock();
    }

    /** Releases the topology lock. */
    public void unlock() {
        lock.unlock();
    }

    /** The lock itself, for a wait that checks its condition under it (WaitContext.awaitUntil). */
    public Lock asLock() {
        return lock;
    }

    /** Whether the calling thread holds the topology lock: every {@code ...Locked} method asserts it. */
    public boolean isHeld() {
        return lock.isHeldByCurrentThread();
    }

    /** A fresh id, never used before in this kernel. */
    public long nextId() {
        return ids.incrementAndGet();
    }

    /** Marks the kernel closed: from now on it spawns and creates nothing. */
    public void close() {
        closed = true;
    }

    /** Whether close has begun. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Refuses what a closed kernel no longer does.
     *
     * @throws SpawnRefusedException if the kernel is closed
     */
    public void checkOpen() {
        if (closed) {
            throw new SpawnRefusedException("kernel '" + kernelName + "' is closed: it spawns nothing");
        }
    }
}
