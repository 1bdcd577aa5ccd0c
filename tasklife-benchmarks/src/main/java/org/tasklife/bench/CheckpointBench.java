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

/**
 * The cost of one safe point: {@link Tasks#checkpoint()} called {@value #BATCH} times in a loop inside one
 * task, the way a CPU-bound task polls for its kill. Baselines, in a plain virtual thread: the JDK's own
 * cooperative-cancellation poll, {@code Thread.currentThread().isInterrupted()}, and a spin-wait hint,
 * {@link Thread#onSpinWait()} (a PAUSE instruction: a fixed cost unit of this CPU).
 *
 * <p>{@code checkpoint_inTask} runs on a default-mode kernel, where a safe point also gives up the carrier
 * once the task has run a time slice; a batch runs for tens of milliseconds, so several of those yields are
 * in every score. {@code checkpoint_inTask_schedulerOneCpu} is the same loop in scheduler mode (one CPU, no
 * other task, so no preemption), for reference. Score: time per call, lower is better.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class CheckpointBench {
    static final int BATCH = 10_000_000;

    /** A default-mode kernel with its home group. */
    @State(Scope.Benchmark)
    public static class Free {
        Harness.Home home;

        @Setup(Level.Trial)
        public void boot() {
            home = new Harness.Home("checkpoint");
        }

        @TearDown(Level.Iteration)
        public void idle() {
            home.awaitIdle();
        }

        @TearDown(Level.Trial)
        public void close() {
            home.close();
        }
    }

    /** A scheduler-mode kernel of one CPU with a group that lives for the trial. */
    @State(Scope.Benchmark)
    public static class OneCpu {
        Kernel kernel;
        TaskGroup group;

        @Setup(Level.Trial)
        public void boot() {
            kernel = Kernel.builder().name("checkpoint-sched1").cpus(1).boot();
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

    private static void checkpoints() {
        for (int i = 0; i < BATCH; i++) {
            Tasks.checkpoint();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void checkpoint_inTask(Free s) {
        Harness.inTasks(s.home.group, CheckpointBench::checkpoints);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void checkpoint_inTask_schedulerOneCpu(OneCpu s) {
        Harness.inTasks(s.group, CheckpointBench::checkpoints);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void isInterrupted_inVthread() {
        Harness.inVirtualThreads(() -> {
            for (int i = 0; i < BATCH; i++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("interrupted"); // never: nobody interrupts it
                }
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void onSpinWait_inVthread() {
        Harness.inVirtualThreads(() -> {
            for (int i = 0; i < BATCH; i++) {
                Thread.onSpinWait();
            }
        });
    }
}
