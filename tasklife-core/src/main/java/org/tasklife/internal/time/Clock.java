package org.tasklife.internal.time;

/**
 * A monotonic nanosecond clock, injected wherever the kernel needs the time (STYLE G13).
 *
 * <p>Readings have the semantics of {@link System#nanoTime()}: they are meaningful only relative
 * to other readings of the same clock, and the raw values may wrap around. Callers therefore
 * never compare two readings or deadlines with {@code <}; they subtract and test the sign of the
 * difference:
 * <pre>{@code
 * long deadline = Clock.deadlineAfter(clock.nanoTime(), timeout.toNanos());
 * long remaining = deadline - clock.nanoTime();   // <= 0: the deadline has passed
 * }</pre>
 * Such differences are correct as long as the two values lie within 2<sup>63</sup>-1 ns (about
 * 292 years) of each other; {@link #deadlineAfter} keeps every deadline within
 * {@link #MAX_TIMEOUT_NANOS} of the reading it was derived from, which leaves the other half of
 * the range for the clock to move in.
 *
 * <p>{@link #system()} is the production clock and the only caller of {@code System.nanoTime()}
 * in tasklife; tests use a manual clock so that timers can be driven deterministically.
 * Implementations must be thread-safe, cheap, and must never block or call back into the kernel.
 */
public interface Clock {

    /**
     * The longest timeout {@link #deadlineAfter} honours, {@code Long.MAX_VALUE / 2} ns (about
     * 146 years); longer timeouts are clamped to it and mean "effectively never". Keeping
     * deadlines this close to the current reading ensures that {@code deadline - now} cannot
     * overflow for any reading taken within the next 146 years.
     */
    long MAX_TIMEOUT_NANOS = Long.MAX_VALUE / 2;

    /**
     * Returns the current reading of this clock in nanoseconds. Successive readings on any thread
     * never go backwards (differences between them are {@code >= 0}); the absolute value has no
     * meaning and may be negative or wrap around.
     *
     * @return the current reading, comparable with other readings of this clock only by difference
     */
    long nanoTime();

    /**
     * Returns the system monotonic clock, backed by {@link System#nanoTime()}.
     *
     * @return the system clock; stateless and safe to share
     */
    static Clock system() {
        return System::nanoTime;   // non-capturing: the JVM hands out one shared instance
    }

    /**
     * Returns the absolute deadline that lies {@code timeoutNanos} after the reading {@code now},
     * saturating instead of overflowing. A non-positive timeout yields {@code now} (the deadline
     * has already been reached); a timeout of {@link #MAX_TIMEOUT_NANOS} or more yields
     * {@code now + MAX_TIMEOUT_NANOS}, which callers treat as "effectively never".
     *
     * <p>The returned raw value may wrap past {@code Long.MAX_VALUE}; that is intended, because
     * deadlines are compared only by difference: {@code deadlineAfter(now, t) - now} is exactly
     * {@code min(max(t, 0), MAX_TIMEOUT_NANOS)} for every {@code now}.
     *
     * @param now a reading of the clock the deadline will be compared against
     * @param timeoutNanos the timeout in nanoseconds; any value, including negative ones and
     *     {@code Long.MAX_VALUE}
     * @return the deadline, to be compared with later readings by difference only
     */
    static long deadlineAfter(long now, long timeoutNanos) {
        if (timeoutNanos <= 0) {
            return now;
        }
        return now + Math.min(timeoutNanos, MAX_TIMEOUT_NANOS);   // may wrap; see above
    }

    /** {@code d} in nanoseconds, saturated to {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE} instead of overflowing. */
    static long saturatedNanos(java.time.Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
