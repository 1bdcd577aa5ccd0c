package org.tasklife.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.tasklife.ExitStatus;
import org.tasklife.GroupMain;
import org.tasklife.Kernel;
import org.tasklife.TaskBody;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;

/**
 * Memory per idle task: not a timing benchmark, so a plain {@code main} rather than JMH.
 * Parks {@code n} tasks (default 100,000) of one group in a tasklife wait, or {@code n} virtual threads
 * in {@code CountDownLatch.await()} (the baseline), and reports the heap used after a full GC, less the
 * heap used after a full GC before they were started, divided by {@code n}. Parked virtual threads keep
 * their stacks in the heap (stack chunks), so both sides count their stacks.
 *
 * <pre>
 * java -Xmx2g -cp benchmarks.jar org.tasklife.bench.MemoryPerTask [n] [kind...]
 *   kind: vthread-latch | task-semaphore | task-mutex | task-sleep   (default: all, in that order)
 * </pre>
 *
 * Every kind runs in the same JVM, one after another: warm-up rounds of the same size (class loading and
 * JIT out of the way), then measured rounds; everything is killed and joined or reaped after each round.
 * Prints one line per kind: {@code memory <kind> n=<n> bytes/task=<median> (rounds <min>..<max>)
 * ratio-to-baseline=<r>}, the ratio of medians.
 */
public final class MemoryPerTask {
    /**
     * Full-size rounds run and discarded before the measured ones ({@code -Dtasklife.bench.warmupRounds},
     * default 2). A parked virtual thread's stack chunk holds its frames as they were when it parked, and
     * interpreted frames are several times larger than compiled ones: until the wait path is
     * JIT-compiled, bytes/task depend on what ran before (the first kind measured came out 50% higher in
     * a cold JVM).
     */
    private static final int WARMUP_ROUNDS = Integer.getInteger("tasklife.bench.warmupRounds", 2);

    /**
     * Measured rounds per kind ({@code -Dtasklife.bench.rounds}, default 3); the median is reported with
     * the range, because single rounds of the same kind in the same JVM still differ by up to 50%
     * (G1 and Serial GC alike: the frozen stacks vary with the JIT state when the tasks park).
     */
    private static final int ROUNDS = Integer.getInteger("tasklife.bench.rounds", 3);

    private MemoryPerTask() {}

    /** Something that parks {@code n} waiters and can end them. */
    interface Crowd {
        void end();
    }

    /** Runs the measurement; see the class comment. */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String[] kinds = args.length > 1
                ? java.util.Arrays.copyOfRange(args, 1, args.length)
                : new String[] {"vthread-latch", "task-semaphore", "task-mutex", "task-sleep"};
        double baseline = Double.NaN;
        try (Kernel kernel = Kernel.builder().name("memory").boot()) {
            for (String kind : kinds) {
                for (int i = 0; i < WARMUP_ROUNDS; i++) {
                    measure(kernel, kind, n);
                }
                double[] rounds = new double[ROUNDS];
                for (int i = 0; i < ROUNDS; i++) {
                    rounds[i] = measure(kernel, kind, n);
                }
                java.util.Arrays.sort(rounds);
                double perTask = rounds[ROUNDS / 2];
                if (kind.equals("vthread-latch")) {
                    baseline = perTask;
                }
                System.out.printf(Locale.ROOT, "memory %-15s n=%d bytes/task=%.0f (rounds %.0f..%.0f) ratio-to-baseline=%s%n",
                        kind, n, perTask, rounds[0], rounds[ROUNDS - 1],
                        Double.isNaN(baseline) ? "n/a" : String.format(Locale.ROOT, "%.2f", perTask / baseline));
            }
            if (kernel.liveTaskCount() != 0) {
                throw new IllegalStateException("tasks leaked: " + kernel.liveTaskCount());
            }
        }
    }

    private static double measure(Kernel kernel, String kind, int n) {
        long before = usedAfterGc();
        Crowd crowd = switch (kind) {
            case "vthread-latch" -> latchCrowd(n);
            case "task-semaphore" -> {
                Semaphore s = new Semaphore(0);
                yield taskCrowd(kernel, n, () -> {
                    s.acquire();
                    return null;
                });
            }
            case "task-mutex" -> {
                Mutex m = new Mutex();
                m.lock(); // held by this host thread until the crowd is killed
                yield taskCrowd(kernel, n, () -> {
                    m.lock();
                    return null;
                });
            }
            case "task-sleep" -> taskCrowd(kernel, n, () -> {
                Tasks.sleep(Duration.ofDays(1));
                return null;
            });
            default -> throw new IllegalArgumentException("unknown kind " + kind
                    + " (vthread-latch, task-semaphore, task-mutex, task-sleep)");
        };
        long after = usedAfterGc();
        crowd.end();
        return (double) (after - before) / n;
    }

    private static Crowd latchCrowd(int n) {
        Runnable end = parkOnLatch(n);
        return end::run;
    }

    /**
     * Parks {@code n} virtual threads in one {@code CountDownLatch.await()} (the baseline crowd) and waits until
     * each is parked. @return what opens the latch and joins them
     */
    static Runnable parkOnLatch(int n) {
        CountDownLatch latch = new CountDownLatch(1);
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            threads[i] = Thread.ofVirtual().start(() -> Harness.unchecked(latch::await));
        }
        for (Thread t : threads) {
            Harness.awaitWaiting(t);
        }
        return () -> {
            latch.countDown();
            for (Thread t : threads) {
                Harness.joinUninterruptibly(t);
            }
        };
    }

    /** {@code n} tasks of one new group, each parked in {@code block}; ending the crowd kills and reaps the group. */
    static Crowd taskCrowd(Kernel kernel, int n, TaskBody<Object> block) {
        GroupMain main = () -> {
            block.run();
            return 0;
        };
        TaskGroup g = kernel.spawnGroup("idle", main);
        for (int i = 1; i < n; i++) {
            g.spawnTask("w", block);
        }
        Harness.await(() -> g.tasks().stream().allMatch(t -> t.state() == org.tasklife.TaskState.BLOCKED)
                && g.liveTaskCount() == n, () -> "not all " + n + " tasks are BLOCKED");
        return () -> {
            g.kill();
            ExitStatus s = g.reap();
            if (!(s instanceof ExitStatus.Killed)) {
                throw new IllegalStateException("crowd ended " + s);
            }
            Harness.awaitLive(kernel, 0);
        };
    }

    /** Heap in use after full collections, once it stops shrinking. */
    static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Harness.sleepMillis(50);
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (now >= used && i >= 2) {
                return now;
            }
            used = Math.min(used, now);
        }
        return used;
    }
}
