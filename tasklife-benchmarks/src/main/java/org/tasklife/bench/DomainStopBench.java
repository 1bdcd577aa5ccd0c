package org.tasklife.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
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
import org.tasklife.Domain;
import org.tasklife.DomainOptions;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.TaskBody;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.sync.Barrier;
import org.tasklife.sync.Condition;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.ReadWriteLock;
import org.tasklife.sync.Semaphore;

/**
 * Scale figure: a domain of {@code crowd} tasks, blocked across every kind of wait (a mutex the
 * host holds, a semaphore without permits, a timed acquire, a condition nobody signals, a write lock
 * behind a host reader, a barrier that never fills, a sleep), spread over groups of 1,000 →
 * {@code domain.stop(0)} → {@code onStopped()} completes, which happens only after every task ended
 * and every group finished. Baseline: as many virtual threads blocked in the JDK equivalents
 * ({@code lockInterruptibly}, {@code Semaphore.acquire}, {@code tryAcquire(1 h)}, {@code Condition.await},
 * write {@code lockInterruptibly} of a {@code ReentrantReadWriteLock}, {@code CyclicBarrier.await},
 * {@code Thread.sleep}), each interrupted, then each joined.
 *
 * <p>Single shot: the crowd is built in a per-iteration setup (not measured) and the domain freed in the
 * per-iteration teardown. The JDK's AQS cancellation is super-linear in the queue length, which spreading
 * the crowd over seven queues softens.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"}) // a fixed heap: no resizing inside a shot
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class DomainStopBench {
    private static final int KINDS = 7;
    private static final int GROUP_SIZE = 1_000;

    /** A kernel per trial and, per iteration, a domain of {@code crowd} blocked tasks. */
    @State(Scope.Benchmark)
    public static class TenantCrowd {
        @Param({"10000", "100000"})
        public int crowd;

        Kernel kernel;
        Domain domain;
        List<TaskGroup> groups;
        Mutex hostHeldMutex;
        ReadWriteLock hostReadLock;

        @Setup(Level.Trial)
        public void boot() {
            kernel = Kernel.builder().name("tenant").boot();
        }

        @Setup(Level.Iteration)
        public void gather() {
            domain = kernel.createDomain(DomainOptions.named("tenant"));
            hostHeldMutex = new Mutex();
            hostHeldMutex.lock(); // owned by the host thread running setup; abandoned with the iteration
            hostReadLock = new ReadWriteLock();
            hostReadLock.readLock();
            Semaphore empty = new Semaphore(0);
            Mutex conditionMutex = new Mutex();
            Condition never = conditionMutex.newCondition();
            Barrier neverFull = new Barrier(crowd + 1);
            List<TaskBody<Object>> kinds = List.of(
                    () -> {
                        hostHeldMutex.lock();
                        return null;
                    },
                    () -> {
                        empty.acquire();
                        return null;
                    },
                    () -> empty.tryAcquire(Duration.ofHours(1)),
                    () -> {
                        conditionMutex.lock();
                        try {
                            never.await();
                        } finally {
                            conditionMutex.unlock();
                        }
                        return null;
                    },
                    () -> {
                        hostReadLock.writeLock();
                        return null;
                    },
                    () -> neverFull.await(),
                    () -> {
                        Tasks.sleep(Duration.ofHours(1));
                        return null;
                    });
            groups = new ArrayList<>();
            for (int spawned = 0; spawned < crowd; ) {
                int first = spawned;
                TaskBody<Object> mainBody = kinds.get(first % KINDS);
                TaskGroup g = domain.spawnGroup("g" + groups.size(), () -> {
                    mainBody.run();
                    return 0;
                });
                groups.add(g);
                spawned++;
                for (int i = 1; i < GROUP_SIZE && spawned < crowd; i++, spawned++) {
                    g.spawnTask("w", kinds.get(spawned % KINDS));
                }
            }
            Harness.await(() -> domain.liveTaskCount() == crowd, () -> domain.liveTaskCount() + " of " + crowd + " live");
            Harness.await(() -> domain.snapshot().tasks().stream().allMatch(t -> t.state() == TaskState.BLOCKED),
                    () -> "not every task is BLOCKED");
        }

        ExitStatus stopAll() {
            domain.stop(0);
            return domain.onStopped().join();
        }

        @TearDown(Level.Iteration)
        public void free() {
            if (domain.state() != org.tasklife.DomainState.STOPPED) {
                throw new IllegalStateException("domain not stopped: " + domain);
            }
            domain.free();
            Harness.awaitLive(kernel, 0);
        }

        @TearDown(Level.Trial)
        public void close() {
            Harness.closeChecked(kernel);
        }
    }

    /** Baseline crowd: virtual threads blocked in the JDK's primitives. */
    @State(Scope.Benchmark)
    public static class JdkCrowd {
        @Param({"10000", "100000"})
        public int crowd;

        Thread[] threads;
        ReentrantLock hostHeld;
        ReentrantReadWriteLock hostRead;

        @Setup(Level.Iteration)
        public void gather() {
            ReentrantLock held = new ReentrantLock();
            hostHeld = held;
            ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
            hostRead = rw;
            Thread holder = Thread.ofPlatform().start(() -> {
                held.lock(); // held by a thread that is gone: nobody ever unlocks it
                rw.readLock().lock();
            });
            Harness.joinUninterruptibly(holder);
            java.util.concurrent.Semaphore empty = new java.util.concurrent.Semaphore(0);
            ReentrantLock conditionLock = new ReentrantLock();
            java.util.concurrent.locks.Condition never = conditionLock.newCondition();
            CyclicBarrier neverFull = new CyclicBarrier(crowd + 1);
            List<Harness.Interruptible> kinds = List.of(
                    held::lockInterruptibly,
                    empty::acquire,
                    () -> empty.tryAcquire(1, TimeUnit.HOURS),
                    () -> {
                        conditionLock.lockInterruptibly();
                        try {
                            never.await();
                        } finally {
                            conditionLock.unlock();
                        }
                    },
                    () -> rw.writeLock().lockInterruptibly(),
                    () -> {
                        try {
                            neverFull.await();
                        } catch (BrokenBarrierException broken) {
                            // the first interrupted party breaks the barrier for the others: they end too
                        }
                    },
                    () -> Thread.sleep(TimeUnit.HOURS.toMillis(1)));
            threads = new Thread[crowd];
            for (int i = 0; i < crowd; i++) {
                Harness.Interruptible body = kinds.get(i % KINDS);
                threads[i] = Thread.ofVirtual().start(() -> {
                    try {
                        body.run();
                    } catch (InterruptedException expected) {
                        // the interrupt is the "kill": end the thread
                    }
                });
            }
            for (Thread t : threads) {
                Harness.await(() -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING,
                        () -> "baseline thread " + t + " is " + t.getState());
            }
        }

        @TearDown(Level.Iteration)
        public void check() {
            Harness.checkAllEnded(threads);
            threads = null;
        }
    }

    @Benchmark
    @Warmup(iterations = Harness.CROWD_WARMUPS)
    @Measurement(iterations = Harness.CROWD_SHOTS)
    public ExitStatus stopDomain_everyWait(TenantCrowd crowd) {
        return crowd.stopAll();
    }

    @Benchmark
    public Thread[] interruptJoin_jdkEveryWait_vthread(JdkCrowd crowd) throws InterruptedException {
        return Harness.interruptAndJoin(crowd.threads);
    }

    /** The floor (see {@link FloorCrowd}): flag + unpark + exit of as many parked virtual threads, no kernel. */
    @Benchmark
    @Warmup(iterations = Harness.CROWD_WARMUPS)
    @Measurement(iterations = Harness.CROWD_SHOTS)
    public Object floor_flagUnparkExit_vthread(FloorCrowd crowd) {
        return crowd.stopAll();
    }
}
