package org.tasklife.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.TaskLifeException.Reason.DESTROYED;
import static org.tasklife.TaskLifeException.Reason.NOT_IN_TASK;
import static org.tasklife.testkit.Fixtures.attempt;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.idleGroup;
import static org.tasklife.testkit.Fixtures.killAndReap;
import static org.tasklife.testkit.Reasons.reason;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.TaskState;
import org.tasklife.Tasks;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures.Attempt;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.TrackedResource;

@ExtendWith(KernelExtension.class)
class TaskLocalTest {

    /** SPEC §9: each task sees only its own value; a task that never set one sees null. */
    @Test
    void get_differentTasks_seeOwnValues(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        TaskLocal<String> key = new TaskLocal<>();
        Attempt a = attempt(g, "a", () -> {
            key.set("A");
            return key.get();
        });
        Attempt b = attempt(g, "b", key::get);
        assertThat(a.get()).isEqualTo("A");
        assertThat(b.get()).isNull();
        killAndReap(g);
    }

    /** SPEC §9: the destructor runs once with the task's value at a normal return. */
    @Test
    void destructor_taskReturns_runsOnceWithValue(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        List<String> destroyed = new CopyOnWriteArrayList<>();
        TaskLocal<String> key = new TaskLocal<>(destroyed::add);
        Task<Integer> t = g.spawnTask("t", () -> {
            key.set("first");
            key.set("second");
            return 1;
        });
        assertThat(ended(t)).isEqualTo(ExitStatus.exited(0));
        assertThat(destroyed).containsExactly("second");
        killAndReap(g);
    }

    /** SPEC §9: a task killed while blocked still runs its destructors, before its owned resources close. */
    @Test
    void destructor_taskKilled_runsBeforeOwnedResourcesClose(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        CopyOnWriteArrayList<String> events = new CopyOnWriteArrayList<>();
        TaskLocal<String> key = new TaskLocal<>(v -> events.add("destructor " + v));
        TrackedResource r = new TrackedResource("close r", events);
        Task<Object> t = g.spawnTask("t", () -> {
            Tasks.own(r);
            key.set("v");
            Tasks.sleep(Duration.ofHours(1));
            return null;
        });
        Await.state(t, TaskState.BLOCKED);
        t.kill();
        assertThat(ended(t)).isEqualTo(ExitStatus.KILLED);
        assertThat(events).containsExactly("destructor v", "close r");
        assertThat(r.closeCount()).isEqualTo(1);
        killAndReap(g);
    }

    /** SPEC §9: destructors run on exit(), in reverse order of the keys' first set; a throwing one does not stop the rest and is recorded. */
    @Test
    void destructor_exitWithSeveralKeys_reverseOrderAndFailuresRecorded(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        List<String> events = new CopyOnWriteArrayList<>();
        TaskLocal<String> k1 = new TaskLocal<>(v -> events.add("k1 " + v));
        TaskLocal<String> k2 = new TaskLocal<>(v -> {
            throw new IllegalStateException("k2 destructor fails");
        });
        TaskLocal<String> k3 = new TaskLocal<>(v -> events.add("k3 " + v));
        Task<Object> t = g.spawnTask("t", () -> {
            k1.set("a");
            k2.set("b");
            k3.set("c");
            Tasks.exit();
            return null;
        });
        assertThat(ended(t)).isEqualTo(ExitStatus.exited(0));
        assertThat(events).containsExactly("k3 c", "k1 a");
        assertThat(t.closeFailures()).singleElement().satisfies(e -> assertThat(e).hasMessage("k2 destructor fails"));
        killAndReap(g);
    }

    /** SPEC §9: a value removed or set to null gets no destructor call. */
    @Test
    void destructor_valueRemoved_notRun(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        List<String> destroyed = new CopyOnWriteArrayList<>();
        TaskLocal<String> a = new TaskLocal<>(destroyed::add);
        TaskLocal<String> b = new TaskLocal<>(destroyed::add);
        Task<Object> t = g.spawnTask("t", () -> {
            a.set("x");
            a.remove();
            b.set("y");
            b.set(null);
            return null;
        });
        ended(t);
        assertThat(destroyed).isEmpty();
        killAndReap(g);
    }

    /** SPEC §9: after delete every use throws TaskLifeException(DESTROYED), and no destructor runs for values set before. */
    @Test
    void delete_thenUse_throwsAndNoDestructorRuns(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        List<String> destroyed = new CopyOnWriteArrayList<>();
        TaskLocal<String> key = new TaskLocal<>(destroyed::add);
        Attempt t = attempt(g, "t", () -> {
            key.set("v");
            key.delete();
            assertThat(key.isDeleted()).isTrue();
            return List.of(
                    attemptOp(key::get), attemptOp(() -> key.set("w")), attemptOp(key::remove));
        });
        assertThat((List<?>) t.get()).allSatisfy(e -> assertThat((Throwable) e).is(reason(DESTROYED))
                .hasMessageContaining("deleted"));
        ended(t.task());
        assertThat(destroyed).isEmpty();
        killAndReap(g);
    }

    /** SPEC §9: task-local values exist only in tasks; a host thread gets TaskLifeException(NOT_IN_TASK). */
    @Test
    void get_onHostThread_notInTask() {
        TaskLocal<String> key = new TaskLocal<>();
        assertThatThrownBy(key::get).is(reason(NOT_IN_TASK)).hasMessageContaining("host thread");
        assertThatThrownBy(() -> key.set("x")).is(reason(NOT_IN_TASK));
    }

    /**
     * A value set during the exit sequence after the destructor rounds (here from an owned resource's
     * close()) is refused: no destructor would run for it.
     */
    @Test
    void set_afterDestructorRounds_refused(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        TaskLocal<String> late = new TaskLocal<>(v -> { });
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        Task<Object> t = g.spawnTask("t", () -> {
            Tasks.own(() -> {
                try {
                    late.set("too late");
                } catch (IllegalStateException e) {
                    seen.add(e);
                }
            });
            return null;
        });
        ended(t);
        assertThat(seen).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("exit sequence")
                .hasMessageContaining("destructor"));
        assertThat(t.closeFailures()).isEmpty();
        killAndReap(g);
    }

    /** SPEC §9: a destructor that sets its key's value again gets a second round, which sees the new value. */
    @Test
    void destructor_setsValueAgainOnce_secondRoundRuns(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        List<String> destroyed = new CopyOnWriteArrayList<>();
        AtomicReference<TaskLocal<String>> key = new AtomicReference<>();
        key.set(new TaskLocal<>(v -> {
            destroyed.add(v);
            if (v.equals("first")) {
                key.get().set("again");
            }
        }));
        Task<Object> t = g.spawnTask("t", () -> {
            key.get().set("first");
            return null;
        });
        assertThat(ended(t)).isEqualTo(ExitStatus.exited(0));
        assertThat(destroyed).containsExactly("first", "again");
        assertThat(t.closeFailures()).isEmpty();
        killAndReap(g);
    }

    /** SPEC §9: a destructor that sets another key's value gets that key's destructor run in a further round. */
    @Test
    void destructor_setsAnotherKey_itsDestructorRunsInNextRound(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        List<String> events = new CopyOnWriteArrayList<>();
        TaskLocal<String> other = new TaskLocal<>(v -> events.add("other " + v));
        TaskLocal<String> key = new TaskLocal<>(v -> {
            events.add("key " + v);
            other.set("from key's destructor");
        });
        Task<Object> t = g.spawnTask("t", () -> {
            key.set("v");
            return null;
        });
        ended(t);
        assertThat(events).containsExactly("key v", "other from key's destructor");
        assertThat(t.closeFailures()).isEmpty();
        killAndReap(g);
    }

    /**
     * SPEC §9 (PTHREAD_DESTRUCTOR_ITERATIONS): a destructor that always sets a value again runs exactly 4
     * rounds; the value left after them is dropped without a destructor call and reported as a close
     * failure naming the key.
     */
    @Test
    void destructor_setsValueAgainForever_exactlyFourRoundsLeftoverReported(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        List<Integer> rounds = new CopyOnWriteArrayList<>();
        AtomicReference<TaskLocal<Integer>> key = new AtomicReference<>();
        key.set(new TaskLocal<>(v -> {
            rounds.add(v);
            key.get().set(v + 1);
        }));
        Task<Object> t = g.spawnTask("t", () -> {
            key.get().set(1);
            return null;
        });
        assertThat(ended(t)).isEqualTo(ExitStatus.exited(0));
        assertThat(rounds).containsExactly(1, 2, 3, 4);
        assertThat(t.closeFailures()).singleElement().satisfies(e -> assertThat(e)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(key.get().toString())
                .hasMessageContaining("task " + t.id())
                .hasMessageContaining("4 destructor rounds")
                .hasMessageContaining("PTHREAD_DESTRUCTOR_ITERATIONS"));
        killAndReap(g);
    }

    private static Throwable attemptOp(Runnable op) {
        try {
            op.run();
            return null;
        } catch (Throwable e) {
            return e;
        }
    }
}
