package org.tasklife.interop;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tasklife.Domain;
import org.tasklife.DomainAccessException;
import org.tasklife.DomainOptions;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.sync.Mutex;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;
import org.tasklife.testkit.KernelExtension;

/**
 * What {@link TaskExecutor} does beyond the JDK's thread-per-task executor: {@code shutdownNow} and
 * {@code cancel(true)} kill, so they end work blocked in tasklife waits and in loops that swallow interrupts but
 * reach a safe point; {@code invokeAny}'s losers have ended when it returns; submissions are tasks of one group,
 * listed and bounded; a failing submission ends only itself; and the executor acts with its domain's authority.
 */
@ExtendWith(KernelExtension.class)
class TaskExecutorTest {
    private static final long LONG_MS = Await.LONG.toMillis();
    private static final Duration HOUR = Duration.ofHours(1);

    /** The ways a submission can block; each is ended by a kill. */
    enum Wait {
        MUTEX, SEMAPHORE, SLEEP, JOIN, JDK_QUEUE_TAKE, JDK_SLEEP, SWALLOWING_LOOP_WITH_SAFE_POINT;

        /** Blocks until killed; {@code m} is a mutex the test thread holds. */
        Object block(Mutex m) throws Exception {
            switch (this) {
                case MUTEX -> m.lock();
                case SEMAPHORE -> new Semaphore(0).acquire();
                case SLEEP -> Tasks.sleep(HOUR);
                case JOIN -> Tasks.spawnTask("inner", () -> {
                    Tasks.sleep(HOUR);
                    return null;
                }).join();
                case JDK_QUEUE_TAKE -> new LinkedBlockingQueue<Object>().take();
                case JDK_SLEEP -> Thread.sleep(HOUR);
                case SWALLOWING_LOOP_WITH_SAFE_POINT -> {
                    for (;;) {
                        try {
                            Thread.sleep(HOUR);
                        } catch (InterruptedException swallowed) {
                            // code that swallows interrupts, but reaches a tasklife safe point
                        }
                        Tasks.checkpoint();
                    }
                }
            }
            return "unblocked";
        }

        boolean blocksInTasklife() {
            return this == MUTEX || this == SEMAPHORE || this == SLEEP || this == JOIN;
        }
    }

    /** SPEC K2, K4: shutdownNow kills every running submission, whatever it is blocked in; the executor terminates. */
    @ParameterizedTest
    @EnumSource(Wait.class)
    void shutdownNow_submissionsBlocked_endsEveryOne(Wait wait, Kernel kernel) throws Exception {
        Mutex held = new Mutex();
        held.lock();
        TaskExecutor ex = TaskExecutor.builder().name("blocked").in(kernel.rootDomain());
        CountDownLatch entered = new CountDownLatch(3);
        List<Future<Object>> fs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fs.add(ex.submit(() -> {
                entered.countDown();
                return wait.block(held);
            }));
        }
        Fixtures.await(entered);
        if (wait.blocksInTasklife()) {
            Await.until("every submission blocked", () -> ex.group().tasks().stream()
                    .filter(t -> t.name().startsWith("blocked-")).filter(t -> t.state() == TaskState.BLOCKED).count() == 3);
        }

        assertThat(ex.shutdownNow()).isEmpty();

        assertThat(ex.awaitTermination(LONG_MS, MILLISECONDS)).isTrue();
        assertThat(ex.isTerminated()).isTrue();
        for (Future<Object> f : fs) {
            assertThat(f.state()).isEqualTo(Future.State.FAILED);
            // the kill, what the killed code threw (an interrupted JDK call), or a join's "target was killed"
            assertThat(f.exceptionNow()).isInstanceOfAny(TaskKilledError.class, InterruptedException.class,
                    org.tasklife.TaskKilledException.class);
        }
        assertThat(Fixtures.get(ex.group().onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(ex.group().liveTaskCount()).isZero();
        held.unlock();
    }

    /**
     * The JDK executor's shutdownNow only interrupts: a submission that swallows interrupts and reaches no tasklife
     * safe point keeps running, and one blocked in a tasklife wait (as host code) stays blocked.
     */
    @Test
    void jdkShutdownNow_swallowingLoopAndTasklifeWait_keepRunning(Kernel kernel) throws Exception {
        ExecutorService jdk = Executors.newVirtualThreadPerTaskExecutor();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong swallowed = new AtomicLong();
        AtomicLong rounds = new AtomicLong();
        CountDownLatch looping = new CountDownLatch(1);
        jdk.submit(() -> {
            looping.countDown();
            while (!stop.get()) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    swallowed.incrementAndGet();
                }
                rounds.incrementAndGet();
            }
            return null;
        });
        Mutex held = new Mutex();
        held.lock();
        jdk.submit(() -> {
            held.lock();
            held.unlock();
            return null;
        });
        Fixtures.await(looping);
        Await.until("the other submission queued on the mutex", () -> held.queueLength() == 1);

        jdk.shutdownNow();

        Await.until("the loop swallowed the interrupt", () -> swallowed.get() >= 1);
        long seen = rounds.get();
        Await.until("the loop still runs", () -> rounds.get() > seen + 2);
        assertThat(held.queueLength()).as("still blocked in the tasklife wait").isEqualTo(1);
        assertThat(jdk.awaitTermination(20, MILLISECONDS)).isFalse();
        assertThat(jdk.isTerminated()).isFalse();

        stop.set(true); // clean up: only the code itself can end them
        held.unlock();
        assertThat(jdk.awaitTermination(LONG_MS, MILLISECONDS)).isTrue();
    }

    /** SPEC K2: cancel(true) kills the submission's task, also when it is blocked in a tasklife wait. */
    @Test
    void cancelTrue_blockedInTasklifeWait_killsTheTask(Kernel kernel) throws Exception {
        TaskExecutor ex = TaskExecutor.builder().name("c").in(kernel.rootDomain());
        CountDownLatch entered = new CountDownLatch(1);
        Future<Object> f = ex.submit(() -> {
            entered.countDown();
            new Semaphore(0).acquire();
            return null;
        });
        Fixtures.await(entered);
        Task<?> task = awaitSubmission(ex);
        Await.state(task, TaskState.BLOCKED);

        assertThat(f.cancel(true)).isTrue();

        assertThat(Fixtures.ended(task)).isEqualTo(ExitStatus.KILLED);
        assertThat(f.isCancelled()).isTrue();
        ex.close();
        assertThat(ex.isTerminated()).isTrue();
    }

    /** invokeAny kills the losers and they have ended when it returns. */
    @Test
    void invokeAny_losersBlocked_killedAndEndedBeforeItReturns(Kernel kernel) throws Exception {
        TaskExecutor ex = TaskExecutor.builder().name("any").in(kernel.rootDomain());
        AtomicInteger ended = new AtomicInteger();
        CountDownLatch losersBlocked = new CountDownLatch(2);
        Callable<String> loser = () -> {
            try {
                losersBlocked.countDown();
                new Semaphore(0).acquire();
                return "loser";
            } finally {
                ended.incrementAndGet();
            }
        };
        Callable<String> winner = () -> {
            losersBlocked.await();
            return "winner";
        };

        assertThat(ex.invokeAny(List.of(loser, winner, loser))).isEqualTo("winner");

        assertThat(ended.get()).as("losers ended before invokeAny returned").isEqualTo(2);
        Await.until("only the executor's own task left", () -> ex.group().liveTaskCount() == 1);
        ex.close();
    }

    /** invokeAll with a timeout kills the unfinished submissions. */
    @Test
    void invokeAllTimed_unfinished_areKilled(Kernel kernel) throws Exception {
        TaskExecutor ex = TaskExecutor.builder().name("all").in(kernel.rootDomain());
        List<Future<String>> fs = ex.invokeAll(List.of(() -> "quick", () -> {
            Tasks.sleep(HOUR);
            return "slow";
        }), Await.scaled(Duration.ofSeconds(1)).toMillis(), MILLISECONDS);
        assertThat(fs.get(0).resultNow()).isEqualTo("quick");
        assertThat(fs.get(1).isCancelled()).isTrue();
        Await.until("the slow one killed", () -> ex.group().liveTaskCount() == 1);
        ex.close();
    }

    /** maxConcurrency queues the excess as never-started work; shutdownNow returns it and kills what runs. */
    @Test
    void shutdownNow_maxConcurrencyQueue_returnsNeverStartedWork(Kernel kernel) throws Exception {
        TaskExecutor ex = TaskExecutor.builder().name("one").maxConcurrency(1).in(kernel.rootDomain());
        CountDownLatch running = new CountDownLatch(1);
        Future<?> first = ex.submit(() -> {
            running.countDown();
            Tasks.sleep(HOUR);
            return null;
        });
        AtomicInteger ranQueued = new AtomicInteger();
        Runnable queuedRunnable = ranQueued::incrementAndGet;
        ex.execute(queuedRunnable);
        Future<?> queuedFuture = ex.submit(ranQueued::incrementAndGet);
        Fixtures.await(running);

        List<Runnable> neverStarted = ex.shutdownNow();

        assertThat(neverStarted).hasSize(2);
        assertThat(neverStarted.get(0)).isSameAs(queuedRunnable);
        assertThat(neverStarted.get(1)).isSameAs(queuedFuture);
        assertThat(ex.awaitTermination(LONG_MS, MILLISECONDS)).isTrue();
        assertThat(first.state()).isEqualTo(Future.State.FAILED);
        assertThat(queuedFuture.isDone()).as("as the JDK's shutdownNow, never-started work is handed back, not run").isFalse();
        assertThat(ranQueued.get()).isZero();
    }

    /** maxConcurrency: never more submissions run at once than the bound; queued ones start as others end. */
    @Test
    void maxConcurrency_manySubmissions_neverMoreRunningThanTheBound(Kernel kernel) throws Exception {
        TaskExecutor ex = TaskExecutor.builder().name("bounded").maxConcurrency(2).in(kernel.rootDomain());
        AtomicInteger now = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            fs.add(ex.submit(() -> {
                peak.accumulateAndGet(now.incrementAndGet(), Math::max);
                Tasks.yieldNow();
                now.decrementAndGet();
                return n;
            }));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(Fixtures.get(fs.get(i))).isEqualTo(i);
        }
        assertThat(peak.get()).isBetween(1, 2);
        ex.close();
    }

    /** A failing submission ends only itself, also when the group it runs in fails whole on a failure. */
    @Test
    void executeThrowing_inFailGroupGroup_failsOnlyThatTask(Kernel kernel) throws Exception {
        TaskGroup home = Fixtures.idleGroup(kernel, "home"); // default policy: a failure ends the group
        TaskExecutor ex = TaskExecutor.builder().name("f").in(home);
        CountDownLatch bystanderBlocked = new CountDownLatch(1);
        Future<String> bystander = ex.submit(() -> {
            bystanderBlocked.countDown();
            Tasks.sleep(Duration.ofMillis(50));
            return "alive";
        });
        Fixtures.await(bystanderBlocked);
        AtomicReference<Throwable> reported = new AtomicReference<>();
        CountDownLatch failed = new CountDownLatch(1);
        IllegalStateException boom = new IllegalStateException("boom");
        ex.execute(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> {
                reported.set(e);
                failed.countDown();
            });
            throw boom;
        });
        Fixtures.await(failed);
        Future<?> failing = ex.submit(() -> {
            throw new IllegalArgumentException("also fails");
        });

        assertThat(reported.get()).as("execute: given to the thread's uncaught-exception handler").isSameAs(boom);
        assertThatThrownBy(() -> Fixtures.get(failing)).isInstanceOf(ExecutionException.class);
        assertThat(Fixtures.get(bystander)).isEqualTo("alive");
        assertThat(home.state()).isEqualTo(org.tasklife.GroupState.ALIVE);
        ex.close();
        Fixtures.killAndReap(home);
    }

    /** The status of a failed execute() is Failed, for that task only. */
    @Test
    void executeThrowing_taskStatusFailed(Kernel kernel) throws Exception {
        TaskExecutor ex = TaskExecutor.builder().name("st").in(kernel.rootDomain());
        CountDownLatch go = new CountDownLatch(1);
        IllegalStateException boom = new IllegalStateException("boom");
        ex.execute(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> {});
            try {
                go.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            throw boom;
        });
        Task<?> task = awaitSubmission(ex);
        go.countDown();
        assertThat(Fixtures.ended(task)).isEqualTo(new ExitStatus.Failed(boom));
        ex.close();
        assertThat(Fixtures.ended(ex.group())).isEqualTo(ExitStatus.exited(0));
    }

    /**
     * SPEC E3: Tasks.exitGroup from a submission ends the executor's group: every other submission is killed, queued
     * work is cancelled, the executor terminates; another executor is not touched.
     */
    @Test
    void exitGroupFromSubmission_endsTheExecutor(Kernel kernel) throws Exception {
        TaskExecutor bystander = TaskExecutor.builder().name("other").in(kernel.rootDomain());
        CountDownLatch blocked = new CountDownLatch(2);
        Future<Object> sleeper = bystander.submit(() -> {
            blocked.countDown();
            Tasks.sleep(HOUR);
            return null;
        });
        TaskExecutor ex = TaskExecutor.builder().name("eg").maxConcurrency(2).in(kernel.rootDomain());
        Future<Object> killed = ex.submit(() -> {
            blocked.countDown();
            Tasks.sleep(HOUR);
            return null;
        });
        Fixtures.await(blocked);
        CountDownLatch go = new CountDownLatch(1);
        Future<Object> exiting = ex.submit(() -> {
            go.await();
            Tasks.exitGroup(3);
            return null;
        });
        Future<Object> queued = ex.submit(() -> "never");
        go.countDown();

        assertThat(Fixtures.get(ex.group().onExit())).isEqualTo(ExitStatus.exited(3));
        assertThat(ex.awaitTermination(LONG_MS, MILLISECONDS)).isTrue();
        assertThat(ex.isShutdown()).isTrue();
        assertThat(killed.exceptionNow()).isInstanceOf(TaskKilledError.class);
        assertThat(exiting.state()).isEqualTo(Future.State.FAILED);
        assertThat(queued.isCancelled()).as("queued work of an ended group is cancelled").isTrue();
        assertThatThrownBy(() -> ex.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThat(sleeper.isDone()).as("another executor's work runs on").isFalse();
        bystander.shutdownNow();
        assertThat(bystander.awaitTermination(LONG_MS, MILLISECONDS)).isTrue();
    }

    /** Submissions are tasks of the executor's group, listed with the executor's name, before and while they run. */
    @Test
    void submissions_areTasksOfTheGroup(Kernel kernel) throws Exception {
        TaskExecutor ex = TaskExecutor.builder().name("listed").in(kernel.rootDomain());
        CountDownLatch gate = new CountDownLatch(1);
        Future<Long> f = ex.submit(() -> {
            long group = Tasks.currentGroup().id();
            gate.await();
            return group;
        });
        Await.until("the submission listed", () -> ex.group().tasks().stream().anyMatch(t -> t.name().equals("listed-1")));
        assertThat(kernel.snapshot().renderTable()).contains("listed-1");
        gate.countDown();
        assertThat(Fixtures.get(f)).isEqualTo(ex.group().id());
        assertThat(ex.group().name()).isEqualTo("listed");
        ex.close();
        assertThat(Fixtures.ended(ex.group())).isEqualTo(ExitStatus.exited(0));
    }

    /** On a group the caller gives, shutdownNow kills the executor's submissions only, not the group's other tasks. */
    @Test
    void shutdownNow_onGivenGroup_killsOnlyItsOwnTasks(Kernel kernel) throws Exception {
        TaskGroup home = Fixtures.idleGroup(kernel, "home");
        Task<?> main = Fixtures.mainOf(kernel, home);
        TaskExecutor ex = TaskExecutor.in(home);
        CountDownLatch blocked = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            ex.submit(() -> {
                blocked.countDown();
                Tasks.sleep(HOUR);
                return null;
            });
        }
        Fixtures.await(blocked);

        ex.shutdownNow();

        assertThat(ex.awaitTermination(LONG_MS, MILLISECONDS)).isTrue();
        assertThat(main.isKilled()).isFalse();
        assertThat(home.tasks()).containsExactly(main);
        assertThat(ex.group()).isEqualTo(home);
        Fixtures.killAndReap(home);
    }

    /** A group the executor runs on, killed from outside, ends the executor: terminated, new work rejected. */
    @Test
    void groupKilledFromOutside_executorTerminatesAndRejects(Kernel kernel) throws Exception {
        TaskExecutor ex = TaskExecutor.builder().name("ext").in(kernel.rootDomain());
        CountDownLatch blocked = new CountDownLatch(1);
        Future<Object> f = ex.submit(() -> {
            blocked.countDown();
            Tasks.sleep(HOUR);
            return null;
        });
        Fixtures.await(blocked);

        assertThat(kernel.findGroup(ex.group().id()).orElseThrow().kill()).isTrue();

        assertThat(ex.awaitTermination(LONG_MS, MILLISECONDS)).isTrue();
        assertThat(ex.isShutdown()).isTrue();
        assertThat(f.exceptionNow()).isInstanceOf(TaskKilledError.class);
        assertThatThrownBy(() -> ex.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    }

    /**
     * SPEC D5: an executor acts with the authority of the domain it was built on, whoever calls it; building one
     * needs authority over that domain.
     */
    @Test
    void authority_builtByHost_usableFromAnotherDomainsTask(Kernel kernel) throws Exception {
        Domain a = kernel.createDomain(DomainOptions.named("a"));
        Domain b = kernel.createDomain(DomainOptions.named("b"));
        TaskExecutor onA = TaskExecutor.builder().name("exA").in(a);
        TaskGroup inB = b.spawnGroup("b-main", () -> {
            Future<Long> f = onA.submit(() -> Tasks.currentDomain().id());
            if (f.get() != a.id()) {
                return 1;
            }
            try {
                TaskExecutor.in(a);
                return 2;
            } catch (DomainAccessException expected) {
                return 0;
            }
        });
        assertThat(Fixtures.ended(inB)).isEqualTo(ExitStatus.exited(0));
        onA.close();
        assertThat(a.groups()).isEmpty();
        inB.reap();
    }

    /** SPEC P3: a killed task submits nothing (RejectedExecutionException), but may still shut an executor down. */
    @Test
    void submit_fromKilledTask_rejected(Kernel kernel) throws Exception {
        TaskExecutor ex = TaskExecutor.builder().name("k").in(kernel.rootDomain());
        AtomicReference<Throwable> refusal = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("killed", () -> {
            try {
                Tasks.sleep(HOUR);
            } catch (TaskKilledError e) {
                try {
                    ex.submit(() -> 1);
                } catch (Throwable t) {
                    refusal.set(t);
                }
                ex.shutdown();
                done.countDown();
                throw e;
            }
            return 0;
        });
        Await.state(Fixtures.mainOf(kernel, g), TaskState.BLOCKED);
        g.kill();
        Fixtures.await(done);
        assertThat(refusal.get()).isInstanceOf(RejectedExecutionException.class);
        assertThat(ex.awaitTermination(LONG_MS, MILLISECONDS)).isTrue();
        g.reap();
    }

    /** A submission killed before its body started still completes its future (exceptionally, killed). */
    @Test
    void killBeforeBodyStarts_futureCompletesKilled(Kernel kernel) throws Exception {
        TaskExecutor ex = TaskExecutor.builder().name("early").in(kernel.rootDomain());
        for (int i = 0; i < 50; i++) {
            Future<Object> f = ex.submit(() -> "ran");
            newestSubmission(ex).ifPresent(Task::kill); // may land before or after the body started, or after its end
            try {
                assertThat(Fixtures.get(f)).isEqualTo("ran");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(TaskKilledError.class);
            }
        }
        ex.close();
    }

    /** The newest live submission task of {@code ex} (not its group's main task), if any. */
    private static java.util.Optional<Task<?>> newestSubmission(TaskExecutor ex) {
        long main = ex.group().id();
        return ex.group().tasks().stream().filter(t -> t.id() != main)
                .max(java.util.Comparator.comparingLong(Task::id));
    }

    /** Waits until {@code ex} has a live submission task and returns the newest. */
    private static Task<?> awaitSubmission(TaskExecutor ex) {
        Await.until("a submission task", () -> newestSubmission(ex).isPresent());
        return newestSubmission(ex).orElseThrow();
    }
}
