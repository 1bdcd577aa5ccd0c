package org.tasklife.bench;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
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
import org.tasklife.sync.Barrier;

/**
 * Barrier rounds: {@code parties} tasklife tasks of one group meet at one {@link Barrier}
 * {@value #ROUNDS} times per invocation, against as many virtual threads at one {@link CyclicBarrier}
 * (no barrier action on either side). Score: time per round (all parties released once), lower is
 * better.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class BarrierBench {
    static final int ROUNDS = 10_000;

    @Param({"2", "4"})
    public int parties;

    private Barrier barrier;
    private CyclicBarrier jdkBarrier;
    private Harness.Home home;

    @Setup(Level.Trial)
    public void boot() {
        home = new Harness.Home("barrier");
        barrier = new Barrier(parties);
        jdkBarrier = new CyclicBarrier(parties);
    }

    @TearDown(Level.Iteration)
    public void checkNoLeak() {
        home.awaitIdle();
    }

    @TearDown(Level.Trial)
    public void close() {
        home.close();
    }

    private Runnable[] bodies(Runnable await) {
        Runnable[] bodies = new Runnable[parties];
        for (int i = 0; i < parties; i++) {
            bodies[i] = () -> {
                for (int r = 0; r < ROUNDS; r++) {
                    await.run();
                }
            };
        }
        return bodies;
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void rounds_barrier_inTask() {
        Harness.inTasks(home.group, bodies(barrier::await));
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public void rounds_cyclicBarrier_inVthread() {
        Harness.inVirtualThreads(bodies(() -> {
            try {
                jdkBarrier.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (BrokenBarrierException e) {
                throw new IllegalStateException("barrier broken", e);
            }
        }));
    }
}
