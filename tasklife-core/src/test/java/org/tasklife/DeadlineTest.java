package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.*;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;

/** Deadlines given at spawn ({@code SpawnOptions.deadline}): the kill, the status that says so, the timer. */
@ExtendWith(KernelExtension.class)
class DeadlineTest {

    private static final Duration HOUR = Duration.ofHours(1);

    private static Kernel deterministic(long seed) {
        return Kernel.builder().name("deadline").jmx(false).deterministic(seed).boot();
    }

    // ---- the status ----

    /** An explicit kill still ends {@code KILLED} (equal, printed "Killed"); a deadline's status is another Killed. */
    @Test
    void killedStatus_reasonComponent_keepsKilledEqualityAndType() {
        ExitStatus deadline = ExitStatus.killed(KillReason.DEADLINE);

        assertThat(new ExitStatus.Killed()).isEqualTo(ExitStatus.KILLED);
        assertThat(ExitStatus.killed(KillReason.KILL)).isSameAs(ExitStatus.KILLED);
        assertThat(ExitStatus.KILLED.reason()).isEqualTo(KillReason.KILL);
        assertThat(ExitStatus.KILLED).hasToString("Killed");
        assertThat(deadline).isInstanceOf(ExitStatus.Killed.class).isNotEqualTo(ExitStatus.KILLED)
                .hasToString("Killed(DEADLINE)");
        assertThat(deadline.isSuccess()).isFalse();
        assertThatThrownBy(() -> new ExitStatus.Killed(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("reason");
    }

    // ---- bad input ----

    /** A null, zero or negative deadline is refused, naming the option; the options it was called on are unchanged. */
    @Test
    void deadline_nullZeroOrNegative_illegalArgumentNamingIt() {
        SpawnOptions base = SpawnOptions.named("x");
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(-1)}) {
            assertThatThrownBy(() -> base.deadline(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("deadline must be a positive duration").hasMessageContaining("" + bad);
        }
        assertThat(base.deadline()).isEmpty();
        assertThat(base.deadline(HOUR).deadline()).contains(HOUR);
        assertThat(base.deadline(HOUR).priority(3).deadline()).as("kept by other setters").contains(HOUR);
    }

    // ---- tasks ----

    /** Contract K11: a task whose deadline passes is killed: its status is Killed(DEADLINE); a joiner is told it was killed. */
    @Test
    void taskDeadline_passes_taskKilledWithDeadlineStatus() throws Exception {
        try (Kernel k = deterministic(1)) {
            long realStart = System.nanoTime();
            CompletableFuture<ExitStatus> taskStatus = new CompletableFuture<>();
            TaskGroup g = k.spawnGroup("home", () -> {
                Task<?> late = Tasks.spawnTask(SpawnOptions.named("late").deadline(Duration.ofMinutes(5)), () -> {
                    Tasks.sleep(HOUR);
                    return "never";
                });
                try {
                    late.join();
                    return 1;
                } catch (TaskKilledException expected) {
                    taskStatus.complete(late.exitStatus().orElseThrow());
                    return 0;
                }
            });

            assertThat(ended(g)).as("the group goes on: only the task had a deadline").isEqualTo(ExitStatus.exited(0));
            assertThat(get(taskStatus)).isEqualTo(ExitStatus.killed(KillReason.DEADLINE));
            assertThat(Duration.ofNanos(System.nanoTime() - realStart)).as("virtual time").isLessThan(Await.LONG);
            g.reap();
            KernelExtension.audit(k);
        }
    }

    /** Contract K11: a task that ends before its deadline ends with its own status and leaves no armed timer. */
    @Test
    void taskDeadline_workEndsFirst_timerCancelled(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Task<String> quick = g.spawnTask(SpawnOptions.named("quick").deadline(HOUR), () -> "done");

        assertThat(ended(quick)).isEqualTo(ExitStatus.exited(0));
        killAndReap(g); // its main's sleep was the other armed timer
        KernelExtension.audit(kernel); // no armed timer: the hour-long deadline's was cancelled
    }

    /** Contract K11: on the system clock, a short deadline kills a task blocked in a tasklife wait. */
    @Test
    void taskDeadline_systemClock_killsBlockedTask(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Task<?> sleeper = g.spawnTask(SpawnOptions.named("sleeper").deadline(Duration.ofMillis(50)), () -> {
            Tasks.sleep(HOUR);
            return null;
        });

        assertThat(ended(sleeper)).isEqualTo(ExitStatus.killed(KillReason.DEADLINE));
        assertThat(sleeper.isKilled()).isTrue();
        assertThat(g.state()).as("a task's deadline ends only that task").isEqualTo(GroupState.ALIVE);
        killAndReap(g);
    }

    /** A task killed before its deadline ends Killed (an explicit kill) and its deadline's timer goes too. */
    @Test
    void taskDeadline_killedFirst_plainKilledAndTimerCancelled(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, "home");
        Task<?> sleeper = g.spawnTask(SpawnOptions.named("sleeper").deadline(HOUR), () -> {
            Tasks.sleep(HOUR);
            return null;
        });
        Await.state(sleeper, TaskState.BLOCKED);

        assertThat(sleeper.kill()).isTrue();
        assertThat(ended(sleeper)).isEqualTo(ExitStatus.KILLED);
        killAndReap(g);
        KernelExtension.audit(kernel);
    }

    // ---- groups ----

    /** Contract K11: a group whose deadline passes is killed whole: it and each of its tasks end Killed(DEADLINE). */
    @Test
    void groupDeadline_passes_groupAndMembersKilledWithDeadlineStatus() throws Exception {
        try (Kernel k = deterministic(2)) {
            CompletableFuture<Task<?>> worker = new CompletableFuture<>();
            TaskGroup g = k.spawnGroup(SpawnOptions.named("job").deadline(Duration.ofMinutes(10)), () -> {
                worker.complete(Tasks.spawnTask("worker", () -> {
                    Tasks.sleep(HOUR);
                    return null;
                }));
                Tasks.sleep(HOUR);
                return 0;
            });

            assertThat(ended(g)).isEqualTo(ExitStatus.killed(KillReason.DEADLINE));
            assertThat(ended(mainOf(k, g))).isEqualTo(ExitStatus.killed(KillReason.DEADLINE));
            assertThat(ended(get(worker))).isEqualTo(ExitStatus.killed(KillReason.DEADLINE));
            assertThat(g.reap()).isEqualTo(ExitStatus.killed(KillReason.DEADLINE));
            KernelExtension.audit(k);
        }
    }

    /** Contract K11: a group that ends before its deadline keeps its own status and leaves no armed timer. */
    @Test
    void groupDeadline_workEndsFirst_ownStatusAndTimerCancelled(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup(SpawnOptions.named("quick").deadline(HOUR), () -> 3);

        assertThat(g.reap()).isEqualTo(ExitStatus.exited(3));
        Await.until("the deadline's timer is cancelled", () -> kernel.pendingTimerCount() == 0,
                () -> kernel.pendingTimerCount() + " armed");
    }

    /** A group killed before its deadline ends Killed (the first recorded status wins); no timer is left armed. */
    @Test
    void groupDeadline_killedFirst_plainKilledAndTimerCancelled(Kernel kernel) throws Exception {
        TaskGroup g = idleGroup(kernel, SpawnOptions.named("job").deadline(HOUR));
        Await.state(mainOf(kernel, g), TaskState.BLOCKED);

        assertThat(g.kill()).isTrue();
        assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
        KernelExtension.audit(kernel);
    }

    /** A child group spawned from a task with a deadline is killed by it too, with the same status. */
    @Test
    void childGroupDeadline_passes_parentReapsDeadlineStatus() throws Exception {
        try (Kernel k = deterministic(4)) {
            TaskGroup parent = k.spawnGroup("parent", () -> {
                TaskGroup child = Tasks.spawnGroup(SpawnOptions.named("child").deadline(Duration.ofSeconds(30)), () -> {
                    Tasks.sleep(HOUR);
                    return 0;
                });
                return child.reap().equals(ExitStatus.killed(KillReason.DEADLINE)) ? 0 : 1;
            });

            assertThat(parent.reap()).isEqualTo(ExitStatus.exited(0));
            KernelExtension.audit(k);
        }
    }
}
