package org.tasklife.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
import org.tasklife.Kernel;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;

/**
 * The cost of scheduler mode. {@code handoff_*}: two tasks hand a turn back and forth through two
 * semaphores ({@value #ROUNDS} rounds per invocation); in scheduler mode with one CPU every hand-off is a
 * token hand-off between two virtual threads. {@code contendedMutex_*}: four tasks lock and unlock one
 * mutex ({@value #LOCKS} times each); {@code contendedSemaphore_*}: four tasks acquire and release one of
 * two permits ({@value #LOCKS} times each). Modes: scheduler mode with one CPU and with two (work stealing
 * on, the default), and the baseline, the same tasks on a default-mode kernel (free virtual threads).
 * Score: time per hand-off or per pair, lower is better.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class SchedulerBench {
    static final int ROUNDS = 10_000;
    static final int LOCKS = 10_000;

    /** A kernel of one mode, with a group that lives for the trial. */
    @State(Scope.Benchmark)
    public abstract static class Mode0 {
        Kernel kernel;
        TaskGroup group;

        abstract Kernel.Builder builder();

        @Setup(Level.Trial)
        public void boot() {
            kernel = builder().boot();
            group = kernel.spawnGroup("home", () -> {
                Tasks.sleep(Duration.ofDays(1));
                return 0;
            });
        }

        @TearDown(Level.Iteration)
        public void idle() {
            Harness.awaitLive(kernel, 1);
        }

        @TearDown(Level.Trial)
        public void close() {
            Harness.closeChecked(kernel);
        }
    }

    /** Scheduler mode, one CPU. */
    public static class OneCpu extends Mode0 {
        @Override
        Kernel.Builder builder() {
            return Kernel.builder().name("sched1").cpus(1);
        }
    }

    /** Scheduler mode, two CPUs (as many as this machine has cores). */
    public static class TwoCpus extends Mode0 {
        @Override
        Kernel.Builder builder() {
            return Kernel.builder().name("sched2").cpus(2);
        }
    }

    /** Default mode. */
    public static class Free extends Mode0 {
        @Override
        Kernel.Builder builder() {
            return Kernel.builder().name("free");
        }
    }

    private static void handoff(TaskGroup g) {
        Semaphore ping = new Semaphore(0);
        Semaphore pong = new Semaphore(0);
        Harness.inTasks(g, () -> {
            for (int i = 0; i < ROUNDS; i++) {
                ping.release();
                pong.acquire();
            }
        }, () -> {
            for (int i = 0; i < ROUNDS; i++) {
                ping.acquire();
                pong.release();
            }
        });
    }

    private static void contended(TaskGroup g) {
        Mutex m = new Mutex();
        Runnable body = () -> {
            for (int i = 0; i < LOCKS; i++) {
                m.lock();
                m.unlock();
            }
        };
        Harness.inTasks(g, body, body, body, body);
    }

    private static void contendedSemaphore(TaskGroup g) {
        Semaphore permits = new Semaphore(2);
        Runnable body = () -> {
            for (int i = 0; i < LOCKS; i++) {
                permits.acquire();
                permits.release();
            }
        };
        Harness.inTasks(g, body, body, body, body);
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void handoff_schedulerOneCpu(OneCpu s) {
        handoff(s.group);
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void handoff_defaultMode(Free s) {
        handoff(s.group);
    }

    @Benchmark
    @OperationsPerInvocation(4 * LOCKS)
    public void contendedMutex_schedulerOneCpu(OneCpu s) {
        contended(s.group);
    }

    @Benchmark
    @OperationsPerInvocation(4 * LOCKS)
    public void contendedMutex_defaultMode(Free s) {
        contended(s.group);
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void handoff_schedulerTwoCpus(TwoCpus s) {
        handoff(s.group);
    }

    @Benchmark
    @OperationsPerInvocation(4 * LOCKS)
    public void contendedMutex_schedulerTwoCpus(TwoCpus s) {
        contended(s.group);
    }

    @Benchmark
    @OperationsPerInvocation(4 * LOCKS)
    public void contendedSemaphore_schedulerOneCpu(OneCpu s) {
        contendedSemaphore(s.group);
    }

    @Benchmark
    @OperationsPerInvocation(4 * LOCKS)
    public void contendedSemaphore_schedulerTwoCpus(TwoCpus s) {
        contendedSemaphore(s.group);
    }

    @Benchmark
    @OperationsPerInvocation(4 * LOCKS)
    public void contendedSemaphore_defaultMode(Free s) {
        contendedSemaphore(s.group);
    }
}
