package org.tasklife.bench;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
import org.tasklife.Kernel;
import org.tasklife.interop.TaskExecutor;

/**
 * {@code submit(callable).get()} of a trivial callable, from the JMH (host) thread: on a {@link TaskExecutor}
 * (a new detached task per submission, its future, its end counted) against the JDK's
 * {@code Executors.newVirtualThreadPerTaskExecutor()} (a new virtual thread per submission). Both executors live
 * for the trial; every iteration ends only once every submission's task or thread has ended.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class ExecutorBench {
    private static final Callable<Object> TRIVIAL = () -> Boolean.TRUE;

    private Kernel kernel;
    private TaskExecutor tasklife;
    private ExecutorService jdk;

    @Setup(Level.Trial)
    public void boot() {
        kernel = Kernel.builder().name("executor").boot();
        tasklife = TaskExecutor.builder().name("bench").in(kernel.rootDomain());
        jdk = Executors.newVirtualThreadPerTaskExecutor();
    }

    @TearDown(Level.Iteration)
    public void awaitIdle() {
        Harness.awaitLive(kernel, 1); // only the executor group's main task: every submission's task ended
    }

    @TearDown(Level.Trial)
    public void close() {
        tasklife.close();
        jdk.close();
        Harness.closeChecked(kernel);
    }

    /** A trivial callable submitted to a TaskExecutor, and its result awaited. */
    @Benchmark
    public Object submitGet_taskExecutor_host() throws InterruptedException, ExecutionException {
        return tasklife.submit(TRIVIAL).get();
    }

    /** Baseline: the same on {@code Executors.newVirtualThreadPerTaskExecutor()}. */
    @Benchmark
    public Object submitGet_virtualExecutor_host() throws InterruptedException, ExecutionException {
        return jdk.submit(TRIVIAL).get();
    }
}
