package org.tasklife.internal.time;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when the deterministic scheduler advances it, to the next timer deadline once
 * every task is blocked: a run with hour-long timeouts finishes at once, and identically every time.
 */
public final class VirtualClock implements Clock {
    private final AtomicLong now = new AtomicLong(1L << 40); // arbitrary, far from 0 (compare by difference)

    @Override
    public long nanoTime() {
        return now.get();
    }

    /** Moves the clock to {@code t} if that is later; never backwards. */
    public void advanceTo(long t) {
        now.accumulateAndGet(t, (cur, target) -> target - cur > 0 ? target : cur);
    }
}
