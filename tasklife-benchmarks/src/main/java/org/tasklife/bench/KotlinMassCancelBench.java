package org.tasklife.bench;

import java.util.concurrent.TimeUnit;
import kotlinx.coroutines.Job;
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
import org.tasklife.bench.peers.Coroutines;

/**
 * The Kotlin coroutines peer of {@link MassKillBench}: {@code crowd} coroutines (a parent and
 * {@code crowd - 1} children of it) suspended in one kotlinx {@code Mutex} that is held, one
 * {@code Semaphore} without a free permit, or each in a {@code delay} of an hour → {@code parent.cancel()}
 * → the parent's completion, which comes only after every child completed. Same settings and parameter
 * as {@code MassKillBench}, and {@link Suite} pairs the rows across the two classes at equal
 * {@code crowd} ({@code tasklife / coroutine}): {@code killGroup_mutex} with {@code cancelJoin_mutex},
 * {@code killGroup_semaphore} with {@code cancelJoin_semaphore}; {@code cancelJoin_delay} is reported
 * against the floor ({@link FloorCrowd}) of the same run.
 *
 * <p>Single shot: the crowd is started in a per-iteration setup (not measured; every member is suspended
 * when it returns, see {@code Coroutines.crowd}) and checked in the per-iteration teardown.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"}) // a fixed heap: no resizing inside a shot
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class KotlinMassCancelBench {

    /** Per iteration, a crowd of {@code crowd} coroutines suspended in one primitive. */
    @State(Scope.Benchmark)
    public abstract static class Crowd {
        @Param({"10000", "100000"})
        public int crowd;

        Job parent;

        @Setup(Level.Iteration)
        public void gather() {
            parent = Coroutines.crowd(kind(), crowd);
        }

        /** What the members wait in. */
        abstract Coroutines.Wait kind();

        Job cancelAll() {
            Coroutines.cancelAndJoin(parent);
            return parent;
        }

        @TearDown(Level.Iteration)
        public void check() {
            Coroutines.checkEnded(parent);
            parent = null;
        }
    }

    public static class InMutex extends Crowd {
        @Override
        Coroutines.Wait kind() {
            return Coroutines.Wait.MUTEX;
        }
    }

    public static class InSemaphore extends Crowd {
        @Override
        Coroutines.Wait kind() {
            return Coroutines.Wait.SEMAPHORE;
        }
    }

    public static class InDelay extends Crowd {
        @Override
        Coroutines.Wait kind() {
            return Coroutines.Wait.DELAY;
        }
    }

    @Benchmark
    @Warmup(iterations = Harness.CROWD_WARMUPS)
    @Measurement(iterations = Harness.CROWD_SHOTS)
    public Job cancelJoin_mutex(InMutex crowd) {
        return crowd.cancelAll();
    }

    @Benchmark
    @Warmup(iterations = Harness.CROWD_WARMUPS)
    @Measurement(iterations = Harness.CROWD_SHOTS)
    public Job cancelJoin_semaphore(InSemaphore crowd) {
        return crowd.cancelAll();
    }

    @Benchmark
    @Warmup(iterations = Harness.CROWD_WARMUPS)
    @Measurement(iterations = Harness.CROWD_SHOTS)
    public Job cancelJoin_delay(InDelay crowd) {
        return crowd.cancelAll();
    }
}
