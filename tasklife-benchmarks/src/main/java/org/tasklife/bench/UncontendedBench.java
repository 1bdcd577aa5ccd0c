package org.tasklife.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;

/**
 * Uncontended: one lock/unlock or acquire/release pair, nobody else touching the primitive.
 * tasklife {@link Mutex} vs {@link ReentrantLock} (default, non-fair), tasklife {@link Semaphore} vs
 * {@link java.util.concurrent.Semaphore} (default, non-fair; uncontended, fairness costs only the empty
 * queue check).
 *
 * <p>{@code *_host}: on the JMH thread, which is a host thread for tasklife (the primitives' owner is
 * then the thread). {@code *_inTask} / {@code *_inVthread}: the same loop of {@value #BATCH} pairs inside
 * a tasklife task (the owner is the task; the kill checkpoint is live) or inside a virtual thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class UncontendedBench {
    static final int BATCH = 100_000;

    private final Mutex mutex = new Mutex();
    private final ReentrantLock lock = new ReentrantLock();
    private final Semaphore semaphore = new Semaphore(1);
    private final java.util.concurrent.Semaphore jdkSemaphore = new java.util.concurrent.Semaphore(1);
    private Harness.Home home;

    @Setup(Level.Trial)
    public void boot() {
        home = new Harness.Home("uncontended");
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
    public void lock_mutex_host() {
        mutex.lock();
        mutex.unlock();
    }

    @Benchmark
    public void lock_reentrantLock_host() {
        lock.lock();
        lock.unlock();
    }

    @Benchmark
    public void acquire_semaphore_host() {
        semaphore.acquire();
        semaphore.release();
    }

    @Benchmark
    public void acquire_jdkSemaphore_host() throws InterruptedException {
        jdkSemaphore.acquire();
        jdkSemaphore.release();
    }

    // ---- inside a task / a virtual thread ----

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void lock_mutex_inTask() {
        Harness.inTasks(home.group, () -> {
            for (int i = 0; i < BATCH; i++) {
                mutex.lock();
                mutex.unlock();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void lock_reentrantLock_inVthread() {
        Harness.inVirtualThreads(() -> {
            for (int i = 0; i < BATCH; i++) {
                lock.lock();
                lock.unlock();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void acquire_semaphore_inTask() {
        Harness.inTasks(home.group, () -> {
            for (int i = 0; i < BATCH; i++) {
                semaphore.acquire();
                semaphore.release();
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void acquire_jdkSemaphore_inVthread() {
        Harness.inVirtualThreads(() -> {
            for (int i = 0; i < BATCH; i++) {
                Harness.unchecked(jdkSemaphore::acquire);
                jdkSemaphore.release();
            }
        });
    }
}
