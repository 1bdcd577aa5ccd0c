package org.tasklife;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.tasklife.sync.Barrier;
import org.tasklife.sync.BrokenBarrierException;
import org.tasklife.sync.Condition;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.ReadWriteLock;
import org.tasklife.sync.Semaphore;

/**
 * Issue 7's determinism scenario: 1,000 tasks using every primitive, sleeps, timed waits and kills, run
 * in deterministic mode. {@link #main} prints the trace hash, so that tests can compare separate JVMs.
 */
public final class DeterministicScenario {
    static final int TASKS = 1_000;

    private DeterministicScenario() {}

    /** Prints {@code hash/lines} of the scenario's trace for the seed in {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        System.out.println(traceHash(Long.parseLong(args[0])));
    }

    /**
     * Runs the scenario with {@code seed}.
     *
     * @return the CRC-32 of the trace and its length, {@code "hash/lines"}
     * @throws IllegalStateException if the scenario did not end as it must
     */
    public static String traceHash(long seed) throws Exception {
        try (Kernel k = Kernel.builder().name("det").deterministic(seed).boot()) {
            Mutex m = new Mutex();
            Condition changed = m.newCondition();
            Semaphore sem = new Semaphore(3);
            ReadWriteLock rw = new ReadWriteLock();
            Barrier barrier = new Barrier(2);
            AtomicInteger shared = new AtomicInteger();
            TaskGroup g = k.spawnGroup("scenario", () -> {
                List<Task<Integer>> ts = new ArrayList<>();
                for (int i = 0; i < TASKS; i++) {
                    int n = i;
                    ts.add(Tasks.spawnTask("t" + i, () -> step(n, m, changed, sem, rw, barrier, shared)));
                    if (i % 10 == 9) {
                        ts.get(i - 4).kill(); // kills land wherever the seed put that task
                    }
                }
                int done = 0;
                for (Task<Integer> t : ts) {
                    try {
                        t.join();
                        done++;
                    } catch (TaskKilledException expected) {
                        // killed above
                    }
                }
                return done == 0 ? 1 : 0;
            });
            ExitStatus s = g.onExit().get(60, TimeUnit.SECONDS);
            if (!s.isSuccess()) {
                throw new IllegalStateException("scenario ended " + s);
            }
            g.reap();
            CRC32 crc = new CRC32();
            List<String> trace = k.schedulerTrace();
            trace.forEach(line -> crc.update((line + "\n").getBytes(StandardCharsets.UTF_8)));
            return Long.toHexString(crc.getValue()) + "/" + trace.size();
        }
    }

    private static int step(int n, Mutex m, Condition changed, Semaphore sem, ReadWriteLock rw, Barrier barrier,
            AtomicInteger shared) {
        switch (n % 6) {
            case 0 -> {
                m.lock();
                try {
                    shared.incrementAndGet();
                    changed.signalAll();
                } finally {
                    m.unlock();
                }
            }
            case 1 -> {
                m.lock();
                try {
                    changed.await(n % 7 + 1, TimeUnit.MILLISECONDS); // timed: virtual time
                } finally {
                    m.unlock();
                }
            }
            case 2 -> {
                sem.acquire();
                try {
                    Tasks.sleep(Duration.ofMillis(n % 5 + 1));
                } finally {
                    sem.release();
                }
            }
            case 3 -> {
                if (n % 2 == 0) {
                    rw.readLock();
                    rw.readUnlock();
                } else {
                    rw.writeLock();
                    rw.writeUnlock();
                }
            }
            case 4 -> {
                try {
                    barrier.await(3, TimeUnit.MILLISECONDS);
                } catch (BrokenBarrierException partnerTimedOutOrKilled) {
                    // the round broke, deterministically
                }
            }
            default -> Tasks.sleep(Duration.ofSeconds(n % 11));
        }
        return n;
    }
}
