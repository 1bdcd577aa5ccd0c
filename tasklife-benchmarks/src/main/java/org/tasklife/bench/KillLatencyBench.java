package org.tasklife.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tasklife.ExitStatus;
import org.tasklife.SpawnOptions;
import org.tasklife.Task;
import org.tasklife.TaskBody;
import org.tasklife.Tasks;
import org.tasklife.sync.Condition;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;

/**
 * Single kill latency: from the {@code kill()} call to the victim's {@code onExit()}
 * completing (its status published), for a task blocked in a mutex, a semaphore, a condition and a sleep.
 * Baseline: from {@code interrupt()} of a virtual thread blocked in {@code Semaphore.acquire()} to
 * {@code join()} returning after it caught {@code InterruptedException} and ended.
 *
 * <p>Floor ({@code floor_unparkComplete_vthread}): the bare mechanism with no kernel and no
 * interrupt: a flag and an {@code unpark} of a virtual thread parked in {@code LockSupport.park}, which then
 * runs and completes a {@code CompletableFuture} the JMH thread waits on. A kill cannot be faster than this
 * on the same machine; Suite pairs every kill row with it.
 *
 * <p>Every invocation gets a fresh victim, spawned and parked in a per-invocation setup (not measured).
 * SampleTime mode: the score is the mean; the p50 and p99 percentiles are what the benchmark targets ask for.
 *
 * <p>Both sides include waking threads parked in the OS: the victim's carrier (virtual threads) and the
 * JMH thread blocked in {@code join()}. On this 2-core VM that floor is ~10 µs. Observing by spinning
 * instead was tried: the median did not move (the carrier's wake-up remains) and p99 grew to
 * milliseconds (the spinning thread takes one of the two cores), so the observer blocks.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class KillLatencyBench {
    private static final SpawnOptions VICTIM = SpawnOptions.named("victim").detached(true);

    /** The kernel, and the primitives victims block in. */
    @State(Scope.Benchmark)
    public static class Home {
        Harness.Home home;
        Mutex heldMutex;              // owned by the host thread that ran setup, never released
        Semaphore emptySemaphore;     // no permits, ever
        Mutex conditionMutex;         // free: a killed condition waiter re-acquires it, then unwinds
        Condition condition;          // never signalled

        @Setup(Level.Trial)
        public void boot() {
            home = new Harness.Home("kill");
            heldMutex = new Mutex();
            heldMutex.lock();
            emptySemaphore = new Semaphore(0);
            conditionMutex = new Mutex();
            condition = conditionMutex.newCondition();
        }

        @TearDown(Level.Iteration)
        public void checkNoLeak() {
            home.awaitIdle();
        }

        @TearDown(Level.Trial)
        public void close() {
            home.close();
        }

        Victim spawn(TaskBody<Object> body) {
            Task<Object> t = home.group.spawnTask(VICTIM, body);
            Harness.awaitBlocked(t);
            return new Victim(t, t.onExit());
        }
    }

    /** A parked task and its exit future, taken before the kill. */
    record Victim(Task<Object> task, CompletableFuture<ExitStatus> exit) {
        ExitStatus kill() {
            task.kill();
            return exit.join();
        }
    }

    @State(Scope.Benchmark)
    public static class InMutex {
        Victim victim;

        @Setup(Level.Invocation)
        public void park(Home h) {
            victim = h.spawn(() -> {
                h.heldMutex.lock();
                return null;
            });
        }
    }

    @State(Scope.Benchmark)
    public static class InSemaphore {
        Victim victim;

        @Setup(Level.Invocation)
        public void park(Home h) {
            victim = h.spawn(() -> {
                h.emptySemaphore.acquire();
                return null;
            });
        }
    }

    @State(Scope.Benchmark)
    public static class InCondition {
        Victim victim;

        @Setup(Level.Invocation)
        public void park(Home h) {
            victim = h.spawn(() -> {
                h.conditionMutex.lock();
                try {
                    h.condition.await();
                } finally {
                    h.conditionMutex.unlock();
                }
                return null;
            });
        }
    }

    @State(Scope.Benchmark)
    public static class InSleep {
        Victim victim;

        @Setup(Level.Invocation)
        public void park(Home h) {
            victim = h.spawn(() -> {
                Tasks.sleep(Duration.ofDays(1));
                return null;
            });
        }
    }

    /** Baseline victim: a virtual thread parked in {@code Semaphore.acquire()}. */
    @State(Scope.Benchmark)
    public static class InJdkSemaphore {
        final java.util.concurrent.Semaphore empty = new java.util.concurrent.Semaphore(0);
        Thread victim;

        @Setup(Level.Invocation)
        public void park() {
            victim = Thread.ofVirtual().start(() -> {
                try {
                    empty.acquire();
                } catch (InterruptedException expected) {
                    // the interrupt is the "kill": end the thread
                }
            });
            Harness.awaitWaiting(victim);
        }
    }

    /** Floor victim: a virtual thread parked in {@code LockSupport.park} until its flag is set. */
    @State(Scope.Benchmark)
    public static class Parked {
        Thread victim;
        volatile boolean go;
        CompletableFuture<Object> done;

        @Setup(Level.Invocation)
        public void park() {
            go = false;
            CompletableFuture<Object> f = new CompletableFuture<>();
            done = f;
            victim = Thread.ofVirtual().start(() -> {
                while (!go) {
                    LockSupport.park(this);
                }
                f.complete(Boolean.TRUE);
            });
            Harness.awaitWaiting(victim);
        }
    }

    @Benchmark
    public ExitStatus kill_mutex(InMutex v) {
        return v.victim.kill();
    }

    @Benchmark
    public ExitStatus kill_semaphore(InSemaphore v) {
        return v.victim.kill();
    }

    @Benchmark
    public ExitStatus kill_condition(InCondition v) {
        return v.victim.kill();
    }

    @Benchmark
    public ExitStatus kill_sleep(InSleep v) {
        return v.victim.kill();
    }

    @Benchmark
    public Thread interrupt_jdkSemaphore_vthread(InJdkSemaphore v) throws InterruptedException {
        v.victim.interrupt();
        v.victim.join();
        return v.victim;
    }

    /** The floor: flag, unpark, the parked virtual thread runs and completes the future we wait on. */
    @Benchmark
    public Object floor_unparkComplete_vthread(Parked v) {
        v.go = true;
        LockSupport.unpark(v.victim);
        return v.done.join();
    }
}
