package org.tasklife.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.MutexKind;
import org.tasklife.sync.Semaphore;

/**
 * Contended, on JMH's platform threads (host threads for tasklife): every thread loops
 * lock, increment a shared counter, unlock (or acquire/release one permit of a one-permit semaphore).
 * The thread count is fixed per subclass ({@link ContendedHost02}, {@link ContendedHost04},
 * {@link ContendedHost16}) because JMH cannot take {@code @Threads} as a parameter.
 *
 * <p>Like against like: tasklife's defaults (non-fair, barging) against the JDK defaults
 * ({@code ReentrantLock()}, {@code Semaphore(1)}), and tasklife's fair variants ({@code new Mutex(kind,
 * true)}, {@code new Semaphore(1, true)}: strict FIFO hand-off) against the JDK's fair variants.
 * Score: total operations per microsecond over all threads (higher is better).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public abstract class ContendedHost {
    private final Mutex mutex = new Mutex();
    private final Mutex fairMutex = new Mutex(MutexKind.NORMAL, true);
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock fairLock = new ReentrantLock(true);
    private final Semaphore semaphore = new Semaphore(1);
    private final Semaphore fairSemaphore = new Semaphore(1, true);
    private final java.util.concurrent.Semaphore jdkSemaphore = new java.util.concurrent.Semaphore(1);
    private final java.util.concurrent.Semaphore jdkFairSemaphore = new java.util.concurrent.Semaphore(1, true);
    private long counter; // guarded by whichever primitive the running benchmark uses

    @Benchmark
    public long lock_mutex() {
        mutex.lock();
        try {
            return ++counter;
        } finally {
            mutex.unlock();
        }
    }

    @Benchmark
    public long lock_fairMutex() {
        fairMutex.lock();
        try {
            return ++counter;
        } finally {
            fairMutex.unlock();
        }
    }

    @Benchmark
    public long lock_reentrantLock() {
        lock.lock();
        try {
            return ++counter;
        } finally {
            lock.unlock();
        }
    }

    @Benchmark
    public long lock_fairReentrantLock() {
        fairLock.lock();
        try {
            return ++counter;
        } finally {
            fairLock.unlock();
        }
    }

    @Benchmark
    public long acquire_semaphore() {
        semaphore.acquire();
        try {
            return ++counter;
        } finally {
            semaphore.release();
        }
    }

    @Benchmark
    public long acquire_fairSemaphore() {
        fairSemaphore.acquire();
        try {
            return ++counter;
        } finally {
            fairSemaphore.release();
        }
    }

    @Benchmark
    public long acquire_jdkSemaphore() throws InterruptedException {
        jdkSemaphore.acquire();
        try {
            return ++counter;
        } finally {
            jdkSemaphore.release();
        }
    }

    @Benchmark
    public long acquire_jdkFairSemaphore() throws InterruptedException {
        jdkFairSemaphore.acquire();
        try {
            return ++counter;
        } finally {
            jdkFairSemaphore.release();
        }
    }
}
