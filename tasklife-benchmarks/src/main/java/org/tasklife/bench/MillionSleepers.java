package org.tasklife.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.tasklife.Domain;
import org.tasklife.DomainOptions;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;

/**
 * {@code n} (default 1,000,000) concurrent tasks sleeping in one domain (groups of 1,000):
 * heap used after a full GC while they sleep, less before, and the time from {@code domain.stop(0)} until
 * {@code onStopped()} completes. Baseline: as many virtual threads in {@code Thread.sleep}, interrupted and
 * joined; and the floor, as many parked virtual threads stopped by a flag and an unpark each
 * ({@link FloorCrowd}). A plain {@code main}, not JMH: one shot of each, the tasklife side first.
 *
 * <pre>java -Xmx6g -cp benchmarks.jar org.tasklife.bench.MillionSleepers [n]</pre>
 */
public final class MillionSleepers {
    private static final int GROUP = 1_000;

    private MillionSleepers() {}

    /** Runs both sides and prints one line each. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long before = usedAfterGc();
        try (Kernel k = Kernel.builder().name("million").jmx(false).boot()) {
            Domain d = k.createDomain(DomainOptions.named("sleepers"));
            long t0 = System.nanoTime();
            for (int spawned = 0; spawned < n; ) {
                TaskGroup g = d.spawnGroup("g", () -> {
                    Tasks.sleep(Duration.ofHours(1));
                    return 0;
                });
                spawned++;
                for (int i = 1; i < GROUP && spawned < n; i++, spawned++) {
                    g.spawnTask("s", () -> {
                        Tasks.sleep(Duration.ofHours(1));
                        return null;
                    });
                }
            }
            Harness.await(() -> k.pendingTimerCount() >= n, () -> k.pendingTimerCount() + " of " + n + " asleep");
            long spawnMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long heap = usedAfterGc() - before;
            long s0 = System.nanoTime();
            d.stop(0);
            ExitStatus st = d.onStopped().join();
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s0);
            System.out.printf(Locale.ROOT, "million tasklife n=%d heap=%.2f GB (%d B/task) spawn+sleep=%d ms stop=%d ms (%s)%n",
                    n, heap / 1e9, heap / n, spawnMs, stopMs, st);
            d.free();
        }
        before = usedAfterGc();
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            threads[i] = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(TimeUnit.HOURS.toMillis(1));
                } catch (InterruptedException expected) {
                    // the "kill"
                }
            });
        }
        for (Thread t : threads) {
            Harness.await(() -> t.getState() == Thread.State.TIMED_WAITING, () -> t + " is " + t.getState());
        }
        long heap = usedAfterGc() - before;
        long s0 = System.nanoTime();
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join();
        }
        long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s0);
        System.out.printf(Locale.ROOT, "million vthread-sleep n=%d heap=%.2f GB (%d B/thread) interrupt+join=%d ms%n",
                n, heap / 1e9, heap / n, stopMs);
        threads = null;
        floor(n);
    }

    /** The floor of the stop: {@code n} parked virtual threads, one flag, an unpark each, the last exit. */
    private static void floor(int n) {
        FloorCrowd floor = new FloorCrowd();
        floor.crowd = n;
        long before = usedAfterGc();
        floor.gather();
        long heap = usedAfterGc() - before;
        long s0 = System.nanoTime();
        floor.stopAll();
        long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s0);
        floor.check();
        System.out.printf(Locale.ROOT, "million floor n=%d heap=%.2f GB (%d B/thread) flag+unpark+exit=%d ms%n",
                n, heap / 1e9, heap / n, stopMs);
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
