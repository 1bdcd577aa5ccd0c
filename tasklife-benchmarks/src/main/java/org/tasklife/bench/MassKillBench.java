package org.tasklife.bench;

import java.util.concurrent.TimeUnit;
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
import org.tasklife.ExitStatus;
import org.tasklife.GroupMain;
import org.tasklife.Kernel;
import org.tasklife.TaskBody;
import org.tasklife.TaskGroup;
import org.tasklife.sync.Condition;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;

/**
 * Mass kill: {@code crowd} tasks of ONE group, all blocked on ONE primitive (a mutex the
 * host holds, a semaphore without permits, a condition nobody signals) → {@code group.kill()} → the
 * group's {@code onExit()} completes, which happens only after every member published its status.
 * Baseline: as many virtual threads blocked in ONE {@code java.util.concurrent.Semaphore(0).acquire()},
 * each interrupted, then each joined.
 *
 * <p>Single shot: the crowd is built in a per-iteration setup (not measured) and the group reaped in
 * the per-iteration teardown. The JDK baseline's AQS cancellation is super-linear in the queue length,
 * so the 100,000 row is slow (tens of seconds a shot); quick mode runs only {@code crowd=10000}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"}) // a fixed heap: no resizing inside a shot
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class MassKillBench {

    /** A kernel per trial and, per iteration, a group of {@code crowd} tasks blocked on one primitive. */
    @State(Scope.Benchmark)
    public abstract static class Crowd {
        @Param({"10000", "100000"})
        public int crowd;

        Kernel kernel;
        TaskGroup group;

        @Setup(Level.Trial)
        public void boot() {
            kernel = Kernel.builder().name("mass").boot();
        }

        @Setup(Level.Iteration)
        public void gather() {
            TaskBody<Object> block = blocker();
            GroupMain main = () -> {
                block.run();
                return 0;
            };
            group = kernel.spawnGroup("crowd", main);
            for (int i = 1; i < crowd; i++) {
                group.spawnTask("w", block);
            }
            Harness.await(() -> waiting() == crowd, () -> waiting() + " of " + crowd + " waiting");
            Harness.await(() -> group.tasks().stream().allMatch(t -> t.state() == org.tasklife.TaskState.BLOCKED),
                    () -> "not every task is BLOCKED");
        }

        /** Each task's body: blocks on the shared primitive. */
        abstract TaskBody<Object> blocker();

        /** How many tasks are queued on the primitive now. */
        abstract int waiting();

        ExitStatus killAll() {
            group.kill();
            return group.onExit().join();
        }

        @TearDown(Level.Iteration)
        public void reap() {
            ExitStatus s = group.reap();
            if (!(s instanceof ExitStatus.Killed)) {
                throw new IllegalStateException("crowd ended " + s);
            }
            Harness.awaitLive(kernel, 0);
        }

        @TearDown(Level.Trial)
        public void close() {
            Harness.closeChecked(kernel);
        }
    }

    public static class OnMutex extends Crowd {
        Mutex mutex;

        @Override
        TaskBody<Object> blocker() {
            mutex = new Mutex();
            mutex.lock(); // owned by the host thread running setup; abandoned with the iteration
            Mutex m = mutex;
            return () -> {
                m.lock();
                return null;
            };
        }

        @Override
        int waiting() {
            return mutex.queueLength();
        }
    }

    public static class OnSemaphore extends Crowd {
        Semaphore semaphore;

        @Override
        TaskBody<Object> blocker() {
            semaphore = new Semaphore(0);
            Semaphore s = semaphore;
            return () -> {
                s.acquire();
                return null;
            };
        }

        @Override
        int waiting() {
            return semaphore.queueLength();
        }
    }

    public static class OnCondition extends Crowd {
        Condition condition;

        @Override
        TaskBody<Object> blocker() {
            Mutex m = new Mutex();
            condition = m.newCondition();
            Condition c = condition;
            return () -> {
                m.lock();
                try {
                    c.await(); // a killed waiter re-acquires m before it unwinds: they leave one by one
                } finally {
                    m.unlock();
                }
                return null;
            };
        }

        @Override
        int waiting() {
            return condition.queueLength();
        }
    }

    /** Baseline crowd: virtual threads blocked in one JDK semaphore. */
    @State(Scope.Benchmark)
    public static class JdkCrowd {
        @Param({"10000", "100000"})
        public int crowd;

        java.util.concurrent.Semaphore semaphore;
        Thread[] threads;

        @Setup(Level.Iteration)
        public void gather() {
            java.util.concurrent.Semaphore s = new java.util.concurrent.Semaphore(0);
            semaphore = s;
            threads = new Thread[crowd];
            for (int i = 0; i < crowd; i++) {
                threads[i] = Thread.ofVirtual().start(() -> {
                    try {
                        s.acquire();
                    } catch (InterruptedException expected) {
                        // the interrupt is the "kill": end the thread
                    }
                });
            }
            Harness.await(() -> s.getQueueLength() == crowd, () -> s.getQueueLength() + " of " + crowd + " queued");
            for (Thread t : threads) {
                Harness.awaitWaiting(t);
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
    public ExitStatus killGroup_mutex(OnMutex crowd) {
        return crowd.killAll();
    }

    @Benchmark
    @Warmup(iterations = Harness.CROWD_WARMUPS)
    @Measurement(iterations = Harness.CROWD_SHOTS)
    public ExitStatus killGroup_semaphore(OnSemaphore crowd) {
        return crowd.killAll();
    }

    @Benchmark
    @Warmup(iterations = Harness.CROWD_WARMUPS)
    @Measurement(iterations = Harness.CROWD_SHOTS)
    public ExitStatus killGroup_condition(OnCondition crowd) {
        return crowd.killAll();
    }

    @Benchmark
    public Thread[] interruptJoin_jdkSemaphore_vthread(JdkCrowd crowd) throws InterruptedException {
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
