package org.tasklife;

/**
 * CPU time of a group ({@code times()}, docs/contract.md, T2).
 *
 * <p>{@code selfNanos} covers live and ended tasks of the group; {@code childrenNanos} covers reaped
 * child groups only, each with its own reaped children. Tasks on platform threads are measured
 * exactly (ThreadMXBean). Virtual threads have no CPU clock in the JVM, so their time is the sum of
 * their run slices on a monotonic clock (from leaving one tasklife wait to entering the next): it
 * counts time a virtual thread was runnable but not mounted, and time blocked outside tasklife.
 *
 * @param selfNanos CPU time of the group's own tasks
 * @param childrenNanos CPU time of reaped children, transitively
 */
public record CpuTimes(long selfNanos, long childrenNanos) {
    /** {@return {@code selfNanos + childrenNanos}} */
    public long totalNanos() {
        return selfNanos + childrenNanos;
    }
}
