package org.tasklife.bench;

import java.util.Arrays;
import java.util.Locale;
import kotlinx.coroutines.Job;
import org.tasklife.bench.peers.Coroutines;

/**
 * Memory per suspended Kotlin coroutine, the peer of {@link MemoryPerTask} (same method, same
 * output): {@code n} coroutines (default 100,000) suspended in one kotlinx {@code Mutex}, one
 * {@code Semaphore} or each in a {@code delay}; the heap used after a full GC while they are suspended,
 * less before, divided by {@code n}. A suspended coroutine keeps no stack, only its continuation objects,
 * so this is what a task's stack chunk and kernel state are set against. {@code bench/run} prints
 * {@code task-X / coroutine-X} from these lines and MemoryPerTask's.
 *
 * <pre>
 * java -Xmx2g -cp benchmarks.jar org.tasklife.bench.PeerMemory [n] [kind...]
 *   kind: coroutine-mutex | coroutine-semaphore | coroutine-delay   (default: all)
 * </pre>
 *
 * Prints {@code memory <kind> n=<n> bytes/task=<median> (rounds <min>..<max>)}; warm-up and measured rounds
 * as MemoryPerTask ({@code -Dtasklife.bench.warmupRounds}, {@code -Dtasklife.bench.rounds}).
 */
public final class PeerMemory {
    private static final int WARMUP_ROUNDS = Integer.getInteger("tasklife.bench.warmupRounds", 2);
    private static final int ROUNDS = Integer.getInteger("tasklife.bench.rounds", 3);

    private PeerMemory() {}

    /** Runs the measurement; see the class comment. */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String[] kinds = args.length > 1
                ? Arrays.copyOfRange(args, 1, args.length)
                : new String[] {"coroutine-mutex", "coroutine-semaphore", "coroutine-delay"};
        for (String kind : kinds) {
            Coroutines.Wait wait = switch (kind) {
                case "coroutine-mutex" -> Coroutines.Wait.MUTEX;
                case "coroutine-semaphore" -> Coroutines.Wait.SEMAPHORE;
                case "coroutine-delay" -> Coroutines.Wait.DELAY;
                default -> throw new IllegalArgumentException("unknown kind " + kind
                        + " (coroutine-mutex, coroutine-semaphore, coroutine-delay)");
            };
            for (int i = 0; i < WARMUP_ROUNDS; i++) {
                measure(wait, n);
            }
            double[] rounds = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                rounds[i] = measure(wait, n);
            }
            Arrays.sort(rounds);
            System.out.printf(Locale.ROOT, "memory %-15s n=%d bytes/task=%.0f (rounds %.0f..%.0f)%n", kind, n,
                    rounds[ROUNDS / 2], rounds[0], rounds[ROUNDS - 1]);
        }
    }

    private static double measure(Coroutines.Wait wait, int n) {
        long before = MemoryPerTask.usedAfterGc();
        Job parent = Coroutines.crowd(wait, n);
        long after = MemoryPerTask.usedAfterGc();
        Coroutines.cancelAndJoin(parent);
        Coroutines.checkEnded(parent);
        return (double) (after - before) / n;
    }
}
