package org.tasklife.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import kotlinx.coroutines.Job;
import org.tasklife.bench.peers.Coroutines;

/**
 * The Kotlin coroutines peer of {@link MillionSleepers}: {@code n} (default 1,000,000) coroutines,
 * children of one parent, each in a {@code delay} of an hour; the time to launch them all (each suspended
 * when the launch returns), the heap used after a full GC while they wait, less before, and the time from
 * {@code parent.cancel()} until the parent completed (after its last child). A plain {@code main}, one shot.
 *
 * <pre>java -Xmx6g -cp benchmarks.jar org.tasklife.bench.MillionCoroutines [n]</pre>
 *
 * Prints {@code million coroutine-delay n=<n> heap=<GB> GB (<B>/coroutine) launch+delay=<ms> ms cancel+join=<ms> ms}.
 */
public final class MillionCoroutines {
    private MillionCoroutines() {}

    /** Runs one shot and prints one line. */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Coroutines.cancelAndJoin(Coroutines.crowd(Coroutines.Wait.DELAY, Math.min(n, 10_000))); // classes, JIT
        long before = MemoryPerTask.usedAfterGc();
        long t0 = System.nanoTime();
        Job parent = Coroutines.crowd(Coroutines.Wait.DELAY, n);
        long launchMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long heap = MemoryPerTask.usedAfterGc() - before;
        long s0 = System.nanoTime();
        Coroutines.cancelAndJoin(parent);
        long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s0);
        Coroutines.checkEnded(parent);
        System.out.printf(Locale.ROOT,
                "million coroutine-delay n=%d heap=%.2f GB (%d B/coroutine) launch+delay=%d ms cancel+join=%d ms%n", n,
                heap / 1e9, heap / n, launchMs, stopMs);
    }
}
