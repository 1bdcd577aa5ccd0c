package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.DEADLOCK;
import static org.tasklife.TaskLifeException.Reason.INVALID_OPERATION;
import static org.tasklife.TaskLifeException.Reason.NOT_PERMITTED;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.await;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Fixtures.spawnChild;
import static org.tasklife.testkit.Reasons.reason;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.Fixtures;

/**
 * The timed forms of the host-side and task-side waits that had none: {@link TaskGroup#reap(Duration)} and
 * {@link Task#join(Duration)}. A timeout leaves everything as it was; zero or negative timeouts answer at once;
 * a kill of the waiting task ends the wait (SPEC T1, K2, J1-J4, R2).
 */
@ExtendWith(KernelExtension.class)
class TimedWaitTest {
    private static final Duration SHORT = Duration.ofMillis(50);

    /** A group whose main task waits for {@code go}, then returns {@code code}. */
    private static TaskGroup gated(Kernel kernel, String name, CountDownLatch go, int code) {
        return kernel.spawnGroup(name, () -> {
            go.await();
            return code;
        });
    }

    // ---- TaskGroup.reap(Duration) ----

    /** SPEC T1, R2: a timed reap of a group still running returns empty after the timeout; the group is untouched. */
    @Test
    void reapTimed_groupStillRunning_returnsEmptyAndGroupUntouched(Kernel kernel) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        TaskGroup g = gated(kernel, "busy", go, 7);

        Optional<ExitStatus> r = g.reap(SHORT);

        assertThat(r).isEmpty();
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        assertThat(g.parentId()).isEqualTo(kernel.rootDomain().id());
        assertThat(kernel.rootDomain().groups()).contains(g);
        go.countDown();
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(7)); // still reapable: nothing was consumed
    }

    /** SPEC R2: a group that ends while a host thread waits in a timed reap is reaped and its status returned. */
    @Test
    void reapTimed_groupEndsWithinTimeout_returnsStatusAndReaps(Kernel kernel) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        TaskGroup g = gated(kernel, "ends", go, 3);
        CompletableFuture<Optional<ExitStatus>> reaped = CompletableFuture.supplyAsync(() -> g.reap(Await.LONG),
                r -> Thread.ofPlatform().start(r));
        Await.until("the host reaper to wait", () -> Kernel.queuedWaitersInJvm() > 0);
        assertThat(reaped).isNotDone();

        go.countDown();

        assertThat(get(reaped)).contains(ExitStatus.exited(3));
        assertThat(g.state()).isEqualTo(GroupState.REAPED);
        assertThatThrownBy(g::reap).isInstanceOf(NoChildException.class);
    }

    /** SPEC T1: a zero or negative timeout does not wait: empty for a live group, which stays as it was. */
    @Test
    void reapTimed_zeroOrNegativeTimeoutOnLiveGroup_returnsEmptyAtOnce(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "idle");

        assertThat(g.reap(Duration.ZERO)).isEmpty();
        assertThat(g.reap(Duration.ofSeconds(-5))).isEmpty();
        assertThat(g.reap(Duration.ofSeconds(Long.MIN_VALUE))).isEmpty(); // saturates, never overflows (§12)

        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        killAndReap(g);
    }

    /** SPEC T1 (a past deadline still takes what is there): a zero timeout reaps a zombie at once. */
    @Test
    void reapTimed_zeroTimeoutOnZombie_reapsAtOnce(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("quick", () -> 5);
        ended(g);

        assertThat(g.reap(Duration.ZERO)).contains(ExitStatus.exited(5));
        assertThat(g.state()).isEqualTo(GroupState.REAPED);
    }

    /** Bad input: a null timeout is refused with an NPE naming it, and the group is untouched. */
    @Test
    void reapTimed_nullTimeout_throwsNpeNamingIt(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("quick", () -> 5);
        ended(g);

        assertThatThrownBy(() -> g.reap(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");

        assertThat(g.state()).isEqualTo(GroupState.ZOMBIE);
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(5));
    }

    /** SPEC R1: a timed reap of a group already reaped fails as the untimed one does. */
    @Test
    void reapTimed_alreadyReaped_throwsNoChild(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("quick", () -> 5);
        g.reap();

        assertThatThrownBy(() -> g.reap(SHORT)).isInstanceOf(NoChildException.class);
    }

    /** SPEC R2: only the parent (or host code, for a top-level group) reaps, timed or not. */
    @Test
    void reapTimed_byTaskOfAnotherGroup_throwsNotPermitted(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "target");
        TaskGroup other = idleGroup(kernel, "other");

        Object r = attempt(other, "reaper", () -> g.reap(SHORT)).get();

        assertThat(r).is(reason(NOT_PERMITTED));
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        killAndReap(g);
        killAndReap(other);
    }

    /** SPEC K2, J3 analogue: a task killed while in a timed reap of its child unwinds; the child stays reapable. */
    @Test
    void reapTimed_callerKilledWhileWaiting_throwsKillAndChildUntouched(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        CountDownLatch go = new CountDownLatch(1);
        TaskGroup child = spawnChild(parent, "child", () -> {
            go.await();
            return 9;
        });
        Attempt waiter = attempt(parent, "waiter", () -> child.reap(Duration.ofHours(1)));
        Await.state(waiter.task(), TaskState.BLOCKED);

        waiter.task().kill();

        assertThat(waiter.get()).isInstanceOf(TaskKilledError.class);
        assertThat(ended(waiter.task())).isEqualTo(ExitStatus.KILLED);
        assertThat(child.state()).isEqualTo(GroupState.ALIVE);
        go.countDown();
        Object r = attempt(parent, "second", () -> child.reap(Await.LONG)).get();
        assertThat(r).isEqualTo(Optional.of(ExitStatus.exited(9)));
        killAndReap(parent);
    }

    /** SPEC K5: a task already killed throws at a timed reap, even with a zero timeout, and reaps nothing. */
    @Test
    void reapTimed_zeroTimeoutByKilledTask_throwsKillAndReapsNothing(Kernel kernel) throws Exception {
        TaskGroup parent = idleGroup(kernel, "parent");
        TaskGroup child = spawnChild(parent, "child", () -> 4);
        ended(child);
        CountDownLatch killed = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        Attempt waiter = attempt(parent, "waiter", () -> {
            killed.countDown();
            Fixtures.awaitUninterruptibly(go); // plain Java: the kill lands, unnoticed, meanwhile
            return child.reap(Duration.ZERO);
        });
        await(killed);
        waiter.task().kill();
        go.countDown();

        assertThat(waiter.get()).isInstanceOf(TaskKilledError.class);
        assertThat(child.state()).isEqualTo(GroupState.ZOMBIE);
        Object r = attempt(parent, "second", () -> child.reap(Duration.ZERO)).get();
        assertThat(r).isEqualTo(Optional.of(ExitStatus.exited(4)));
        killAndReap(parent);
    }

    // ---- Task.join(Duration) ----

    /**
     * SPEC T1, J1: a timed join of a task still running returns false after the timeout; the task runs on and
     * stays joinable with its result.
     */
    @Test
    void joinTimed_targetStillRunning_returnsFalseAndTargetStaysJoinable(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        CountDownLatch go = new CountDownLatch(1);
        Task<String> target = g.spawnTask("target", () -> {
            go.await();
            return "result";
        });

        Object r = attempt(g, "joiner", () -> target.join(SHORT)).get();

        assertThat(r).isEqualTo(false);
        assertThat(target.state()).isNotEqualTo(TaskState.TERMINATED);
        go.countDown();
        assertThat(attempt(g, "joiner2", target::join).get()).isEqualTo("result");
        killAndReap(g);
    }

    /** SPEC J1: a task that ends within the timeout: true, and join() then returns its result at once. */
    @Test
    void joinTimed_targetEndsWithinTimeout_returnsTrueThenJoinGivesResult(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        CountDownLatch go = new CountDownLatch(1);
        Task<String> target = g.spawnTask("target", () -> {
            go.await();
            return "result";
        });
        Attempt joiner = attempt(g, "joiner", () -> target.join(Await.LONG) ? target.join() : "timed out");
        Await.state(joiner.task(), TaskState.BLOCKED);

        go.countDown();

        assertThat(joiner.get()).isEqualTo("result");
        killAndReap(g);
    }

    /** SPEC T1: zero and negative timeouts answer at once: false for a live task, true for an ended one. */
    @Test
    void joinTimed_zeroOrNegativeTimeout_answersAtOnce(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        CountDownLatch go = new CountDownLatch(1);
        Task<Object> live = g.spawnTask("live", () -> {
            go.await();
            return null;
        });
        Task<Integer> done = g.spawnTask("done", () -> 1);
        ended(done);

        Object r = attempt(g, "joiner", () -> java.util.List.of(live.join(Duration.ZERO),
                live.join(Duration.ofMillis(-1)), done.join(Duration.ZERO), done.join(Duration.ofDays(-1)))).get();

        assertThat(r).isEqualTo(java.util.List.of(false, false, true, true));
        go.countDown();
        ended(live);
        killAndReap(g);
    }

    /** SPEC J1, K7: a timed join of a task that was killed answers true; join() then throws TaskKilledException. */
    @Test
    void joinTimed_targetKilled_returnsTrueAndJoinThrowsTaskKilled(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<Object> target = g.spawnTask("target", () -> {
            Tasks.sleep(Duration.ofHours(1));
            return null;
        });
        Attempt joiner = attempt(g, "joiner", () -> target.join(Await.LONG));
        Await.state(joiner.task(), TaskState.BLOCKED);

        target.kill();

        assertThat(joiner.get()).isEqualTo(true);
        assertThat(attempt(g, "joiner2", target::join).get()).isInstanceOf(TaskKilledException.class);
        killAndReap(g);
    }

    /** SPEC K2, J3: a joiner killed in a timed join unwinds; the target stays joinable, its result intact. */
    @Test
    void joinTimed_joinerKilledWhileWaiting_throwsKillTargetIntact(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        CountDownLatch go = new CountDownLatch(1);
        Task<String> target = g.spawnTask("target", () -> {
            go.await();
            return "kept";
        });
        Attempt joiner = attempt(g, "joiner", () -> target.join(Duration.ofHours(1)));
        Await.state(joiner.task(), TaskState.BLOCKED);

        joiner.task().kill();

        assertThat(joiner.get()).isInstanceOf(TaskKilledError.class);
        go.countDown();
        assertThat(attempt(g, "joiner2", target::join).get()).isEqualTo("kept");
        killAndReap(g);
    }

    /** SPEC J2, J4: the timed join refuses what join refuses: itself, a detached task, host callers, null. */
    @Test
    void joinTimed_misuse_refusedAsJoinIs(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<Object> detached = g.spawnTask(SpawnOptions.named("detached").detached(true), () -> {
            Tasks.sleep(Duration.ofHours(1));
            return null;
        });

        assertThat(attempt(g, "self", () -> Tasks.current().join(SHORT)).get()).is(reason(DEADLOCK));
        assertThat(attempt(g, "det", () -> detached.join(SHORT)).get()).is(reason(INVALID_OPERATION));
        assertThatThrownBy(() -> detached.join(SHORT)).is(reason(NOT_PERMITTED));
        assertThat(attempt(g, "nul", () -> detached.join(null)).get()).isInstanceOf(NullPointerException.class)
                .hasFieldOrPropertyWithValue("message", "timeout");
        killAndReap(g);
    }
}
