package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.DEADLOCK;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.await;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Reasons.reason;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskKilledError;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;

@ExtendWith(KernelExtension.class)
class OnceTest {

    /** SPEC §9: the initialiser runs exactly once however many tasks call run, and every caller returns after it. */
    @Test
    void run_manyCallers_initialiserRunsOnce(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Once once = new Once();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Attempt first = attempt(g, "first", () -> {
            once.run(() -> {
                runs.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            return "ok";
        });
        Await.until("the initialiser to start", () -> runs.get() == 1);
        List<Attempt> others = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            others.add(attempt(g, "other-" + i, () -> {
                once.run(runs::incrementAndGet);
                return "ok";
            }));
        }
        Await.until("five callers waiting", () -> once.queueLength() == 5);
        assertThat(once.isDone()).isFalse();
        for (Attempt a : others) {
            assertThat(a.task().state()).isEqualTo(TaskState.BLOCKED);
        }
        release.countDown();
        assertThat(first.get()).isEqualTo("ok");
        for (Attempt a : others) {
            assertThat(a.get()).isEqualTo("ok");
        }
        assertThat(runs).hasValue(1);
        assertThat(once.isDone()).isTrue();
        once.run(runs::incrementAndGet); // host thread, already done
        assertThat(runs).hasValue(1);
        killAndReap(g);
    }

    /** SPEC §9: an initialiser that throws leaves the Once undone; the throwable reaches its caller and the next caller runs it again. */
    @Test
    void run_initialiserThrows_staysUndoneAndNextCallerRuns() {
        Once once = new Once();
        assertThatThrownBy(() -> once.run(() -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(once.isDone()).isFalse();
        AtomicInteger runs = new AtomicInteger();
        once.run(runs::incrementAndGet);
        assertThat(runs).hasValue(1);
        assertThat(once.isDone()).isTrue();
    }

    /** SPEC §9: a task killed while running the initialiser leaves it undone; a caller that was waiting runs it next. */
    @Test
    void run_runnerKilledMidway_waiterRunsItNext(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Once once = new Once();
        AtomicInteger runs = new AtomicInteger();
        Task<Object> runner = g.spawnTask("runner", () -> {
            once.run(() -> {
                runs.incrementAndGet();
                Tasks.sleep(java.time.Duration.ofHours(1));
            });
            return null;
        });
        Await.until("the runner to sleep inside the initialiser", () -> runs.get() == 1 && runner.state() == TaskState.BLOCKED);
        Attempt waiter = attempt(g, "waiter", () -> {
            once.run(runs::incrementAndGet);
            return "ran";
        });
        Await.until("the waiter to wait", () -> once.queueLength() == 1);
        runner.kill();
        assertThat(ended(runner)).isEqualTo(ExitStatus.KILLED);
        assertThat(waiter.get()).isEqualTo("ran");
        assertThat(runs).hasValue(2);
        assertThat(once.isDone()).isTrue();
        killAndReap(g);
    }

    /** SPEC K2: a task killed while waiting for another caller's initialiser throws the kill throwable and leaves the queue. */
    @Test
    void run_killedWhileWaiting_throwsKilledAndQueueEmpties(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Once once = new Once();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread host = Thread.ofPlatform().start(() -> once.run(() -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }));
        await(inside);
        Attempt waiter = attempt(g, "waiter", () -> {
            once.run(() -> {});
            return "returned";
        });
        Await.state(waiter.task(), TaskState.BLOCKED);
        assertThat(kernel.snapshot().tasks().stream().filter(t -> t.id() == waiter.task().id()).findFirst().orElseThrow()
                .waitChannel()).contains("once@").contains("host thread");
        waiter.task().kill();
        assertThat(waiter.get()).isInstanceOf(TaskKilledError.class);
        assertThat(once.queueLength()).isZero();
        release.countDown();
        host.join(Await.LONG.toMillis());
        assertThat(once.isDone()).isTrue();
        killAndReap(g);
    }

    /** SPEC §9: calling run from inside its own initialiser is a TaskLifeException(DEADLOCK), not a hang; the Once stays undone. */
    @Test
    void run_fromOwnInitialiser_deadlockError() {
        Once once = new Once();
        assertThatThrownBy(() -> once.run(() -> once.run(() -> {}))).is(reason(DEADLOCK))
                .hasMessageContaining("own initialiser");
        assertThat(once.isDone()).isFalse();
    }

    /** Argument check: a null initialiser is refused before anything happens. */
    @Test
    void run_nullInitialiser_throwsNpe() {
        Once once = new Once();
        assertThatThrownBy(() -> once.run(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("initialiser");
        assertThat(once.isDone()).isFalse();
    }
}
