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
 * ({@link FloorCrowd}). A plain {@code main}, not JMH: one shot of each side.
 *
 * <pre>java -Xms8g -Xmx8g -cp benchmarks.jar org.tasklife.bench.MillionSleepers [n] [tasklife|vthread|floor ...] [--warm]</pre>
 *
 * <p>Sides: all three by default, one after another in this JVM, tasklife first (then the later sides find
 * the JDK's virtual-thread paths compiled by the earlier ones); {@code bench/run} runs each side in its own JVM.
 *
 * <p>{@code --warm}: before its million, a side stops {@value #WARM_ROUNDS} crowds of {@value #WARM_CROWD} of its
 * own kind, so that the JIT has seen its waiters wake up. Without it (cold), a million waiters park before any
 * of them ever woke: the JIT compiles the code after each park, and each exception handler on the unwinding
 * path, as unreachable, and every parked frame compiled that way deoptimizes on its own when it resumes (one
 * {@code jdk.Deoptimization} event per such frame; a million tasks pay it a million times per frame). A
 * long-running JVM is warm; a JVM whose first act is the million is cold. The line says which.
 */
public final class MillionSleepers {
    private static final int GROUP = 1_000;
    private static final int WARM_ROUNDS = 10;
    private static final int WARM_CROWD = 2_000;

    private MillionSleepers() {}

    /** Runs the sides asked for and prints one line each. */
    public static void main(String[] args) throws Exception {
        int n = 1_000_000;
        boolean warm = false;
        java.util.List<String> sides = new java.util.ArrayList<>();
        for (String a : args) {
            if (a.equals("--warm")) {
                warm = true;
            } else if (a.matches("\\d+")) {
                n = Integer.parseInt(a);
            } else if (a.equals("tasklife") || a.equals("vthread") || a.equals("floor")) {
                sides.add(a);
            } else {
                throw new IllegalArgumentException("unknown argument " + a + " (n, tasklife, vthread, floor, --warm)");
            }
        }
        if (sides.isEmpty()) {
            sides = java.util.List.of("tasklife", "vthread", "floor");
        }
        String mode = warm ? "warm" : "cold";
        for (String side : sides) {
            switch (side) {
                case "tasklife" -> {
                    if (warm) {
                        for (int i = 0; i < WARM_ROUNDS; i++) {
                            tasklife(WARM_CROWD, null);
                        }
                    }
                    tasklife(n, mode);
                }
                case "vthread" -> {
                    if (warm) {
                        for (int i = 0; i < WARM_ROUNDS; i++) {
                            vthreads(WARM_CROWD, null);
                        }
                    }
                    vthreads(n, mode);
                }
                default -> {
                    if (warm) {
                        for (int i = 0; i < WARM_ROUNDS; i++) {
                            floor(WARM_CROWD, null);
                        }
                    }
                    floor(n, mode);
                }
            }
        }
    }

    /** {@code n} tasks asleep in one domain, stopped; prints a line unless {@code mode} is null (a warm-up). */
    private static void tasklife(int n, String mode) {
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
            int all = n;
            Harness.await(() -> k.pendingTimerCount() >= all, () -> k.pendingTimerCount() + " of " + all + " asleep");
            long spawnMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long heap = mode == null ? 0 : usedAfterGc() - before;
            long s0 = System.nanoTime();
            d.stop(0);
            ExitStatus st = d.onStopped().join();
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s0);
            if (mode != null) {
                System.out.printf(Locale.ROOT, "million tasklife n=%d heap=%.2f GB (%d B/task) spawn+sleep=%d ms stop=%d ms"
                        + " jit=%s (%s)%n", n, heap / 1e9, heap / n, spawnMs, stopMs, mode, st);
            }
            d.free();
        }
    }

    /** {@code n} virtual threads in Thread.sleep, interrupted and joined; prints a line unless a warm-up. */
    private static void vthreads(int n, String mode) throws InterruptedException {
        long before = usedAfterGc();
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
        long heap = mode == null ? 0 : usedAfterGc() - before;
        long s0 = System.nanoTime();
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            t.join();
        }
        long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s0);
        if (mode != null) {
            System.out.printf(Locale.ROOT, "million vthread-sleep n=%d heap=%.2f GB (%d B/thread) interrupt+join=%d ms"
                    + " jit=%s%n", n, heap / 1e9, heap / n, stopMs, mode);
        }
    }

    /** The floor of the stop: {@code n} parked virtual threads, one flag, an unpark each, the last exit. */
    private static void floor(int n, String mode) {
        FloorCrowd floor = new FloorCrowd();
        floor.crowd = n;
        long before = usedAfterGc();
        floor.gather();
        long heap = mode == null ? 0 : usedAfterGc() - before;
        long s0 = System.nanoTime();
        floor.stopAll();
        long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s0);
        floor.check();
        if (mode != null) {
            System.out.printf(Locale.ROOT, "million floor n=%d heap=%.2f GB (%d B/thread) flag+unpark+exit=%d ms"
                    + " jit=%s%n", n, heap / 1e9, heap / n, stopMs, mode);
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
