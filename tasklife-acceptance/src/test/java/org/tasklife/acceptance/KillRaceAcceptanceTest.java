package org.tasklife.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tasklife.ChildSelector;
import org.tasklife.ExitStatus;
import org.tasklife.Kernel;
import org.tasklife.SpawnRefusedException;
import org.tasklife.Task;
import org.tasklife.TaskGroup;
import org.tasklife.Tasks;
import org.tasklife.testkit.Await;
import org.tasklife.testkit.KernelExtension;
import org.tasklife.testkit.TrackedResource;

/** Black-box lifecycle races through the public API only (seed-systems §9 scenarios 5, 6, 7, 10). */
@ExtendWith(KernelExtension.class)
class KillRaceAcceptanceTest {
    private static final int ITERATIONS = 1_000 * Integer.getInteger("tasklife.stressMultiplier", 1);

    /** SPEC K6: kill racing natural completion gives exactly one outcome, never both, never neither. */
    @Test
    void kill_racingCompletion_exactlyOneOutcome(Kernel kernel) throws Exception {
        TaskGroup g = kernel.spawnGroup("host", () -> {
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        for (int i = 0; i < ITERATIONS; i++) {
            Task<Integer> t = g.spawnTask("quick", () -> 1);
            boolean killed = t.kill();
            ExitStatus s = t.onExit().get(10, TimeUnit.SECONDS);
            assertThat(s).as("iteration %d, kill returned %s", i, killed)
                    .isEqualTo(killed ? ExitStatus.KILLED : ExitStatus.exited(0));
            t.detach();
        }
        g.kill();
        assertThat(g.reap()).isEqualTo(ExitStatus.KILLED);
    }

    /** SPEC K3 (H2 exit_vs_futex_block): a kill racing entry into sleep, join or waitChild never leaves the task parked. */
    @Test
    void kill_racingWaitEntry_neverLeavesTaskParked(Kernel kernel) throws Exception {
        for (int i = 0; i < ITERATIONS; i++) {
            int kind = i % 3;
            long spin = ThreadLocalRandom.current().nextLong(0, 20_000);
            TaskGroup g = kernel.spawnGroup("racer", () -> {
                switch (kind) {
                    case 0 -> Tasks.sleep(Duration.ofHours(1));
                    case 1 -> Tasks.spawnTask("blocker", () -> {
                        Tasks.sleep(Duration.ofHours(1));
                        return null;
                    }).join();
                    default -> {
                        Tasks.spawnGroup("child", () -> {
                            Tasks.sleep(Duration.ofHours(1));
                            return 0;
                        });
                        Tasks.waitChild(ChildSelector.any());
                    }
                }
                return 0;
            });
            LockSupport.parkNanos(spin); // randomised delay on the killer's side
            g.kill();
            assertThat(g.onExit().get(10, TimeUnit.SECONDS)).as("iteration %d", i).isEqualTo(ExitStatus.KILLED);
            g.reap();
        }
        // orphaned "child" groups of kind 2 were reparented to the root; end them too
        for (TaskGroup orphan : kernel.rootDomain().groups()) {
            orphan.kill();
        }
        Await.until("orphans ended", () -> kernel.liveTaskCount() == 0);
    }

    /** SPEC E3, P3 (anemone C4): a spawn racing exitGroup is refused or killed, never survives the group. */
    @Test
    void spawn_racingExitGroup_neverSurvives(Kernel kernel) throws Exception {
        for (int i = 0; i < 100; i++) {
            CountDownLatch go = new CountDownLatch(1);
            List<Task<?>> spawned = new ArrayList<>();
            TaskGroup g = kernel.spawnGroup("forker", () -> {
                Tasks.spawnTask("exiter", () -> {
                    go.await();
                    Tasks.exitGroup(5);
                    return null;
                });
                go.countDown();
                try {
                    for (;;) {
                        spawned.add(Tasks.spawnTask("w", () -> {
                            Tasks.sleep(Duration.ofHours(1));
                            return null;
                        }));
                    }
                } catch (SpawnRefusedException refused) {
                    return 0; // the group is exiting
                }
            });
            assertThat(g.reap()).isEqualTo(ExitStatus.exited(5));
            for (Task<?> t : spawned) {
                assertThat(t.exitStatus()).hasValue(ExitStatus.KILLED);
            }
        }
    }

    /** SPEC O2, K7: killing a group of 1,000 tasks blocked in sleep closes each one's resource exactly once. */
    @Test
    void groupKill_thousandBlockedTasks_allEndAndCloseOnce(Kernel kernel) throws Exception {
        int n = 1_000;
        List<TrackedResource> resources = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            resources.add(new TrackedResource("r" + i));
        }
        CountDownLatch blocked = new CountDownLatch(n);
        TaskGroup g = kernel.spawnGroup("many", () -> {
            for (int i = 0; i < n; i++) {
                TrackedResource r = resources.get(i);
                Tasks.spawnTask("t" + i, () -> {
                    Tasks.own(r);
                    blocked.countDown();
                    Tasks.sleep(Duration.ofHours(1));
                    return null;
                });
            }
            Tasks.sleep(Duration.ofHours(1));
            return 0;
        });
        assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(g.kill()).isTrue();
        assertThat(g.onExit().get(30, TimeUnit.SECONDS)).isEqualTo(ExitStatus.KILLED);
        assertThat(resources).allSatisfy(r -> assertThat(r.closeCount()).isEqualTo(1));
        g.reap();
    }
}
