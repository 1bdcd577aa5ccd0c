package org.tasklife.bench;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
import org.tasklife.internal.time.Clock;
import org.tasklife.internal.time.Timeout;
import org.tasklife.internal.time.TimerService;

/**
 * The timer service: {@value #TIMERS} timed waits' timers armed (an hour away) and then all
 * cancelled, as killed or satisfied timed waits do. tasklife: the kernel's {@code TimerService} (internal;
 * the benchmarks run on the class path); baseline: {@code ScheduledThreadPoolExecutor.schedule} +
 * {@code cancel(false)} with {@code setRemoveOnCancelPolicy(true)}, so that cancelled tasks leave its
 * queue as tasklife's do. Score: time per arm + cancel, lower is better.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class TimerBench {
    static final int TIMERS = 1_000_000;
    private static final Runnable NOTHING = () -> {};

    private TimerService timers;
    private ScheduledThreadPoolExecutor stpe;
    private final Timeout[] armed = new Timeout[TIMERS];
    private final ScheduledFuture<?>[] scheduled = new ScheduledFuture<?>[TIMERS];

    @Setup(Level.Trial)
    public void start() {
        timers = new TimerService(Clock.system(), "bench-timer");
        timers.start();
        stpe = new ScheduledThreadPoolExecutor(1);
        stpe.setRemoveOnCancelPolicy(true);
    }

    @TearDown(Level.Trial)
    public void stop() {
        timers.close();
        stpe.shutdownNow();
    }

    @Benchmark
    @OperationsPerInvocation(TIMERS)
    public int armCancel_timerService() {
        long deadline = Clock.deadlineAfter(System.nanoTime(), TimeUnit.HOURS.toNanos(1));
        for (int i = 0; i < TIMERS; i++) {
            armed[i] = timers.schedule(deadline + i, NOTHING);
        }
        for (int i = 0; i < TIMERS; i++) {
            armed[i].cancel();
            armed[i] = null;
        }
        return timers.pendingCount();
    }

    @Benchmark
    @OperationsPerInvocation(TIMERS)
    public int scheduleCancel_scheduledThreadPool() {
        for (int i = 0; i < TIMERS; i++) {
            scheduled[i] = stpe.schedule(NOTHING, 3_600_000_000L + i, TimeUnit.MICROSECONDS);
        }
        for (int i = 0; i < TIMERS; i++) {
            scheduled[i].cancel(false);
            scheduled[i] = null;
        }
        return stpe.getQueue().size();
    }
}
