package org.tasklife.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.management.ObjectName;
import org.tasklife.Kernel;
import org.tasklife.TaskBody;
import org.tasklife.Tasks;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;

/**
 * Memory per idle task, object by object: a companion of {@link MemoryPerTask}. Parks {@code n}
 * tasks (default 20,000) of one kind, takes a class histogram of the live heap ({@code GC.class_histogram},
 * which runs a full GC first) before and after, and prints the difference per class divided by {@code n}:
 * instances per task and bytes per task, largest first, for every class that adds at least 0.5 instance
 * per task or 4 bytes per task.
 *
 * <pre>
 * java -Xmx2g -cp benchmarks.jar org.tasklife.bench.TaskFootprint [n] [kind...]
 *   kind: vthread-latch | task-semaphore | task-mutex | task-sleep   (default: all)
 * </pre>
 *
 * One warm-up round per kind first (the stack chunks depend on the JIT state, see MemoryPerTask).
 */
public final class TaskFootprint {
    private TaskFootprint() {}

    /** Runs the breakdown; see the class comment. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        String[] kinds = args.length > 1
                ? java.util.Arrays.copyOfRange(args, 1, args.length)
                : new String[] {"vthread-latch", "task-semaphore", "task-mutex", "task-sleep"};
        try (Kernel kernel = Kernel.builder().name("footprint").boot()) {
            for (String kind : kinds) {
                round(kernel, kind, n, false);
                round(kernel, kind, n, false);
                round(kernel, kind, n, true);
            }
        }
    }

    private static void round(Kernel kernel, String kind, int n, boolean print) throws Exception {
        Map<String, long[]> before = histogram();
        Runnable end = park(kernel, kind, n);
        Map<String, long[]> after = histogram();
        end.run();
        if (!print) {
            return;
        }
        List<Map.Entry<String, long[]>> rows = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long di = e.getValue()[0] - b[0];
            long db = e.getValue()[1] - b[1];
            total += db;
            if (di * 2 >= n || db >= 4L * n) {
                rows.add(Map.entry(e.getKey(), new long[] {di, db}));
            }
        }
        rows.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        System.out.printf(Locale.ROOT, "footprint %s n=%d total=%.0f B/task%n", kind, n, (double) total / n);
        long listed = 0;
        for (Map.Entry<String, long[]> r : rows) {
            listed += r.getValue()[1];
            System.out.printf(Locale.ROOT, "  %8.2f obj %8.1f B  %s%n",
                    (double) r.getValue()[0] / n, (double) r.getValue()[1] / n, r.getKey());
        }
        System.out.printf(Locale.ROOT, "  (other classes: %.1f B/task)%n", (double) (total - listed) / n);
    }

    private static Runnable park(Kernel kernel, String kind, int n) {
        switch (kind) {
            case "vthread-latch":
                return MemoryPerTask.parkOnLatch(n);
            case "task-semaphore": {
                Semaphore s = new Semaphore(0);
                return tasks(kernel, n, () -> {
                    s.acquire();
                    return null;
                });
            }
            case "task-mutex": {
                Mutex m = new Mutex();
                m.lock();
                return tasks(kernel, n, () -> {
                    m.lock();
                    return null;
                });
            }
            case "task-sleep":
                return tasks(kernel, n, () -> {
                    Tasks.sleep(Duration.ofDays(1));
                    return null;
                });
            default:
                throw new IllegalArgumentException("unknown kind " + kind);
        }
    }

    private static Runnable tasks(Kernel kernel, int n, TaskBody<Object> block) {
        return MemoryPerTask.taskCrowd(kernel, n, block)::end; // the same crowd MemoryPerTask measures
    }

    /** Class name -> {instances, bytes} of the live heap (a full GC runs first). */
    private static Map<String, long[]> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, long[]> m = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                m.merge(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return m;
    }
}
