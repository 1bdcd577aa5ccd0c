package org.tasklife.internal.time;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs short actions at absolute deadlines of an injected {@link Clock}: the one timer service of
 * a kernel, behind {@code sleep} and every timed wait (contract T1).
 *
 * <p>Usage: {@link #schedule} an action for a deadline (usually from
 * {@link Clock#deadlineAfter}); keep the returned {@link Timeout} and {@link Timeout#cancel()} it
 * when the wait ends some other way. Actions are run either by the service's own daemon platform
 * thread, once {@link #start()}ed, or by whichever thread calls {@link #fireDue()} (tests drive a
 * manual clock that way, without the thread). {@link #close()} stops the thread and drops what is
 * still armed.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>An entry fires only once a reading {@code now} of the clock satisfies
 *       {@code deadline - now <= 0}; the thread fires it promptly after that on the system clock.
 *       A deadline already in the past fires at the next opportunity.</li>
 *   <li>Each entry fires at most once, and never after a {@code cancel()} that returned
 *       {@code true} (see {@link Timeout}).</li>
 *   <li>Entries taken as due together run in (deadline, scheduling order) order; entries with
 *       equal deadlines fire in the order they were scheduled. Ordering across two concurrent
 *       callers of {@code fireDue()} is not defined.</li>
 *   <li>Actions never run while the service's lock is held (contract K10), so an action may schedule,
 *       cancel, or call anything else. They run one after another on the firing thread and must
 *       be short; an action that throws is reported to the uncaught-exception handler and the
 *       remaining actions still run.</li>
 *   <li>Memory effects: writes made by the scheduling thread before {@code schedule} happen-before
 *       the entry's action runs.</li>
 * </ul>
 *
 * <p>Costs: {@code schedule} O(log n); {@code cancel} O(1) amortised; {@code pendingCount} O(1);
 * firing k entries O(k log n). The class is thread-safe.
 */
public final class TimerService implements AutoCloseable {

    /*
     * Implementation notes
     *
     * Overview. A binary min-heap of Timeout entries ordered by (deadline difference, seq), under
     * one ReentrantLock. Cancellation is lazy: cancel() only CASes the entry's state and bumps two
     * counters; the cancelled entry stays in the heap until it reaches the root (popped and
     * skipped) or until cancelled entries make up more than half of the heap, when one O(n) pass
     * compacts the array and re-heapifies it (Floyd). Each purge removes more than n/2 entries,
     * each entry is removed at most once, so purging costs O(1) amortised per cancel; heaps of at
     * most PURGE_MIN cancelled entries are never purged (not worth the lock).
     *   A hierarchical wheel (Caffeine's TimerWheel, Netty's HashedWheelTimer) would give O(1)
     * schedule too, but it rounds deadlines to buckets and needs a cascade and FIFO bookkeeping to
     * give the exact (deadline, seq) order promised here; at kernel timer counts the heap's
     * log n is cheap, and DESIGN "Time" allows either. ScheduledThreadPoolExecutor's
     * DelayedWorkQueue removes eagerly with an index per task (O(log n) cancel under the lock);
     * lazy deletion keeps the killer's cancel() lock-free instead.
     *
     * States. Entries: see Timeout. The service: NEW (constructed) -> STARTED (start(), thread
     * running) -> CLOSED (close()); fireDue() and schedule() work in NEW and STARTED.
     *
     * Invariants (quiescent = no operation in flight; checked by assertInvariantsQuiescent()):
     *   TM1 Each entry's state changes at most once, by one CAS: PENDING -> FIRED | CANCELLED.
     *   TM2 The heap holds every PENDING entry and some CANCELLED ones, never a FIRED one: an entry
     *       is removed from the heap before (under the same lock hold as) its CAS to FIRED.
     *   TM3 pendingCount = #PENDING entries and cancelledInHeap = #CANCELLED entries in the heap,
     *       exactly when quiescent. A concurrent transition is reflected after a short window
     *       (between its CAS and its counter update); pendingCount never goes negative because
     *       schedule() counts an entry before inserting it.
     *   TM4 Heap order: no entry precedes its parent by (deadline - deadline, seq).
     *   TM5 No action runs while `lock` is held, and nothing else is locked while holding it: the
     *       timer lock is a leaf, so an action (or a killer's cancel()) can never deadlock on it.
     *   TM6 When quiescent, cancelledInHeap <= PURGE_MIN or 2 * cancelledInHeap <= size: every
     *       operation that can break it (cancel, pop, a lost fire race) re-checks it.
     *
     * Concurrency. Heap, size, seq, thread and closed are guarded by `lock`. Timeout.state and the
     * two counters are VarHandle fields changed without the lock. The timer thread loops:
     * fireDue(), then under the lock skip cancelled roots and read the earliest live deadline,
     * then park until it (parkNanos) or indefinitely if the heap is empty. No wake-up is lost:
     * schedule() unparks the thread whenever its entry becomes the heap root, after the insertion
     * that the thread's next look at the heap is ordered with by the lock; if the thread had
     * already looked, LockSupport's permit makes its park return at once. A root that is cancelled
     * while the thread parks on it only causes one early wake-up. poke() and close() unpark too.
     * Interrupts of the timer thread are cleared and ignored (only close() stops it).
     *
     * Memory ordering. schedule() -> action: the entry is inserted under the lock and popped under
     * it, and the popper then runs the action itself. cancel() = true -> action never runs: the
     * firer's CAS from PENDING fails. Counters use getAndAdd (volatile) and getAcquire reads.
     *
     * Kill and cleanup. A killed sleeper's cancel() is lock-free unless it triggers a purge, and
     * never waits for the timer thread or an action (contract K10, DESIGN I4). close() drops entries
     * by CASing them to CANCELLED, so a concurrent cancel() decides each entry exactly once.
     *
     * Known limits.
     *  - Deadlines are compared by difference, so all armed deadlines must lie within 2^63-1 ns of
     *    one another; Clock.deadlineAfter guarantees it for deadlines derived from one clock.
     *  - One thread runs all actions: a slow action delays every later one. Actions must only
     *    decide an outcome and unpark (microseconds).
     *  - A purge runs O(n) under the lock on the cancelling thread (amortised O(1) per cancel).
     *  - At most about 2^30 entries can be armed (array heap, int counters).
     *  - close() waits at most CLOSE_JOIN_TIMEOUT for the thread; an action still running after
     *    that finishes on its own, and close() called from an action does not wait for itself.
     *  - An Error thrown by the loop itself, outside an action (e.g. OutOfMemoryError while
     *    collecting due entries), ends the timer thread.
     *
     * Why one file over 500 lines: the heap, its lock, the firing thread and close() are one object
     *  with one invariant (TM1: each entry decided once); the notes above are a third of it.
     *
     * References. DESIGN "Time"; contract K10, T1; STYLE G3-G6, G13. Varghese & Lauck, "Hashed and
     * hierarchical timing wheels" (SOSP 1987); java.util.concurrent.ScheduledThreadPoolExecutor
     * (DelayedWorkQueue, removeOnCancel); Caffeine TimerWheel and its reference-model fuzzer.
     */

    /** Cancelled entries below this count are never purged; they are skipped when popped. */
    static final int PURGE_MIN = 64;
    private static final int INITIAL_CAPACITY = 16;
    private static final Duration CLOSE_JOIN_TIMEOUT = Duration.ofSeconds(5);

    private static final VarHandle PENDING_COUNT;
    private static final VarHandle CANCELLED_IN_HEAP;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PENDING_COUNT = l.findVarHandle(TimerService.class, "pendingCount", int.class);
            CANCELLED_IN_HEAP = l.findVarHandle(TimerService.class, "cancelledInHeap", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Clock clock;                                        // immutable
    private final String name;                                        // immutable; also the thread's name
    private final Thread.UncaughtExceptionHandler uncaughtHandler;   // immutable
    private final ReentrantLock lock = new ReentrantLock();           // leaf lock (TM5)

    private Timeout[] heap = new Timeout[INITIAL_CAPACITY];   // guarded by lock; [0, size) is a heap (TM4)
    private int size;                                          // guarded by lock
    private long nextSeq;                                      // guarded by lock
    private boolean closed;                                    // guarded by lock; set once by close()
    private Thread thread;                                     // guarded by lock; set once by start()

    private volatile int pendingCount;      // TM3; +1 in schedule() under the lock, -1 by the CAS winner
    private volatile int cancelledInHeap;   // TM3; +1 by cancel(), -1 by whoever removes the entry

    /** The clock deadlines refer to. */
    Clock clock() {
        return clock;
    }

    /**
     * Creates a stopped service whose action failures are printed to {@code System.err} together
     * with the thread they occurred on. No thread is started until {@link #start()}.
     *
     * @param clock the clock deadlines refer to
     * @param threadName the name of the timer thread; also names the service in messages
     */
    public TimerService(Clock clock, String threadName) {
        this(clock, threadName, defaultHandler(threadName));
    }

    /**
     * Creates a stopped service that reports actions that throw to {@code uncaughtHandler}. No
     * thread is started until {@link #start()}.
     *
     * @param clock the clock deadlines refer to
     * @param threadName the name of the timer thread; also names the service in messages
     * @param uncaughtHandler receives the firing thread and whatever an action threw; it is
     *     called outside the lock, and if it throws in turn, that is printed to {@code System.err}
     */
    public TimerService(Clock clock, String threadName, Thread.UncaughtExceptionHandler uncaughtHandler) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.name = Objects.requireNonNull(threadName, "threadName");
        this.uncaughtHandler = Objects.requireNonNull(uncaughtHandler, "uncaughtHandler");
    }

    private static Thread.UncaughtExceptionHandler defaultHandler(String serviceName) {
        Objects.requireNonNull(serviceName, "threadName");
        return (t, e) -> {
            System.err.println("tasklife timer service '" + serviceName
                    + "': an action threw on thread \"" + t.getName() + "\"");
            e.printStackTrace(System.err);
        };
    }

    /**
     * Starts the timer thread: one daemon platform thread, named after this service, that fires
     * entries as their deadlines pass until {@link #close()}.
     *
     * @throws IllegalStateException if the service was already started or is closed
     */
    public void start() {
        lock.lock();
        try {
            if (closed) {
                throw closedException();
            }
            if (thread != null) {
                throw new IllegalStateException("timer service '" + name + "' is already started");
            }
            thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::timerLoop);
            thread.start();   // the loop's first step waits for this lock: nothing to race with
        } finally {
            lock.unlock();
        }
    }

    /**
     * Arms an entry that runs {@code action} once the clock reaches {@code deadlineNanos}. A
     * deadline that has already passed fires at the next opportunity. If the entry becomes the
     * earliest, the timer thread is woken to re-arm for it.
     *
     * @param deadlineNanos absolute deadline in this service's clock nanos, compared with readings
     *     by difference only; use {@link Clock#deadlineAfter} to derive it from a timeout
     * @param action what to run; must be short and must not block. It runs on the timer thread
     *     (or a {@link #fireDue()} caller), outside every kernel lock
     * @return the handle to cancel the entry with
     * @throws IllegalStateException if the service is closed; the message names the service
     * @throws NullPointerException if {@code action} is null
     */
    public Timeout schedule(long deadlineNanos, Runnable action) {
        Objects.requireNonNull(action, "action");
        Timeout t;
        Thread toWake = null;
        lock.lock();
        try {
            if (closed) {
                throw closedException();
            }
            t = new Timeout(this, deadlineNanos, nextSeq++, action);
            getAndAddPendingCount(1);   // before it can be popped: the count never goes negative (TM3)
            if (offerLocked(t) == 0) {
                toWake = thread;        // new earliest deadline: the thread may be parked on a later one
            }
        } finally {
            lock.unlock();
        }
        if (toWake != null) {
            LockSupport.unpark(toWake);
        }
        return t;
    }

    /**
     * Wakes the timer thread so that it re-reads the clock and fires whatever is due, for example
     * after a manual clock was advanced. Does nothing if the thread is not running.
     */
    public void poke() {
        Thread t;
        lock.lock();
        try {
            t = thread;
        } finally {
            lock.unlock();
        }
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Fires, on the calling thread, every entry that is due at the current clock reading: pops
     * them all under the lock, then runs their actions after releasing it, in (deadline,
     * scheduling order) order. Entries that those actions schedule are left for the next call,
     * even if already due. The timer thread uses this same method.
     *
     * @return how many actions ran (including actions that threw); 0 once closed
     */
    public int fireDue() {
        long now = clock.nanoTime();   // read outside the lock: the clock is not ours to run under it
        List<Runnable> due;
        lock.lock();
        try {
            due = popDueLocked(now);
        } finally {
            lock.unlock();
        }
        assert !lock.isHeldByCurrentThread() : "TM5/K10: actions must run outside the timer lock";
        for (Runnable action : due) {
            runSafely(action);
        }
        return due.size();
    }

    /**
     * The earliest deadline among pending entries, for a caller that drives a virtual clock (the
     * deterministic scheduler advances it to this value when every task is blocked).
     *
     * @return {@code true} and the deadline in {@code out[0]}, or {@code false} if nothing is pending
     */
    public boolean nextDeadline(long[] out) {
        lock.lock();
        try {
            Timeout head = peekLiveLocked();
            if (head == null) {
                return false;
            }
            out[0] = head.deadline;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the number of armed entries that have neither fired nor been cancelled. Exact when
     * no schedule, cancel or fire is in progress; O(1). Kernel audits use it to check that no
     * timer was left armed.
     *
     * @return the number of pending entries; 0 after {@link #close()}
     */
    public int pendingCount() {
        return pendingCountAcquire();
    }

    /**
     * Closes the service: drops every pending entry without running it (each becomes cancelled,
     * so its {@link Timeout#cancel()} returns {@code false}), stops the timer thread and waits a
     * bounded time for it to exit. Later {@link #schedule} and {@link #start} calls throw.
     * Actions already taken as due may still run. Idempotent; an interrupt while waiting for the
     * thread ends the wait and is preserved.
     */
    @Override
    public void close() {
        Thread t;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            dropAllLocked();
            t = thread;
        } finally {
            lock.unlock();
        }
        if (t == null) {
            return;
        }
        LockSupport.unpark(t);
        if (t == Thread.currentThread()) {
            return;   // close() from an action: the loop sees `closed` once the action returns
        }
        try {
            t.join(CLOSE_JOIN_TIMEOUT);   // false: a long action is still running; it ends on its own
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns a description for diagnostics: the name, pending count and whether closed.
     *
     * @return for example {@code TimerService[tasklife-timer, pending=3]}
     */
    @Override
    public String toString() {
        return "TimerService[" + name + ", pending=" + pendingCountAcquire() + "]";
    }

    // ---- the timer thread ----

    private void timerLoop() {
        for (;;) {
            Thread.interrupted();   // a stray interrupt would turn every park into a spin
            fireDue();
            boolean idle;
            long next = 0;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                Timeout head = peekLiveLocked();
                idle = head == null;
                if (!idle) {
                    next = head.deadline;
                }
            } finally {
                lock.unlock();
            }
            if (idle) {
                LockSupport.park(this);
            } else {
                long remaining = next - clock.nanoTime();
                if (remaining > 0) {
                    LockSupport.parkNanos(this, remaining);
                }
            }
        }
    }

    private void runSafely(Runnable action) {
        try {
            action.run();
        } catch (Throwable e) {   // the timer thread must survive anything an action throws
            try {
                uncaughtHandler.uncaughtException(Thread.currentThread(), e);
            } catch (Throwable handlerFailure) {
                handlerFailure.addSuppressed(e);
                System.err.println("tasklife timer service '" + name + "': the uncaught-exception handler threw");
                handlerFailure.printStackTrace(System.err);
            }
        }
    }

    // ---- called by Timeout ----

    /** Accounts for a cancel() that won PENDING -> CANCELLED, purging if TM6 demands it. */
    void afterCancel() {
        getAndAddPendingCount(-1);
        int c = getAndAddCancelledInHeap(1) + 1;
        // heap size = pending + cancelled (TM2, TM3), so "more than half cancelled" is c > pending
        if (c > PURGE_MIN && c > pendingCountAcquire()) {
            lock.lock();
            try {
                if (!closed) {
                    purgeIfNeededLocked();   // re-check: another canceller may have purged already
                }
            } finally {
                lock.unlock();
            }
        }
    }

    // ---- heap, all under the lock ----

    private List<Runnable> popDueLocked(long now) {
        assert lock.isHeldByCurrentThread();
        List<Runnable> due = List.of();
        while (size > 0) {
            Timeout head = heap[0];
            boolean cancelled = head.stateAcquire() == Timeout.CANCELLED;
            if (!cancelled && head.deadline - now > 0) {
                break;
            }
            removeRootLocked();   // before the CAS: a FIRED entry is never in the heap (TM2)
            if (!cancelled && head.casState(Timeout.PENDING, Timeout.FIRED)) {
                getAndAddPendingCount(-1);
                if (due.isEmpty()) {
                    due = new ArrayList<>();
                }
                due.add(head.takeActionAfterFire());
            } else {
                getAndAddCancelledInHeap(-1);   // skipped, or a cancel() won after our state read
            }
        }
        purgeIfNeededLocked();   // pops of live entries can leave cancelled ones the majority (TM6)
        shrinkIfSparseLocked();
        return due;
    }

    /** Returns the earliest pending entry, discarding cancelled roots on the way, or null. */
    private Timeout peekLiveLocked() {
        assert lock.isHeldByCurrentThread();
        while (size > 0) {
            Timeout head = heap[0];
            if (head.stateAcquire() != Timeout.CANCELLED) {
                return head;
            }
            removeRootLocked();
            getAndAddCancelledInHeap(-1);
        }
        return null;
    }

    private void purgeIfNeededLocked() {
        assert lock.isHeldByCurrentThread();
        int c = cancelledInHeapAcquire();
        if (c > PURGE_MIN && 2L * c > size) {
            purgeLocked();
        }
    }

    /** Compacts out every cancelled entry and re-heapifies: O(size). */
    private void purgeLocked() {
        assert lock.isHeldByCurrentThread();
        int n = 0;
        for (int i = 0; i < size; i++) {
            Timeout t = heap[i];
            if (t.stateAcquire() != Timeout.CANCELLED) {
                heap[n++] = t;   // PENDING (TM2); one cancelled concurrently stays until next time
            }
        }
        int removed = size - n;
        Arrays.fill(heap, n, size, null);
        size = n;
        for (int i = (n >>> 1) - 1; i >= 0; i--) {   // Floyd: O(n)
            siftDownLocked(i, heap[i]);
        }
        getAndAddCancelledInHeap(-removed);   // not a reset: a racing cancel() may not have counted yet
        shrinkIfSparseLocked();
    }

    private void dropAllLocked() {
        assert lock.isHeldByCurrentThread();
        int alreadyCancelled = 0;
        for (int i = 0; i < size; i++) {
            Timeout t = heap[i];
            if (t.casState(Timeout.PENDING, Timeout.CANCELLED)) {
                getAndAddPendingCount(-1);
                t.clearActionAfterDrop();
            } else {
                alreadyCancelled++;
            }
        }
        heap = new Timeout[INITIAL_CAPACITY];
        size = 0;
        getAndAddCancelledInHeap(-alreadyCancelled);
    }

    /** Inserts {@code t} and returns its final index (0: it is the new earliest). */
    private int offerLocked(Timeout t) {
        assert lock.isHeldByCurrentThread();
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, heap.length * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timeout p = heap[parent];
            if (!precedes(t, p)) {
                break;
            }
            heap[i] = p;
            i = parent;
        }
        heap[i] = t;
        return i;
    }

    private void removeRootLocked() {
        assert lock.isHeldByCurrentThread() && size > 0;
        int last = --size;
        Timeout x = heap[last];
        heap[last] = null;
        if (last > 0) {
            siftDownLocked(0, x);
        }
    }

    /** Places {@code x} at or below index {@code i}, moving earlier children up. */
    private void siftDownLocked(int i, Timeout x) {
        int half = size >>> 1;   // nodes at i >= half are leaves
        while (i < half) {
            int child = 2 * i + 1;
            Timeout c = heap[child];
            int right = child + 1;
            if (right < size && precedes(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!precedes(c, x)) {
                break;
            }
            heap[i] = c;
            i = child;
        }
        heap[i] = x;
    }

    /** Halves the array while it is less than a quarter full, so a drained burst frees its memory. */
    private void shrinkIfSparseLocked() {
        int cap = heap.length;
        while (cap > INITIAL_CAPACITY && size < cap >>> 2) {
            cap >>>= 1;
        }
        if (cap != heap.length) {
            heap = Arrays.copyOf(heap, cap);
        }
    }

    /** (deadline, seq) order; deadlines by difference, as nanoTime values may wrap. */
    private static boolean precedes(Timeout a, Timeout b) {
        long d = a.deadline - b.deadline;
        return d < 0 || (d == 0 && a.seq < b.seq);
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("timer service '" + name + "' is closed");
    }

    // ---- VarHandle accessors (STYLE G5) ----

    private int pendingCountAcquire() {
        return (int) PENDING_COUNT.getAcquire(this);
    }

    private int getAndAddPendingCount(int delta) {
        return (int) PENDING_COUNT.getAndAdd(this, delta);
    }

    private int cancelledInHeapAcquire() {
        return (int) CANCELLED_IN_HEAP.getAcquire(this);
    }

    private int getAndAddCancelledInHeap(int delta) {
        return (int) CANCELLED_IN_HEAP.getAndAdd(this, delta);
    }

    // ---- for tests and audits in this package ----

    /** Returns the timer thread, or null before {@link #start()}. */
    Thread thread() {
        lock.lock();
        try {
            return thread;
        } finally {
            lock.unlock();
        }
    }

    /** Returns the number of heap slots in use, cancelled entries included. */
    int heapSize() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Checks TM2, TM3, TM4 and TM6; valid only while no other thread uses the service.
     *
     * @throws AssertionError describing the first violation
     */
    void assertInvariantsQuiescent() {
        lock.lock();
        try {
            int pending = 0;
            int cancelled = 0;
            for (int i = 0; i < size; i++) {
                Timeout t = heap[i];
                switch (t.stateAcquire()) {
                    case Timeout.PENDING -> pending++;
                    case Timeout.CANCELLED -> cancelled++;
                    default -> throw new AssertionError("TM2: non-pending, non-cancelled entry in heap: " + t);
                }
                if (i > 0 && precedes(t, heap[(i - 1) >>> 1])) {
                    throw new AssertionError("TM4: " + t + " at " + i + " precedes its parent " + heap[(i - 1) >>> 1]);
                }
            }
            for (int i = size; i < heap.length; i++) {
                if (heap[i] != null) {
                    throw new AssertionError("stale heap slot " + i + " of size " + size + ": " + heap[i]);
                }
            }
            if (pending != pendingCountAcquire() || cancelled != cancelledInHeapAcquire()) {
                throw new AssertionError("TM3: heap has " + pending + " pending / " + cancelled
                        + " cancelled; counters say " + pendingCountAcquire() + " / " + cancelledInHeapAcquire());
            }
            if (cancelled > PURGE_MIN && 2L * cancelled > size) {
                throw new AssertionError("TM6: " + cancelled + " cancelled entries in a heap of " + size);
            }
            if (closed && size != 0) {
                throw new AssertionError("closed service still holds " + size + " entries");
            }
        } finally {
            lock.unlock();
        }
    }
}
