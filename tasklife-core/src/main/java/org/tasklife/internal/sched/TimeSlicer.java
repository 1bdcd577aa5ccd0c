package org.tasklife.internal.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.tasklife.internal.time.Clock;

/**
 * Default mode's time slices (contract K4): a task that reaches a safe point after running for a whole slice
 * gives up its carrier thread, so that CPU-bound tasks share the virtual-thread scheduler's carriers with
 * every other task instead of holding them for ever. This class is the clock those safe points read and the
 * way a task gives its carrier up; the task's own slice start lives in its control block.
 */
public final class TimeSlicer {
    /*
     * Implementation notes
     *
     * Overview: a safe point must stay about as cheap as the kill check it already is, so it reads no clock.
     * A daemon platform thread (the tick) reads the kernel's clock every half slice and publishes the reading
     * minus one slice, the cutoff: a slice that began at or before it is over. A safe point compares the
     * cutoff with the time its task got its carrier (one opaque load, and one plain load of the task's own
     * field). The tick lags the clock by at most one period, so a task gives up its
     * carrier at its first safe point after it has run between one and one and a half slices. This is
     * CpuScheduler's tick (S6) without its lock: in default mode nobody knows whether another task waits
     * for a carrier, so a task whose slice is over always gives its carrier up.
     *
     * Why not Thread.yield(): on the JDK's virtual-thread scheduler (a ForkJoinPool) a yielding virtual
     * thread is pushed to the external submission queue that its carrier's probe selects, and the carrier,
     * having just taken the thread from that queue, goes on draining the same queue: it takes the yielder
     * straight back. With a CPU-bound task on every carrier, work submitted from other threads (a spawn or
     * a wake-up from a host thread, the timer or the reaper) is then never run (measured on JDK 25: a fresh
     * virtual thread did not start within 3 s beside two Thread.yield() loops on two carriers). A timed park
     * takes the task out of every queue for GIVE_UP_NANOS, long enough for its carrier to finish unmounting
     * it and scan the queues, where it finds the waiting work; the park's timeout then resubmits the task.
     *
     * Memory ordering: `cutoff` is written by the tick thread only and read with opaque mode: a safe point needs
     * eventual visibility of a monotonic value and nothing ordered around it; opaque keeps the load inside a
     * spinning loop (a plain load could be hoisted out of it).
     *
     * Known limits:
     *  - Fairness is what the ForkJoinPool gives. With at most as many CPU-bound tasks as carriers, waiting
     *    work runs within about one slice (measured on JDK 25, 2 carriers, 2 spinning tasks, 10 ms slices:
     *    median 3 ms, worst of 100 tries 28 ms). With more CPU-bound tasks than carriers the parked tasks
     *    come back through the pool's queues, a carrier keeps draining a queue that is never empty, and
     *    other work can wait for long stretches (seconds were seen with 4 spinning tasks on 2 carriers).
     *    Scheduler mode (Kernel.Builder.cpus) gives real time sharing for that case.
     *  - A task whose slice is over is off its carrier for GIVE_UP_NANOS even when nobody else waits: at
     *    most GIVE_UP_NANOS per slice of a CPU-bound task (1% with 10 ms slices), none for other tasks.
     *  - A virtual thread pinned to its carrier (a native frame; a monitor before JDK 24) parks on the
     *    carrier instead, which frees nothing; platform threads are time-sliced by the OS and only call
     *    Thread.yield().
     *  - The tick wakes every half slice while the kernel is open, busy or idle.
     */

    /** How long a virtual thread whose slice is over stays off its carrier: see the implementation notes. */
    public static final long GIVE_UP_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    /** The time slice when none is configured. */
    public static final long DEFAULT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final long MIN_PERIOD_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long MAX_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final VarHandle CUTOFF;

    static {
        try {
            CUTOFF = MethodHandles.lookup().findVarHandle(TimeSlicer.class, "cutoff", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Clock clock;              // immutable: the kernel's clock
    private final long sliceNanos;          // immutable, > 0
    private final long periodNanos;         // immutable: how often the tick reads the clock
    private final Thread tick;              // immutable; started by start()
    private volatile boolean closed;        // set once by close()
    @SuppressWarnings("unused")             // accessed through CUTOFF
    private volatile long cutoff;           // the clock's reading at the last tick minus sliceNanos: slices
                                            // begun at or before it are over; written by the tick only

    private TimeSlicer(String threadName, Clock clock, long sliceNanos) {
        this.clock = clock;
        this.sliceNanos = sliceNanos;
        this.periodNanos = Math.max(MIN_PERIOD_NANOS, Math.min(sliceNanos / 2, MAX_PERIOD_NANOS));
        CUTOFF.setOpaque(this, clock.nanoTime() - sliceNanos);
        this.tick = Thread.ofPlatform().daemon().name(threadName).unstarted(this::run);
    }

    /**
     * Starts the tick of a kernel in default mode.
     *
     * @param threadName the tick thread's name
     * @param clock the kernel's clock: slices are measured on it
     * @param sliceNanos how long a task may run before its next safe point gives up its carrier
     * @return the running time slicer; {@link #close()} stops it
     * @throws IllegalArgumentException if {@code sliceNanos} is not positive
     */
    public static TimeSlicer start(String threadName, Clock clock, long sliceNanos) {
        if (sliceNanos <= 0) {
            throw new IllegalArgumentException("sliceNanos must be positive, was " + sliceNanos);
        }
        TimeSlicer s = new TimeSlicer(threadName, clock, sliceNanos);
        s.tick.start();
        return s;
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(this, periodNanos);
            CUTOFF.setOpaque(this, clock.nanoTime() - sliceNanos);
        }
    }

    /** The length of a slice, in nanoseconds. */
    public long sliceNanos() {
        return sliceNanos;
    }

    /** The clock's reading at the last tick: at most one tick period behind the clock. */
    public long nanoTimeOpaque() {
        return (long) CUTOFF.getOpaque(this) + sliceNanos;
    }

    /**
     * Whether a slice that began at clock reading {@code since} is over, by the last tick.
     *
     * @param since a reading of the kernel's clock (taken at any precision)
     * @return true once at least one slice has passed since {@code since}
     */
    public boolean isOver(long since) {
        return since - (long) CUTOFF.getOpaque(this) <= 0; // by difference: readings may wrap (Clock)
    }

    /**
     * Gives the calling thread's carrier to other virtual threads for a moment (see the implementation
     * notes); a platform thread only yields to the OS. An interrupt pending on entry (contract K5a keeps them)
     * is kept for the caller and does not cancel the pause; one that arrives during it, such as a kill's,
     * ends it early.
     */
    public static void giveUpCarrier() {
        if (!Thread.currentThread().isVirtual()) {
            Thread.yield();
            return;
        }
        boolean interrupted = Thread.interrupted(); // pending, a park would return at once and free nothing
        LockSupport.parkNanos(GIVE_UP_NANOS);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the tick (idempotent). Safe points keep working on the last reading: no slice ends any more. */
    public void close() {
        closed = true;
        LockSupport.unpark(tick);
    }

    /** Whether the tick thread is still running (tests: close stops it). */
    public boolean isTicking() {
        return tick.isAlive();
    }
}
