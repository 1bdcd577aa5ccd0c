package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.sync.Semaphore;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;

/**
 * {@code Tasks.all} and {@code Tasks.firstSuccess} (docs/contract.md, K14): the losers are killed and have
 * ended (TERMINATED) before the call returns or throws; the caller stays killable. Every scenario runs in a
 * task of a fresh group and hands its observations back to the test.
 */
@ExtendWith(KernelExtension.class)
class CombinatorTest {

    private static final Duration HOUR = Duration.ofHours(1);

    /**
     * What a combinator call gave, and the tasks its bodies ran in, with their states right after it. Ended
     * means TERMINATED (the status is published, as join promises); a task leaves its group's live count a
     * moment later (SPEC E6), which the kernel audit after each test checks.
     */
    private record Observed(Object outcome, List<TaskState> states, List<ExitStatus> statuses) {}

    /**
     * Runs {@code call} in the main task of a new group; each body registers its own task in {@code tasks}.
     * Returns what the call returned or threw, and the state of every body's task at that moment.
     */
    private static Observed inGroup(Kernel kernel, ConcurrentLinkedQueue<Task<?>> tasks, TaskBody<?> call)
            throws Exception {
        CompletableFuture<Observed> seen = new CompletableFuture<>();
        TaskGroup g = kernel.spawnGroup("caller", () -> {
            Object outcome;
            try {
                outcome = call.run();
            } catch (RuntimeException e) {
                outcome = e;
            }
            List<TaskState> states = new ArrayList<>();
            List<ExitStatus> statuses = new ArrayList<>();
            for (Task<?> t : tasks) {
                states.add(t.state());
                statuses.add(t.exitStatus().orElse(null));
            }
            seen.complete(new Observed(outcome, states, statuses));
            return 0;
        });
        Observed o = get(seen);
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        return o;
    }

    /** A body that registers its task, then sleeps until killed. */
    private static TaskBody<String> sleeper(ConcurrentLinkedQueue<Task<?>> tasks) {
        return () -> {
            tasks.add(Tasks.current());
            Tasks.sleep(HOUR);
            return "never";
        };
    }

    /** A body that registers its task, waits until {@code others} tasks registered too, then returns or throws. */
    private static TaskBody<String> after(ConcurrentLinkedQueue<Task<?>> tasks, int total, String value,
            RuntimeException failure) {
        return () -> {
            tasks.add(Tasks.current());
            while (tasks.size() < total) {
                Tasks.sleep(Duration.ofMillis(1)); // every sibling has started: the losers are really running
            }
            if (failure != null) {
                throw failure;
            }
            return value;
        };
    }

    // ---- all ----

    /** Contract K14: all returns every result, in the order of the bodies, whatever order they end in. */
    @Test
    void all_everyBodySucceeds_resultsInBodyOrder(Kernel kernel) throws Exception {
        ConcurrentLinkedQueue<Task<?>> tasks = new ConcurrentLinkedQueue<>();
        Semaphore second = new Semaphore(0);
        Observed o = inGroup(kernel, tasks, () -> Tasks.all(List.<TaskBody<String>>of(
                () -> {
                    tasks.add(Tasks.current());
                    second.acquire(); // ends after the second
                    return "a";
                },
                () -> {
                    tasks.add(Tasks.current());
                    second.release();
                    return "b";
                },
                () -> {
                    tasks.add(Tasks.current());
                    return "c";
                })));

        assertThat(o.outcome()).isEqualTo(List.of("a", "b", "c"));
        assertThat(o.states()).containsOnly(TaskState.TERMINATED);
    }

    /**
     * Contract K14: the first failure kills the others, which have ended before all throws; the exception is the one
     * the failed task's join would throw, with the body's throwable as cause.
     */
    @Test
    void all_oneFails_othersKilledAndEndedBeforeItThrows(Kernel kernel) throws Exception {
        ConcurrentLinkedQueue<Task<?>> tasks = new ConcurrentLinkedQueue<>();
        IllegalStateException boom = new IllegalStateException("boom");
        Observed o = inGroup(kernel, tasks, () -> Tasks.all(List.of(sleeper(tasks), after(tasks, 3, "x", boom),
                sleeper(tasks))));

        assertThat(o.outcome()).isInstanceOf(TaskFailedException.class);
        assertThat(((Throwable) o.outcome()).getCause()).isSameAs(boom);
        assertThat(o.states()).as("every task ended before all threw").containsOnly(TaskState.TERMINATED);
        assertThat(o.statuses()).filteredOn(ExitStatus.KILLED::equals).hasSize(2);
    }

    /** A body's failure fails only its task: the caller's group goes on (policy FAIL_GROUP notwithstanding). */
    @Test
    void all_bodyThrows_groupNotFailed(Kernel kernel) throws Exception {
        ConcurrentLinkedQueue<Task<?>> tasks = new ConcurrentLinkedQueue<>();
        Observed o = inGroup(kernel, tasks, () -> Tasks.all(List.<TaskBody<Object>>of(() -> {
            tasks.add(Tasks.current());
            throw new java.io.IOException("io");
        })));

        assertThat(o.outcome()).isInstanceOf(TaskFailedException.class);
        assertThat(((Throwable) o.outcome()).getCause()).isInstanceOf(java.io.IOException.class);
        assertThat(o.statuses()).containsExactly(ExitStatus.exited(0)); // the task returned its failure
    }

    // ---- firstSuccess ----

    /** Contract K14: firstSuccess returns the first success; the rest are killed and have ended before it returns. */
    @Test
    void firstSuccess_oneSucceeds_restKilledAndEndedBeforeItReturns(Kernel kernel) throws Exception {
        ConcurrentLinkedQueue<Task<?>> tasks = new ConcurrentLinkedQueue<>();
        Observed o = inGroup(kernel, tasks, () -> Tasks.firstSuccess(List.of(sleeper(tasks),
                after(tasks, 3, "winner", null), sleeper(tasks))));

        assertThat(o.outcome()).isEqualTo("winner");
        assertThat(o.states()).as("every loser ended before firstSuccess returned").containsOnly(TaskState.TERMINATED);
        assertThat(o.statuses()).filteredOn(ExitStatus.KILLED::equals).hasSize(2);
    }

    /** A failure does not end firstSuccess while another body may still succeed. */
    @Test
    void firstSuccess_failureThenSuccess_returnsTheSuccess(Kernel kernel) throws Exception {
        ConcurrentLinkedQueue<Task<?>> tasks = new ConcurrentLinkedQueue<>();
        Semaphore failed = new Semaphore(0);
        Observed o = inGroup(kernel, tasks, () -> Tasks.firstSuccess(List.<TaskBody<String>>of(
                () -> {
                    tasks.add(Tasks.current());
                    failed.release();
                    throw new IllegalStateException("first");
                },
                () -> {
                    tasks.add(Tasks.current());
                    failed.acquire();
                    return "second";
                })));

        assertThat(o.outcome()).isEqualTo("second");
        assertThat(o.states()).containsOnly(TaskState.TERMINATED);
    }

    /** Contract K14: if every body fails, the exception carries each failure as suppressed, in the order of the bodies. */
    @Test
    void firstSuccess_allFail_everyFailureSuppressedInBodyOrder(Kernel kernel) throws Exception {
        ConcurrentLinkedQueue<Task<?>> tasks = new ConcurrentLinkedQueue<>();
        RuntimeException first = new IllegalStateException("first");
        RuntimeException second = new UnsupportedOperationException("second");
        Observed o = inGroup(kernel, tasks, () -> Tasks.firstSuccess(List.of(after(tasks, 2, null, first),
                after(tasks, 2, null, second))));

        assertThat(o.outcome()).isInstanceOf(TaskFailedException.class);
        assertThat(((Throwable) o.outcome()).getSuppressed()).containsExactly(first, second);
        assertThat(o.states()).containsOnly(TaskState.TERMINATED);
    }

    /** A body whose task is killed by someone else counts as failed (a TaskKilledException among the suppressed). */
    @Test
    void firstSuccess_bodyKilledFromOutside_countsAsFailure(Kernel kernel) throws Exception {
        ConcurrentLinkedQueue<Task<?>> tasks = new ConcurrentLinkedQueue<>();
        Observed o = inGroup(kernel, tasks, () -> Tasks.firstSuccess(List.<TaskBody<String>>of(() -> {
            tasks.add(Tasks.current());
            Tasks.current().kill(); // as if from outside: its next tasklife call unwinds
            Tasks.checkpoint();
            return "never";
        })));

        assertThat(o.outcome()).isInstanceOf(TaskFailedException.class);
        assertThat(((Throwable) o.outcome()).getSuppressed()).hasSize(1)
                .allSatisfy(s -> assertThat(s).isInstanceOf(TaskKilledException.class));
        assertThat(o.statuses()).containsExactly(ExitStatus.KILLED);
    }

    // ---- the caller ----

    /** Killing the caller while it waits kills the tasks it started; nothing of them is left live. */
    @Test
    void callerKilledWhileWaiting_itsTasksAreKilledToo(Kernel kernel) throws Exception {
        ConcurrentLinkedQueue<Task<?>> tasks = new ConcurrentLinkedQueue<>();
        CompletableFuture<Throwable> callerSaw = new CompletableFuture<>();
        TaskGroup g = kernel.spawnGroup("home", () -> {
            Task<?> caller = Tasks.spawnTask("caller", () -> {
                try {
                    return Tasks.all(List.of(sleeper(tasks), sleeper(tasks)));
                } catch (TaskKilledError e) {
                    callerSaw.complete(e);
                    throw e;
                }
            });
            Await.until("both bodies started", () -> tasks.size() == 2);
            Await.state(caller, TaskState.BLOCKED);
            caller.kill();
            try {
                caller.join();
            } catch (TaskKilledException expected) {
                // the caller was killed
            }
            for (Task<?> t : tasks) {
                ExitStatus s = get(t.onExit());
                if (!s.equals(ExitStatus.KILLED)) {
                    return 1;
                }
            }
            return 0;
        });

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
        assertThat(get(callerSaw)).isInstanceOf(TaskKilledError.class);
        KernelExtension.audit(kernel);
    }

    /** Bad input: an empty list is refused (IllegalArgumentException), a null list or body names the argument. */
    @Test
    void badInput_refusedNamingTheArgument_nothingSpawned(Kernel kernel) throws Exception {
        CompletableFuture<List<Object>> errors = new CompletableFuture<>();
        TaskGroup g = kernel.spawnGroup("caller", () -> {
            List<Object> out = new ArrayList<>();
            for (Runnable call : new Runnable[] {
                    () -> Tasks.all(List.of()),
                    () -> Tasks.firstSuccess(List.of()),
                    () -> Tasks.all(null),
                    () -> Tasks.firstSuccess(Arrays.<TaskBody<Integer>>asList(() -> 1, null))}) {
                try {
                    call.run();
                    out.add("no exception");
                } catch (RuntimeException e) {
                    out.add(e);
                }
            }
            out.add(Tasks.currentGroup().liveTaskCount());
            errors.complete(out);
            return 0;
        });

        List<Object> e = get(errors);
        assertThat(e.get(0)).isInstanceOf(IllegalArgumentException.class)
                .hasFieldOrPropertyWithValue("message", "bodies must not be empty: Tasks.all needs at least one");
        assertThat(e.get(1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(e.get(2)).isInstanceOf(NullPointerException.class).hasFieldOrPropertyWithValue("message", "bodies");
        assertThat(e.get(3)).isInstanceOf(NullPointerException.class)
                .hasFieldOrPropertyWithValue("message", "bodies[1]");
        assertThat(e.get(4)).as("nothing spawned").isEqualTo(1);
        assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
    }

    /** From host code the combinators are refused with NOT_IN_TASK. */
    @Test
    void fromHostCode_notInTask() {
        assertThatThrownBy(() -> Tasks.all(List.<TaskBody<Integer>>of(() -> 1))).isInstanceOf(TaskLifeException.class)
                .satisfies(e -> assertThat(((TaskLifeException) e).reason())
                        .isEqualTo(TaskLifeException.Reason.NOT_IN_TASK));
        assertThatThrownBy(() -> Tasks.firstSuccess(List.<TaskBody<Integer>>of(() -> 1)))
                .isInstanceOf(TaskLifeException.class);
    }

    /** In deterministic mode: a loser sleeping for a day is killed; the call returns at once in virtual time. */
    @Test
    void firstSuccess_deterministic_losersEnded() throws Exception {
        try (Kernel k = Kernel.builder().name("race").jmx(false).deterministic(9).boot()) {
            CountDownLatch checked = new CountDownLatch(1);
            ConcurrentLinkedQueue<Task<?>> tasks = new ConcurrentLinkedQueue<>();
            TaskGroup g = k.spawnGroup("caller", () -> {
                String r = Tasks.firstSuccess(List.<TaskBody<String>>of(
                        () -> {
                            tasks.add(Tasks.current());
                            Tasks.sleep(Duration.ofDays(1));
                            return "slow";
                        },
                        () -> {
                            tasks.add(Tasks.current());
                            Tasks.sleep(Duration.ofMinutes(1));
                            return "fast";
                        }));
                for (Task<?> t : tasks) {
                    if (t.state() != TaskState.TERMINATED) {
                        return 2;
                    }
                }
                checked.countDown();
                return r.equals("fast") ? 0 : 1;
            });

            assertThat(g.reap()).isEqualTo(ExitStatus.exited(0));
            await(checked);
            KernelExtension.audit(k);
        }
    }
}
