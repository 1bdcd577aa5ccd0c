package org.tasklife;


import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.DEADLOCK;
import static org.tasklife.TaskLifeException.Reason.INVALID_OPERATION;
import static org.tasklife.TaskLifeException.Reason.NOT_PERMITTED;
import static org.tasklife.TaskLifeException.Reason.NO_SUCH_TASK;
import static org.tasklife.testkit.Fixtures.*;
import static org.tasklife.testkit.Reasons.reason;

import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;

@ExtendWith(KernelExtension.class)
class JoinTest {

    private static final long LONG_MS = Await.LONG.toMillis();

    private static void end(TaskGroup... groups) throws Exception {
        for (TaskGroup g : groups) {
            g.kill();
        }
        for (TaskGroup g : groups) {
            g.onExit().get(LONG_MS, TimeUnit.MILLISECONDS);
            g.reap();
        }
    }

    private static <T> Task<T> blockedTask(TaskGroup g, SpawnOptions options) {
        Task<T> t = g.spawnTask(options, () -> {
            Tasks.sleep(Duration.ofHours(1));
            return null;
        });
        Await.state(t, TaskState.BLOCKED);
        return t;
    }

    private static ExitStatus exitOf(Task<?> t) throws Exception {
        return t.onExit().get(LONG_MS, TimeUnit.MILLISECONDS);
    }

    // ---- J1 ----

    /** SPEC J1: join waits for the task and returns its body's result. */
    @Test
    void join_targetReturnsLater_returnsBodyResult(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        CountDownLatch go = new CountDownLatch(1);
        Task<String> target = g.spawnTask("target", () -> {
            go.await();
            return "result";
        });
        Attempt joiner = attempt(g, "joiner", target::join);
        Await.state(joiner.task(), TaskState.BLOCKED);
        assertThat(joiner.outcome()).isNotDone();

        go.countDown();

        assertThat(joiner.get()).isEqualTo("result");
        end(g);
    }

    /** SPEC J1: joining a task that already ended returns its result without waiting. */
    @Test
    void join_targetAlreadyEnded_returnsResultAtOnce(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<Integer> target = g.spawnTask("target", () -> 42);
        assertThat(exitOf(target)).isEqualTo(ExitStatus.exited(0));

        Attempt joiner = attempt(g, "joiner", target::join);

        assertThat(joiner.get()).isEqualTo(42);
        assertThat(exitOf(joiner.task())).isEqualTo(ExitStatus.exited(0));
        end(g);
    }

    /** SPEC J1 (ArceOS notify_all): three joiners blocked at once all get the same result. */
    @Test
    void join_threeBlockedJoiners_allGetSameResult(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        CountDownLatch go = new CountDownLatch(1);
        Object value = new Object();
        Task<Object> target = g.spawnTask("target", () -> {
            go.await();
            return value;
        });
        List<Attempt> joiners = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            joiners.add(attempt(g, "joiner" + i, target::join));
        }
        for (Attempt j : joiners) {
            Await.state(j.task(), TaskState.BLOCKED);
        }

        go.countDown();

        for (Attempt j : joiners) {
            assertThat(j.get()).isSameAs(value);
        }
        end(g);
    }

    /** SPEC J1: a joiner blocked on a task that is then killed gets TaskKilledException, never a hang. */
    @Test
    void join_targetKilledWhileJoined_throwsTaskKilledException(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<Object> target = blockedTask(g, SpawnOptions.named("target"));
        Attempt joiner = attempt(g, "joiner", target::join);
        Await.state(joiner.task(), TaskState.BLOCKED);

        assertThat(target.kill()).isTrue();

        assertThat(joiner.get()).isInstanceOf(TaskKilledException.class)
                .asString().contains(String.valueOf(target.id()));
        assertThat(exitOf(joiner.task())).isEqualTo(ExitStatus.exited(0)); // the joiner itself is fine
        end(g);
    }

    /** SPEC J1: joining a task that was already killed and ended throws TaskKilledException. */
    @Test
    void join_targetAlreadyKilled_throwsTaskKilledException(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<Object> target = blockedTask(g, SpawnOptions.named("target"));
        assertThat(target.kill()).isTrue();
        assertThat(exitOf(target)).isEqualTo(ExitStatus.KILLED);

        Attempt joiner = attempt(g, "joiner", target::join);

        assertThat(joiner.get()).isInstanceOf(TaskKilledException.class);
        end(g);
    }

    /** SPEC J1, E5: joining a task that failed (FAIL_TASK policy) throws TaskFailedException with its throwable. */
    @Test
    void join_targetFailed_throwsTaskFailedWithCause(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup(SpawnOptions.named("g").failurePolicy(FailurePolicy.FAIL_TASK), () -> {
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        IllegalStateException boom = new IllegalStateException("boom");
        Task<Object> target = g.spawnTask("target", () -> {
            throw boom;
        });
        assertThat(exitOf(target)).isEqualTo(new ExitStatus.Failed(boom));

        Object outcome = attempt(g, "joiner", target::join).get();

        assertThat(outcome).isInstanceOf(TaskFailedException.class);
        assertThat(((Throwable) outcome).getCause()).isSameAs(boom);
        assertThat(g.state()).isEqualTo(GroupState.ALIVE);
        end(g);
    }

    /** SPEC J1, J2: after a successful join the record is released: a second join is no-such-task. */
    @Test
    void join_afterSuccessfulJoin_throwsNoSuchTask(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<String> target = g.spawnTask("target", () -> "once");
        assertThat(attempt(g, "first", target::join).get()).isEqualTo("once");
        assertThat(kernel.findTask(target.id())).isEmpty();

        Attempt second = attempt(g, "second", target::join);

        assertThat(second.get()).is(reason(NO_SUCH_TASK))
                .asString().contains(String.valueOf(target.id()));
        assertThat(target.kill()).isFalse();
        end(g);
    }

    // ---- J2 ----

    /** SPEC J2 (EDEADLK): a task joining itself is refused, and it stays joinable with its result. */
    @Test
    void join_self_throwsDeadlockAndStaysJoinable(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<Object> self = g.spawnTask("self", () -> {
            try {
                Tasks.current().join();
                return "joined itself";
            } catch (TaskLifeException e) {
                if (e.reason() != TaskLifeException.Reason.DEADLOCK) {
                    throw e;
                }
                return e;
            }
        });
        assertThat(exitOf(self)).isEqualTo(ExitStatus.exited(0));

        Attempt joiner = attempt(g, "joiner", self::join);

        assertThat(joiner.get()).is(reason(DEADLOCK));
        end(g);
    }

    /** SPEC J2 (EINVAL): a task spawned detached cannot be joined, and the refusal changes nothing. */
    @Test
    void join_spawnedDetached_throwsInvalidOperation(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<Object> target = blockedTask(g, SpawnOptions.named("detached").detached(true));

        Attempt joiner = attempt(g, "joiner", target::join);

        assertThat(joiner.get()).is(reason(INVALID_OPERATION))
                .asString().contains(String.valueOf(target.id()));
        assertThat(target.state()).isEqualTo(TaskState.BLOCKED);
        assertThat(target.isKilled()).isFalse();
        assertThat(kernel.findTask(target.id())).contains(target);
        end(g);
    }

    /** SPEC J2 (EINVAL): a task detached with detach() cannot be joined. */
    @Test
    void join_afterDetach_throwsInvalidOperation(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<Object> target = blockedTask(g, SpawnOptions.named("target"));
        target.detach();

        Attempt joiner = attempt(g, "joiner", target::join);

        assertThat(joiner.get()).is(reason(INVALID_OPERATION));
        assertThat(target.state()).isEqualTo(TaskState.BLOCKED);
        end(g);
    }

    /** SPEC J2 (EINVAL): detaching twice is refused; the task stays detached and live. */
    @Test
    void detach_twice_throwsInvalidOperation(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<Object> target = blockedTask(g, SpawnOptions.named("target"));
        target.detach();

        assertThatThrownBy(target::detach).is(reason(INVALID_OPERATION))
                .hasMessageContaining(String.valueOf(target.id()));

        assertThat(target.state()).isEqualTo(TaskState.BLOCKED);
        assertThat(kernel.findTask(target.id())).contains(target);
        assertThat(attempt(g, "joiner", target::join).get()).is(reason(INVALID_OPERATION));
        end(g);
    }

    /** SPEC J2: detaching a task that already ended releases its record at once. */
    @Test
    void detach_endedTask_releasesRecord(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<String> target = g.spawnTask("target", () -> "unclaimed");
        assertThat(exitOf(target)).isEqualTo(ExitStatus.exited(0));
        assertThat(kernel.findTask(target.id())).contains(target);

        target.detach();

        assertThat(kernel.findTask(target.id())).isEmpty();
        assertThat(attempt(g, "joiner", target::join).get()).is(reason(NO_SUCH_TASK));
        end(g);
    }

    /** SPEC J2: a detached task's record is released when it ends. */
    @Test
    void detachedTask_ends_recordReleased(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<Object> target = blockedTask(g, SpawnOptions.named("detached").detached(true));
        assertThat(kernel.findTask(target.id())).contains(target);

        assertThat(target.kill()).isTrue();
        assertThat(exitOf(target)).isEqualTo(ExitStatus.KILLED);

        Await.until("detached task " + target.id() + " released", () -> kernel.findTask(target.id()).isEmpty());
        end(g);
    }

    // ---- J3 ----

    /** SPEC J3: a joiner killed while waiting unwinds; the target stays joinable with its result. */
    @Test
    void join_joinerKilledWhileWaiting_throwsKilledErrorAndTargetStaysJoinable(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        CountDownLatch go = new CountDownLatch(1);
        Task<String> target = g.spawnTask("target", () -> {
            go.await();
            return "intact";
        });
        Attempt first = attempt(g, "first", target::join);
        Await.state(first.task(), TaskState.BLOCKED);

        assertThat(first.task().kill()).isTrue();

        assertThat(first.get()).isInstanceOf(TaskKilledError.class);
        assertThat(exitOf(first.task())).isEqualTo(ExitStatus.KILLED);
        assertThat(target.isKilled()).isFalse();
        assertThat(target.state()).isEqualTo(TaskState.RUNNING);

        go.countDown();
        Attempt second = attempt(g, "second", target::join);

        assertThat(second.get()).isEqualTo("intact");
        end(g);
    }

    // ---- J4 ----

    /** SPEC J4: a task cannot join a task of another group; the target stays joinable in its own group. */
    @Test
    void join_taskOfOtherGroup_throwsNotPermitted(Kernel kernel) throws Exception {
        TaskGroup home = idleGroup(kernel, "home");
        TaskGroup other = idleGroup(kernel, "other");
        Task<String> target = home.spawnTask("target", () -> "mine");
        assertThat(exitOf(target)).isEqualTo(ExitStatus.exited(0));

        Attempt stranger = attempt(other, "stranger", target::join);

        assertThat(stranger.get()).is(reason(NOT_PERMITTED))
                .asString().contains(String.valueOf(target.id()));
        assertThat(kernel.findTask(target.id())).contains(target);
        assertThat(attempt(home, "sibling", target::join).get()).isEqualTo("mine");
        end(home, other);
    }

    /** SPEC J4: host code (outside any task) cannot join; the target stays joinable. */
    @Test
    void join_fromHostCode_throwsNotPermitted(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "g");
        Task<String> target = g.spawnTask("target", () -> "mine");
        assertThat(exitOf(target)).isEqualTo(ExitStatus.exited(0));

        assertThatThrownBy(target::join).is(reason(NOT_PERMITTED))
                .hasMessageContaining(String.valueOf(target.id()));

        assertThat(kernel.findTask(target.id())).contains(target);
        assertThat(attempt(g, "sibling", target::join).get()).isEqualTo("mine");
        end(g);
    }
}
