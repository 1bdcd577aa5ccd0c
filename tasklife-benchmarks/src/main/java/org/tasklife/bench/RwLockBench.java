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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tasklife.sync.ReadWriteLock;

/**
 * Reader-writer lock, uncontended: one read lock/unlock or one write lock/unlock pair,
 * nobody else touching the lock. tasklife {@link ReadWriteLock} vs {@link ReentrantReadWriteLock}
 * (default, non-fair), on the JMH thread ({@code *_host}) and in a loop of {@value #BATCH} pairs inside
 * a tasklife task or a virtual thread ({@code *_inTask} / {@code *_inVthread}). Score: time per pair,
 * lower is better. The contended mixed workload is {@link RwLockContendedBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class RwLockBench {
    static final int BATCH = 100_000;

    private final ReadWriteLock rw = new ReadWriteLock();
    private final ReentrantReadWriteLock jdk = new ReentrantReadWriteLock();
    private Harness.Home home;

    @Setup(Level.Trial)
    public void boot() {
        home = new Harness.Home("rwlock");
    }

    @TearDown(Level.Iteration)
    public void checkNoLeak() {
        home.awaitIdle();
    }

    @TearDown(Level.Trial)
    public void close() {
        home.close();
    }

    // ---- host thread ----

    @Benchmark
    public void read_rwLock_host() {
        rw.readLock();
        rw.readUnlock();
    }

    @Benchmark
    public void read_jdkRwLock_host() {
        jdk.readLock().lock();
        jdk.readLock().unlock();
    }

    @Benchmark
    public void write_rwLock_host() {
        rw.writeLock();
        rw.writeUnlock();
    }

    @Benchmark
    public void write_jdkRwLock_host() {
        jdk.writeLock().lock();
        jdk.writeLock().unlock();
    }

    // ---- inside a task / a virtual thread ----

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void read_rwLock_inTask() {
        Harness.inTasks(home.group, () -> {
            for (int i = 0; i < BATCH; i++) {
                rw.readLock();
                rw.readUnlock();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void read_jdkRwLock_inVthread() {
        Harness.inVirtualThreads(() -> {
            for (int i = 0; i < BATCH; i++) {
                jdk.readLock().lock();
                jdk.readLock().unlock();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void write_rwLock_inTask() {
        Harness.inTasks(home.group, () -> {
            for (int i = 0; i < BATCH; i++) {
                rw.writeLock();
                rw.writeUnlock();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void write_jdkRwLock_inVthread() {
        Harness.inVirtualThreads(() -> {
            for (int i = 0; i < BATCH; i++) {
                jdk.writeLock().lock();
                jdk.writeLock().unlock();
            }
        });
    }
}
