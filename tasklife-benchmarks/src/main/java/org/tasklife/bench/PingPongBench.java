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
import org.tasklife.sync.Condition;
import org.tasklife.sync.Mutex;

/**
 * Condition ping-pong: two parties hand a turn back and forth through one mutex and one
 * condition ({@code while (turn != me) await(); turn = other; signal();}), {@value #ROUNDS} hand-offs each
 * per invocation. tasklife: two tasks of one group with {@link Mutex} + {@link Condition}; baseline: two
 * virtual threads with {@link ReentrantLock} + its {@code Condition}. Score: time per hand-off (one
 * party's turn), lower is better.
 *
 * <p>Not measured on host threads: a JMH group benchmark blocking on the other party deadlocks at the end
 * of an iteration unless every wait is timed, and timed waits would measure the timer instead.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class PingPongBench {
    static final int ROUNDS = 10_000;

    private final Mutex mutex = new Mutex();
    private final Condition condition = mutex.newCondition();
    private final ReentrantLock lock = new ReentrantLock();
    private final java.util.concurrent.locks.Condition jdkCondition = lock.newCondition();
    private int turn; // guarded by the benchmark's lock; 0 after every invocation
    private Harness.Home home;

    @Setup(Level.Trial)
    public void boot() {
        home = new Harness.Home("pingpong");
    }

    @TearDown(Level.Iteration)
    public void checkNoLeak() {
        home.awaitIdle();
    }

    @TearDown(Level.Trial)
    public void close() {
        home.close();
    }

    private Runnable party(int me) {
        return () -> {
            for (int i = 0; i < ROUNDS; i++) {
                mutex.lock();
                try {
                    while (turn != me) {
                        condition.await();
                    }
                    turn = 1 - me;
                    condition.signal();
                } finally {
                    mutex.unlock();
                }
            }
        };
    }

    private Runnable jdkParty(int me) {
        return () -> {
            for (int i = 0; i < ROUNDS; i++) {
                lock.lock();
                try {
                    while (turn != me) {
                        Harness.unchecked(jdkCondition::await);
                    }
                    turn = 1 - me;
                    jdkCondition.signal();
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void pingPong_mutexCondition_inTask() {
        Harness.inTasks(home.group, party(0), party(1));
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void pingPong_reentrantLockCondition_inVthread() {
        Harness.inVirtualThreads(jdkParty(0), jdkParty(1));
    }
}
