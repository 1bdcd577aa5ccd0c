package org.tasklife;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tasklife.testkit.Fixtures.ended;
import static org.tasklife.testkit.Fixtures.get;
import static org.tasklife.testkit.Fixtures.idleGroup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.Fixtures;

/** SPEC §11: Kernel.statistics() counts spawns, exits by status, kills by kind, refusals by limit and kill latency. */
class KernelStatisticsTest {
    private final Kernel kernel = Kernel.builder().name("stats").jmx(false).boot();

    @AfterEach
    void closeKernel() {
        kernel.close();
    }

    /** SPEC §11: a fresh kernel's totals are all zero, and its name is the one it was booted with. */
    @Test
    void statistics_freshKernel_allZeroAndNamed() {
        assertThat(kernel.statistics()).isEqualTo(new KernelStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(kernel.name()).isEqualTo("stats");
        assertThat(kernel.statistics().meanKillLatency()).isEqualTo(Duration.ZERO);
    }

    /** SPEC §11: after a known workload every total is exact. */
    @Test
    void statistics_knownWorkload_exactCounts() throws Exception {
        // 4 tasks exit normally: a main and its 3 children
        TaskGroup exits = kernel.spawnGroup("exits", () -> {
            List<Task<Integer>> kids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                kids.add(Tasks.spawnTask("kid-" + i, () -> 1));
            }
            for (Task<Integer> k : kids) {
                k.join();
            }
            return 0;
        });
        assertThat(ended(exits)).isEqualTo(ExitStatus.exited(0));
        // 1 task fails
        TaskGroup fails = kernel.spawnGroup("fails", () -> {
            throw new IllegalStateException("on purpose");
        });
        assertThat(ended(fails)).isInstanceOf(ExitStatus.Failed.class);
        // a task kill (1 task), then a group kill of the 3 left
        TaskGroup killed = idleGroup(kernel, "killed");
        Task<Object> victim = killed.spawnTask("victim", () -> Fixtures.sleepForever());
        killed.spawnTask("other", () -> Fixtures.sleepForever());
        killed.spawnTask("third", () -> Fixtures.sleepForever());
        assertThat(victim.kill()).isTrue();
        assertThat(ended(victim)).isEqualTo(ExitStatus.KILLED);
        assertThat(killed.kill()).isTrue();
        assertThat(ended(killed)).isEqualTo(ExitStatus.KILLED);
        // a domain stop of 2 tasks
        Domain dom = kernel.createDomain("dom");
        TaskGroup inDom = dom.spawnGroup("in-dom", Fixtures::sleepForever);
        inDom.spawnTask("in-dom-2", () -> Fixtures.sleepForever());
        Await.until("both tasks of the domain asleep", () -> inDom.tasks().size() == 2
                && inDom.tasks().stream().allMatch(t -> t.state() == TaskState.BLOCKED));
        assertThat(dom.stop(ExitStatus.KILLED)).isTrue();
        assertThat(dom.awaitStopped(Await.LONG)).isTrue();
        // a deadline kill of 1 task
        TaskGroup home = idleGroup(kernel, "home");
        Task<Object> late = home.spawnTask(SpawnOptions.named("late").deadline(Duration.ofMillis(20)),
                () -> Fixtures.sleepForever());
        assertThat(ended(late)).isEqualTo(ExitStatus.killed(KillReason.DEADLINE));
        // one refusal per limit
        Domain smallTasks = kernel.createDomain(DomainOptions.named("small-tasks").maxTasks(1));
        TaskGroup full = smallTasks.spawnGroup("full", Fixtures::sleepForever);
        assertThatThrownBy(() -> full.spawnTask("one-too-many", () -> 0))
                .isInstanceOf(DomainLimitExceededException.class);
        Domain smallGroups = kernel.createDomain(DomainOptions.named("small-groups").maxGroups(1));
        TaskGroup only = smallGroups.spawnGroup("only", Fixtures::sleepForever);
        assertThatThrownBy(() -> smallGroups.spawnGroup("second", Fixtures::sleepForever))
                .isInstanceOf(DomainLimitExceededException.class);
        Fixtures.end(home, full, only); // 4 more tasks killed by their group's end
        Await.until("every task ended", () -> kernel.liveTaskCount() == 0);

        KernelStatistics s = kernel.statistics();
        // spawned: exits 4, fails 1, killed 4, domain 2, home + late 2, full 1, only 1
        assertThat(s.tasksSpawned()).isEqualTo(15);
        assertThat(s.tasksExited()).isEqualTo(4);
        assertThat(s.tasksFailed()).isEqualTo(1);
        assertThat(s.tasksKilled()).isEqualTo(9); // victim, killed's 3, domain's 2, home, full, only
        assertThat(s.tasksKilled(KillReason.DEADLINE)).isEqualTo(1).isEqualTo(s.tasksKilledByDeadline());
        assertThat(s.tasksKilledByGraceExpired()).isZero();
        assertThat(s.tasksEnded()).isEqualTo(15);
        assertThat(s.killsOfTasks()).isEqualTo(2);       // victim, late
        assertThat(s.killsOfGroups()).isEqualTo(6);      // killed's 3 left, home, full, only
        assertThat(s.killsByDomainStop()).isEqualTo(2);
        assertThat(s.refusedByTaskLimit()).isEqualTo(1);
        assertThat(s.refusedByGroupLimit()).isEqualTo(1);
        assertThat(s.killLatencyCount()).isEqualTo(7);   // kills: victim, killed, dom, late, home, full, only
        assertThat(s.killLatencyMaxNanos()).isPositive().isLessThanOrEqualTo(s.killLatencyTotalNanos());
        assertThat(s.meanKillLatency()).isPositive();
    }

    /** SPEC D5: a domain's code may not read the kernel-wide totals; host code may. */
    @Test
    void statistics_fromDomainCode_refused() throws Exception {
        Domain dom = kernel.createDomain("tenant");
        TaskGroup g = dom.spawnGroup("probe", () -> {
            try {
                kernel.statistics();
                return 1;
            } catch (DomainAccessException expected) {
                return 0;
            }
        });
        assertThat(get(g.onExit())).isEqualTo(ExitStatus.exited(0));
    }
}
