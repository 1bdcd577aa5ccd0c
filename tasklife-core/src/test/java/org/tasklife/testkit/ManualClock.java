package org.tasklife.testkit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.tasklife.internal.time.Clock;

/**
 * A {@link Clock} that moves only when a test tells it to, for driving timers deterministically
 * (STYLE G13). Thread-safe: readings and updates are atomic.
 *
 * <p>It starts at {@link #DEFAULT_START}, a large arbitrary value, so that code comparing raw
 * readings instead of differences, or assuming the clock starts near zero, fails visibly. Tests
 * of wrap-around can start it near {@code Long.MAX_VALUE}; readings then wrap exactly like
 * {@code System.nanoTime()} arithmetic would.
 *
 * <p>Advancing the clock does not wake anything by itself: a test that runs a timer thread on
 * this clock calls the timer service's {@code poke()} after advancing it.
 */
public final class ManualClock implements Clock {

    /** The initial reading of {@link #ManualClock()}: 2<sup>40</sup> ns, about 18 minutes. */
    public static final long DEFAULT_START = 1L << 40;

    private final AtomicLong now;

    /** Creates a clock reading {@link #DEFAULT_START}. */
    public ManualClock() {
        this(DEFAULT_START);
    }

    /**
     * Creates a clock with the given first reading.
     *
     * @param startNanos the initial reading; any value
     */
    public ManualClock(long startNanos) {
        this.now = new AtomicLong(startNanos);
    }

    /**
     * Returns the current reading; it changes only through {@link #advance}, {@link #advanceNanos}
     * and {@link #set}.
     *
     * @return the current reading in nanoseconds
     */
    @Override
    public long nanoTime() {
        return now.get();
    }

    /**
     * Moves the clock forward.
     *
     * @param d how far; must not be negative
     * @return the new reading
     * @throws IllegalArgumentException if {@code d} is negative
     * @throws ArithmeticException if {@code d} does not fit in a {@code long} of nanoseconds
     */
    public long advance(Duration d) {
        return advanceNanos(d.toNanos());
    }

    /**
     * Moves the clock forward by {@code nanos}; the raw reading wraps around on overflow, like
     * {@code System.nanoTime()} arithmetic.
     *
     * @param nanos how far; must not be negative (a monotonic clock never goes back)
     * @return the new reading
     * @throws IllegalArgumentException if {@code nanos} is negative
     */
    public long advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a monotonic clock cannot go back: " + nanos + " ns");
        }
        return now.addAndGet(nanos);
    }

    /**
     * Sets the reading to {@code nanos}. Unlike {@link #advanceNanos} it may move the clock
     * backwards; use it only to set up a test (for example to start near a wrap-around point),
     * never while code under test holds readings it expects to be monotonic.
     *
     * @param nanos the new reading; any value
     */
    public void set(long nanos) {
        now.set(nanos);
    }

    /**
     * Returns a description showing the current reading.
     *
     * @return for example {@code ManualClock[1099511627776]}
     */
    @Override
    public String toString() {
        return "ManualClock[" + now.get() + "]";
    }
}
