package org.tasklife.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tasklife.Domain;
import org.tasklife.DomainOptions;
import org.tasklife.ExitStatus;
import org.tasklife.GroupState;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskLifeException;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * {@link TaskThreadFactory}: its threads are tasks of the group once started, findable (state NEW) from the moment
 * the factory made them; the domain's limits are checked when a thread is made; a thread killed before it starts
 * returns at once when started, its task Killed; a thread never started is retired when killed or dropped.
 */
@ExtendWith(KernelExtension.class)
class TaskThreadFactoryTest {
    private static final Duration HOUR = Duration.ofHours(1);

    private static Optional<Task<?>> taskNamed(TaskGroup g, String name) {
        return g.tasks().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** SPEC P4: newThread returns an unstarted thread whose task is already listed, NEW; started, it runs as that task. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void newThread_thenStart_runsAsTaskOfTheGroup(boolean platform, Kernel kernel) throws Exception {
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        TaskThreadFactory f = TaskThreadFactory.builder().name("worker").platformThreads(platform).in(home);
        AtomicReference<Object[]> seen = new AtomicReference<>();
        Thread th = f.newThread(() -> seen.set(new Object[] {Tasks.inTask(), Tasks.currentGroup().id(),
                Tasks.current().name()}));

        assertThat(th.getState()).isEqualTo(Thread.State.NEW);
        assertThat(th.isVirtual()).isEqualTo(!platform);
        Task<?> task = taskNamed(home, "worker-1").orElseThrow();
        assertThat(task.state()).isEqualTo(TaskState.NEW);
        assertThat(kernel.snapshot().renderTable()).contains("worker-1");

        th.start();
        assertThat(Fixtures.ended(task)).isEqualTo(ExitStatus.exited(0));
        th.join();
        assertThat(seen.get()).containsExactly(true, home.id(), "worker-1");
        Fixtures.killAndReap(home);
    }

    /** SPEC D4: newThread over the domain's task limit returns null (the ThreadFactory contract's refusal); nothing changes. */
    @Test
    void newThread_overDomainLimit_returnsNull(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain(DomainOptions.named("small").maxTasks(2));
        TaskGroup home = d.spawnGroup("home", Fixtures::sleepForever);
        TaskThreadFactory f = TaskThreadFactory.in(home);
        Thread first = f.newThread(() -> {});
        assertThat(first).isNotNull();
        long live = d.liveTaskCount();

        assertThat(f.newThread(() -> {})).isNull();

        assertThat(d.liveTaskCount()).isEqualTo(live);
        first.start();
        first.join();
        Fixtures.killAndReap(home);
    }

    /** A factory thread is a spawn like any other: the kernel's spawn decorator wraps its body, on its own thread. */
    @Test
    void newThread_kernelWithSpawnDecorator_bodyRunsInsideIt() throws Exception {
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Kernel k = Kernel.builder().name("decorated").spawnDecorator(run -> () -> {
            boolean mine = Tasks.current().name().startsWith("deco"); // not the group's main task, decorated too
            if (mine) {
                seen.add("before " + Tasks.current().name());
            }
            run.run();
            if (mine) {
                seen.add("after");
            }
        }).boot()) {
            TaskGroup home = Fixtures.idleGroup(k, "home");
            TaskThreadFactory f = TaskThreadFactory.builder().name("deco").in(home);
            Thread th = f.newThread(() -> seen.add("body"));
            th.start();
            th.join();
            assertThat(seen).containsExactly("before deco-1", "body", "after");
            Fixtures.killAndReap(home);
        }
    }

    /** A factory whose group ended, or that was closed, makes no threads: null. */
    @Test
    void newThread_groupEndedOrFactoryClosed_returnsNull(Kernel kernel) throws Exception {
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        TaskThreadFactory f = TaskThreadFactory.in(home);
        TaskThreadFactory closed = TaskThreadFactory.in(home);
        closed.close();
        assertThat(closed.isClosed()).isTrue();
        assertThat(closed.newThread(() -> {})).isNull();
        Fixtures.killAndReap(home);
        assertThat(f.newThread(() -> {})).isNull();
        assertThatThrownBy(() -> f.newThread(null)).isInstanceOf(NullPointerException.class);
    }

    /** A thread whose task is killed before it starts: the task ends Killed at once; started later, it returns at once. */
    @Test
    void killBeforeStart_taskRetiredKilled_threadReturnsAtOnce(Kernel kernel) throws Exception {
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        TaskThreadFactory f = TaskThreadFactory.builder().name("early").in(home);
        AtomicBoolean ran = new AtomicBoolean();
        Thread th = f.newThread(() -> ran.set(true));
        Task<?> task = taskNamed(home, "early-1").orElseThrow();

        assertThat(task.kill()).isTrue();

        assertThat(Fixtures.ended(task)).isEqualTo(ExitStatus.KILLED);
        assertThat(th.getState()).isEqualTo(Thread.State.NEW);
        th.start();
        th.join();
        assertThat(ran.get()).isFalse();
        Fixtures.killAndReap(home);
    }

    /**
     * SPEC K6: a kill racing the start of the thread gives exactly one outcome: killed (true) and the task ends Killed,
     * its thread's run returning, or too late (false) and the body ran to its end (200 rounds).
     */
    @Test
    void killRacingStart_exactlyOneOutcome(Kernel kernel) throws Exception {
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        TaskThreadFactory f = TaskThreadFactory.builder().name("race").in(home);
        for (int i = 0; i < 200; i++) {
            AtomicBoolean ran = new AtomicBoolean();
            Thread th = f.newThread(() -> ran.set(true));
            Task<?> task = taskNamed(home, "race-" + (i + 1)).orElseThrow();
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Boolean> killed = new AtomicReference<>();
            Thread killer = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                killed.set(task.kill());
            });
            go.countDown();
            th.start();
            killer.join();
            th.join();
            ExitStatus status = Fixtures.ended(task);
            if (killed.get()) {
                assertThat(status).as("round %d, killed", i).isEqualTo(ExitStatus.KILLED);
            } else {
                assertThat(status).as("round %d, kill too late", i).isEqualTo(ExitStatus.exited(0));
                assertThat(ran.get()).isTrue();
            }
        }
        Await.until("only the main task left", () -> home.liveTaskCount() == 1);
        Fixtures.killAndReap(home);
    }

    /** A thread never started keeps its group from ending; a kill of the group ends it all the same. */
    @Test
    void neverStarted_groupKilled_groupEnds(Kernel kernel) throws Exception {
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        TaskThreadFactory f = TaskThreadFactory.builder().name("idle").in(home);
        Thread th = f.newThread(() -> {});
        assertThat(home.liveTaskCount()).isEqualTo(2);

        home.kill();

        assertThat(Fixtures.ended(home)).isEqualTo(ExitStatus.KILLED);
        home.reap();
        th.start(); // returns at once
        th.join();
    }

    /** A thread made and dropped without being started: its task is retired once the thread is unreachable. */
    @Test
    void neverStartedAndDropped_taskRetiredAfterCollection(Kernel kernel) throws Exception {
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        TaskThreadFactory f = TaskThreadFactory.builder().name("dropped").in(home);
        dropOne(f);
        Task<?> task = taskNamed(home, "dropped-1").orElseThrow();
        Await.until("the dropped thread's task retired", () -> {
            System.gc();
            return task.state() == TaskState.TERMINATED;
        });
        assertThat(Fixtures.ended(task)).isEqualTo(ExitStatus.KILLED);
        Fixtures.killAndReap(home);
    }

    private static void dropOne(TaskThreadFactory f) {
        assertThat(f.newThread(() -> {})).isNotNull();
    }

    /**
     * A thread that ends with an uncaught exception ends only its task (status Failed) whatever the group's failure
     * policy, and the exception goes to the thread's uncaught-exception handler, as for any JDK thread.
     */
    @Test
    void uncaughtException_failsOnlyThatTask_reportedToHandler(Kernel kernel) throws Exception {
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        TaskThreadFactory f = TaskThreadFactory.builder().name("bad").in(home);
        IllegalStateException boom = new IllegalStateException("boom");
        Thread th = f.newThread(() -> {
            throw boom;
        });
        AtomicReference<Throwable> reported = new AtomicReference<>();
        th.setUncaughtExceptionHandler((t, e) -> reported.set(e));
        Task<?> task = taskNamed(home, "bad-1").orElseThrow();
        th.start();
        assertThat(Fixtures.ended(task)).isEqualTo(new ExitStatus.Failed(boom));
        th.join();
        assertThat(reported.get()).isSameAs(boom);
        assertThat(home.state()).isEqualTo(GroupState.ALIVE);
        Fixtures.killAndReap(home);
    }

    /** SPEC K2: a factory thread blocked in a tasklife wait is ended by a kill of its group. */
    @Test
    void startedThread_blockedInTasklifeWait_groupKillEndsIt(Kernel kernel) throws Exception {
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        TaskThreadFactory f = TaskThreadFactory.in(home);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread th = f.newThread(() -> {
            try {
                new Semaphore(0).acquire();
            } catch (TaskKilledError e) {
                thrown.set(e);
                throw e;
            }
        });
        th.start();
        Task<?> task = home.tasks().stream().filter(t -> t.id() != home.id()).findFirst().orElseThrow();
        Await.state(task, TaskState.BLOCKED);

        home.kill();

        th.join();
        assertThat(thrown.get()).isInstanceOf(TaskKilledError.class);
        assertThat(Fixtures.ended(home)).isEqualTo(ExitStatus.KILLED);
        home.reap();
    }

    /** On a domain, the factory owns a group; close() lets it end once its threads have ended. */
    @Test
    void inDomain_close_groupEndsAfterItsThreads(Kernel kernel) throws Exception {
        TaskThreadFactory f = TaskThreadFactory.builder().name("pool").in(kernel.rootDomain());
        TaskGroup g = f.group();
        assertThat(g.name()).isEqualTo("pool");
        CountDownLatch gate = new CountDownLatch(1);
        Thread th = f.newThread(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        th.start();

        f.close();

        assertThat(f.newThread(() -> {})).isNull();
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        gate.countDown();
        assertThat(Fixtures.ended(g)).isEqualTo(ExitStatus.exited(0));
    }

    /** JDK executors built on the factory run their work in tasks: a thread-per-task executor, a fixed pool. */
    @Test
    void jdkExecutorsOnTheFactory_runWorkInTasks(Kernel kernel) throws Exception {
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        TaskThreadFactory f = TaskThreadFactory.builder().name("jdk").in(home);
        List<ExecutorService> executors = List.of(Executors.newThreadPerTaskExecutor(f), Executors.newFixedThreadPool(2, f));
        for (ExecutorService ex : executors) {
            List<Future<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fs.add(ex.submit(() -> Tasks.currentGroup().id()));
            }
            for (Future<Long> r : fs) {
                assertThat(Fixtures.get(r)).isEqualTo(home.id());
            }
            ex.shutdown();
            assertThat(ex.awaitTermination(Await.LONG.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();
        }
        Await.until("every worker ended", () -> home.liveTaskCount() == 1);
        Fixtures.killAndReap(home);
    }

    /** A kernel in scheduler mode starts every task's thread itself: a factory on it is refused when built. */
    @Test
    void schedulerMode_buildRefused() throws Exception {
        try (Kernel k = Kernel.builder().name("sched").cpus(1).boot()) {
            TaskGroup home = Fixtures.idleGroup(k, "home");
            assertThatThrownBy(() -> TaskThreadFactory.in(home)).isInstanceOf(TaskLifeException.class)
                    .hasMessageContaining("scheduler mode")
                    .satisfies(e -> assertThat(((TaskLifeException) e).reason())
                            .isEqualTo(TaskLifeException.Reason.INVALID_OPERATION));
            Fixtures.killAndReap(home);
        }
    }

    /** SPEC D2: a domain stop ends a factory thread that was never started (its task retired, Killed). */
    @Test
    void neverStarted_domainStopped_domainStops(Kernel kernel) throws Exception {
        Domain d = kernel.createDomain(DomainOptions.named("tenant"));
        TaskThreadFactory f = TaskThreadFactory.builder().name("idle").in(d);
        Thread th = f.newThread(() -> {});
        assertThat(th).isNotNull();

        assertThat(d.stop(0)).isTrue();

        assertThat(d.awaitStopped(Await.LONG)).isTrue();
        assertThat(d.liveTaskCount()).isZero();
        th.start(); // returns at once
        th.join();
    }

    /** Bad builder input is refused with the argument named, and nothing is made. */
    @Test
    void builder_badInput_refused(Kernel kernel) {
        assertThatThrownBy(() -> TaskThreadFactory.builder().name(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> TaskThreadFactory.builder().name(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> TaskThreadFactory.in((TaskGroup) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("group");
        assertThatThrownBy(() -> TaskThreadFactory.in((Domain) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("domain");
        assertThatThrownBy(() -> TaskExecutor.builder().maxConcurrency(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConcurrency");
        assertThatThrownBy(() -> TaskExecutor.builder().name("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> TaskExecutor.in((TaskGroup) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("group");
        assertThatThrownBy(() -> TaskExecutor.in((Domain) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("domain");
        assertThat(kernel.rootDomain().groups()).isEmpty();
    }
}
