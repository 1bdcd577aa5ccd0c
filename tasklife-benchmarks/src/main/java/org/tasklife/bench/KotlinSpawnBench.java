package org.tasklife.bench;

import java.util.concurrent.TimeUnit;
import kotlinx.coroutines.Job;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tasklife.bench.peers.Coroutines;

/**
 * The Kotlin coroutines peer of {@link SpawnBench}: launch of a coroutine whose body returns at
 * once, then its completion awaited. Same settings and harness shapes as {@code SpawnBench}, and
 * {@link Suite} pairs the rows across the two classes ({@code tasklife / coroutine}):
 * {@code launchJoin_coroutine_host} (one launch per invocation from the JMH thread, which blocks until the
 * coroutine completed) against {@code spawnJoin_task_host}, and {@code launchJoin_coroutine_inCoroutine}
 * ({@value SpawnBench#BATCH} {@code launch {}.join()} inside one coroutine) against {@code spawnJoin_task_inTask}.
 * The operations themselves are in {@code org.tasklife.bench.peers.Coroutines} (Kotlin).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class KotlinSpawnBench {

    /** {@code scope.launch {}} from the host thread, which blocks until the coroutine has completed. */
    @Benchmark
    public Job launchJoin_coroutine_host() {
        return Coroutines.launchJoinFromHost();
    }

    /** {@code launch {}.join()}, {@value SpawnBench#BATCH} times inside one coroutine on Dispatchers.Default. */
    @Benchmark
    @OperationsPerInvocation(SpawnBench.BATCH)
    public void launchJoin_coroutine_inCoroutine() {
        Coroutines.launchJoinInCoroutine(SpawnBench.BATCH);
    }
}
