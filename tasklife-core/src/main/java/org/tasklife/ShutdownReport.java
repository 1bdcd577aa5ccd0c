package org.tasklife;

import java.time.Duration;
import java.util.List;

/**
 * What {@link Kernel#close(Duration)} found: how long it took and which tasks did not end in time.
 *
 * @param elapsed time from the start of close to its end
 * @param stuck tasks still live when the wait ended, each with where it was
 */
public record ShutdownReport(Duration elapsed, List<StuckTaskReport> stuck) {
    /** List is copied. */
    public ShutdownReport {
        stuck = List.copyOf(stuck);
    }

    /** {@return whether every task ended in time} */
    public boolean isClean() {
        return stuck.isEmpty();
    }
}
