package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import static org.tasklife.testkit.Fixtures.*;

import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.TrackedResource;

@ExtendWith(KernelExtension.class)
class KillTest {

    private static final long LONG_MS = Await.LONG.toMillis();
    private static final Duration HOUR = Duration.ofHours(1);

    // ---- K1 ----

    /** SPEC K1: kill by an id no task ever had returns false and changes nothing. */
    @Test
    void kill_unknownId_returnsFalse_changesNothing(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "bystander");
        Task<?> main = mainOf(kernel, g);
        Await.state(main, TaskState.BLOCKED);
        KernelSnapshot before = kernel.snapshot();

        assertThat(kernel.kill(999_999_999L)).as("SPEC K1: unknown id").isFalse();
        for (long id : new long[] {-1L, 0L}) { // SPEC §12: an id that can never exist is an invalid argument
            assertThatThrownBy(() -> kernel.kill(id)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("taskId must be positive");
        }

        KernelSnapshot after = kernel.snapshot();
        assertThat(after.tasks()).extracting(TaskInfo::id, TaskInfo::state, TaskInfo::killed)
                .containsExactlyElementsOf(before.tasks().stream()
                        .map(t -> org.assertj.core.groups.Tuple.tuple(t.id(), t.state(), t.killed())).toList());
        assertThat(after.groups()).extracting(GroupInfo::id, GroupInfo::state)
                .containsExactlyElementsOf(before.groups().stream()
                        .map(x -> org.assertj.core.groups.Tuple.tuple(x.id(), x.state())).toList());
        assertThat(main.isKilled()).isFalse();
        killAndReap(g);
    }

    /** SPEC K1: kill by the id of a task whose record was disposed (its group reaped) returns false; findTask tells. */
    @Test
    void kill_disposedTaskId_returnsFalse(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("short", () -> 7);
        long id = g.id();
        assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(7));
        g.reap();
        Await.until("record disposed", () -> kernel.findTask(id).isEmpty());

        assertThat(kernel.kill(id)).isFalse();
    }

    /** SPEC K1: kill by the id of a task that ended but is not yet joined returns false; its status stays. */
    @Test
    void kill_endedTaskNotYetJoined_returnsFalse(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Task<?> done = g.spawnTask("done", () -> "result");
        assertThat(get(done.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(kernel.findTask(done.id())).as("ended, record kept for a joiner").isPresent();

        assertThat(kernel.kill(done.id())).isFalse();
        assertThat(done.isKilled()).isFalse();
        assertThat(done.state()).isEqualTo(TaskState.TERMINATED);
        assertThat(get(done.onExit())).isEqualTo(ExitStatus.exited(0));

        killAndReap(g);
    }

    /** SPEC K1: kill by the id of an ended group's main task, before the group is reaped, returns false. */
    @Test
    void kill_zombieGroupsMainTask_returnsFalse(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("short", () -> 7);
        assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(7));

        assertThat(kernel.kill(g.id())).isFalse();
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(7));
    }

    /** SPEC K1: the first kill of a blocked task returns true, the second false (by handle and by id). */
    @Test
    void kill_twice_trueThenFalse(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Task<?> victim = g.spawnTask("victim", () -> {
            Tasks.sleep(HOUR);
            return null;
        });
        Await.state(victim, TaskState.BLOCKED);

        assertThat(victim.kill()).isTrue();
        assertThat(victim.kill()).isFalse();
        assertThat(kernel.kill(victim.id())).isFalse();
        assertThat(get(victim.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(victim.kill()).isFalse();
        assertThat(victim.isKilled()).isTrue();

        killAndReap(g);
    }

    /** SPEC K1: two threads racing to kill one blocked task: exactly one gets true (500 rounds). */
    @Test
    void kill_twoRacingKillers_exactlyOneTrue(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        ExecutorService killers = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 500; i++) {
                Task<?> victim = g.spawnTask("victim" + i, () -> {
                    Tasks.sleep(HOUR);
                    return null;
                });
                Await.state(victim, TaskState.BLOCKED);
                CountDownLatch start = new CountDownLatch(1);
                Future<Boolean> byHandle = killers.submit(() -> {
                    start.await();
                    return victim.kill();
                });
                Future<Boolean> byId = killers.submit(() -> {
                    start.await();
                    return kernel.kill(victim.id());
                });
                start.countDown();
                boolean first = get(byHandle);
                boolean second = get(byId);
                assertThat(first ^ second).as("round %d: %s and %s", i, first, second).isTrue();
                assertThat(get(victim.onExit())).isEqualTo(ExitStatus.KILLED);
            }
        } finally {
            killers.shutdownNow();
        }
        killAndReap(g);
    }

    // ---- K2 ----

    /** The tasklife waits a victim can be blocked in, each given the home group's main task. */
    enum Wait {
        SLEEP {
            @Override
            void block(Task<?> homeMain, AtomicReference<TaskGroup> child) {
                Tasks.sleep(HOUR);
            }
        },
        JOIN {
            @Override
            void block(Task<?> homeMain, AtomicReference<TaskGroup> child) {
                homeMain.join();
            }
        },
        WAIT_CHILD {
            @Override
            void block(Task<?> homeMain, AtomicReference<TaskGroup> child) {
                TaskGroup c = Tasks.spawnGroup("child", () -> {
                    Tasks.sleep(HOUR);
                    return 0;
                });
                child.set(c);
                Tasks.waitChild(ChildSelector.group(c.id()));
            }
        };

        abstract void block(Task<?> homeMain, AtomicReference<TaskGroup> child);
    }

    /** SPEC K2: a task killed while blocked in sleep, join or waitChild gets TaskKilledError, runs its finally, ends Killed. */
    @ParameterizedTest
    @EnumSource(Wait.class)
    void kill_blockedInWait_throwsKilledErrorRunsFinallyEndsKilled(Wait wait, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Task<?> homeMain = mainOf(kernel, g);
        Await.state(homeMain, TaskState.BLOCKED);
        AtomicReference<TaskGroup> child = new AtomicReference<>();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        CountDownLatch finallyRan = new CountDownLatch(1);
        Task<?> victim = g.spawnTask("victim", () -> {
            try {
                wait.block(homeMain, child);
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
                throw e;
            } finally {
                finallyRan.countDown();
            }
            return null;
        });
        Await.state(victim, TaskState.BLOCKED);

        assertThat(victim.kill()).isTrue();

        assertThat(get(victim.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(get(thrown)).isInstanceOf(TaskKilledError.class);
        assertThat(finallyRan.getCount()).isZero();
        // the kill touched only the victim (SPEC J3 for the join target)
        assertThat(homeMain.state()).isEqualTo(TaskState.BLOCKED);
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);

        killAndReap(g);
        TaskGroup c = child.get();
        if (c != null) {
            assertThat(c.kill()).isTrue();
            assertThat(get(c.onExit())).isEqualTo(ExitStatus.KILLED);
        }
    }

    // ---- K4 ----

    /** SPEC K4: a running task spinning on checkpoint() sees the kill there and ends Killed. */
    @Test
    void kill_runningTaskAtCheckpoint_throwsAtSafePoint(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        CountDownLatch spinning = new CountDownLatch(1);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Task<?> spinner = g.spawnTask("spinner", () -> {
            spinning.countDown();
            try {
                for (;;) {
                    Tasks.checkpoint();
                    Thread.onSpinWait();
                }
            } catch (Throwable e) {
                thrown.complete(e);
                throw e;
            }
        });
        await(spinning);
        assertThat(spinner.state()).isEqualTo(TaskState.RUNNING);

        assertThat(spinner.kill()).isTrue();

        assertThat(get(spinner.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(get(thrown)).isInstanceOf(TaskKilledError.class);
        killAndReap(g);
    }

    /** JDK blocking calls outside tasklife's control. */
    enum JdkBlock {
        THREAD_SLEEP {
            @Override
            void block() throws InterruptedException {
                Thread.sleep(HOUR); // the JDK call under test (SPEC K4), not synchronisation
            }
        },
        QUEUE_TAKE {
            @Override
            void block() throws InterruptedException {
                BlockingQueue<Object> q = new ArrayBlockingQueue<>(1);
                q.take();
            }
        },
        LATCH_AWAIT {
            @Override
            void block() throws InterruptedException {
                new CountDownLatch(1).await();
            }
        };

        abstract void block() throws InterruptedException;
    }

    /** SPEC K4: a task blocked in a JDK blocking call is interrupted by kill and ends Killed. */
    @ParameterizedTest
    @EnumSource(JdkBlock.class)
    void kill_blockedInJdkCall_interruptsAndEndsKilled(JdkBlock call, Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        CountDownLatch entering = new CountDownLatch(1);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Task<?> victim = g.spawnTask("victim", () -> {
            entering.countDown();
            try {
                call.block();
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
                throw e;
            }
            return null;
        });
        await(entering);

        assertThat(victim.kill()).isTrue();

        assertThat(get(victim.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(get(thrown)).isInstanceOf(InterruptedException.class);
        killAndReap(g);
    }

    // ---- K5 ----

    /** SPEC K5: a task that swallows TaskKilledError is still killed: blocking calls throw again, release works, status Killed. */
    @Test
    void kill_swallowedKilledError_laterBlockingCallsThrowAndStatusKilled(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        TrackedResource res = new TrackedResource("r");
        CompletableFuture<List<Object>> seen = new CompletableFuture<>();
        Task<String> victim = g.spawnTask("swallower", () -> {
            Owned owned = Tasks.own(res);
            Object first = null;
            Object again = null;
            Object zero = null;
            Object checkpoint = null;
            try {
                Tasks.sleep(HOUR);
            } catch (TaskKilledError e) {
                first = e; // swallowed
            }
            try {
                Tasks.sleep(Duration.ofMillis(1));
            } catch (TaskKilledError e) {
                again = e;
            }
            try {
                Tasks.sleep(Duration.ZERO);
            } catch (TaskKilledError e) {
                zero = e;
            }
            try {
                Tasks.checkpoint();
            } catch (TaskKilledError e) {
                checkpoint = e;
            }
            boolean released = owned.release();
            seen.complete(List.of(String.valueOf(first), String.valueOf(again), String.valueOf(zero),
                    String.valueOf(checkpoint), released, Tasks.current().isKilled(), owned.isOpen()));
            return "returned normally";
        });
        Await.state(victim, TaskState.BLOCKED);

        assertThat(victim.kill()).isTrue();

        List<Object> s = get(seen);
        for (int i = 0; i < 4; i++) {
            assertThat(s.get(i)).as("blocking call %d", i).asString().contains(TaskKilledError.class.getName());
        }
        assertThat(s.subList(4, 7)).containsExactly(true, true, false);
        assertThat(get(victim.onExit())).isEqualTo(ExitStatus.KILLED);
        assertThat(res.closeCount()).as("released, so not closed at exit").isZero();
        killAndReap(g);
    }

    // ---- K5a ----

    /** SPEC K5a: Thread.interrupt() does not end a tasklife sleep; a later kill does, and the interrupt status survives. */
    @Test
    void interrupt_taskInTasklifeSleep_staysBlockedUntilKillAndKeepsInterruptStatus(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        CompletableFuture<Thread> threadRef = new CompletableFuture<>();
        CompletableFuture<Boolean> interruptedInCatch = new CompletableFuture<>();
        Task<?> victim = g.spawnTask("sleeper", () -> {
            threadRef.complete(Thread.currentThread());
            try {
                Tasks.sleep(HOUR);
            } catch (TaskKilledError e) {
                interruptedInCatch.complete(Thread.currentThread().isInterrupted());
                throw e;
            }
            interruptedInCatch.complete(null);
            return null;
        });
        Thread th = get(threadRef);
        Await.state(victim, TaskState.BLOCKED);

        for (int i = 0; i < 50; i++) {
            th.interrupt();
            // it woke from park, saw the interrupt, and parked again in the same wait
            Await.until("sleeper parked again after interrupt " + i,
                    () -> th.getState() == Thread.State.WAITING && victim.state() == TaskState.BLOCKED,
                    () -> "thread " + th.getState() + ", task " + victim.state());
        }
        assertThat(victim.state()).isEqualTo(TaskState.BLOCKED);
        assertThat(interruptedInCatch).isNotDone();
        assertThat(kernel.snapshot().tasks()).filteredOn(t -> t.id() == victim.id()).singleElement()
                .satisfies(t -> assertThat(t.waitChannel()).startsWith("sleep("));

        assertThat(victim.kill()).isTrue();

        assertThat(get(interruptedInCatch)).as("interrupt status inside the catch").isTrue();
        assertThat(get(victim.onExit())).isEqualTo(ExitStatus.KILLED);
        killAndReap(g);
    }

    // ---- K6 ----

    /** SPEC K6: kill racing a task that returns at once: Killed iff kill returned true, else Exited(0) (1,000 rounds). */
    @Test
    void kill_racingNaturalCompletion_statusMatchesKillResult(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        for (int i = 0; i < 1000; i++) {
            Task<String> t = g.spawnTask("quick" + i, () -> "done");
            for (int spin = i % 64; spin > 0; spin--) {
                Thread.onSpinWait();
            }
            boolean killed = t.kill();
            ExitStatus status = get(t.onExit());
            assertThat(status).as("round %d, kill returned %s", i, killed)
                    .isEqualTo(killed ? ExitStatus.KILLED : ExitStatus.exited(0));
            assertThat(t.isKilled()).isEqualTo(killed);
        }
        killAndReap(g);
    }

    // ---- K7 ----

    /** SPEC K7: TaskGroup.kill() kills members in every state, the group ends Killed, and kill returns true then false. */
    @Test
    void killGroup_membersInDifferentStates_allKilledGroupKilled(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "victims");
        Task<?> main = mainOf(kernel, g);
        Task<String> finished = g.spawnTask("finished", () -> "early");
        Task<?> joiner = g.spawnTask("joiner", () -> main.join());
        CountDownLatch running = new CountDownLatch(2);
        Task<?> spinner = g.spawnTask("spinner", () -> {
            running.countDown();
            for (;;) {
                Tasks.checkpoint();
                Thread.onSpinWait();
            }
        });
        Task<?> taker = g.spawnTask("taker", () -> {
            running.countDown();
            return new ArrayBlockingQueue<Object>(1).take();
        });
        assertThat(get(finished.onExit())).isEqualTo(ExitStatus.exited(0));
        Await.state(main, TaskState.BLOCKED);
        Await.state(joiner, TaskState.BLOCKED);
        await(running);

        assertThat(g.kill()).isTrue();
        assertThat(g.kill()).isFalse();

        assertThat(get(g.onExit())).isEqualTo(ExitStatus.KILLED);
        for (Task<?> t : List.of(main, joiner, spinner, taker)) {
            assertThat(get(t.onExit())).as("member %s", t.name()).isEqualTo(ExitStatus.KILLED);
        }
        assertThat(finished.exitStatus()).contains(ExitStatus.exited(0));
        assertThat(g.kill()).isFalse();
        assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
    }

    // ---- K8 ----

    /** SPEC K8: a killed task stuck in uncooperative code is reported and its resource force-closed once, by the reaper. */
    @Test
    void kill_stuckInUncooperativeCode_reportedAndResourceForceClosedOnce() throws Exception {
        CompletableFuture<StuckTaskReport> reported = new CompletableFuture<>();
        AtomicBoolean stop = new AtomicBoolean();
        Kernel kernel = Kernel.builder().name("k8").killGracePeriod(Duration.ofMillis(200))
                .onStuckTask(reported::complete).boot();
        try {
            TrackedResource res = new TrackedResource("socket");
            CountDownLatch stuck = new CountDownLatch(1);
            TaskGroup g = kernel.spawnGroup(SpawnOptions.named("stuck").platformThread(true), () -> {
                Tasks.own(res);
                stuck.countDown();
                while (!stop.get()) {
                    Thread.onSpinWait(); // ignores interrupts, never reaches a safe point
                }
                return 0;
            });
            Task<?> t = mainOf(kernel, g);
            await(stuck);
            String taskThread = t.name() + "#" + t.id();
            String killerThread = Thread.currentThread().getName();

            assertThat(t.kill()).isTrue();

            StuckTaskReport r = get(reported);
            assertThat(r.taskId()).isEqualTo(t.id());
            assertThat(r.groupId()).isEqualTo(g.id());
            assertThat(r.name()).isEqualTo("stuck");
            assertThat(r.state()).isEqualTo(TaskState.RUNNING);
            assertThat(r.stack()).anySatisfy(e -> assertThat(e.getClassName()).startsWith(KillTest.class.getName()));
            assertThat(kernel.stuckTasks()).containsExactly(r);
            assertThat(res.closeCount()).isEqualTo(1);
            assertThat(res.closingThreads()).singleElement().asString()
                    .isNotEqualTo(taskThread).isNotEqualTo(killerThread);
            assertThat(t.state()).isEqualTo(TaskState.RUNNING);

            stop.set(true);

            assertThat(get(t.onExit())).isEqualTo(ExitStatus.KILLED);
            assertThat(res.closeCount()).isEqualTo(1);
            get(g.onExit());
            g.reap();
            KernelExtension.audit(kernel);
        } finally {
            stop.set(true);
            kernel.close();
        }
    }

    // ---- K10 ----

    /** SPEC K10 (awkernel Sleep deadlock): a killed sleeper ends at once, and another group's sleep is unaffected. */
    @Test
    void kill_sleeperWhoseFinallySleeps_endsAtOnceWithoutStallingOtherSleeps(Kernel kernel) throws Exception {
        TrackedResource res = new TrackedResource("r");
        CompletableFuture<Throwable> finallySleep = new CompletableFuture<>();
        TaskGroup victims = kernel.spawnGroup("victim", () -> {
            Tasks.own(res);
            try {
                Tasks.sleep(Duration.ofMillis(200));
            } finally {
                try {
                    Tasks.sleep(Duration.ofMillis(1));
                    finallySleep.complete(null);
                } catch (TaskKilledError e) {
                    finallySleep.complete(e);
                    throw e;
                }
            }
            return 0;
        });
        Task<?> victim = mainOf(kernel, victims);
        Await.state(victim, TaskState.BLOCKED);
        AtomicReference<Long> victimExitNanos = new AtomicReference<>();
        CompletableFuture<Void> victimExited = victim.onExit().thenRun(() -> victimExitNanos.set(System.nanoTime()));

        CompletableFuture<long[]> bystander = new CompletableFuture<>();
        TaskGroup others = kernel.spawnGroup("bystander", () -> {
            long start = System.nanoTime();
            Tasks.sleep(Duration.ofMillis(300));
            long end = System.nanoTime();
            bystander.complete(new long[] {start, end});
            return 0;
        });
        Await.state(mainOf(kernel, others), TaskState.BLOCKED);

        long killedAt = System.nanoTime();
        assertThat(victim.kill()).isTrue();

        get(victimExited);
        assertThat(res.closeCount()).isEqualTo(1);
        assertThat(get(finallySleep)).isInstanceOf(TaskKilledError.class);
        assertThat(get(victim.onExit())).isEqualTo(ExitStatus.KILLED);
        // the victim's sleep timer and grace timer are cancelled: at most the bystander's timer is armed
        assertThat(kernel.pendingTimerCount()).isLessThanOrEqualTo(1);

        long[] b = get(bystander);
        long sleptMs = TimeUnit.NANOSECONDS.toMillis(b[1] - b[0]);
        assertThat(sleptMs).isBetween(300L - 1, 2_000L);
        assertThat(victimExitNanos.get() - killedAt).isNotNegative();
        assertThat(victimExitNanos.get()).as("victim ended before the bystander's 300 ms sleep did").isLessThan(b[1]);
        assertThat(get(victims.onExit())).isEqualTo(ExitStatus.exited(0));
        assertThat(get(others.onExit())).isEqualTo(ExitStatus.exited(0));
        victims.reap();
        others.reap();
    }
}
