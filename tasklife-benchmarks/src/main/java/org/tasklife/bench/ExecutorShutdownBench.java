package org.tasklife.bench;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tasklife.Kernel;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.interop.TaskExecutor;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;

/**
 * {@code shutdownNow()} of an executor running {@code crowd} submissions, each blocked (a third each) in a mutex
 * the host holds, a semaphore without permits and a sleep of a day, until {@code awaitTermination} returns: on a
 * {@link TaskExecutor} (tasklife's {@code Mutex}, {@code Semaphore}, {@code Tasks.sleep}; the kill ends them)
 * against {@code Executors.newVirtualThreadPerTaskExecutor()} with the JDK equivalents
 * ({@code ReentrantLock.lockInterruptibly}, {@code Semaphore.acquire}, {@code Thread.sleep}; the interrupt ends
 * them).
 *
 * <p>Single shot: the crowd is built in a per-iteration setup (not measured), a new executor each time; the
 * per-iteration teardown checks that it terminated and that nothing is left.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class ExecutorShutdownBench {
    private static final Duration DAY = Duration.ofDays(1);

    /** A kernel per trial and, per iteration, a TaskExecutor of {@code crowd} blocked submissions. */
    @State(Scope.Benchmark)
    public static class TasklifeCrowd {
        @Param({"10000"})
        public int crowd;

        Kernel kernel;
        TaskExecutor executor;

        @Setup(Level.Trial)
        public void boot() {
            kernel = Kernel.builder().name("shutdown").boot();
        }

        @Setup(Level.Iteration)
        public void gather() {
            Mutex held = new Mutex();
            held.lock(); // owned by the host thread running setup; abandoned with the iteration
            Semaphore none = new Semaphore(0);
            TaskExecutor ex = TaskExecutor.builder().name("crowd").in(kernel.rootDomain());
            for (int i = 0; i < crowd; i++) {
                switch (i % 3) {
                    case 0 -> ex.execute(held::lock);
                    case 1 -> ex.execute(none::acquire);
                    default -> ex.execute(() -> Tasks.sleep(DAY));
                }
            }
            executor = ex;
            Harness.await(() -> blocked() == crowd + 1, () -> blocked() + " of " + crowd + " (and the group's main) blocked");
        }

        private long blocked() {
            return executor.group().tasks().stream().filter(t -> t.state() == TaskState.BLOCKED).count();
        }

        @TearDown(Level.Iteration)
        public void check() {
            if (!executor.isTerminated()) {
                throw new IllegalStateException("executor not terminated: " + executor);
            }
            Harness.awaitLive(kernel, 0);
        }

        @TearDown(Level.Trial)
        public void close() {
            Harness.closeChecked(kernel);
        }
    }

    /** Baseline crowd: a virtual-thread-per-task executor whose submissions block in the JDK equivalents. */
    @State(Scope.Benchmark)
    public static class JdkCrowd {
        @Param({"10000"})
        public int crowd;

        ExecutorService executor;
        AtomicReferenceArray<Thread> threads;

        @Setup(Level.Iteration)
        public void gather() {
            ReentrantLock held = new ReentrantLock();
            held.lock(); // owned by the setup thread; abandoned with the iteration
            java.util.concurrent.Semaphore none = new java.util.concurrent.Semaphore(0);
            ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
            AtomicReferenceArray<Thread> seen = new AtomicReferenceArray<>(crowd);
            for (int i = 0; i < crowd; i++) {
                int n = i;
                ex.execute(() -> {
                    seen.set(n, Thread.currentThread());
                    try {
                        switch (n % 3) {
                            case 0 -> held.lockInterruptibly();
                            case 1 -> none.acquire();
                            default -> Thread.sleep(DAY);
                        }
                    } catch (InterruptedException expected) {
                        // the interrupt is the "kill": end the submission
                    }
                });
            }
            executor = ex;
            threads = seen;
            for (int i = 0; i < crowd; i++) {
                int n = i;
                Harness.await(() -> parked(seen.get(n)), () -> "submission " + n + " not parked");
            }
        }

        private static boolean parked(Thread t) {
            return t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
        }

        @TearDown(Level.Iteration)
        public void check() {
            if (!executor.isTerminated()) {
                throw new IllegalStateException("baseline executor not terminated");
            }
            for (int i = 0; i < crowd; i++) { // terminated once each task ran: its thread may still be ending
                Thread t = threads.get(i);
                try {
                    if (!t.join(Duration.ofSeconds(60))) {
                        throw new IllegalStateException("baseline thread still alive: " + t);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            executor = null;
            threads = null;
        }
    }

    /** shutdownNow of a TaskExecutor (a kill of its group), until terminated. */
    @Benchmark
    public boolean shutdownNow_taskExecutor_mixedWaits(TasklifeCrowd c) throws InterruptedException {
        c.executor.shutdownNow();
        return c.executor.awaitTermination(60, TimeUnit.SECONDS);
    }

    /** Baseline: shutdownNow of the JDK's virtual-thread-per-task executor (an interrupt each), until terminated. */
    @Benchmark
    public boolean shutdownNow_virtualExecutor_mixedWaits(JdkCrowd c) throws InterruptedException {
        c.executor.shutdownNow();
        return c.executor.awaitTermination(60, TimeUnit.SECONDS);
    }
}
