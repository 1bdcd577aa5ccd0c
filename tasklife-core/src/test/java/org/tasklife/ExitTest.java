package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.tasklife.testkit.Fixtures.*;

import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.TrackedResource;

@ExtendWith(KernelExtension.class)
class ExitTest {

    private static final long LONG_MS = Await.LONG.toMillis();
    private static final Duration HOUR = Duration.ofHours(1);

    // ---- E1 ----

    /** SPEC E1: a non-main task whose body returns ends only itself; the group stays ALIVE. */
    @Test
    void workerReturn_nonMainTask_endsOnlyItself(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Task<?> main = mainOf(kernel, g);
        Await.state(main, TaskState.BLOCKED);

        Task<String> worker = g.spawnTask("worker", () -> "done");

        assertThat(get(worker.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        Await.until("the ended task to leave the live count (SPEC E6: after its status)", () -> g.liveTaskCount() == 1);
        assertThat(main.state()).isEqualTo(TaskState.BLOCKED);
        assertThat(g.onExit()).isNotDone();

        assertThat(g.kill()).isTrue();
        assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
    }

    /** SPEC E1: Tasks.exit() from a non-main task unwinds it (finally runs), Exited(0), group stays ALIVE. */
    @Test
    void exit_fromWorker_endsOnlyThatTaskAfterItsFinally(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Task<?> main = mainOf(kernel, g);
        CountDownLatch finallyRan = new CountDownLatch(1);
        CompletableFuture<String> after = new CompletableFuture<>();

        Task<String> worker = g.spawnTask("exiter", () -> {
            try {
                Tasks.exit();
                after.complete("exit() returned");
                return "unreachable";
            } finally {
                finallyRan.countDown();
            }
        });

        assertThat(get(worker.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(finallyRan.getCount()).isZero();
        assertThat(after).isNotDone();
        Await.state(main, TaskState.BLOCKED);
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        // SPEC E6: the status is published before the task leaves the live count
        Await.until("worker to leave the live count", () -> g.liveTaskCount() == 1);

        g.kill();
        assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
    }

    // ---- E2 ----

    /** SPEC E2: the main task returning 7 ends the group Exited(7) and kills the blocked workers. */
    @Test
    void mainReturn_withBlockedWorkers_exitsGroupWithCodeAndKillsThem(Kernel kernel) throws Exception {
        CompletableFuture<List<Task<?>>> workers = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("main7", () -> {
            Task<?> sleeper = Tasks.spawnTask("sleeper", () -> {
                Tasks.sleep(HOUR);
                return null;
            });
            Task<?> joiner = Tasks.spawnTask("joiner", () -> sleeper.join());
            workers.complete(List.of(sleeper, joiner));
            release.await();
            return 7;
        });
        List<Task<?>> ws = get(workers);
        for (Task<?> w : ws) {
            Await.state(w, TaskState.BLOCKED);
        }

        release.countDown();

        assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(7));
        assertThat(get(mainOf(kernel, g).onExit())).isEqualTo(ExitStatus.exited(7));
        for (Task<?> w : ws) {
            assertThat(get(w.onExit())).as("worker %s", w.name()).isEqualTo(ExitStatus.KILLED);
        }
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(7));
    }

    // ---- E3 ----

    /** SPEC E3: exitGroup(3) from a worker kills members sleeping, joining, child-waiting and running; group Exited(3). */
    @Test
    void exitGroup_fromWorker_killsEveryOtherMemberInAnyState(Kernel kernel) throws Exception {
        CompletableFuture<TaskGroup> child = new CompletableFuture<>();
        TaskGroup g = kernel.spawnGroup("parent", () -> {
            TaskGroup c = Tasks.spawnGroup("child", () -> {
                Tasks.sleep(HOUR);
                return 0;
            });
            child.complete(c);
            Tasks.waitChild(ChildSelector.group(c.id()));
            return 0;
        });
        Task<?> main = mainOf(kernel, g);
        Task<?> sleeper = g.spawnTask("sleeper", () -> {
            Tasks.sleep(HOUR);
            return null;
        });
        Task<?> joiner = g.spawnTask("joiner", () -> sleeper.join());
        CountDownLatch spinning = new CountDownLatch(1);
        Task<?> spinner = g.spawnTask("spinner", () -> {
            spinning.countDown();
            for (;;) {
                Tasks.checkpoint();
                Thread.onSpinWait();
            }
        });
        CountDownLatch go = new CountDownLatch(1);
        Task<?> exiter = g.spawnTask("exiter", () -> {
            go.await();
            Tasks.exitGroup(3);
            return null;
        });
        TaskGroup c = get(child);
        Await.state(main, TaskState.BLOCKED);
        Await.state(sleeper, TaskState.BLOCKED);
        Await.state(joiner, TaskState.BLOCKED);
        await(spinning);
        assertThat(kernel.snapshot().tasks()).filteredOn(t -> t.id() == main.id()).singleElement()
                .satisfies(t -> assertThat(t.waitChannel()).startsWith("waitChild("));

        go.countDown();

        assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(3));
        assertThat(get(exiter.onExit())).isEqualTo(ExitStatus.exited(3));
        for (Task<?> t : List.of(main, sleeper, joiner, spinner)) {
            assertThat(get(t.onExit())).as("member %s", t.name()).isEqualTo(ExitStatus.KILLED);
        }
        // the child group is not a member: it lives on, reparented to the domain root (SPEC R4)
        assertThat(c.state()).isEqualTo(GroupState.ALIVE);
        assertThat(c.parentId()).isEqualTo(kernel.rootDomain().id());
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(3));

        assertThat(c.kill()).isTrue();
        assertThat(get(c.onExit())).isEqualTo(ExitStatus.KILLED);
    }

    /** SPEC E3: two tasks racing exitGroup(3) and exitGroup(4): the group ends with exactly the first code. */
    @Test
    void exitGroup_twoRacingCodes_firstCodeWins(Kernel kernel) throws Exception {
        for (int i = 0; i < 200; i++) {
            TaskGroup g = idleGroup(kernel, "race" + i);
            CountDownLatch start = new CountDownLatch(1);
            Task<?> a = g.spawnTask("a", () -> {
                start.await();
                Tasks.exitGroup(3);
                return null;
            });
            Task<?> b = g.spawnTask("b", () -> {
                start.await();
                Tasks.exitGroup(4);
                return null;
            });
            start.countDown();

            ExitStatus status = get(g.onExit());
            assertThat(status).as("iteration %d", i).isIn(ExitStatus.exited(3), ExitStatus.exited(4));
            boolean threeWon = status.equals(ExitStatus.exited(3));
            Task<?> winner = threeWon ? a : b;
            Task<?> loser = threeWon ? b : a;
            assertThat(get(winner.onExit())).as("iteration %d: winner", i).isEqualTo(status);
            // the loser was killed by the winner, unless it had already requested its own exit
            assertThat(get(loser.onExit())).as("iteration %d: loser", i)
                    .isIn(ExitStatus.KILLED, ExitStatus.exited(threeWon ? 4 : 3));
            assertThat(get(mainOf(kernel, g).onExit())).isEqualTo(ExitStatus.KILLED);
            assertThat(g.reap()).isEqualTo(status);
        }
    }

    // ---- E4 ----

    /** SPEC E4: main calls exit(), then the last worker returns: the group ends Exited(0). */
    @Test
    void lastTaskEnds_afterMainExit_groupExitedZero(Kernel kernel) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Task<?>> worker = new CompletableFuture<>();
        TaskGroup g = kernel.spawnGroup("exit-main", () -> {
            worker.complete(Tasks.spawnTask("worker", () -> {
                release.await();
                return 5;
            }));
            Tasks.exit();
            return 9;
        });
        Task<?> main = mainOf(kernel, g);
        Task<?> w = get(worker);

        assertThat(get(main.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        Await.until("the ended task to leave the live count (SPEC E6: after its status)", () -> g.liveTaskCount() == 1);
        assertThat(g.onExit()).isNotDone();

        releaseLastWorker_groupEndsExitedZero(release, w, g);
    }

    /** SPEC E4 (H2 pthread_workers_return): a joinable worker never joined does not keep the group from Exited(0). */
    @Test
    void lastTaskEnds_joinableWorkerNeverJoined_groupExitedZero(Kernel kernel) throws Exception {
        CompletableFuture<Task<?>> worker = new CompletableFuture<>();
        TaskGroup g = kernel.spawnGroup("unjoined", () -> {
            Task<String> w = Tasks.spawnTask("worker", () -> "result nobody reads");
            worker.complete(w);
            w.onExit().get(LONG_MS, TimeUnit.MILLISECONDS); // ended, still joinable, never joined
            Tasks.exit();
            return 9;
        });

        assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(get(get(worker).onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
    }

    /**
     * SPEC E1/E4 (pthread_cancel of main): a kill of the main task alone ends only that task ({@code Killed}); the
     * group goes on with its workers and, when the last one returns, ends {@code Exited(0)}.
     */
    @Test
    void killMainTaskOnly_withWorker_groupGoesOnThenExitedZero(Kernel kernel) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Task<?>> worker = new CompletableFuture<>();
        TaskGroup g = kernel.spawnGroup("kill-main", () -> {
            worker.complete(Tasks.spawnTask("worker", () -> {
                release.await();
                return 5;
            }));
            Tasks.sleep(HOUR);
            return 9;
        });
        Task<?> main = mainOf(kernel, g);
        Task<?> w = get(worker);
        Await.state(main, TaskState.BLOCKED);

        assertThat(main.kill()).isTrue();

        assertThat(get(main.onExit())).isEqualTo(ExitStatus.KILLED);
        Await.until("the killed main task to leave the live count", () -> g.liveTaskCount() == 1);
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        assertThat(w.state()).isNotEqualTo(TaskState.TERMINATED);
        assertThat(g.onExit()).isNotDone();

        releaseLastWorker_groupEndsExitedZero(release, w, g);
    }

    /** SPEC E4: a group whose only task, its main task, is killed alone ends {@code Exited(0)}; a group kill ends it {@code Killed}. */
    @Test
    void killMainTaskOnly_singleTaskGroup_groupExitedZeroWhileGroupKillIsKilled(Kernel kernel) throws Exception {
        TaskGroup alone = idleGroup(kernel, "alone");
        Task<?> main = mainOf(kernel, alone);
        Await.state(main, TaskState.BLOCKED);
        TaskGroup killedWhole = idleGroup(kernel, "whole");

        assertThat(main.kill()).isTrue();
        assertThat(killedWhole.kill()).isTrue();

        assertThat(get(main.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(alone.reap()).isEqualTo(ExitStatus.exited(0));
        assertThat(killedWhole.reap()).isEqualTo(ExitStatus.KILLED);
    }

    // ---- E5 ----

    /** SPEC E5: an uncaught exception in a worker ends the group Failed(that exception) and kills the others. */
    @Test
    void uncaughtException_inWorker_failsGroupAndKillsOthers(Kernel kernel) throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        TaskGroup g = idleGroup(kernel, "crashy");
        Task<?> main = mainOf(kernel, g);
        Task<?> bystander = g.spawnTask("bystander", () -> {
            Tasks.sleep(HOUR);
            return null;
        });
        CountDownLatch go = new CountDownLatch(1);
        Task<?> crasher = g.spawnTask("crasher", () -> {
            go.await();
            throw boom;
        });
        Await.state(main, TaskState.BLOCKED);
        Await.state(bystander, TaskState.BLOCKED);

        go.countDown();

        ExitStatus status = get(g.onExit());
        assertThat(status).isInstanceOfSatisfying(ExitStatus.Failed.class, f -> assertThat(f.cause()).isSameAs(boom));
        assertThat(get(crasher.onExit())).isInstanceOfSatisfying(ExitStatus.Failed.class,
                f -> assertThat(f.cause()).isSameAs(boom));
        assertThat(get(main.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(get(bystander.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(g.reap()).isEqualTo(status);
    }

    /** SPEC E5: with FAIL_TASK only the throwing task fails; join on it throws TaskFailedException with the cause. */
    @Test
    void uncaughtException_failTaskPolicy_failsOnlyThatTask(Kernel kernel) throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Throwable> joinOutcome = new CompletableFuture<>();
        CompletableFuture<Object> bystanderResult = new CompletableFuture<>();
        CompletableFuture<Task<?>> crasherRef = new CompletableFuture<>();
        TaskGroup g = kernel.spawnGroup(SpawnOptions.named("tolerant").failurePolicy(FailurePolicy.FAIL_TASK), () -> {
            Task<?> bystander = Tasks.spawnTask("bystander", () -> {
                Tasks.sleep(Duration.ofMillis(50));
                return "ok";
            });
            Task<?> crasher = Tasks.spawnTask("crasher", () -> {
                throw boom;
            });
            crasherRef.complete(crasher);
            try {
                crasher.join();
                joinOutcome.complete(null);
            } catch (Throwable e) {
                joinOutcome.complete(e);
            }
            bystanderResult.complete(bystander.join());
            return 0;
        });

        assertThat(get(joinOutcome)).isInstanceOf(TaskFailedException.class).hasCause(boom);
        assertThat(get(get(crasherRef).onExit())).isInstanceOfSatisfying(ExitStatus.Failed.class,
                f -> assertThat(f.cause()).isSameAs(boom));
        assertThat(get(bystanderResult)).isEqualTo("ok");
        assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
    }

    // ---- E6 ----

    /** SPEC E6, O2: a task's owned resources close in reverse order, after its finally, before onExit and any joiner returns. */
    @Test
    void exitOrder_taskWithThreeResources_closesInReverseBeforePublishing(Kernel kernel) throws Exception {
        CopyOnWriteArrayList<String> log = new CopyOnWriteArrayList<>();
        TrackedResource a = new TrackedResource("a", log);
        TrackedResource b = new TrackedResource("b", log);
        TrackedResource c = new TrackedResource("c", log);
        CompletableFuture<Task<?>> workerRef = new CompletableFuture<>();
        CountDownLatch go = new CountDownLatch(1);
        TaskGroup g = kernel.spawnGroup("owner", () -> {
            Task<String> w = Tasks.spawnTask("worker", () -> {
                try {
                    Tasks.own(a);
                    Tasks.own(b);
                    Tasks.own(c);
                    go.await();
                    return "r";
                } finally {
                    log.add("body-finally");
                }
            });
            workerRef.complete(w);
            String r = w.join();
            log.add("joined:" + r);
            return 0;
        });
        Task<?> w = get(workerRef);
        CompletableFuture<Void> exitLogged = w.onExit().thenRun(() -> log.add("onExit"));

        go.countDown();

        get(exitLogged);
        assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(log).hasSize(6);
        assertThat(log.subList(0, 4)).containsExactly("body-finally", "c", "b", "a");
        assertThat(log.subList(4, 6)).containsExactlyInAnyOrder("onExit", "joined:r");
        for (TrackedResource r : List.of(a, b, c)) {
            assertThat(r.closeCount()).isEqualTo(1);
            assertThat(r.closingThreads()).singleElement().asString().startsWith("worker#");
        }
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
    }

    /** SPEC E4: the group's last task (a worker waiting on {@code release}) returns; the group ends {@code Exited(0)}. */
    private static void releaseLastWorker_groupEndsExitedZero(CountDownLatch release, Task<?> w, TaskGroup g)
            throws Exception {
        release.countDown();
        assertThat(get(w.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
    }
}
