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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.MutexKind;
import org.tasklife.sync.Semaphore;

/**
 * Contended, the way tasklife is meant to be used: {@code tasks} tasklife tasks (virtual
 * threads) of one group, against as many plain virtual threads, share one primitive; each does
 * {@value #OPS}{@code / tasks} lock/increment/unlock (or acquire/release of a one-permit semaphore), and
 * the invocation ends when all have finished. Virtual threads run on as many carriers as cores (2 here),
 * so this measures hand-offs through the scheduler rather than OS context switches.
 *
 * <p>Pairs as in {@link ContendedHost}: tasklife's defaults (non-fair) against the JDK defaults, and the
 * fair variants against each other.
 * Score: operations per microsecond, all tasks together (higher is better).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class ContendedInTaskBench {
    static final int OPS = 48_000; // divisible by every value of tasks

    @Param({"2", "4", "16"})
    public int tasks;

    private final Mutex mutex = new Mutex();
    private final Mutex fairMutex = new Mutex(MutexKind.NORMAL, true);
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock fairLock = new ReentrantLock(true);
    private final Semaphore semaphore = new Semaphore(1);
    private final Semaphore fairSemaphore = new Semaphore(1, true);
    private final java.util.concurrent.Semaphore jdkSemaphore = new java.util.concurrent.Semaphore(1);
    private final java.util.concurrent.Semaphore jdkFairSemaphore = new java.util.concurrent.Semaphore(1, true);
    private long counter; // guarded by whichever primitive the running benchmark uses
    private Harness.Home home;

    @Setup(Level.Trial)
    public void boot() {
        home = new Harness.Home("contended");
    }

    @TearDown(Level.Iteration)
    public void checkNoLeak() {
        home.awaitIdle();
    }

    @TearDown(Level.Trial)
    public void close() {
        home.close();
    }

    private Runnable[] bodies(Runnable op) {
        int each = OPS / tasks;
        Runnable[] bodies = new Runnable[tasks];
        for (int i = 0; i < tasks; i++) {
            bodies[i] = () -> {
                for (int j = 0; j < each; j++) {
                    op.run();
                }
            };
        }
        return bodies;
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void lock_mutex_inTask() {
        Harness.inTasks(home.group, bodies(() -> {
            mutex.lock();
            try {
                counter++;
            } finally {
                mutex.unlock();
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void lock_fairMutex_inTask() {
        Harness.inTasks(home.group, bodies(() -> {
            fairMutex.lock();
            try {
                counter++;
            } finally {
                fairMutex.unlock();
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void lock_reentrantLock_inVthread() {
        Harness.inVirtualThreads(bodies(() -> {
            lock.lock();
            try {
                counter++;
            } finally {
                lock.unlock();
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void lock_fairReentrantLock_inVthread() {
        Harness.inVirtualThreads(bodies(() -> {
            fairLock.lock();
            try {
                counter++;
            } finally {
                fairLock.unlock();
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void acquire_semaphore_inTask() {
        Harness.inTasks(home.group, bodies(() -> {
            semaphore.acquire();
            try {
                counter++;
            } finally {
                semaphore.release();
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void acquire_fairSemaphore_inTask() {
        Harness.inTasks(home.group, bodies(() -> {
            fairSemaphore.acquire();
            try {
                counter++;
            } finally {
                fairSemaphore.release();
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void acquire_jdkFairSemaphore_inVthread() {
        Harness.inVirtualThreads(bodies(() -> {
            Harness.unchecked(jdkFairSemaphore::acquire);
            try {
                counter++;
            } finally {
                jdkFairSemaphore.release();
            }
        }));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void acquire_jdkSemaphore_inVthread() {
        Harness.inVirtualThreads(bodies(() -> {
            Harness.unchecked(jdkSemaphore::acquire);
            try {
                counter++;
            } finally {
                jdkSemaphore.release();
            }
        }));
    }
}
