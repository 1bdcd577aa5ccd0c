package org.tasklife.bench;

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
import org.openjdk.jmh.infra.Blackhole;
import org.tasklife.ChildSelector;
import org.tasklife.ExitStatus;
import org.tasklife.GroupMain;
import org.tasklife.SpawnOptions;
import org.tasklife.TaskBody;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;

/**
 * The life of a task (spawn, the body returns at once, join) and of a group (spawn,
 * its main returns, reap), against {@code Thread.ofVirtual().start(r)} + {@code join()}.
 *
 * <p>Two harnesses. {@code *_inTask} / {@code *_inVthread}: the loop runs inside a tasklife task (so the
 * task API is used as designed: {@code Tasks.spawnTask(..).join()}, {@code Tasks.waitChild}) or inside a
 * virtual thread for the baseline; {@value #BATCH} operations per invocation amortise the driver.
 * {@code *_host}: one operation per invocation from the JMH (platform) thread; a host cannot
 * {@code join()} a task (only tasks of its group may), so the host task variant spawns a detached task
 * and waits for {@code onExit()}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
public class SpawnBench {
    static final int BATCH = 1_000;

    private static final Runnable NOTHING = () -> {};
    private static final TaskBody<Object> RETURN = () -> null;
    private static final GroupMain EXIT_0 = () -> 0;
    private static final SpawnOptions DETACHED = SpawnOptions.named("t").detached(true);

    private Harness.Home home;

    @Setup(Level.Trial)
    public void boot() {
        home = new Harness.Home("spawn");
    }

    @TearDown(Level.Iteration)
    public void checkNoLeak() {
        home.awaitIdle();
    }

    @TearDown(Level.Trial)
    public void close() {
        home.close();
    }

    // ---- inside a task / a virtual thread ----

    /** Baseline: {@code Thread.ofVirtual().start(r).join()} from a virtual thread. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void spawnJoin_vthread_inVthread() {
        Harness.inVirtualThreads(() -> {
            for (int i = 0; i < BATCH; i++) {
                Harness.joinUninterruptibly(Thread.ofVirtual().start(NOTHING));
            }
        });
    }

    /** {@code Tasks.spawnTask(..).join()} from a task of the same group. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void spawnJoin_task_inTask() {
        Harness.inTasks(home.group, () -> {
            for (int i = 0; i < BATCH; i++) {
                Tasks.spawnTask("t", RETURN).join();
            }
        });
    }

    /** {@code Tasks.spawnGroup(..)} whose main returns 0, then {@code Tasks.waitChild} reaps it. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void spawnReap_group_inTask() {
        Harness.inTasks(home.group, () -> {
            for (int i = 0; i < BATCH; i++) {
                TaskGroup child = Tasks.spawnGroup("g", EXIT_0);
                Tasks.waitChild(ChildSelector.group(child.id())).orElseThrow();
            }
        });
    }

    // ---- from the JMH (host) thread ----

    /** Baseline: {@code Thread.ofVirtual().start(r).join()} from a platform thread. */
    @Benchmark
    public void spawnJoin_vthread_host(Blackhole bh) throws InterruptedException {
        Thread t = Thread.ofVirtual().start(NOTHING);
        t.join();
        bh.consume(t);
    }

    /** A detached task spawned into a group from the host; waits for its {@code onExit()}. */
    @Benchmark
    public ExitStatus spawnJoin_task_host() {
        return home.group.spawnTask(DETACHED, RETURN).onExit().join();
    }

    /** {@code kernel.spawnGroup(..)} whose main returns 0, reaped from the host with {@code reap()}. */
    @Benchmark
    public ExitStatus spawnReap_group_host() {
        return home.kernel.spawnGroup("g", EXIT_0).reap();
    }
}
