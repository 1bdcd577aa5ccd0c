package org.tasklife.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tasklife.sync.ReadWriteLock;

/**
 * Reader-writer lock, contended mixed workload: {@code tasks} tasklife tasks (against as
 * many virtual threads) share one lock; each does {@value #OPS}{@code / tasks} operations, of which one
 * in {@value #WRITE_EVERY} is a write (lock, increment a shared counter, unlock) and the others reads
 * (lock, read the counter, unlock). Structured like {@link ContendedInTaskBench}.
 *
 * <p>Baselines: {@link ReentrantReadWriteLock} in its default (non-fair) mode and, for reference, its
 * fair mode; tasklife's lock is FIFO between readers and writers (see {@link ReadWriteLock}). Score:
 * operations per microsecond, all tasks together (higher is better).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class RwLockContendedBench {
    static final int OPS = 48_000;   // divisible by every value of tasks
    static final int WRITE_EVERY = 10;

    @Param({"2", "4", "16"})
    public int tasks;

    private final ReadWriteLock rw = new ReadWriteLock();
    private final ReentrantReadWriteLock jdk = new ReentrantReadWriteLock();
    private final ReentrantReadWriteLock jdkFair = new ReentrantReadWriteLock(true);
    private volatile long counter; // written under the write lock; volatile only so reads are not hoisted
    private Harness.Home home;

    @Setup(Level.Trial)
    public void boot() {
        home = new Harness.Home("rwlock-contended");
    }

    @TearDown(Level.Iteration)
    public void checkNoLeak() {
        home.awaitIdle();
    }

    @TearDown(Level.Trial)
    public void close() {
        home.close();
    }

    /** What one benchmark does for a read and for a write. */
    private interface Ops {
        void read();

        void write();
    }

    private Runnable[] bodies(Ops ops) {
        int each = OPS / tasks;
        Runnable[] bodies = new Runnable[tasks];
        for (int i = 0; i < tasks; i++) {
            int offset = i; // stagger the writes of the parties
            bodies[i] = () -> {
                for (int j = 0; j < each; j++) {
                    if ((j + offset) % WRITE_EVERY == 0) {
                        ops.write();
                    } else {
                        ops.read();
                    }
                }
            };
        }
        return bodies;
    }

    private Ops jdkOps(ReentrantReadWriteLock l) {
        return new Ops() {
            @Override
            public void read() {
                l.readLock().lock();
                try {
                    sink(counter);
                } finally {
                    l.readLock().unlock();
                }
            }

            @Override
            public void write() {
                l.writeLock().lock();
                try {
                    counter++;
                } finally {
                    l.writeLock().unlock();
                }
            }
        };
    }

    private static void sink(long v) {
        if (v == -1) {
            throw new IllegalStateException("counter overflow");
        }
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void mixed_rwLock_inTask() {
        Harness.inTasks(home.group, bodies(new Ops() {
            @Override
            public void read() {
                rw.readLock();
                try {
                    sink(counter);
                } finally {
                    rw.readUnlock();
                }
            }

            @Override
            public void write() {
                rw.writeLock();
                try {
                    counter++;
                } finally {
                    rw.writeUnlock();
                }
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void mixed_jdkRwLock_inVthread() {
        Harness.inVirtualThreads(bodies(jdkOps(jdk)));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void mixed_jdkFairRwLock_inVthread() {
        Harness.inVirtualThreads(bodies(jdkOps(jdkFair)));
    }
}
