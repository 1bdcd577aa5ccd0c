package org.tasklife.cli;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Polling with a deadline, for the CLI tests: what they wait for (another JVM's tasks, seen through the
 * {@code tasklife} command, or a kernel's snapshot) has no event to wait on from here.
 */
final class Poll {
    private Poll() {}

    /**
     * Calls {@code probe} every few milliseconds until {@code done} accepts its value, and returns it.
     *
     * @throws IllegalStateException naming {@code what} and the last value if {@code seconds} pass first
     */
    static <T> T until(String what, int seconds, Supplier<T> probe, java.util.function.Predicate<T> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (;;) {
            T value = probe.get();
            if (done.test(value)) {
                return value;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + seconds + " s waiting for " + what + "; last:\n"
                        + value);
            }
            TimeUnit.MILLISECONDS.sleep(5); // a poll with a deadline, not a guess
        }
    }
}
